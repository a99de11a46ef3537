import type { Config } from './config/config.js';
import type { Logger } from './config/logger.js';
import type { Services } from './services/services.js';
import { IngestService } from './ingest/ingest-service.js';
import { panelAdmission, type PanelAdmission } from './ingest/panel-admission.js';
import { RejectionStats } from './ingest/rejection-stats.js';
import { topicPrefix } from './config/topic-pattern.js';
import { createAfterWrite, type AfterWriteDeps } from './pipeline/after-write.js';
import { LiveState } from './pipeline/live-state.js';
import { createAppPubSub, type AppPubSub } from './pipeline/pubsub.js';
import { StatusMonitor } from './pipeline/status-monitor.js';
import { createAlarms, type Alarms } from './services/alarms/alarms.js';
import { BillService } from './services/bills/bill-service.js';
import { ComparisonService } from './services/comparisons/comparison-service.js';
import { EmissionService } from './services/emissions/emission-service.js';
import { BuildingQuarters } from './services/demand/building-quarters.js';
import { DemandService } from './services/demand/demand-service.js';
import { LoadProfileService } from './services/load-profile/load-profile-service.js';
import { EnergyLedger, type RestoredPanel } from './services/energy/energy-ledger.js';
import { EnergyService } from './services/energy/energy-service.js';
import { LedgerCheckpoints } from './services/energy/ledger-checkpoints.js';
import { createExportLinks } from './services/export/export-links.js';
import { ExportService } from './services/export/export-service.js';
import { HistoryService } from './services/history-service.js';
import { HourlyAverages } from './services/hourly-averages.js';
import { IngestHealth } from './services/ingest-health.js';
import { LiveUpdates } from './services/live-updates.js';
import { createMetrics, type Metrics } from './config/metrics.js';
import { PanelService } from './services/panel-service.js';
import { SiteSettings } from './services/site-settings.js';
import { TariffService } from './services/tariff-service.js';
import { DiskSpace } from './store/disk-space.js';
import type { Stores } from './store/open-stores.js';
import { systemClock, type Clock } from './time/clock.js';
import { LocalTime } from './time/local-time.js';

export interface CoreOptions {
  /** Whether the broker connection is up; asked later, as ingestion starts after the core is built. */
  readonly brokerConnected: () => boolean;
  /**
   * This process's part of several over one InfluxDB (ClusterMember, src/cluster.ts); undefined for
   * one process. Only its after-write part is asked for: the cluster module is built on the core,
   * not the core on it.
   */
  readonly cluster?: { pipeline(parts: { readonly pubsub: AppPubSub; readonly metrics: Metrics }): NonNullable<AfterWriteDeps['cluster']> };
  /**
   * The clock "now" is read from: today, this month so far, statuses and their timers. Default:
   * the system clock; the fast tests pass one that stands still at a chosen instant.
   */
  readonly clock?: Clock;
}

/** The parts between the transports and the server: store-backed services and the ingest path. */
export interface Core {
  readonly time: LocalTime;
  readonly settings: SiteSettings;
  readonly metrics: Metrics;
  readonly pubsub: AppPubSub;
  readonly live: LiveState;
  readonly ledger: EnergyLedger;
  /** The energy ledger's checkpoints (InfluxDB mode; null embedded). */
  readonly checkpoints: LedgerCheckpoints | null;
  readonly services: Services;
  /** Parse, validate, durable write, then the after-write pipeline. */
  readonly ingest: IngestService;
  /** The after-write pipeline's parts, for readings another process stored (createAfterRemoteWrite). */
  readonly pipeline: AfterWriteDeps;
  /** Which panels readings are taken for (retired panels, MAX_PANELS), meters' and the feed's alike. */
  readonly admission: PanelAdmission;
  /** True once load() has succeeded. */
  isLoaded(): boolean;
  /**
   * One attempt at loading the panels and walking every stored reading into the energy ledger;
   * throws while the store cannot answer (the caller decides whether to retry). Returns the panels.
   */
  load(): Promise<readonly string[]>;
  /** Stops timers and store reads; resolves when nothing reads the stores any more (they close next). */
  stop(): Promise<void>;
}

/**
 * Wires the services and the after-write pipeline over opened stores. src/app.ts adds the broker,
 * the stored-readings feed and the HTTP server around it; the fast API tests call it as they are.
 */
