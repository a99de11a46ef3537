import { DEFAULT_EMISSION_FACTOR, type EmissionFactorView } from '../../models/emission-factor.js';
import { isoDate } from '../../time/local-time.js';
import { indexInForce, versionsInForce } from '../effective-versions.js';

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
    this.versions = versionsInForce([DEFAULT_EMISSION_VERSION, ...recorded]);
  }

  versionOn(day: number): EmissionFactorVersion {
    return this.versions[indexInForce(this.versions, day)]!;
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
