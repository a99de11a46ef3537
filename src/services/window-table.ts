import type { PhaseValues } from '../models/reading.js';
import type { WindowReadings } from '../store/reading-store.js';

/**
 * The numbers a history window shows of its readings, packed FIELDS to a window in one
 * Float64Array: the count (0: no readings), then the averages of the instantaneous values a chart
 * draws, NaN where no reading of the window had the value. A 30-day chart at 1 h is 720 windows:
 * as objects (a record, two phase records, boxed numbers) they were about 0.75 KB of garbage per
 * window on every request, the largest share of the history line's allocations.
 */
export const FIELDS = 11;
const COUNT = 0;
const ACTIVE_POWER = 1;
const VOLTAGE = 2; // l1, l2, l3, average
const CURRENT = 6; // l1, l2, l3, average
const POWER_FACTOR = 10;

export class WindowTable {
  readonly values: Float64Array;

  constructor(readonly windows: number) {
    this.values = new Float64Array(windows * FIELDS);
  }

  /** Readings in window `i` (0: none, and the averages are meaningless). */
  count(i: number): number {
    return this.values[i * FIELDS + COUNT]!;
  }

  activePowerKw(i: number): number | null {
    return this.#value(i * FIELDS + ACTIVE_POWER);
  }

  powerFactor(i: number): number | null {
    return this.#value(i * FIELDS + POWER_FACTOR);
  }

  /** The window's phase averages, each rounded by `round` (applied only to values present). */
  phases(i: number, which: 'voltage' | 'current', round: (value: number) => number): PhaseValues {
    return new WindowPhases(this.values, i * FIELDS + (which === 'voltage' ? VOLTAGE : CURRENT), round);
  }

  /** Window `i` from a store's downsampled window (undefined: a window without readings). */
  set(i: number, window: WindowReadings | undefined): void {
    const o = i * FIELDS;
    const v = this.values;
    if (window === undefined) {
      v.fill(Number.NaN, o, o + FIELDS);
      v[o + COUNT] = 0;
      return;
    }
    const { reading: r, count } = window;
    v[o + COUNT] = count;
    v[o + ACTIVE_POWER] = r.activePowerKw;
    v[o + VOLTAGE] = r.voltage.l1 ?? Number.NaN;
    v[o + VOLTAGE + 1] = r.voltage.l2 ?? Number.NaN;
    v[o + VOLTAGE + 2] = r.voltage.l3 ?? Number.NaN;
    v[o + VOLTAGE + 3] = r.voltage.average ?? Number.NaN;
    v[o + CURRENT] = r.current.l1 ?? Number.NaN;
    v[o + CURRENT + 1] = r.current.l2 ?? Number.NaN;
    v[o + CURRENT + 2] = r.current.l3 ?? Number.NaN;
    v[o + CURRENT + 3] = r.current.average ?? Number.NaN;
    v[o + POWER_FACTOR] = r.powerFactor ?? Number.NaN;
  }

  /** Copies `windows` windows packed the same way, from `source` at window `from`, to window `to` here. */
  copy(to: number, source: WindowTable, from: number, windows: number): void {
    // Element by element: a subarray per window would be an object per window again.
    const target = this.values;
    const values = source.values;
    for (let k = 0, n = windows * FIELDS, a = to * FIELDS, b = from * FIELDS; k < n; k++) target[a + k] = values[b + k]!;
  }

  #value(index: number): number | null {
    const x = this.values[index]!;
    return Number.isNaN(x) ? null : x;
  }
}

/**
 * One window's phase averages: `average`, what a chart draws, rounded with the window; each phase
 * rounded from the table when read. As four rounded numbers in a record they were a third of what
 * a 30-day chart's windows allocated (a boxed number each), for phases a chart does not ask for.
 */
class WindowPhases implements PhaseValues {
  readonly average: number | null;
  readonly #values: Float64Array;
  readonly #at: number;
  readonly #round: (value: number) => number;

  constructor(values: Float64Array, at: number, round: (value: number) => number) {
    this.#values = values;
    this.#at = at;
    this.#round = round;
    this.average = orNull(values[at + 3]!, round);
  }

  get l1(): number | null {
    return orNull(this.#values[this.#at]!, this.#round);
  }

  get l2(): number | null {
    return orNull(this.#values[this.#at + 1]!, this.#round);
  }

  get l3(): number | null {
    return orNull(this.#values[this.#at + 2]!, this.#round);
  }
}

function orNull(value: number, round: (value: number) => number): number | null {
  return Number.isNaN(value) ? null : round(value);
}