export function buildCore(config: Config, stores: Stores, logger: Logger, options: CoreOptions): Core {
  const parts = groundParts(config, stores, logger, options.clock ?? systemClock);
  const { time, settings, metrics, pubsub, live, status, ledger, checkpoints } = parts;
  const { services, alarms, averages } = buildServices(parts, options);
  let loaded = false;
  reloadOnSettingsChange(parts, alarms, () => loaded);
  const cluster = options.cluster?.pipeline({ pubsub, metrics });
  // Anyone may publish to any DATA/PM/<id>: retired panels stay out, and at most MAX_PANELS are
  // known. The same rule for readings other processes announce on the stored-readings feed.
  const admission = panelAdmission({
    maxPanels: config.limits.ingest.maxPanels,
    retired: () => settings.state.retired,
    known: (id) => live.has(id),
    count: () => live.size,
  });
  const pipeline: AfterWriteDeps = { forward: () => stores.written(), live, status, ledger, averages, pubsub, logger, cluster, alarms: alarms?.service };
  const ingest = buildIngest(parts, pipeline, admission);
  services.ingest.attachStoreWrites(() => ingest.storeHealth());

  return {
    time,
    settings,
    metrics,
    pubsub,
    live,
    ledger,
    checkpoints,
    services,
    ingest,
    pipeline,
    admission,
    isLoaded: () => loaded,
    load: async () => {
      const ids = await loadAll(parts, alarms);
      loaded = true;
      return ids;
    },
    stop: async () => {
      status.stop();
      cluster?.order.flush();
      await checkpoints?.stop();
      await ledger.stop();
      await alarms?.stop();
    },
  };
}

/** What the services and the pipeline share: settings, metrics, the pubsub, the live state, statuses and the energy ledger. */
interface GroundParts {
  readonly config: Config;
  readonly stores: Stores;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly time: LocalTime;
  readonly settings: SiteSettings;
  readonly metrics: Metrics;
  readonly pubsub: AppPubSub;
  readonly rejections: RejectionStats;
  readonly live: LiveState;
  readonly status: StatusMonitor;
  readonly ledger: EnergyLedger;
  readonly checkpoints: LedgerCheckpoints | null;
}

function groundParts(config: Config, stores: Stores, logger: Logger, clock: Clock): GroundParts {
  const time = new LocalTime(config.site.timezone);
  const now = () => clock.now();
  const settings = new SiteSettings({ log: stores.admin, time, configuredPlan: config.site.tariffPlan, logger, now });
  const metrics = createMetrics();
  metrics.probes.adminRecordUnreadable = () => settings.unreadable.length;
  metrics.probes.logCheckpointFailures = () => stores.logCheckpoints().failures;
  const pubsub = createAppPubSub();
  const live = new LiveState();
  const energyLogger = logger.child({ component: 'energy' });
  const ledger = new EnergyLedger({ rule: config.site.countingRule, time, source: stores.read, logger: energyLogger });
  const checkpoints = stores.checkpoints && new LedgerCheckpoints({ ledger, ...stores.checkpoints, time, logger: energyLogger });
  return {
    config,
    stores,
    logger,
    clock,
    time,
    settings,
    metrics,
    pubsub,
    rejections: new RejectionStats(),
    live,
    status: new StatusMonitor({ live, pubsub, offlineAfterMs: config.site.offlineAfterMs, logger, clock }),
    ledger,
    checkpoints,
  };
}

/** The services the API answers from, the alarms (null when ALARMS=false) and the hourly averages the pipeline keeps current. */
function buildServices(parts: GroundParts, options: CoreOptions): { services: Services; alarms: Alarms | null; averages: HourlyAverages } {
  const { config, stores, logger, clock, time, settings, pubsub, rejections, live, status, ledger } = parts;
  const now = () => clock.now();
  const tariffs = () => settings.state.tariffs;
  // Emission factor versions are folded from the admin record like the plans (docs/comparisons-and-emissions.md).
  const emissionFactors = () => settings.state.emissions;
  const energy = new EnergyService({ ledger, tariffs, emissions: emissionFactors, time, source: stores.read, now });
  const panels = new PanelService({ live, status, energy, settings, defaultNames: config.site.panelNames, stored: () => stores.read.panels(), now });
  // Alarms (docs/alarms.md): evaluated after the energy ledger on every stored reading, here and from the feed.
  const alarms = config.alarms.enabled
    ? createAlarms({ config, store: stores.read, settings, energy, time, pubsub, buildingPanels: () => panels.list(null).map((panel) => panel.id), rejections, logger })
    : null;
  // Peak demand and the load profile share the ledger's quarter hours summed per set of panels.
  const quarters = new BuildingQuarters(ledger);
  const holidays = new Set(config.site.holidays);
  const bills = new BillService({ ledger, energy, tariffs, time, now });
  const averages = new HourlyAverages(stores.read);
  const history = new HistoryService(
    stores.read,
    energy,
    { time, timeFloorMs: config.limits.ingest.meterTimeFloorMs, maxClockSkewMs: config.site.maxClockSkewMs, now },
    averages,
  );
  const services: Services = {
    panels,
    energy,
    bills,
    comparisons: new ComparisonService({ energy, ledger, tariffs, emissions: emissionFactors, time, now }),
    emissions: new EmissionService({ settings, energy, time, now }),
    demand: new DemandService({ energy, quarters, time, now }),
    loadProfile: new LoadProfileService({ ledger, energy, quarters, tariffs, time, operatingHours: config.site.operatingHours, holidays: () => holidays, now }),
    live: new LiveUpdates({ pubsub, panels, energy, time, clock }),
    history,
    exports: new ExportService(
      { store: stores.read, panels, history, bills, time },
      createExportLinks({ secret: config.exports.linkSecret, ttlMs: config.exports.linkTtlMs }),
      config.exports.maxStreams,
    ),
    tariff: new TariffService(tariffs, time),
    ingest: new IngestHealth({ rejections, brokerConnected: options.brokerConnected, storeLag: () => stores.lag() }),
    settings,
    alarms: alarms ?? undefined,
  };
  return { services, alarms, averages };
}

