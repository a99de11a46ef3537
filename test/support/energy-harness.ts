import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../../src/config/logger.js';
import type { Reading } from '../../src/models/reading.js';
import { tariffPlanSchema, type TariffPlanInput } from '../../src/models/tariff-plan.js';
import { BillService } from '../../src/services/bills/bill-service.js';
import type { CountingRuleParams } from '../../src/services/energy/counting-rule.js';
import { EnergyLedger } from '../../src/services/energy/energy-ledger.js';
import { EnergyService } from '../../src/services/energy/energy-service.js';
import { TariffSchedule } from '../../src/services/tariffs/tariff-schedule.js';
import type { ReadingStore } from '../../src/store/reading-store.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { LocalTime, parseIsoDate } from '../../src/time/local-time.js';

export const DEFAULT_RULE: CountingRuleParams = { maxPowerRatio: 10, minPowerKw: 1, confirmReadings: 3 };

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
  /** Writes durably, then hands the readings to the ledger as the pipeline does. */
  write(readings: readonly Reading[]): Promise<void>;
  /** Replaces the tariff plans (versions). */
  setPlans(plans: readonly PlanAt[]): void;
  /** A new ledger and services loading these panels from the store alone (a restart). */
  restarted(panelIds: readonly string[]): Promise<{ energy: EnergyService; bills: BillService }>;
}

/**
 * The product's energy path (store → counting rule → ledger → energy and bill services) over a
 * given store, in-process, with a settable tariff schedule and clock: the fast layer of tests.
 */
export function energyHarness(options: {
  readonly store: ReadingStore;
  readonly write: (readings: readonly Reading[]) => Promise<void>;
  readonly zone?: string;
  readonly rule?: CountingRuleParams;
  readonly plans?: readonly PlanAt[];
  readonly now?: () => number;
}): EnergyHarness {
  const time = new LocalTime(options.zone ?? 'Asia/Jakarta');
  const rule = options.rule ?? DEFAULT_RULE;
  let schedule = toSchedule(options.plans ?? [{ from: null, plan: { pricing: { kind: 'flat', ratePerKwh: 1000 } } }]);
  const tariffs = () => schedule;
  const build = (ledger: EnergyLedger) => {
    const energy = new EnergyService({ ledger, tariffs, time, source: options.store, now: options.now });
    return { energy, bills: new BillService({ ledger, energy, tariffs, time, now: options.now }) };
  };
  const ledger = new EnergyLedger({ rule, time, source: options.store, logger: silentLogger });
  const { energy, bills } = build(ledger);
  return {
    time,
    ledger,
    energy,
    bills,
    async write(readings) {
      await options.write(readings);
      for (const r of readings) ledger.applyStored(r);
    },
    setPlans(plans) {
      schedule = toSchedule(plans);
    },
    async restarted(panelIds) {
      const fresh = new EnergyLedger({ rule, time, source: options.store, logger: silentLogger });
      await fresh.load(panelIds);
      return build(fresh);
    },
  };
}

function toSchedule(plans: readonly PlanAt[]): TariffSchedule {
  return new TariffSchedule(
    plans.map((p, i) => ({
      effectiveFrom: p.from === null ? Number.NEGATIVE_INFINITY : parseIsoDate(p.from)!,
      plan: tariffPlanSchema.parse(p.plan),
      recordedAt: new Date(i),
      recordedBy: 'test',
    })),
  );
}

/** A temporary SQLite store and a harness over it; `close()` removes both. */
export function sqliteHarness(options: Omit<Parameters<typeof energyHarness>[0], 'store' | 'write'> = {}): EnergyHarness & { close(): Promise<void> } {
  const dir = mkdtempSync(join(tmpdir(), 'energy-harness-'));
  const store = new SqliteStore({ file: join(dir, 'readings.sqlite') });
  const harness = energyHarness({ ...options, store, write: async (readings) => store.writeBatchSync(readings) });
  return {
    ...harness,
    async close() {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
