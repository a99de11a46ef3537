import type { ApiRole } from '../models/admin-change.js';
import type { AppPubSub } from '../pipeline/pubsub.js';
import type { BillService } from '../services/bills/bill-service.js';
import type { EnergyService } from '../services/energy/energy-service.js';
import type { HistoryService } from '../services/history-service.js';
import type { IngestHealth } from '../services/ingest-health.js';
import type { LiveUpdates } from '../services/live-updates.js';
import type { PanelScope, PanelService } from '../services/panel-service.js';
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
  readonly pubsub: AppPubSub;
}

/** Who is asking: an API key's or a token's holder, or the open development mode. */
export interface Viewer {
  /** For the audit record and logs (never the key itself). */
  readonly name: string;
  /** null: not authenticated (refused wherever a role is needed). */
  readonly role: ApiRole | null;
  /** The panels this viewer may see; null: all. */
  readonly panels: PanelScope;
  /** When the credentials expire (long-lived WebSockets are closed then); null: never. */
  readonly expiresAt: Date | null;
}

export interface Context {
  readonly services: Services;
  readonly viewer: Viewer;
}

/** A fresh context per operation (the dataloader plugin caches on it). */
export function createContext(services: Services, viewer: Viewer): Context {
  return { services, viewer };
}
