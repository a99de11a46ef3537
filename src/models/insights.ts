/**
 * The response contract of peak demand (docs/demand.md) and the load profile
 * (docs/load-profile.md). Numbers are rounded for output only: kW and kWh to 3 decimals, Rupiah to
 * 2, shares to 4.
 */

/** One 15-minute window's demand. */
export interface DemandPeak {
  /** The window's start (a local quarter hour). */
  readonly start: Date;
  /** Average active power over the window, kW. */
  readonly kw: number;
  /** Average apparent power over the window, kVA (from kW and the power factor). */
  readonly kva: number;
  /** Whether every panel with readings in the period was fully measured in this window. */
  readonly complete: boolean;
}

export interface PeakDemand {
  /** null: the building (the caller's panels summed window by window). */
  readonly panelId: string | null;
  /** The period's first and last local dates (YYYY-MM-DD). */
  readonly firstDay: string;
  readonly lastDay: string;
  readonly panelCount: number;
  /** The window with the highest kW; null when no window had readings. */
  readonly peak: DemandPeak | null;
  /** The window with the highest kVA (may differ from the kW peak's). */
  readonly apparentPeak: DemandPeak | null;
  /** Windows of the period that have ended by now. */
  readonly windowsExpected: number;
  /** Windows with readings of at least one panel. */
  readonly windowsMeasured: number;
  /** Windows in which every panel with readings in the period was fully measured. */
  readonly windowsComplete: number;
  /** The days of a month, or the months of a year (each with its own peak); empty below that. */
  readonly parts: readonly PeakDemand[];
}

/** Average kW in one local hour of the day. */
export interface HourAverage {
  /** 0-23: the hour starting at HH:00 local time. */
  readonly hour: number;
  /** kWh counted in that hour, averaged over the days counted (= average kW); null without any day. */
  readonly averageKw: number | null;
  /** Days whose hour had ended and that had readings. */
  readonly days: number;
}

export interface EnergyCost {
  readonly energyKwh: number;
  /** Rupiah at the tariff in force when the energy was used. */
  readonly cost: number;
}

export interface LoadProfile {
  readonly panelId: string | null;
  readonly from: string;
  readonly to: string;
  /** OPERATING_HOURS as text, e.g. `Mon,Tue,Wed,Thu,Fri 08:00-17:00`. */
  readonly operatingHours: string;
  /** Holidays (YYYY-MM-DD) falling in the period. */
  readonly holidays: readonly string[];
  /** Working days (the operating days that are not holidays), 24 hours. */
  readonly weekdays: readonly HourAverage[];
  /** The other days (weekends and holidays), 24 hours. */
  readonly weekendsAndHolidays: readonly HourAverage[];
  /** The 10th percentile (nearest rank) of the complete 15-minute averages 00:00-05:00 local; null without any. */
  readonly baseLoadKw: number | null;
  /** The complete night windows the base load is taken of. */
  readonly baseLoadWindows: number;
  readonly total: EnergyCost;
  /** Outside operating hours: the hours outside them on working days, and all of other days. */
  readonly outsideHours: EnergyCost;
  /** outsideHours' share of the total energy (0-1); null when nothing was used. */
  readonly outsideShare: number | null;
}
