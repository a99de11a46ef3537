import { parseDuration } from '../config/duration.js';
import { moneyAmount } from '../models/money.js';
import type { PhaseValues, Reading } from '../models/reading.js';
import type { HistoryPoint } from '../models/usage.js';
import type { ReadingStore } from '../store/reading-store.js';
import type { LocalTime } from '../time/local-time.js';
import { EnergyService } from './energy/energy-service.js';
import { HourlyAverages } from './hourly-averages.js';
import { round } from './rounding.js';
import { UserInputError } from './user-input-error.js';
import { WindowTable } from './window-table.js';

/** The longest window: a year (leap or not). */
const MAX_WINDOW_MS = 366 * 86_400_000;

/**
 * The most points one page of `readings` or `history` holds (its `first`); a longer range is read
 * page by page (issue 23 point 4), so what one page walks stays bounded.
 */
export const MAX_HISTORY_POINTS = 5_000;

/** One page of a request: at most `first` points after the one at `afterMs` (a cursor's position). */
export interface PointsPage {
  readonly first: number;
  readonly afterMs: number | null;
}

/** The windows one page of a windowed request covers: [fromMs, toMs), `windows` of them. */
export interface PagePlan {
  readonly fromMs: number;
  readonly toMs: number;
  readonly windows: number;
  /** Windows of the range remain after this page. */
  readonly hasNextPage: boolean;
}

