import type { AppPubSub } from '../pipeline/pubsub.js';
import type { EnergyService } from '../services/energy/energy-service.js';
import type { HistoryService } from '../services/history-service.js';
import type { IngestHealth } from '../services/ingest-health.js';
import type { PanelService } from '../services/panel-service.js';
import type { TariffService } from '../services/tariff-service.js';

/** What resolvers may use: services only, passed in, never imported singletons. */
export interface Services {
  readonly panels: PanelService;
  readonly energy: EnergyService;
  readonly history: HistoryService;
  readonly tariff: TariffService;
  readonly ingest: IngestHealth;
  readonly pubsub: AppPubSub;
}

export interface Context {
  readonly services: Services;
}

/** A fresh context per operation (the dataloader plugin caches on it). */
export function createContext(services: Services): Context {
  return { services };
}
