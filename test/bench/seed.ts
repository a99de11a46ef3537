import type { Reading } from '../../src/models/reading.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { seededRandom } from '../support/readings.js';

/**
 * Realistic history for the query benchmarks, written straight into the product's SQLite file
 * (`<DATA_DIR>/readings.sqlite`) with the product's own store before the app starts. Seeding is
 * not timed.
 *
 * Each panel reports once a minute. Its power follows an office-building day in local time
 * (Asia/Jakarta, UTC+7, no daylight saving) with a little noise, and its kWh counter is the
 * running integral of that power, rounded like the meters round it (2 decimals): monotonic and
 * consistent with kW, so every step is "normal" under the counter rule and the expected usage of
 * any period is simply `counter(last reading in it) - counter(baseline)`.
 */

export const STEP_MS = 60_000;
const SITE_OFFSET_HOURS = 7;
const BATCH = 200_000;

export interface SeedSpec {
  readonly file: string;
  readonly panelIds: readonly string[];
  /** Readings per panel (one a minute), the last one at `end`. */
  readonly perPanel: number;
  /** Minute-aligned instant of each panel's newest reading. */
  readonly end: Date;
  readonly timezone: string;
}

export interface SeededPanel {
  readonly id: string;
  /** Stored counter values, index i at `startMs + i * STEP_MS`. */
  readonly counters: Float64Array;
  /** Stored kW of the newest reading. */
  readonly lastPowerKw: number;
}

/** What was written (plus readings published later), with the answers the product must give. */
export class SeededHistory {
  /** Readings published after seeding, per panel index: times (ascending) and counters. */
  readonly #appended: Array<{ times: number[]; counters: number[] }>;

  constructor(
    readonly panels: readonly SeededPanel[],
    readonly startMs: number,
    readonly endMs: number,
    readonly rows: number,
  ) {
    this.#appended = panels.map(() => ({ times: [], counters: [] }));
  }

  /** Records a reading published later (newer than everything before it for that panel). */
  append(panelIndex: number, timeMs: number, kwh: number): void {
    const extra = this.#appended[panelIndex]!;
    extra.times.push(timeMs);
    extra.counters.push(kwh);
  }

  /** The newest reading of a panel: time, counter and power. */
  latest(panelIndex: number): { timeMs: number; kwh: number; kw: number } {
    const panel = this.panels[panelIndex]!;
    const extra = this.#appended[panelIndex]!;
    const n = extra.times.length;
    return n > 0
      ? { timeMs: extra.times[n - 1]!, kwh: extra.counters[n - 1]!, kw: panel.lastPowerKw }
      : { timeMs: this.endMs, kwh: panel.counters[panel.counters.length - 1]!, kw: panel.lastPowerKw };
  }

  /** A copy of what was seeded, without the readings appended later (the same data seeded into another store). */
  pristine(): SeededHistory {
    return new SeededHistory(this.panels, this.startMs, this.endMs, this.rows);
  }

  /**
   * Energy of all panels (or of one) over [from, to) by the counter rule on this glitch-free, monotonic
   * data: last counter in the period minus the baseline (the reading before the period, or the
   * first reading in it when there is none before).
   */
  expectedKwh(from: Date, to: Date, onlyPanel?: number): number {
    let total = 0;
    this.panels.forEach((panel, index) => {
      if (onlyPanel !== undefined && index !== onlyPanel) return;
      const extra = this.#appended[index]!;
      const n = panel.counters.length;
      const time = (i: number) => (i < n ? this.startMs + i * STEP_MS : extra.times[i - n]!);
      const counter = (i: number) => (i < n ? panel.counters[i]! : extra.counters[i - n]!);
      const length = n + extra.times.length;
      const first = lowerBound(length, time, from.getTime());
      const end = lowerBound(length, time, to.getTime());
      if (end <= first) return;
      total += counter(end - 1) - counter(first > 0 ? first - 1 : first);
    });
    return total;
  }

  /** How many readings of one panel lie in [from, to). */
  countReadings(from: Date, to: Date, panelIndex: number): number {
    const panel = this.panels[panelIndex]!;
    const extra = this.#appended[panelIndex]!;
    const n = panel.counters.length;
    const time = (i: number) => (i < n ? this.startMs + i * STEP_MS : extra.times[i - n]!);
    const length = n + extra.times.length;
    return Math.max(0, lowerBound(length, time, to.getTime()) - lowerBound(length, time, from.getTime()));
  }
}

