import type { Viewer } from '../models/viewer.js';
import type { Alarms } from '../services/alarms/alarms.js';
import type { BillService } from '../services/bills/bill-service.js';
import type { EnergyService } from '../services/energy/energy-service.js';
import type { HistoryService } from '../services/history-service.js';
import type { IngestHealth } from '../services/ingest-health.js';
import type { LiveUpdates } from '../services/live-updates.js';
import type { PanelService } from '../services/panel-service.js';
import type { SiteSettings } from '../services/site-settings.js';
import type { TariffService } from '../services/tariff-service.js';

/** What resolvers may use: services only, passed in, never imported singletons. */
export interface Services {
  readonly panels: PanelService;
  readonly energy: EnergyService;
  readonly bills: BillService;
  readonly live: LiveUpdates;
  readonly history: HistoryService;
  readonly tariff: TariffService;
  readonly ingest: IngestHealth;
  readonly settings: SiteSettings;
  /** Alarms and notifications; absent when ALARMS=false. */
  readonly alarms?: Alarms;
}

export type { Viewer };

export interface Context {
  readonly services: Services;
  readonly viewer: Viewer;
}

/** A fresh context per operation (the dataloader plugin caches on it). */
export function createContext(services: Services, viewer: Viewer): Context {
  return { services, viewer };
}
