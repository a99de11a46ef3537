import { mkdtempSync, rmSync } from 'node:fs';
import { beforeAll } from 'vitest';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, type Config } from '../../src/config/config.js';
import { silentLogger } from '../../src/config/logger.js';
import { buildCore, type Core } from '../../src/core.js';
import type { Reading } from '../../src/models/reading.js';
import { tariffPlanSchema, type TariffPlanInput } from '../../src/models/tariff-plan.js';
import type { BillService } from '../../src/services/bills/bill-service.js';
import type { CountingRuleParams } from '../../src/services/energy/counting-rule.js';
import type { EnergyLedger } from '../../src/services/energy/energy-ledger.js';
import type { EnergyService } from '../../src/services/energy/energy-service.js';
import type { HistoryService } from '../../src/services/history-service.js';
import type { LedgerCheckpoints } from '../../src/services/energy/ledger-checkpoints.js';
import type { Metrics } from '../../src/config/metrics.js';
import type { AdminLog } from '../../src/store/admin-log.js';
import type { Stores } from '../../src/store/open-stores.js';
import type { DurableWriter, ReadingStore } from '../../src/store/reading-store.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { systemClock, type Clock } from '../../src/time/clock.js';
import { parseIsoDate, type LocalTime } from '../../src/time/local-time.js';

export const DEFAULT_RULE: CountingRuleParams = { maxPowerRatio: 10, minPowerKw: 1, confirmReadings: 3 };

const DEFAULT_PLAN: TariffPlanInput = { pricing: { kind: 'flat', ratePerKwh: 1000 } };

/** A plan version for a harness: from a local date (YYYY-MM-DD) or from the beginning. */
export interface PlanAt {
  readonly from: string | null;
  readonly plan: TariffPlanInput;
}

export interface EnergyHarness {
  readonly time: LocalTime;
  readonly ledger: EnergyLedger;
  readonly energy: EnergyService;
  readonly bills: BillService;
  readonly history: HistoryService;
  /** The first core's energy ledger checkpoints (null unless `checkpoints` was given). */
  readonly checkpoints: LedgerCheckpoints | null;
  /** The first core's metrics (what its start-up did with the checkpoints, for one). */
  readonly metrics: Metrics;
  /** Writes durably, then hands the readings to the ledger and the hourly averages as the after-write pipeline does. */
  write(readings: readonly Reading[]): Promise<void>;
  /** The product started again over the same store: a new core, loaded from the store alone. */
  restarted(): Promise<{ energy: EnergyService; bills: BillService; checkpoints: LedgerCheckpoints | null; metrics: Metrics }>;
  /** Stops every core this harness built and removes what it made. */
  close(): Promise<void>;
}

export interface EnergyHarnessOptions {
  readonly store: ReadingStore;
  readonly write: (readings: readonly Reading[]) => Promise<void>;
  /** The admin record the plan versions are recorded in; default: one in a temporary SQLite file. */
  readonly admin?: AdminLog;
  /** What the core's ingest path would write with; the harness writes through `write` instead. */
  readonly writer?: DurableWriter;
  readonly zone?: string;
  readonly rule?: CountingRuleParams;
  /** The tariff plan versions; the one from the beginning is the configured plan (TARIFF_*), the others are recorded as an operator does. */
  readonly plans?: readonly PlanAt[];
  /** The energy ledger's checkpoints and the day totals to check them against (InfluxDB mode); default none. */
  readonly checkpoints?: Stores['checkpoints'];
  /** "Now" for today, the month so far and its projection; default the wall clock. */
  readonly now?: () => number;
}

/**
 * The product's energy path (store → counting rule → ledger → energy and bill services) over a
 * given store, in-process: the core as src/app.ts builds it (`buildCore`), on a clock the test
 * may set. Plan versions after the first are recorded in the admin record the day before they take
 * effect, as the product lets an operator do (never for a day already begun).
 */