/** A page of points: `lastMs` is the position the next page follows (the last point or window covered). */
export interface PointsPageResult<T> {
  readonly items: T[];
  readonly hasNextPage: boolean;
  readonly lastMs: number | null;
  /** Every window of the range (history), or null where counting would mean reading them all. */
  readonly total: number | null;
}

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
    /** The hours kept for 1-hour windows (kept current by the after-write pipeline). */
    private readonly hourly: HourlyAverages,
  ) {
    this.#now = limits.now ?? Date.now;
  }

  /**
   * The windows and the walk of a request, or a UserInputError for arguments it refuses (`from`
   * not before `to`, a bad `every`). Any number of windows: they are answered a page at a time.
   */
  plan(from: Date, to: Date, every: string | null | undefined): HistoryPlan {
    if (!(from.getTime() < to.getTime())) throw new UserInputError('INVALID_RANGE', '"from" must be before "to"');
    const everyMs = every === null || every === undefined ? null : windowLength(every);
    const floor = this.limits.timeFloorMs;
    const toMs = to.getTime();
    let fromMs = from.getTime();
    if (fromMs < floor) fromMs = everyMs === null ? floor : fromMs + Math.floor((floor - fromMs) / everyMs) * everyMs;
    const windows = everyMs === null || toMs <= floor ? 0 : Math.ceil((toMs - fromMs) / everyMs);
    return { fromMs, toMs, everyMs, windows, walkFromMs: Math.max(fromMs, floor), walkToMs: Math.min(toMs, this.#now() + this.limits.maxClockSkewMs) };
  }

  /**
   * The windows one page of a windowed request covers: `first` windows after the one starting at
   * `afterMs` (the first windows without it). A position off the request's grid is INVALID_CURSOR.
   */
  pagePlan(plan: HistoryPlan, page: PointsPage): PagePlan {
    const everyMs = plan.everyMs!;
    let index = 0;
    if (page.afterMs !== null) {
      const offset = page.afterMs - plan.fromMs;
      if (offset < 0 || offset % everyMs !== 0) throw new UserInputError('INVALID_CURSOR', 'after: not a window of this range and "every"');
      index = Math.min(plan.windows, offset / everyMs + 1);
    }
    const windows = Math.min(page.first, plan.windows - index);
    const fromMs = plan.fromMs + index * everyMs;
    return { fromMs, toMs: Math.min(plan.toMs, fromMs + windows * everyMs), windows, hasNextPage: index + windows < plan.windows };
  }

  /**
   * What answering one page of a `history` (energy: true) or `readings` request walks, in the
   * units of GRAPHQL_MAX_COST, before it runs: one per hour of the page's windows within the
   * clamped range (the ledger's hours, the store's averages), or one per reading expected in it
   * (one a minute) where history re-walks readings (windows finer than an hour, or not on local
   * hours). Raw readings are bounded by the page's size instead. 0 for arguments refused anyway.
   */
  work(from: Date, to: Date, every: string | null | undefined, energy: boolean, page: PointsPage): number {
    let walk: { fromMs: number; toMs: number };
    let rewalk: boolean;
    try {
      const plan = this.plan(from, to, every);
      if (plan.everyMs === null) return 0;
      const pp = this.pagePlan(plan, page);
      walk = { fromMs: Math.max(pp.fromMs, plan.walkFromMs), toMs: Math.min(pp.toMs, plan.walkToMs) };
      rewalk = !EnergyService.walksWholeHours(this.limits.time, pp.fromMs, pp.toMs, plan.everyMs);
    } catch {
      return 0;
    }
    if (walk.fromMs >= walk.toMs) return 0;
    const hours = Math.ceil((walk.toMs - walk.fromMs) / HOUR_MS);
    return energy && rewalk ? hours * READINGS_PER_HOUR : hours;
  }

  /**
   * One page of raw readings (after the reading at `afterMs`), or of averaged readings, one per
   * non-empty window of the page's windows (so a page may hold fewer than `first`).
   */
  async readings(panelId: string, from: Date, to: Date, every: string | null | undefined, page: PointsPage): Promise<PointsPageResult<Reading>> {
    const plan = this.plan(from, to, every);
    if (plan.everyMs === null) {
      const fromMs = Math.max(plan.walkFromMs, page.afterMs === null ? plan.walkFromMs : page.afterMs + 1);
      // One more than asked, to know whether another page follows.
      const rows = await this.#raw(panelId, fromMs, plan.walkToMs, page.first + 1);
      const items = rows.slice(0, page.first);
      return { items, hasNextPage: rows.length > page.first, lastMs: items.at(-1)?.time.getTime() ?? page.afterMs, total: null };
    }
    const pp = this.pagePlan(plan, page);
    const walkTo = Math.min(pp.toMs, plan.walkToMs);
    const lastMs = pp.windows === 0 ? page.afterMs : pp.fromMs + (pp.windows - 1) * plan.everyMs;
    // Windows after now + MAX_CLOCK_SKEW hold no readings: no page follows once they are reached.
    const hasNextPage = pp.hasNextPage && pp.toMs < plan.walkToMs;
    if (pp.windows === 0 || Math.max(pp.fromMs, plan.walkFromMs) >= walkTo) return { items: [], hasNextPage, lastMs, total: null };
    // Windows counted from the first one's start, so their times stay on the caller's grid.
    const windows = await this.store.downsample(panelId, new Date(pp.fromMs), new Date(walkTo), plan.everyMs);
    return { items: windows.map((window) => roundedAverages(window.reading)), hasNextPage, lastMs, total: null };
  }

  /**
   * Raw readings in [fromMs, toMs), at most `limit`, read in spans that grow while they are empty
   * (as the export does): InfluxDB sorts and limits after it has read a query's whole range, so
   * one query to the end of a long range would read all of it for every page.
   */
  async #raw(panelId: string, fromMs: number, toMs: number, limit: number): Promise<Reading[]> {
    const rows: Reading[] = [];
    let span = HOUR_MS;
    for (let from = fromMs; from < toMs && rows.length < limit; ) {
      const end = Math.min(from + span, toMs);
      const part = await this.store.readings(panelId, new Date(from), new Date(end), limit - rows.length);
      rows.push(...part);
      from = end;
      span = part.length === 0 ? span * 8 : span * 2;
    }
    return rows;
  }

  /**
   * One page of the windows of `every` from `from` to `to` (less those ending before
   * METER_TIME_FLOOR), zero-filled: the energy (and cost) counted by the counting rule in each
   * window, next to the averages of the instantaneous values.
   */
  async history(panelId: string, from: Date, to: Date, every: string, page: PointsPage): Promise<PointsPageResult<HistoryPoint>> {
    const plan = this.plan(from, to, every);
    const pp = this.pagePlan(plan, page);
    const { fromMs, toMs } = pp;
    const everyMs = plan.everyMs!;
    const result = { hasNextPage: pp.hasNextPage, total: plan.windows };
    if (pp.windows === 0) return { ...result, items: [], lastMs: page.afterMs };
    const walk = { fromMs: Math.max(fromMs, plan.walkFromMs), toMs: Math.min(toMs, plan.walkToMs) };
    const [amounts, averages] = await Promise.all([this.energy.windows(panelId, fromMs, toMs, everyMs, walk), this.#averages(panelId, pp, everyMs, walk)]);
    const items = new Array<HistoryPoint>(amounts.windows);
    let start = fromMs;
    for (let i = 0; i < amounts.windows; i++) {
      const end = Math.min(toMs, start + everyMs);
      const count = averages.count(i);
      items[i] = {
        start,
        end,
        // As amount.toUsage() rounds them, without building the tariff blocks a window does not show.
        energyKwh: round(amounts.kwh(i), 3),
        cost: moneyAmount(round(amounts.cost(i), 2)),
        readingCount: count,
        activePowerKw: count === 0 ? null : roundOrNull(averages.activePowerKw(i), 3),
        voltage: count === 0 ? null : averages.phases(i, 'voltage', round2),
        current: count === 0 ? null : averages.phases(i, 'current', round3),
        powerFactor: count === 0 ? null : roundOrNull(averages.powerFactor(i), 3),
      };
      start = end;
    }
    return { ...result, items, lastMs: fromMs + (pp.windows - 1) * everyMs };
  }

  /**
   * The averages of each window of a page, packed (count 0 where a window has no readings), read from the
   * page's start up to the walk's end, as one store call would. Whole epoch hours come from the
   * hours kept by HourlyAverages (what the store answered for each hour), the hour holding now +
   * MAX_CLOCK_SKEW whole (nothing later can be stored, and its energy is the ledger's whole hour
   * too); a last window cut short by `to`, and every other kind of window, from the store.
   */
  async #averages(panelId: string, page: PagePlan, everyMs: number, walk: { fromMs: number; toMs: number }): Promise<WindowTable> {
    const { fromMs, toMs } = page;
    const walkToMs = walk.toMs;
    const out = new WindowTable(page.windows);
    if (walk.fromMs >= walkToMs) return out;
    let storeFromMs = fromMs;
    if (HourlyAverages.answers(fromMs, everyMs)) {
      const hours = Math.min(Math.floor((toMs - fromMs) / HOUR_MS), Math.ceil((walkToMs - fromMs) / HOUR_MS));
      if (hours > 0) await this.hourly.hours(panelId, fromMs, hours, out);
      storeFromMs = fromMs + hours * HOUR_MS;
    }
    const storeToMs = Math.min(toMs, walkToMs);
    if (storeFromMs >= storeToMs) return out;
    for (const window of await this.store.downsample(panelId, new Date(storeFromMs), new Date(storeToMs), everyMs)) {
      out.set(Math.round((window.reading.time.getTime() - fromMs) / everyMs), window);
    }
    return out;
  }
}

/** Window averages rounded for output (the counters are the meter's own values, kept as they are). */
function roundedAverages(r: Reading): Reading {
  const phases = averagedPhases;
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

/** Each phase's (and the phase average's) mean over a window, rounded for output. */
function averagedPhases(p: PhaseValues, decimals: number): PhaseValues {
  return { l1: roundOrNull(p.l1, decimals), l2: roundOrNull(p.l2, decimals), l3: roundOrNull(p.l3, decimals), average: roundOrNull(p.average, decimals) };
}

const round2 = (value: number) => round(value, 2);
const round3 = (value: number) => round(value, 3);

function roundOrNull(value: number | null | undefined, decimals: number): number | null {
  return value === null || value === undefined ? null : round(value, decimals);
}