/** A retired panel is forgotten by the live parts; one brought back is loaded again (once the core is loaded). */
function reloadOnSettingsChange({ stores, logger, settings, live, status, ledger }: GroundParts, alarms: Alarms | null, isLoaded: () => boolean): void {
  settings.setChangeHandler((state, previous) => {
    alarms?.service.settingsChanged();
    for (const id of state.retired) if (!previous.retired.has(id)) {
      live.remove(id);
      ledger.remove(id);
    }
    const returning = [...previous.retired].filter((id) => !state.retired.has(id));
    if (returning.length > 0 && isLoaded()) {
      void live
        .loadFrom(stores.read)
        .then((ids) => {
          for (const id of ids) status.track(id);
          return ledger.load(returning);
        })
        .catch((error: unknown) => logger.error({ err: error, panels: returning }, 'could not reload panels brought back'));
    }
  });
}

/** Parse, validate, durable write, then the after-write pipeline. */
function buildIngest({ config, stores, logger, metrics, rejections }: GroundParts, pipeline: AfterWriteDeps, admission: PanelAdmission): IngestService {
  return new IngestService({
    writer: stores.writer,
    parse: {
      meterClock: new LocalTime(config.site.meterTimezone),
      maxClockSkewMs: config.site.maxClockSkewMs,
      topicPrefix: topicPrefix(config.mqtt.topic),
      timeFloorMs: config.limits.ingest.meterTimeFloorMs,
    },
    rejections,
    metrics,
    logger,
    afterWrite: createAfterWrite(pipeline),
    admission,
    // Both stores write to DATA_DIR (the SQLite store, or the journal before InfluxDB).
    space: new DiskSpace({ dir: config.store.dataDir, minFreeBytes: config.limits.store.minFreeBytes }),
  });
}

/**
 * The checked days of the ledger's checkpoints; none when they cannot be read (the ledger then
 * walks every reading, as without checkpoints: slower, never wrong).
 */
async function restoreCheckpoints(checkpoints: LedgerCheckpoints, ids: readonly string[], logger: Logger, metrics: Metrics): Promise<Map<string, RestoredPanel> | undefined> {
  const started = Date.now();
  try {
    const { days, refused } = await checkpoints.restore(ids);
    let restored = 0;
    for (const panel of days.values()) restored += panel.days.length;
    metrics.checkpointDaysRestored.inc(restored);
    for (const [reason, n] of Object.entries(refused)) metrics.checkpointRefused.inc({ reason }, n);
    logger.info({ ms: Date.now() - started, panels: days.size, of: ids.length, days: restored, refused }, 'energy ledger checkpoint checked against the readings');
    return days;
  } catch (error) {
    logger.warn({ err: error }, 'energy ledger checkpoint not read; walking every stored reading');
    return undefined;
  }
}

/** Core.load: the admin record, the panels (without the retired), their statuses, the energy ledger, then the alarms. */
async function loadAll({ stores, settings, live, status, ledger, checkpoints, logger, metrics }: GroundParts, alarms: Alarms | null): Promise<readonly string[]> {
  await stores.prepare();
  await settings.load();
  const retired = settings.state.retired;
  const ids = (await live.loadFrom(stores.read)).filter((id) => !retired.has(id));
  for (const id of retired) live.remove(id);
  for (const id of ids) status.track(id);
  await ledger.load(ids, checkpoints ? await restoreCheckpoints(checkpoints, ids, logger, metrics) : undefined);
  if (checkpoints) {
    checkpoints.save().catch((error: unknown) => logger.warn({ err: error }, 'energy ledger checkpoint not written; next round retries'));
    checkpoints.start();
  }
  await alarms?.load(ids, (id) => ({ status: status.statusOf(id), latest: live.latest(id)?.time ?? null }));
  return ids;
}
