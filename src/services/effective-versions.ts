/**
 * Versions that take effect on a local day and are never rewritten (tariff plans, emission
 * factors): one rule for which is in force, so every versioned figure agrees on it.
 */
export interface EffectiveVersion {
  /** The local day number it takes effect on. */
  readonly effectiveFrom: number;
  readonly recordedAt: Date;
}

/** The versions by day; two for the same day: the later recorded one wins. */
export function versionsInForce<V extends EffectiveVersion>(recorded: readonly V[]): V[] {
  const sorted = [...recorded].sort((a, b) => a.effectiveFrom - b.effectiveFrom || a.recordedAt.getTime() - b.recordedAt.getTime());
  return sorted.filter((version, i) => sorted[i + 1]?.effectiveFrom !== version.effectiveFrom);
}

/** Index of the version in force on local day `day` (the first one before any takes effect). */
export function indexInForce(versions: readonly EffectiveVersion[], day: number): number {
  let lo = 0;
  let hi = versions.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if (versions[mid]!.effectiveFrom <= day) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}
