import { DEFAULT_EMISSION_FACTOR, type EmissionFactorView } from '../../models/emission-factor.js';
import { isoDate } from '../../time/local-time.js';

/** One version of the grid emission factor: in force from a local day until the next version. */
export interface EmissionFactorVersion {
  /** Local day number from which it applies; -Infinity for the first (it covers every earlier day). */
  readonly effectiveFrom: number;
  /** kg CO₂e per kWh (= t CO₂e per MWh). */
  readonly kgPerKwh: number;
  readonly source: string;
  readonly recordedAt: Date;
  readonly recordedBy: string;
}

/** The built-in first version (docs/comparisons-and-emissions.md names its source). */
export const DEFAULT_EMISSION_VERSION: EmissionFactorVersion = {
  effectiveFrom: Number.NEGATIVE_INFINITY,
  kgPerKwh: DEFAULT_EMISSION_FACTOR.tonnesCo2ePerMwh,
  source: DEFAULT_EMISSION_FACTOR.source,
  recordedAt: new Date(0),
  recordedBy: 'default',
};

/**
 * Which emission factor applies on which local day, like the tariff schedule: versions only start
 * on a future day (SiteSettings.record refuses anything else), so recording one never changes the
 * emissions of energy already used. The built-in default covers every day before the first
 * recorded version.
 */
export class EmissionSchedule {
  readonly versions: readonly EmissionFactorVersion[];

  constructor(recorded: readonly EmissionFactorVersion[]) {
    const sorted = [DEFAULT_EMISSION_VERSION, ...recorded].sort(
      (a, b) => a.effectiveFrom - b.effectiveFrom || a.recordedAt.getTime() - b.recordedAt.getTime(),
    );
    // Two versions for the same day: the later recorded one wins.
    this.versions = sorted.filter((version, i) => sorted[i + 1]?.effectiveFrom !== version.effectiveFrom);
  }

  versionOn(day: number): EmissionFactorVersion {
    let lo = 0;
    let hi = this.versions.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (this.versions[mid]!.effectiveFrom <= day) lo = mid;
      else hi = mid - 1;
    }
    return this.versions[lo]!;
  }
}

/** One version as the API shows it. */
export function emissionFactorView(version: EmissionFactorVersion): EmissionFactorView {
  return {
    effectiveFrom: Number.isFinite(version.effectiveFrom) ? isoDate(version.effectiveFrom) : '2000-01-01',
    tonnesCo2ePerMwh: version.kgPerKwh,
    source: version.source,
    recordedAt: version.recordedAt,
    recordedBy: version.recordedBy,
  };
}
