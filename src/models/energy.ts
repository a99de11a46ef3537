/** How energy use is grouped: calendar days or months in the site timezone, or one total. */
export type EnergyGrouping = 'day' | 'month' | 'total';

export interface EnergyQuery {
  /** Panels to compute; an empty list yields no rows. */
  readonly panelIds: readonly string[];
  /** Inclusive start of the interval (an instant; for day/month grouping a local midnight). */
  readonly from: Date;
  /** Exclusive end of the interval. */
  readonly to: Date;
  readonly groupBy: EnergyGrouping;
}

/** Energy used by one panel in one period. Periods without any counted increase may be absent. */
export interface EnergyRow {
  readonly panelId: string;
  /** Start of the period: local midnight of the day or the 1st of the month (for 'total', `from`). */
  readonly periodStart: Date;
  /** Unrounded kWh. */
  readonly energyKwh: number;
}

/** Thresholds of the counter rule (see README "How energy is counted"). */
export interface CounterRuleParams {
  /** A rise is plausible up to this multiple of the larger power the meter reported at either end. */
  readonly maxPowerRatio: number;
  /** Floor (kW) for that reported power, so an idle meter's small real increases still count. */
  readonly minPowerKw: number;
}

export const DEFAULT_COUNTER_RULE: CounterRuleParams = { maxPowerRatio: 10, minPowerKw: 1 };
