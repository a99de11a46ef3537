/** The shapes of the results of operations.ts, as the API's schema defines them. */

export type PanelStatus = 'ONLINE' | 'OFFLINE';
export type TariffBlock = 'LWBP' | 'WBP' | 'FLAT';

export interface Reading {
  readonly panelId: string;
  /** ISO-8601 instant, the meter's reading time. */
  readonly time: string;
  readonly activePowerKw: number;
  readonly energyKwh: number;
  readonly powerFactor: number | null;
  readonly voltage: { readonly average: number | null };
  readonly current: { readonly average: number | null };
}

export interface BlockUsage {
  readonly block: TariffBlock;
  readonly energyKwh: number;
  readonly cost: number;
}

export interface Usage {
  readonly energyKwh: number;
  readonly cost: number;
  /** Only from the live subscriptions, which ask for it. */
  readonly blocks?: readonly BlockUsage[];
}

export interface Panel {
  readonly id: string;
  readonly name: string;
  readonly status: PanelStatus;
  readonly lastSeenAt: string | null;
  readonly latestReading: Reading | null;
  readonly todayUsage: Usage;
}

export interface Overview {
  readonly panelCount: number;
  readonly onlineCount: number;
  readonly offlineCount: number;
  readonly todayUsage: Usage;
}

export interface Tariff {
  readonly ratePerKwh: number;
  readonly currency: string;
  readonly timezone: string;
}

export interface DashboardData {
  readonly overview: Overview;
  readonly panels: readonly Panel[];
  readonly tariff: Tariff;
}

export interface CurrentBillData {
  readonly currentBill: {
    readonly monthToDate: {
      readonly year: number;
      readonly month: number;
      readonly panelId: string | null;
      readonly complete: boolean;
      readonly energyKwh: number;
      readonly total: number;
    };
    readonly projectedTotal: number;
    readonly projectedEnergyKwh: number;
  };
}

export interface MonthlySummaryData {
  readonly monthlySummary: {
    readonly year: number;
    readonly month: number;
    readonly panelId: string | null;
    readonly total: Usage;
    readonly days: ReadonlyArray<{ readonly date: string; readonly energyKwh: number; readonly cost: number }>;
  };
}

export interface YearlySummaryData {
  readonly yearlySummary: {
    readonly year: number;
    readonly panelId: string | null;
    readonly total: Usage;
    readonly months: ReadonlyArray<{ readonly month: number; readonly energyKwh: number; readonly cost: number }>;
  };
}

export interface HistoryPoint {
  readonly start: string;
  readonly end: string;
  readonly energyKwh: number;
  readonly cost: number;
  readonly readingCount: number;
  readonly activePowerKw: number | null;
  readonly voltage: number | null;
  readonly current: number | null;
  readonly powerFactor: number | null;
}

export interface PanelHistoryData {
  readonly panel: { readonly id: string; readonly history: readonly HistoryPoint[] } | null;
}

export interface StatusChange {
  readonly panelId: string;
  readonly status: PanelStatus;
  readonly at: string;
}

export interface TodayUsageUpdate {
  readonly panelId: string;
  /** YYYY-MM-DD in the site's zone. */
  readonly date: string;
  readonly at: string;
  readonly today: Usage;
}

export interface LiveReadingsData {
  readonly panelReading: Reading;
}
export interface LiveStatusData {
  readonly panelStatusChanged: StatusChange;
}
export interface LiveTodayUsageData {
  readonly todayUsage: TodayUsageUpdate;
}
export interface LiveOverviewData {
  readonly overview: Overview;
}
