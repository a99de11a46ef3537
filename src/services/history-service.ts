import { parseDuration } from '../config/duration.js';
import type { Reading } from '../models/reading.js';
import type { HistoryPoint } from '../models/usage.js';
import type { ReadingStore } from '../store/reading-store.js';
import type { LocalTime } from '../time/local-time.js';
import { EnergyService } from './energy/energy-service.js';
import { round } from './rounding.js';
import { UserInputError } from './user-input-error.js';

/** The longest window: a year (leap or not). */
const MAX_WINDOW_MS = 366 * 86_400_000;

/** The most points one history request may return; charts never need more. */
export const MAX_HISTORY_POINTS = 5_000;

const HOUR_MS = 3_600_000;
/** Meters report about once a minute: the readings a re-walk of one hour steps through. */
const READINGS_PER_HOUR = 60;

export interface HistoryLimits {
  readonly time: LocalTime;
  /** METER_TIME_FLOOR: ingestion refuses readings before it, so nothing before it is walked. */
  readonly timeFloorMs: number;
  /** MAX_CLOCK_SKEW: a reading may be this far ahead of its arrival, so walks end at now + this. */
  readonly maxClockSkewMs: number;
  readonly now?: () => number;
}

/** What a request covers once its range is clamped: the windows it answers and the part it walks. */
export interface HistoryPlan {
  /** Start of the first window: `from`, moved up by whole windows past those ending at or before the floor. */
  readonly fromMs: number;
  readonly toMs: number;
  /** Null: raw readings. */
  readonly everyMs: number | null;
  readonly windows: number;
  /** [walkFromMs, walkToMs): the part that can hold readings (empty when walkFromMs >= walkToMs). */
  readonly walkFromMs: number;
  readonly walkToMs: number;
}

/**
 * A panel's history for charts: raw or averaged readings, and energy per window. Ranges are
 * clamped to where readings can be (METER_TIME_FLOOR to now + MAX_CLOCK_SKEW): windows that end
 * before the floor are left out, windows after now are answered as zeros without being walked.
 */
export class HistoryService {
  readonly #now: () => number;

  constructor(
    private readonly store: ReadingStore,
    private readonly energy: EnergyService,
    private readonly limits: HistoryLimits,
  ) {
    this.#now = limits.now ?? Date.now;
  }

