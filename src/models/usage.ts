/** The response contract for energy and money. Numbers are rounded for output only. */
export interface Usage {
  /** kWh, rounded to 3 decimals. */
  readonly energyKwh: number;
  /** Rupiah, rounded to 2 decimals. */
  readonly cost: number;
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

export interface TariffPeriod {
  readonly ratePerKwh: number;
  /** The instant this rate took effect; the first period covers all time before it too. */
  readonly effectiveFrom: Date;
}

export interface Tariff {
  readonly ratePerKwh: number;
  readonly currency: string;
  readonly timezone: string;
  readonly history: readonly TariffPeriod[];
}
