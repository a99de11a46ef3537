import type { Alarms } from './alarms/alarms.js';
import type { BillService } from './bills/bill-service.js';
import type { ComparisonService } from './comparisons/comparison-service.js';
import type { EmissionService } from './emissions/emission-service.js';
import type { DemandService } from './demand/demand-service.js';
import type { EnergyService } from './energy/energy-service.js';
import type { ExportService } from './export/export-service.js';
import type { HistoryService } from './history-service.js';
import type { IngestHealth } from './ingest-health.js';
import type { LiveUpdates } from './live-updates.js';
import type { LoadProfileService } from './load-profile/load-profile-service.js';
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
  /** Months and years against the period before and the same period last year. */
  readonly comparisons: ComparisonService;
  /** The grid emission factor's versions and the emissions of a bill's month. */
  readonly emissions: EmissionService;
  /** Peak demand per 15-minute window (docs/demand.md). */
  readonly demand: DemandService;
  /** Load profile, base load and use outside operating hours (docs/load-profile.md). */
  readonly loadProfile: LoadProfileService;
  readonly live: LiveUpdates;
  readonly history: HistoryService;
  /** CSV exports and their signed download links (docs/export.md). */
  readonly exports: ExportService;
  readonly tariff: TariffService;
  readonly ingest: IngestHealth;
  readonly settings: SiteSettings;
  /** Alarms and notifications; absent when ALARMS=false. */
  readonly alarms?: Alarms;
}