  /**
   * The windows and the walk of a request, or a UserInputError for arguments it refuses (`from`
   * not before `to`, a bad `every`, more than MAX_HISTORY_POINTS windows).
   */
  plan(from: Date, to: Date, every: string | null | undefined): HistoryPlan {
    if (!(from.getTime() < to.getTime())) throw new UserInputError('INVALID_RANGE', '"from" must be before "to"');
    const everyMs = every === null || every === undefined ? null : windowLength(every);
    const floor = this.limits.timeFloorMs;
    const toMs = to.getTime();
    let fromMs = from.getTime();
    if (fromMs < floor) fromMs = everyMs === null ? floor : fromMs + Math.floor((floor - fromMs) / everyMs) * everyMs;
    const windows = everyMs === null || toMs <= floor ? 0 : Math.ceil((toMs - fromMs) / everyMs);
    if (windows > MAX_HISTORY_POINTS) {
      throw new UserInputError(
        'RANGE_TOO_LARGE',
        `this range at every "${every}" would return ${windows} points; the limit is ${MAX_HISTORY_POINTS}: use a larger "every" or a shorter range`,
        { maximum: MAX_HISTORY_POINTS },
      );
    }
    return { fromMs, toMs, everyMs, windows, walkFromMs: Math.max(fromMs, floor), walkToMs: Math.min(toMs, this.#now() + this.limits.maxClockSkewMs) };
  }

  /**
   * What answering a `history` (energy: true) or `readings` request walks, in the units of
   * GRAPHQL_MAX_COST, before it runs: one per hour of the clamped range (the ledger's hours, the
   * store's averages), or one per reading expected in it (one a minute) where history re-walks
   * readings (windows finer than an hour, or not on local hours). Raw readings are bounded by
   * MAX_HISTORY_POINTS instead. 0 for arguments that are refused anyway.
   */
  work(from: Date, to: Date, every: string | null | undefined, energy: boolean): number {
    let plan: HistoryPlan;
    try {
      plan = this.plan(from, to, every);
    } catch {
      return 0;
    }
    if (plan.everyMs === null || plan.walkFromMs >= plan.walkToMs) return 0;
    const hours = Math.ceil((plan.walkToMs - plan.walkFromMs) / HOUR_MS);
    if (!energy) return hours;
    const rewalk = !EnergyService.walksWholeHours(this.limits.time, plan.fromMs, plan.toMs, plan.everyMs);
    return rewalk ? hours * READINGS_PER_HOUR : hours;
  }

  /** Raw readings, or one averaged reading per non-empty window of `every`. */
  async readings(panelId: string, from: Date, to: Date, every: string | null | undefined): Promise<Reading[]> {
    const plan = this.plan(from, to, every);
    if (plan.walkFromMs >= plan.walkToMs) return [];
    const walkFrom = new Date(plan.walkFromMs);
    const walkTo = new Date(plan.walkToMs);
    if (plan.everyMs === null) {
      // Ask for one more than allowed to know whether the limit is exceeded.
      const rows = await this.store.readings(panelId, walkFrom, walkTo, MAX_HISTORY_POINTS + 1);
      if (rows.length > MAX_HISTORY_POINTS) {
        throw new UserInputError(
          'RANGE_TOO_LARGE',
          `more than ${MAX_HISTORY_POINTS} raw readings in this range; pass "every" (e.g. "15m", "1h", "1d") or a shorter range`,
          { maximum: MAX_HISTORY_POINTS },
        );
      }
      return rows;
    }
    // Windows counted from the first one's start, so their times stay on the caller's grid.
    return (await this.store.downsample(panelId, new Date(plan.fromMs), walkTo, plan.everyMs)).map((window) => roundedAverages(window.reading));
  }

  /**
   * Every window of `every` from `from` to `to` (less those ending before METER_TIME_FLOOR),
   * zero-filled: the energy (and cost) counted by the counting rule in the window, next to the
   * averages of the instantaneous values.
   */
  async history(panelId: string, from: Date, to: Date, every: string): Promise<HistoryPoint[]> {
    const plan = this.plan(from, to, every);
    const { fromMs, toMs } = plan;
    const everyMs = plan.everyMs!;
    if (plan.windows === 0) return [];
    const walking = plan.walkFromMs < plan.walkToMs;
    const [amounts, windows] = await Promise.all([
      this.energy.windows(panelId, fromMs, toMs, everyMs, { fromMs: plan.walkFromMs, toMs: plan.walkToMs }),
      walking ? this.store.downsample(panelId, new Date(fromMs), new Date(plan.walkToMs), everyMs) : [],
    ]);
    const byIndex = new Map(windows.map((w) => [Math.round((w.reading.time.getTime() - fromMs) / everyMs), w]));
    return amounts.map((amount, i) => {
      const start = fromMs + i * everyMs;
      const window = byIndex.get(i);
      const usage = amount.toUsage();
      return {
        start: new Date(start),
        end: new Date(Math.min(toMs, start + everyMs)),
        energyKwh: usage.energyKwh,
        cost: usage.cost,
        readingCount: window?.count ?? 0,
        activePowerKw: roundOrNull(window?.reading.activePowerKw, 3),
        voltage: roundOrNull(window?.reading.voltage.average, 2),
        current: roundOrNull(window?.reading.current.average, 2),
        powerFactor: roundOrNull(window?.reading.powerFactor, 3),
      };
    });
  }
}

/** Window averages rounded for output (the counters are the meter's own values, kept as they are). */
function roundedAverages(r: Reading): Reading {
  const phases = (p: Reading['voltage'], decimals: number) => ({
    l1: roundOrNull(p.l1, decimals),
    l2: roundOrNull(p.l2, decimals),
    l3: roundOrNull(p.l3, decimals),
    average: roundOrNull(p.average, decimals),
  });
  return {
    ...r,
    voltage: phases(r.voltage, 2),
    current: phases(r.current, 3),
    activePowerKw: round(r.activePowerKw, 3),
    apparentPowerKva: roundOrNull(r.apparentPowerKva, 3),
    powerFactor: roundOrNull(r.powerFactor, 3),
    voltageUnbalance: roundOrNull(r.voltageUnbalance, 3),
    currentUnbalance: roundOrNull(r.currentUnbalance, 3),
  };
}

/** `every` in ms, refused when it is not a duration from 1 s to 366 days. */
function windowLength(every: string): number {
  const everyMs = parseDuration(every);
  if (everyMs === null || everyMs < 1_000 || everyMs > MAX_WINDOW_MS) {
    throw new UserInputError(
      'INVALID_INTERVAL',
      `"every" must be a duration from 1s to 366d such as "1m", "15m", "1h" or "1d" (got "${every.slice(0, 40)}")`,
    );
  }
  return everyMs;
}

function roundOrNull(value: number | null | undefined, decimals: number): number | null {
  return value === null || value === undefined ? null : round(value, decimals);
}
