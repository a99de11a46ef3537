import type { Emissions } from './emission-factor.js';
import type { MoneyAmount } from './money.js';
import type { PhaseValues } from './reading.js';

/** The response contract for energy and money. Numbers are rounded for output only. */

/** Tariff blocks: LWBP off-peak, WBP the peak window, FLAT a flat plan's whole day. */
export const TARIFF_BLOCKS = ['LWBP', 'WBP', 'FLAT'] as const;
export type TariffBlock = (typeof TARIFF_BLOCKS)[number];

export interface BlockUsage {
  readonly block: TariffBlock;
  /** kWh, rounded to 3 decimals. */
  readonly energyKwh: number;
  /** Rupiah, rounded to 2 decimals. */
  readonly cost: number;
}

export interface Usage {
  /** kWh, rounded to 3 decimals. */
  readonly energyKwh: number;
  /** Rupiah, rounded to 2 decimals. */
  readonly cost: number;
  /**
   * The split by tariff block (the blocks of every plan in force in the period, in TARIFF_BLOCKS
   * order); rounded so that the blocks add up to the totals exactly.
   */
  readonly blocks: readonly BlockUsage[];
  /** kg CO₂e by the grid emission factor of each day; null for a figure that is not of whole days. */
  readonly emissions: Emissions | null;
}

export interface DailyUsage extends Usage {
  /** YYYY-MM-DD in the site timezone. */
  readonly date: string;
}

export interface MonthlyUsage extends Usage {
  readonly month: number;
}

export interface MonthlySummary {
  readonly year: number;
  readonly month: number;
  /** null: the whole building. */
  readonly panelId: string | null;
  readonly total: Usage;
  readonly days: readonly DailyUsage[];
}

export interface YearlySummary {
  readonly year: number;
  readonly panelId: string | null;
  readonly total: Usage;
  readonly months: readonly MonthlyUsage[];
}

export interface Overview {
  readonly panelCount: number;
  readonly onlineCount: number;
  readonly offlineCount: number;
  readonly todayUsage: Usage;
}

/**
 * One window of a panel's history: energy by the counting rule, instantaneous values averaged.
 * Its bounds are epoch milliseconds, not Dates: a 30-day chart at 1 h is 720 windows on every
 * request, and a Date is about 115 bytes of garbage where a number is 16 (the DateTime scalar
 * writes both as the same text).
 */
export interface HistoryPoint {
  /** Inclusive, epoch ms. */
  readonly start: number;
  /** Exclusive, epoch ms. */
  readonly end: number;
  /** kWh counted in the window, rounded to 3 decimals. */
  readonly energyKwh: number;
  /** Rupiah, rounded to 2 decimals, as the API writes it (a chart's 720 windows need no resolver each). */
  readonly cost: MoneyAmount;
  readonly readingCount: number;
  /** Averages over the window's readings, rounded; null when the window has none. */
  readonly activePowerKw: number | null;
  /** Each phase's average (and the average of the phase averages), as on an averaged Reading. */
  readonly voltage: PhaseValues | null;
  readonly current: PhaseValues | null;
  readonly powerFactor: number | null;
}

/** A panel's usage today, pushed live. */
export interface PanelUsageUpdate {
  readonly panelId: string;
  /** The local date (YYYY-MM-DD) `today` covers. */
  readonly date: string;
  readonly today: Usage;
  readonly at: Date;
}