export async function energyHarness(options: EnergyHarnessOptions): Promise<EnergyHarness> {
  const dir = mkdtempSync(join(tmpdir(), 'energy-harness-'));
  const adminStore = options.admin ? null : new SqliteStore({ file: join(dir, 'admin.sqlite') });
  const plans = options.plans ?? [{ from: null, plan: DEFAULT_PLAN }];
  const config = harnessConfig(dir, options, plans.find((p) => p.from === null)?.plan ?? DEFAULT_PLAN);
  const clock = new HarnessClock(options.now);
  const stores = harnessStores(options, options.admin ?? adminStore!.admin);
  const cores: Core[] = [];
  const start = async (): Promise<Core> => {
    const core = buildCore(config, stores, silentLogger, { brokerConnected: () => true, clock });
    cores.push(core);
    await core.load();
    return core;
  };
  const core = await start();
  for (const { from, plan } of plans) {
    if (from === null) continue;
    await clock.at(parseIsoDate(from)! - 1, core.time, () => core.settings.record('test', { kind: 'tariff.plan', effectiveFrom: from, plan: tariffPlanSchema.parse(plan) }));
  }
  return {
    time: core.time,
    ledger: core.ledger,
    energy: core.services.energy,
    bills: core.services.bills,
    history: core.services.history,
    checkpoints: core.checkpoints,
    metrics: core.metrics,
    async write(readings) {
      await options.write(readings);
      for (const r of readings) {
        core.pipeline.averages.applyStored(r);
        core.ledger.applyStored(r);
      }
    },
    async restarted() {
      const again = await start();
      return { energy: again.services.energy, bills: again.services.bills, checkpoints: again.checkpoints, metrics: again.metrics };
    },
    async close() {
      for (const c of cores.splice(0)) await c.stop();
      await adminStore?.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The configuration the product reads, from the environment it would be given (no broker, no alarms). */
function harnessConfig(dir: string, options: EnergyHarnessOptions, configuredPlan: TariffPlanInput): Config {
  const rule = options.rule ?? DEFAULT_RULE;
  const config = loadConfig({
    SIMULATE: 'false',
    ALARMS: 'false',
    DATA_DIR: dir,
    SITE_TIMEZONE: options.zone ?? 'Asia/Jakarta',
    ENERGY_MAX_POWER_RATIO: String(rule.maxPowerRatio),
    ENERGY_MIN_POWER_KW: String(rule.minPowerKw),
    ENERGY_CONFIRM_READINGS: String(rule.confirmReadings),
  });
  // TARIFF_* settings cannot say everything a plan can (names, several options at once): the
  // configured plan is given as the parsed plan the settings would make.
  return { ...config, site: { ...config.site, tariffPlan: tariffPlanSchema.parse(configuredPlan) } };
}

/** The core's stores over the store under test: it answers every query; readings arrive through `write`. */
function harnessStores(options: EnergyHarnessOptions, admin: AdminLog): Stores {
  const writer: DurableWriter = options.writer ?? {
    writeBatchSync: () => {
      throw new Error('energy harness: readings are written through write(), not the ingest path');
    },
  };
  return {
    writer,
    read: options.store,
    admin,
    checkpoints: options.checkpoints ?? null,
    recent: null,
    prepare: async () => {},
    written: () => {},
    forwarded: () => undefined,
    lag: () => null,
    // The store under test is the harness's own: no write-ahead log is checkpointed here.
    logCheckpoints: () => ({ checkpoints: 0, failures: 0, framesLeft: 0 }),
    close: async () => {},
  };
}

/** The wall clock, or the test's "now"; for a moment, noon of a chosen local day (to record a plan ahead of its day). */
class HarnessClock implements Clock {
  readonly #now: (() => number) | undefined;
  #override: number | null = null;

  constructor(now: (() => number) | undefined) {
    this.#now = now;
  }

  now(): number {
    return this.#override ?? this.#now?.() ?? Date.now();
  }

  setTimeout(callback: () => void, ms: number): ReturnType<Clock['setTimeout']> {
    return systemClock.setTimeout(callback, ms);
  }

  clearTimeout(handle: ReturnType<Clock['setTimeout']>): void {
    systemClock.clearTimeout(handle);
  }

  async at<T>(dayNumber: number, time: LocalTime, action: () => Promise<T>): Promise<T> {
    this.#override = time.dayStart(dayNumber) + 12 * 3_600_000;
    try {
      return await action();
    } finally {
      this.#override = null;
    }
  }
}

/** A temporary SQLite store and a harness over it (its admin record in the same file); `close()` removes both. */
export async function sqliteHarness(options: Omit<EnergyHarnessOptions, 'store' | 'write' | 'admin' | 'writer'> = {}): Promise<EnergyHarness> {
  const dir = mkdtempSync(join(tmpdir(), 'energy-sqlite-'));
  const store = new SqliteStore({ file: join(dir, 'readings.sqlite') });
  const harness = await energyHarness({ ...options, store, admin: store.admin, writer: store, write: async (readings) => store.writeBatchSync(readings) });
  return {
    ...harness,
    async close() {
      await harness.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A harness made once for the enclosing describe (in its beforeAll); the getter throws before that. */
export function harnessPerSuite(make: () => Promise<EnergyHarness>): () => EnergyHarness {
  let harness: EnergyHarness | undefined;
  beforeAll(async () => {
    harness = await make();
  });
  return () => {
    if (!harness) throw new Error('harness not made');
    return harness;
  };
}
