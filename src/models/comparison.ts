/** Comparisons of a month or a year with the previous period and the same period last year. */

/** The energy of one span of local time [from, to). Rounded for output. */
export interface ComparedSpan {
  readonly from: Date;
  readonly to: Date;
  /** kWh (3 decimals). */
  readonly energyKwh: number;
  /** Rupiah at the tariff in force when the energy was used (2 decimals): the energy charge, before reactive, minimum and tax. */
  readonly cost: number;
  /** kg CO₂e by the emission factor of each day (3 decimals). */
  readonly co2eKg: number;
}

/** This period's span less the base's: positive when this period used more. */
export interface PeriodChange {
  readonly energyKwh: number;
  readonly cost: number;
  readonly co2eKg: number;
  /** Percent of the base's energy (1 decimal); null when the base used nothing. */
  readonly energyPercent: number | null;
  /** Percent of the base's cost (1 decimal); null when the base cost nothing. */
  readonly costPercent: number | null;
}

export interface ComparedPeriod extends ComparedSpan {
  /**
   * True when the base period ran out before the like-for-like instant (so far on the 29th-31st
   * against a shorter month, or on 29 February against a year without one): the whole base period is used.
   */
  readonly shortened: boolean;
  readonly change: PeriodChange;
}

export interface Comparison {
  /** True while the period is running: every span then ends at the same local day of the period and hour of the day as now. */
  readonly soFar: boolean;
  /** This period, over the compared span (the whole period once it has ended). */
  readonly current: ComparedSpan;
  /** The month before (for a month) or the year before (for a year). */
  readonly previousPeriod: ComparedPeriod;
  /** The same month of the year before (for a month); for a year, the year before (the same as previousPeriod). */
  readonly samePeriodLastYear: ComparedPeriod;
}
