import { DateTime } from 'luxon';
import type { CountingRuleParams } from '../../src/services/energy/counting-rule.js';
import type { CounterSample } from './counter-series.js';

/**
 * An independent, deliberately plain transcription of the counting rule in docs/counting-rule.md, to check the
 * product's implementation against: it keeps every pending reading in a list and re-checks the
 * chain by slicing, where the product keeps a bounded ring and snapshots. Returns the increase
 * each reading counts (index-aligned with the series, which must be sorted, one per timestamp).
 */
export function referenceIncreases(series: readonly CounterSample[], rule: CountingRuleParams): number[] {
  const counted = series.map(() => 0);
  const plausible = (a: CounterSample, b: CounterSample): boolean => {
    const rise = b.energyKwh - a.energyKwh;
    const hours = (b.time.getTime() - a.time.getTime()) / 3_600_000;
    return rise >= 0 && rise <= Math.max(a.activePowerKw, b.activePowerKw, rule.minPowerKw) * rule.maxPowerRatio * hours;
  };
  let baseline: number | null = null;
  let pending: number[] = [];
  series.forEach((reading, i) => {
    if (baseline === null) {
      baseline = i;
      return;
    }
    if (plausible(series[baseline]!, reading)) {
      counted[i] = reading.energyKwh - series[baseline]!.energyKwh;
      baseline = i;
      pending = [];
      return;
    }
    pending.push(i);
    if (pending.length < rule.confirmReadings) return;
    const chain = pending.slice(pending.length - rule.confirmReadings);
    const isChain = chain.every((k, j) => j === 0 || plausible(series[chain[j - 1]!]!, series[k]!));
    if (!isChain) return;
    for (let j = 1; j < chain.length; j++) counted[chain[j]!] = series[chain[j]!]!.energyKwh - series[chain[j - 1]!]!.energyKwh;
    baseline = chain[chain.length - 1]!;
    pending = [];
  });
  return counted;
}

/** Sum of the increases of readings with time in [from, to). */
export function referenceEnergy(series: readonly CounterSample[], increases: readonly number[], from: number, to: number): number {
  let sum = 0;
  series.forEach((reading, i) => {
    const t = reading.time.getTime();
    if (t >= from && t < to) sum += increases[i]!;
  });
  return sum;
}

/** Increases summed per local calendar day (YYYY-MM-DD in `zone`), computed with luxon. */
export function referenceDays(series: readonly CounterSample[], increases: readonly number[], zone: string): Map<string, number> {
  const days = new Map<string, number>();
  series.forEach((reading, i) => {
    const day = DateTime.fromJSDate(reading.time, { zone }).toISODate()!;
    days.set(day, (days.get(day) ?? 0) + increases[i]!);
  });
  return days;
}

/** The series a store holds after the given writes: one reading per time, the last written wins, sorted. */
export function finalSeries<T extends CounterSample>(writes: readonly T[]): T[] {
  const byTime = new Map<number, T>();
  for (const reading of writes) byTime.set(reading.time.getTime(), reading);
  return [...byTime.values()].sort((a, b) => a.time.getTime() - b.time.getTime());
}
