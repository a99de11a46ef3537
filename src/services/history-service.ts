import { parseDuration } from '../config/duration.js';
import type { Reading } from '../models/reading.js';
import type { HistoryPoint } from '../models/usage.js';
import type { ReadingStore } from '../store/reading-store.js';
import type { EnergyService } from './energy/energy-service.js';
import { round } from './rounding.js';
import { UserInputError } from './user-input-error.js';

/** The longest window: a year (leap or not). */
const MAX_WINDOW_MS = 366 * 86_400_000;

/** The most points one history request may return; charts never need more. */
export const MAX_HISTORY_POINTS = 5_000;

/** A panel's history for charts: raw or averaged readings, and energy per window. */
export class HistoryService {
  constructor(
    private readonly store: ReadingStore,
    private readonly energy: EnergyService,
  ) {}

  /** Raw readings, or one averaged reading per non-empty window of `every`. */
  async readings(panelId: string, from: Date, to: Date, every: string | null | undefined): Promise<Reading[]> {
    checkRange(from, to);
    if (every === null || every === undefined) {
      // Ask for one more than allowed to know whether the limit is exceeded.
      const rows = await this.store.readings(panelId, from, to, MAX_HISTORY_POINTS + 1);
      if (rows.length > MAX_HISTORY_POINTS) {
        throw new UserInputError(
          `more than ${MAX_HISTORY_POINTS} raw readings in this range; pass "every" (e.g. "15m", "1h", "1d") or a shorter range`,
        );
      }
      return rows;
    }
    const everyMs = windowLength(every, from, to);
    return (await this.store.downsample(panelId, from, to, everyMs)).map((window) => roundedAverages(window.reading));
  }

  /**
   * Every window of `every` from `from` to `to`, zero-filled: the energy (and cost) counted by the
   * counting rule in the window, next to the averages of the instantaneous values.
   */
  async history(panelId: string, from: Date, to: Date, every: string): Promise<HistoryPoint[]> {
    checkRange(from, to);
    const everyMs = windowLength(every, from, to);
    const fromMs = from.getTime();
    const toMs = to.getTime();
    const [amounts, windows] = await Promise.all([
      this.energy.windows(panelId, fromMs, toMs, everyMs),
      this.store.downsample(panelId, from, to, everyMs),
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

function checkRange(from: Date, to: Date): void {
  if (!(from.getTime() < to.getTime())) throw new UserInputError('"from" must be before "to"');
}

/** `every` in ms, refused when it is not a duration of at least 1 s or gives too many windows. */
function windowLength(every: string, from: Date, to: Date): number {
  const everyMs = parseDuration(every);
  if (everyMs === null || everyMs < 1_000 || everyMs > MAX_WINDOW_MS) {
    throw new UserInputError(
      `"every" must be a duration from 1s to 366d such as "1m", "15m", "1h" or "1d" (got "${every.slice(0, 40)}")`,
    );
  }
  const points = Math.ceil((to.getTime() - from.getTime()) / everyMs);
  if (points > MAX_HISTORY_POINTS) {
    throw new UserInputError(
      `this range at every "${every}" would return ${points} points; the limit is ${MAX_HISTORY_POINTS}: use a larger "every" or a shorter range`,
    );
  }
  return everyMs;
}

function roundOrNull(value: number | null | undefined, decimals: number): number | null {
  return value === null || value === undefined ? null : round(value, decimals);
}