/** First index in [0, length) whose time is at or after `ms` (times ascending). */
function lowerBound(length: number, time: (i: number) => number, ms: number): number {
  let lo = 0;
  let hi = length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (time(mid) < ms) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}


/** Occupancy 0..1 of an office floor at a local hour (fractional). */
function occupancy(localHour: number): number {
  if (localHour < 6 || localHour >= 20) return 0;
  if (localHour < 8) return (localHour - 6) / 2;
  if (localHour < 17) return 1;
  return (20 - localHour) / 3;
}

const round = (value: number, decimals: number) => Math.round(value * 10 ** decimals) / 10 ** decimals;

/** Writes the history in big batches with the product's SqliteStore and returns what it wrote. */
export async function seedHistory(spec: SeedSpec): Promise<SeededHistory> {
  const store = new SqliteStore({ file: spec.file });
  try {
    return await generateHistory(spec, (batch) => store.writeBatchSync(batch));
  } finally {
    await store.close();
  }
}

/**
 * Generates the history (deterministic for a spec) and hands it to `write` in batches of up to
 * `batchSize` readings, panel after panel, each panel in time order; waits for each write.
 */
export async function generateHistory(
  spec: Omit<SeedSpec, 'file'>,
  write: (batch: Reading[]) => void | Promise<void>,
  batchSize = BATCH,
): Promise<SeededHistory> {
  const endMs = spec.end.getTime();
  if (endMs % STEP_MS !== 0) throw new RangeError('end must be minute-aligned');
  const startMs = endMs - (spec.perPanel - 1) * STEP_MS;
  const panels: SeededPanel[] = [];
  let rows = 0;
  let batch: Reading[] = [];
  for (const [index, panelId] of spec.panelIds.entries()) {
    const next = seededRandom(0x5eed + index * 7919);
    const baseKw = 3 + (index % 10) * 2.5 + next() * 2;
    const counters = new Float64Array(spec.perPanel);
    let energy = 10_000 + index * 731.3 + next() * 100;
    let kw = 0;
    for (let i = 0; i < spec.perPanel; i++) {
      const timeMs = startMs + i * STEP_MS;
      const localHour = (((timeMs / 3_600_000 + SITE_OFFSET_HOURS) % 24) + 24) % 24;
      kw = round(baseKw * (0.3 + 0.7 * occupancy(localHour)) * (0.95 + 0.1 * next()), 2);
      energy += kw / 60; // the power of the minute just ended
      const kwh = round(energy, 2);
      counters[i] = kwh;
      const pf = round(0.86 + 0.1 * next(), 2);
      const voltage = [round(228 + 4 * next(), 1), round(228 + 4 * next(), 1), round(228 + 4 * next(), 1)] as const;
      const vAvg = round((voltage[0] + voltage[1] + voltage[2]) / 3, 1);
      const amps = (kw * 1000) / (3 * vAvg * pf);
      const current = [round(amps * (0.97 + 0.06 * next()), 2), round(amps, 2), round(amps * (0.97 + 0.06 * next()), 2)] as const;
      batch.push({
        panelId,
        time: new Date(timeMs),
        voltage: { l1: voltage[0], l2: voltage[1], l3: voltage[2], average: vAvg },
        current: { l1: current[0], l2: current[1], l3: current[2], average: round((current[0] + current[1] + current[2]) / 3, 2) },
        activePowerKw: kw,
        apparentPowerKva: round(kw / pf, 2),
        energyKwh: kwh,
        powerFactor: pf,
        voltageUnbalance: round(next() * 1.5, 3),
        currentUnbalance: round(next() * 4, 3),
        reactiveEnergyKvarh: null,
      });
      if (batch.length >= batchSize) {
        await write(batch);
        rows += batch.length;
        batch = [];
      }
    }
    panels.push({ id: panelId, counters, lastPowerKw: kw });
  }
  if (batch.length > 0) {
    await write(batch);
    rows += batch.length;
  }
  return new SeededHistory(panels, startMs, endMs, rows);
}

/** `PANEL_000`, `PANEL_001`, … (zero-padded so they sort like the product sorts them). */
export function panelIds(count: number, prefix = 'PANEL'): string[] {
  const width = String(count - 1).length;
  return Array.from({ length: count }, (_, i) => `${prefix}_${String(i).padStart(width, '0')}`);
}

/** The newest whole minute at or before `now`. */
export function minuteFloor(now: number): Date {
  return new Date(now - (now % STEP_MS));
}
