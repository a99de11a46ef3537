import type { CounterRuleParams } from '../../models/energy.js';

/**
 * The TypeScript reference of the counter rule (README "How energy is counted"). The SQLite store
 * evaluates the same rule in SQL and the InfluxDB store in Flux; the contract tests use this file
 * as the oracle, and the in-memory cache reuses it. Keep the arithmetic here and in
 * sqlite-store.ts in the same operation order, so borderline steps are decided identically.
 */

/** What the rule needs from a reading (a `Reading` fits). */
export interface CounterSample {
  readonly time: Date;
  readonly energyKwh: number;
  readonly activePowerKw: number;
}

const MS_PER_HOUR = 3_600_000;

/**
 * Rule 1: the step from A to B is normal when the counter did not go down and did not rise faster
 * than `max(pA, pB, minPowerKw) × maxPowerRatio` kW over the elapsed time.
 */
export function isNormalStep(
  cA: number,
  pA: number,
  tA: number,
  cB: number,
  pB: number,
  tB: number,
  params: CounterRuleParams,
): boolean {
  const rise = cB - cA;
  return rise >= 0 && rise <= Math.max(pA, pB, params.minPowerKw) * params.maxPowerRatio * ((tB - tA) / MS_PER_HOUR);
}

/** Per-reading outcome, index-aligned with the input series. */
export interface CounterRuleResult {
  /** 1 where the reading is a glitch (ignored), else 0. */
  readonly glitch: Uint8Array;
  /** The increase the reading counts (kWh, ≥ 0); 0 for glitches and for the first reading. */
  readonly increaseKwh: Float64Array;
}

/**
 * Which earlier reading a reading counts from.
 * - `lastCounted`: the README rule on a whole series, the newest earlier non-glitch reading.
 * - `previousTwo`: what the stores do within a bounded window: the predecessor, or the one before
 *   it when the predecessor is a glitch. Differs only when two consecutive readings are glitches.
 */
export type BaselineMode = 'lastCounted' | 'previousTwo';

function normalAt(series: readonly CounterSample[], a: number, b: number, params: CounterRuleParams): boolean {
  const A = series[a]!;
  const B = series[b]!;
  return isNormalStep(A.energyKwh, A.activePowerKw, A.time.getTime(), B.energyKwh, B.activePowerKw, B.time.getTime(), params);
}

/** Rule 2, with the neighbours limited to indexes [lo, hi]. */
function isGlitchAt(
  series: readonly CounterSample[],
  i: number,
  lo: number,
  hi: number,
  params: CounterRuleParams,
): boolean {
  return i > lo && i < hi && !normalAt(series, i - 1, i, params) && normalAt(series, i - 1, i + 1, params);
}

/**
 * Applies the rule to one panel's readings, sorted by time with one reading per timestamp.
 * One pass; allocates only the two output arrays.
 */
export function applyCounterRule(
  series: readonly CounterSample[],
  params: CounterRuleParams,
  mode: BaselineMode = 'lastCounted',
): CounterRuleResult {
  const n = series.length;
  const glitch = new Uint8Array(n);
  const increaseKwh = new Float64Array(n);
  let baseline = -1; // index of the last counted (non-glitch) reading
  for (let i = 0; i < n; i++) {
    if (isGlitchAt(series, i, 0, n - 1, params)) {
      glitch[i] = 1;
      continue;
    }
    const from = mode === 'lastCounted' ? baseline : i === 0 ? -1 : glitch[i - 1] === 1 ? i - 2 : i - 1;
    if (from >= 0 && normalAt(series, from, i, params)) {
      increaseKwh[i] = series[i]!.energyKwh - series[from]!.energyKwh;
    }
    baseline = i;
  }
  return { glitch, increaseKwh };
}

/** Index of the first sample at or after `timeMs` (series sorted by time). */
export function lowerBound(series: readonly CounterSample[], timeMs: number): number {
  let lo = 0;
  let hi = series.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (series[mid]!.time.getTime() < timeMs) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Energy per period exactly as the stores compute it for a query [from, to): only the two
 * readings before `from`, the readings inside and the first reading at or after `to` are looked
 * at, with the `previousTwo` baseline. `boundaries` are ascending instants (ms) b0 = from < b1 <
 * ... < bk = to; the result has k sums, sum j for readings in [b(j), b(j+1)). `series` is the
 * panel's whole history (or any superset of that window), sorted, one reading per timestamp.
 * One pass over the window, no allocation besides the result.
 */
export function windowedEnergy(
  series: readonly CounterSample[],
  boundaries: readonly number[],
  params: CounterRuleParams,
): Float64Array {
  const periods = Math.max(0, boundaries.length - 1);
  const sums = new Float64Array(periods);
  if (periods === 0) return sums;
  const first = lowerBound(series, boundaries[0]!);
  const end = lowerBound(series, boundaries[periods]!); // first reading at or after `to`
  const lo = Math.max(0, first - 2);
  const hi = Math.min(series.length - 1, end); // the lookahead reading, when there is one
  let period = 0;
  // The previous reading's glitch flag, carried over so each flag is evaluated once.
  let previousGlitch = first - 1 >= lo && isGlitchAt(series, first - 1, lo, hi, params);
  for (let i = first; i < end; i++) {
    const glitch = isGlitchAt(series, i, lo, hi, params);
    if (!glitch && i > lo) {
      const from = previousGlitch ? i - 2 : i - 1;
      if (from >= lo && normalAt(series, from, i, params)) {
        const t = series[i]!.time.getTime();
        while (period < periods - 1 && t >= boundaries[period + 1]!) period++;
        sums[period] = sums[period]! + (series[i]!.energyKwh - series[from]!.energyKwh);
      }
    }
    previousGlitch = glitch;
  }
  return sums;
}
