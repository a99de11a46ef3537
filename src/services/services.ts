import type { Alarms } from './alarms/alarms.js';
import type { BillService } from './bills/bill-service.js';
import type { EnergyService } from './energy/energy-service.js';
import type { HistoryService } from './history-service.js';
import type { IngestHealth } from './ingest-health.js';
import type { LiveUpdates } from './live-updates.js';
import type { PanelService } from './panel-service.js';
import type { SiteSettings } from './site-settings.js';
import type { TariffService } from './tariff-service.js';

/**
 * Every service the composition root (src/core.ts) builds: what resolvers and the HTTP layer may
 * use, passed in, never imported singletons.
 */
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
