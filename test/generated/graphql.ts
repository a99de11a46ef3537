/* eslint-disable */
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';
export type Maybe<T> = T | null;
export type InputMaybe<T> = T | null | undefined;
export type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
export type MakeOptional<T, K extends keyof T> = Omit<T, K> & { [SubKey in K]?: Maybe<T[SubKey]> };
export type MakeMaybe<T, K extends keyof T> = Omit<T, K> & { [SubKey in K]: Maybe<T[SubKey]> };
export type MakeEmpty<T extends { [key: string]: unknown }, K extends keyof T> = { [_ in K]?: never };
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
/** All built-in and custom scalars, mapped to their actual values */
export type Scalars = {
  ID: { input: string; output: string; }
  String: { input: string; output: string; }
  Boolean: { input: boolean; output: boolean; }
  Int: { input: number; output: number; }
  Float: { input: number; output: number; }
  /** A calendar date YYYY-MM-DD in the site timezone. */
  Date: { input: string; output: string; }
  /** An instant as ISO-8601 with an offset (output in UTC, e.g. 2026-07-01T05:30:05.000Z). */
  DateTime: { input: string; output: string; }
};

/** One recorded change: who made it, when, and what (as JSON). */
export type AdminChange = {
  __typename?: 'AdminChange';
  /** The API key or token holder, or "configuration". */
  actor: Scalars['String']['output'];
  at: Scalars['DateTime']['output'];
  /** The change as JSON (key hashes are left out). */
  change: Scalars['String']['output'];
  id: Scalars['ID']['output'];
  kind: Scalars['String']['output'];
};

/** viewer: read everything; operator: also name, hide and retire panels; admin: also tariffs and API keys. */
export type ApiRole =
  | 'admin'
  | 'operator'
  | 'viewer';

/** A month's bill as PLN computes it. The building's bill is computed on the building's totals (as PLN meters the connection), not as the sum of the panels' bills. */
export type Bill = {
  __typename?: 'Bill';
  /** kWh / √(kWh² + kVArh²) (4 decimals). */
  averagePowerFactor?: Maybe<Scalars['Float']['output']>;
  /** kWh and Rupiah per tariff block. */
  blocks: Array<BlockUsage>;
  /** False while the month is still running. */
  complete: Scalars['Boolean']['output'];
  /** kWh (3 decimals). */
  energyKwh: Scalars['Float']['output'];
  /** First local date of the month. */
  from: Scalars['Date']['output'];
  lines: Array<BillLine>;
  /** 1-12. */
  month: Scalars['Int']['output'];
  /** null: the whole building. */
  panelId?: Maybe<Scalars['ID']['output']>;
  /** The plan versions in force during the month. */
  planVersions: Array<TariffPlanVersion>;
  /** True when (part of) the reactive energy is estimated from kW and power factor: the meters sent no kVArh counter. */
  reactiveEstimated: Scalars['Boolean']['output'];
  /** kVArh of the month (3 decimals). */
  reactiveKvarh: Scalars['Float']['output'];
  /** Rupiah before tax. */
  subtotal: Scalars['Float']['output'];
  /** Rupiah. */
  tax: Scalars['Float']['output'];
  /** Last local date of the month. */
  to: Scalars['Date']['output'];
  /** Rupiah: subtotal + tax, the sum of the lines. */
  total: Scalars['Float']['output'];
  year: Scalars['Int']['output'];
};

/** One line of a bill. Amounts are rounded so that the lines add up to the total. */
export type BillLine = {
  __typename?: 'BillLine';
  /** Rupiah (2 decimals). */
  amount: Scalars['Float']['output'];
  block?: Maybe<TariffBlock>;
  description: Scalars['String']['output'];
  kind: BillLineKind;
  /** The plan version that priced this line. */
  planEffectiveFrom: Scalars['Date']['output'];
  /** In `unit` (3 decimals). */
  quantity: Scalars['Float']['output'];
  /** Rupiah per unit; for TAX the percentage. */
  rate: Scalars['Float']['output'];
  /** kWh, kVArh, or Rp (the base of a tax line). */
  unit: Scalars['String']['output'];
};

/** ENERGY per tariff block; REACTIVE excess reactive energy; MINIMUM_TOP_UP up to the minimum bill; TAX the street-lighting tax. */
export type BillLineKind =
  | 'ENERGY'
  | 'MINIMUM_TOP_UP'
  | 'REACTIVE'
  | 'TAX';

/** This month so far, and its projection to the end of the month. */
export type BillProjection = {
  __typename?: 'BillProjection';
  /** How much of the month has elapsed, 0-1. */
  elapsedFraction: Scalars['Float']['output'];
  monthToDate: Bill;
  /** kWh, likewise. */
  projectedEnergyKwh: Scalars['Float']['output'];
  /** Rupiah, if the rest of the month uses energy as the elapsed part did. */
  projectedTotal: Scalars['Float']['output'];
};

/** The rate of one tariff block and the local hours it covers. */
export type BlockRate = {
  __typename?: 'BlockRate';
  block: TariffBlock;
  /** Local hours as HH:00-HH:00 (LWBP is the rest of the day). */
  hours: Scalars['String']['output'];
  /** Rupiah per kWh. */
  ratePerKwh: Scalars['Float']['output'];
};

/** One tariff block's share of a period's energy and cost. */
export type BlockUsage = {
  __typename?: 'BlockUsage';
  block: TariffBlock;
  /** Rupiah, rounded to 2 decimals. */
  cost: Scalars['Float']['output'];
  /** kWh, rounded to 3 decimals. */
  energyKwh: Scalars['Float']['output'];
};

/** A new API key. The key is shown here once and never again: only its SHA-256 is kept. */
export type CreatedApiKey = {
  __typename?: 'CreatedApiKey';
  key: Scalars['String']['output'];
  keyId: Scalars['ID']['output'];
  name: Scalars['String']['output'];
  role: Scalars['String']['output'];
};

/** One local calendar day. */
export type DailyUsage = {
  __typename?: 'DailyUsage';
  /** The split by tariff block (every block of the plans in force); the blocks add up to the totals. */
  blocks: Array<BlockUsage>;
  /** Rupiah at the tariff in force when the energy was used, rounded to 2 decimals. */
  cost: Scalars['Float']['output'];
  date: Scalars['Date']['output'];
  /** kWh counted by the counting rule, rounded to 3 decimals. */
  energyKwh: Scalars['Float']['output'];
};

/** One window of a panel's history: energy counted by the counting rule, instantaneous values averaged. */
export type HistoryPoint = {
  __typename?: 'HistoryPoint';
  /** Average kW (3 decimals); null without readings. */
  activePowerKw?: Maybe<Scalars['Float']['output']>;
  /** Rupiah, at the tariff in force, rounded to 2 decimals. */
  cost: Scalars['Float']['output'];
  /** Average of the phase-average current, A (2 decimals). */
  current?: Maybe<Scalars['Float']['output']>;
  /** Exclusive; the last window ends at `to`. */
  end: Scalars['DateTime']['output'];
  /** kWh used in the window, rounded to 3 decimals. */
  energyKwh: Scalars['Float']['output'];
  /** Average power factor (3 decimals). */
  powerFactor?: Maybe<Scalars['Float']['output']>;
  readingCount: Scalars['Int']['output'];
  start: Scalars['DateTime']['output'];
  /** Average of the phase-average voltage, V (2 decimals). */
  voltage?: Maybe<Scalars['Float']['output']>;
};

export type IngestStatus = {
  __typename?: 'IngestStatus';
  backlog: Scalars['Int']['output'];
  brokerConnected: Scalars['Boolean']['output'];
  /** True while readings are stored locally but not yet in the remote store (InfluxDB): history and usage may miss them. */
  lagging: Scalars['Boolean']['output'];
  oldestUnsentAgeSeconds?: Maybe<Scalars['Float']['output']>;
  rejections: Array<RejectionCount>;
  storeWrites?: Maybe<StoreWrites>;
};

export type MonthlySummary = {
  __typename?: 'MonthlySummary';
  /** Every day of the month, zero when there was no use. */
  days: Array<DailyUsage>;
  month: Scalars['Int']['output'];
  /** null: the whole building. */
  panelId?: Maybe<Scalars['ID']['output']>;
  total: Usage;
  year: Scalars['Int']['output'];
};

/** One calendar month. */
export type MonthlyUsage = {
  __typename?: 'MonthlyUsage';
  /** The split by tariff block (every block of the plans in force); the blocks add up to the totals. */
  blocks: Array<BlockUsage>;
  /** Rupiah at the tariff in force when the energy was used, rounded to 2 decimals. */
  cost: Scalars['Float']['output'];
  /** kWh counted by the counting rule, rounded to 3 decimals. */
  energyKwh: Scalars['Float']['output'];
  /** 1-12. */
  month: Scalars['Int']['output'];
};

export type Mutation = {
  __typename?: 'Mutation';
  /** Makes an API key with a role, optionally limited to some panels. The key is in this answer only. */
  createApiKey: CreatedApiKey;
  /** Revokes an API key made through the API (configured keys are removed from the configuration). */
  revokeApiKey: AdminChange;
  /** Hides a panel from lists and building totals (its data is kept), or shows it again. */
  setPanelHidden: AdminChange;
  /** A panel's display name (null: back to the name derived from its id). */
  setPanelName: AdminChange;
  /** Retires a panel (forgotten everywhere, its new readings refused; stored readings kept) or brings it back. */
  setPanelRetired: AdminChange;
  /** Records a new tariff plan version from a local date (tomorrow at the earliest): energy already used keeps its price. */
  setTariffPlan: TariffPlanVersion;
};


export type MutationCreateApiKeyArgs = {
  name: Scalars['String']['input'];
  panels?: InputMaybe<Array<Scalars['ID']['input']>>;
  role: ApiRole;
};


export type MutationRevokeApiKeyArgs = {
  keyId: Scalars['ID']['input'];
};


export type MutationSetPanelHiddenArgs = {
  hidden: Scalars['Boolean']['input'];
  panelId: Scalars['ID']['input'];
};


export type MutationSetPanelNameArgs = {
  name?: InputMaybe<Scalars['String']['input']>;
  panelId: Scalars['ID']['input'];
};


export type MutationSetPanelRetiredArgs = {
  panelId: Scalars['ID']['input'];
  retired: Scalars['Boolean']['input'];
};


export type MutationSetTariffPlanArgs = {
  effectiveFrom: Scalars['Date']['input'];
  plan: TariffPlanInput;
};

/** Building totals for the header cards. */
export type Overview = {
  __typename?: 'Overview';
  offlineCount: Scalars['Int']['output'];
  onlineCount: Scalars['Int']['output'];
  panelCount: Scalars['Int']['output'];
  /** All panels, local midnight until now. */
  todayUsage: Usage;
};

/** An electrical panel with a power meter. */
export type Panel = {
  __typename?: 'Panel';
  firstSeenAt: Scalars['DateTime']['output'];
  /** Every window of `every` ("15m", "1h", "1d"...) from `from` to `to`, zero-filled: the energy and cost used in the window (by the counting rule) and the averages of its readings. At most 5,000 windows. */
  history: Array<HistoryPoint>;
  id: Scalars['ID']['output'];
  /** Meter time of the newest reading. */
  lastSeenAt?: Maybe<Scalars['DateTime']['output']>;
  latestReading?: Maybe<Reading>;
  name: Scalars['String']['output'];
  /** History, oldest first: raw, or one point per `every` (e.g. "1m", "15m", "1h", "1d") with instantaneous values averaged and the last kWh of each window. At most 5,000 points. */
  readings: Array<Reading>;
  status: PanelStatus;
  /** Energy and cost from local midnight until now (today's bill so far). */
  todayUsage: Usage;
};


/** An electrical panel with a power meter. */
export type PanelHistoryArgs = {
  every: Scalars['String']['input'];
  from: Scalars['DateTime']['input'];
  to: Scalars['DateTime']['input'];
};


/** An electrical panel with a power meter. */
export type PanelReadingsArgs = {
  every?: InputMaybe<Scalars['String']['input']>;
  from: Scalars['DateTime']['input'];
  to: Scalars['DateTime']['input'];
};

/** ONLINE while the newest reading is within OFFLINE_AFTER of now. */
export type PanelStatus =
  | 'OFFLINE'
  | 'ONLINE';

export type PanelStatusChange = {
  __typename?: 'PanelStatusChange';
  at: Scalars['DateTime']['output'];
  panelId: Scalars['ID']['output'];
  status: PanelStatus;
};

/** A panel's usage today, pushed live. */
export type PanelUsageUpdate = {
  __typename?: 'PanelUsageUpdate';
  /** When it was computed. */
  at: Scalars['DateTime']['output'];
  /** The local date `today` covers. */
  date: Scalars['Date']['output'];
  panelId: Scalars['ID']['output'];
  /** Local midnight until now. */
  today: Usage;
};

/** Per-phase values (L1, L2, L3) and their average. */
export type PhaseValues = {
  __typename?: 'PhaseValues';
  average?: Maybe<Scalars['Float']['output']>;
  l1?: Maybe<Scalars['Float']['output']>;
  l2?: Maybe<Scalars['Float']['output']>;
  l3?: Maybe<Scalars['Float']['output']>;
};

export type Query = {
  __typename?: 'Query';
  /** Every recorded change, newest first: who changed what and when. */
  adminChanges: Array<AdminChange>;
  /** This month's bill until now and its projected total (the dashboard's header). */
  currentBill: BillProjection;
  ingestStatus: IngestStatus;
  /** A month's bill, for one panel or the building (panelId omitted). */
  monthlyBill: Bill;
  /** Energy and cost per day of a month in the site timezone, for one panel or the whole building. */
  monthlySummary: MonthlySummary;
  overview: Overview;
  /** null when no panel has this id. */
  panel?: Maybe<Panel>;
  /** Every panel ever seen, sorted by id. */
  panels: Array<Panel>;
  /** The tariff plan and its history. */
  tariff: Tariff;
  /** Energy and cost per month of a year in the site timezone, for one panel or the whole building. */
  yearlySummary: YearlySummary;
};


export type QueryAdminChangesArgs = {
  limit?: InputMaybe<Scalars['Int']['input']>;
};


export type QueryCurrentBillArgs = {
  panelId?: InputMaybe<Scalars['ID']['input']>;
};


export type QueryIngestStatusArgs = {
  panelId?: InputMaybe<Scalars['ID']['input']>;
};


export type QueryMonthlyBillArgs = {
  month: Scalars['Int']['input'];
  panelId?: InputMaybe<Scalars['ID']['input']>;
  year: Scalars['Int']['input'];
};


export type QueryMonthlySummaryArgs = {
  month: Scalars['Int']['input'];
  panelId?: InputMaybe<Scalars['ID']['input']>;
  year: Scalars['Int']['input'];
};


export type QueryPanelArgs = {
  id: Scalars['ID']['input'];
};


export type QueryYearlySummaryArgs = {
  panelId?: InputMaybe<Scalars['ID']['input']>;
  year: Scalars['Int']['input'];
};

/** One stored meter reading, as the meter reported it. */
export type Reading = {
  __typename?: 'Reading';
  activePowerKw: Scalars['Float']['output'];
  apparentPowerKva?: Maybe<Scalars['Float']['output']>;
  /** Amperes. */
  current: PhaseValues;
  currentUnbalance?: Maybe<Scalars['Float']['output']>;
  /** The meter's cumulative energy counter (kWh). */
  energyKwh: Scalars['Float']['output'];
  panelId: Scalars['ID']['output'];
  powerFactor?: Maybe<Scalars['Float']['output']>;
  /** The meter's reading time. */
  time: Scalars['DateTime']['output'];
  /** Volts. */
  voltage: PhaseValues;
  voltageUnbalance?: Maybe<Scalars['Float']['output']>;
};

/** Payloads rejected since start, per panel and reason. */
export type RejectionCount = {
  __typename?: 'RejectionCount';
  count: Scalars['Int']['output'];
  lastAt: Scalars['DateTime']['output'];
  lastDetail: Scalars['String']['output'];
  lastTopic: Scalars['String']['output'];
  /** null when the topic itself was invalid. */
  panelId?: Maybe<Scalars['ID']['output']>;
  reason: Scalars['String']['output'];
};

/** Whether readings can be stored now. While not, nothing is acknowledged: meters keep their readings and send them again. */
export type StoreWrites = {
  __typename?: 'StoreWrites';
  failingSince?: Maybe<Scalars['DateTime']['output']>;
  /** Free space of DATA_DIR. */
  freeBytes?: Maybe<Scalars['Float']['output']>;
  /** The last write failure, kept after recovery. */
  lastError?: Maybe<Scalars['String']['output']>;
  lastErrorAt?: Maybe<Scalars['DateTime']['output']>;
  /** STORE_MIN_FREE. */
  minFreeBytes?: Maybe<Scalars['Float']['output']>;
  /** Why not: the disk is full (below STORE_MIN_FREE) or failing, or the store is damaged. */
  problem?: Maybe<Scalars['String']['output']>;
  /** Writes refused since writes started failing. */
  refusedWrites: Scalars['Int']['output'];
  writable: Scalars['Boolean']['output'];
};

export type Subscription = {
  __typename?: 'Subscription';
  /** The building's overview at once, then whenever it changes (a reading, a status), at most once a second. */
  overview: Overview;
  /** Each panel's newest reading at once, then every reading as soon as it is stored; of one panel or of all visible panels. */
  panelReading: Reading;
  /** Each panel's status at once, then every change to ONLINE or OFFLINE (announced by a timer at the exact threshold). */
  panelStatusChanged: PanelStatusChange;
  /** Each panel's usage today at once, then whenever it changes, at most once a second per panel (and at local midnight). */
  todayUsage: PanelUsageUpdate;
};


export type SubscriptionPanelReadingArgs = {
  panelId?: InputMaybe<Scalars['ID']['input']>;
};


export type SubscriptionPanelStatusChangedArgs = {
  panelId?: InputMaybe<Scalars['ID']['input']>;
};


export type SubscriptionTodayUsageArgs = {
  panelId?: InputMaybe<Scalars['ID']['input']>;
};

export type Tariff = {
  __typename?: 'Tariff';
  /** IDR. */
  currency: Scalars['String']['output'];
  /** The plan in force today. */
  current: TariffPlanVersion;
  /** Today's base rate, Rupiah per kWh: the flat rate, or LWBP. */
  ratePerKwh: Scalars['Float']['output'];
  /** The timezone days, months and tariff hours are counted in. */
  timezone: Scalars['String']['output'];
  /** Every version, oldest first. */
  versions: Array<TariffPlanVersion>;
};

/** PLN tariff blocks: LWBP off-peak, WBP the peak window (local time), FLAT the whole day of a flat plan. */
export type TariffBlock =
  | 'FLAT'
  | 'LWBP'
  | 'WBP';

/** FLAT: one rate all day. TIME_OF_USE: LWBP off-peak, WBP = K × LWBP in the peak window. */
export type TariffKind =
  | 'FLAT'
  | 'TIME_OF_USE';

/** A tariff plan. FLAT needs ratePerKwh; TIME_OF_USE needs offPeakRatePerKwh, peakMultiplier and the peak hours. */
export type TariffPlanInput = {
  /** FLAT or TIME_OF_USE. */
  kind: Scalars['String']['input'];
  minimumBillConnectedKva?: InputMaybe<Scalars['Float']['input']>;
  /** Default 40. */
  minimumBillHours?: InputMaybe<Scalars['Float']['input']>;
  name?: InputMaybe<Scalars['String']['input']>;
  /** TIME_OF_USE: the LWBP rate, Rupiah per kWh. */
  offPeakRatePerKwh?: InputMaybe<Scalars['Float']['input']>;
  /** TIME_OF_USE: the local hour the peak window ends (1-24, may wrap). */
  peakEndHour?: InputMaybe<Scalars['Int']['input']>;
  /** TIME_OF_USE: K, WBP rate = K × LWBP (PLN: 1.4-2). */
  peakMultiplier?: InputMaybe<Scalars['Float']['input']>;
  /** TIME_OF_USE: first local hour of the peak window (0-23). */
  peakStartHour?: InputMaybe<Scalars['Int']['input']>;
  /** FLAT: Rupiah per kWh. */
  ratePerKwh?: InputMaybe<Scalars['Float']['input']>;
  reactiveRatePerKvarh?: InputMaybe<Scalars['Float']['input']>;
  /** Default 0. */
  taxPercent?: InputMaybe<Scalars['Float']['input']>;
};

/** One version of the tariff plan. A version applies from its date until the next one; recording one never reprices earlier days. */
export type TariffPlanVersion = {
  __typename?: 'TariffPlanVersion';
  blocks: Array<BlockRate>;
  /** Local date; the first version also covers every earlier day. */
  effectiveFrom: Scalars['Date']['output'];
  kind: TariffKind;
  /** Connected power (kVA) of the minimum bill; null: no minimum. */
  minimumBillConnectedKva?: Maybe<Scalars['Float']['output']>;
  /** Hours of the minimum bill (PLN: 40). */
  minimumBillHours?: Maybe<Scalars['Float']['output']>;
  name?: Maybe<Scalars['String']['output']>;
  /** K: WBP rate = K × LWBP rate (time of use only). */
  peakMultiplier?: Maybe<Scalars['Float']['output']>;
  /** Rupiah per kVArh of excess reactive energy (above 0.62 × kWh when the average power factor is under 0.85); null: not billed. */
  reactiveRatePerKvarh?: Maybe<Scalars['Float']['output']>;
  recordedAt: Scalars['DateTime']['output'];
  /** "configuration" for the plan of the first start, else who recorded it. */
  recordedBy: Scalars['String']['output'];
  /** Street-lighting tax (PPJ/PBJT), percent of the bill before tax. */
  taxPercent: Scalars['Float']['output'];
};

/** Energy used and what it costs. */
export type Usage = {
  __typename?: 'Usage';
  /** The split by tariff block (every block of the plans in force); the blocks add up to the totals. */
  blocks: Array<BlockUsage>;
  /** Rupiah at the tariff in force when the energy was used, rounded to 2 decimals. */
  cost: Scalars['Float']['output'];
  /** kWh counted by the counting rule, rounded to 3 decimals. */
  energyKwh: Scalars['Float']['output'];
};

export type YearlySummary = {
  __typename?: 'YearlySummary';
  /** All twelve months. */
  months: Array<MonthlyUsage>;
  /** null: the whole building. */
  panelId?: Maybe<Scalars['ID']['output']>;
  total: Usage;
  year: Scalars['Int']['output'];
};

export type MonthlyBillQueryVariables = Exact<{
  year: Scalars['Int']['input'];
  month: Scalars['Int']['input'];
  panelId?: InputMaybe<Scalars['ID']['input']>;
}>;


export type MonthlyBillQuery = { __typename?: 'Query', monthlyBill: { __typename?: 'Bill', year: number, month: number, panelId?: string | null, from: string, to: string, complete: boolean, energyKwh: number, reactiveKvarh: number, reactiveEstimated: boolean, averagePowerFactor?: number | null, subtotal: number, tax: number, total: number, blocks: Array<{ __typename?: 'BlockUsage', block: TariffBlock, energyKwh: number, cost: number }>, lines: Array<{ __typename?: 'BillLine', kind: BillLineKind, block?: TariffBlock | null, description: string, quantity: number, unit: string, rate: number, amount: number, planEffectiveFrom: string }>, planVersions: Array<{ __typename?: 'TariffPlanVersion', effectiveFrom: string, kind: TariffKind }> } };

export type CurrentBillQueryVariables = Exact<{
  panelId?: InputMaybe<Scalars['ID']['input']>;
}>;


export type CurrentBillQuery = { __typename?: 'Query', currentBill: { __typename?: 'BillProjection', projectedTotal: number, projectedEnergyKwh: number, elapsedFraction: number, monthToDate: { __typename?: 'Bill', energyKwh: number, total: number, complete: boolean, blocks: Array<{ __typename?: 'BlockUsage', block: TariffBlock, energyKwh: number, cost: number }> } } };

export type DashboardQueryVariables = Exact<{ [key: string]: never; }>;


export type DashboardQuery = { __typename?: 'Query', overview: { __typename?: 'Overview', panelCount: number, onlineCount: number, offlineCount: number, todayUsage: { __typename?: 'Usage', energyKwh: number, cost: number } }, panels: Array<{ __typename?: 'Panel', id: string, name: string, status: PanelStatus, lastSeenAt?: string | null, latestReading?: { __typename?: 'Reading', time: string, activePowerKw: number, apparentPowerKva?: number | null, energyKwh: number, powerFactor?: number | null, voltage: { __typename?: 'PhaseValues', l1?: number | null, l2?: number | null, l3?: number | null, average?: number | null }, current: { __typename?: 'PhaseValues', l1?: number | null, l2?: number | null, l3?: number | null, average?: number | null } } | null, todayUsage: { __typename?: 'Usage', energyKwh: number, cost: number } }>, tariff: { __typename?: 'Tariff', ratePerKwh: number, currency: string, timezone: string } };

export type LiveReadingsSubscriptionVariables = Exact<{
  panelId?: InputMaybe<Scalars['ID']['input']>;
}>;


export type LiveReadingsSubscription = { __typename?: 'Subscription', panelReading: { __typename?: 'Reading', panelId: string, time: string, activePowerKw: number, energyKwh: number, powerFactor?: number | null, voltage: { __typename?: 'PhaseValues', average?: number | null }, current: { __typename?: 'PhaseValues', average?: number | null } } };

export type PanelStatusChangesSubscriptionVariables = Exact<{
  panelId?: InputMaybe<Scalars['ID']['input']>;
}>;


export type PanelStatusChangesSubscription = { __typename?: 'Subscription', panelStatusChanged: { __typename?: 'PanelStatusChange', panelId: string, status: PanelStatus, at: string } };

export type LiveTodayUsageSubscriptionVariables = Exact<{
  panelId?: InputMaybe<Scalars['ID']['input']>;
}>;


export type LiveTodayUsageSubscription = { __typename?: 'Subscription', todayUsage: { __typename?: 'PanelUsageUpdate', panelId: string, date: string, at: string, today: { __typename?: 'Usage', energyKwh: number, cost: number, blocks: Array<{ __typename?: 'BlockUsage', block: TariffBlock, energyKwh: number, cost: number }> } } };

export type LiveOverviewSubscriptionVariables = Exact<{ [key: string]: never; }>;


export type LiveOverviewSubscription = { __typename?: 'Subscription', overview: { __typename?: 'Overview', panelCount: number, onlineCount: number, offlineCount: number, todayUsage: { __typename?: 'Usage', energyKwh: number, cost: number } } };

export type PanelDetailQueryVariables = Exact<{
  id: Scalars['ID']['input'];
  from: Scalars['DateTime']['input'];
  to: Scalars['DateTime']['input'];
  every?: InputMaybe<Scalars['String']['input']>;
}>;


export type PanelDetailQuery = { __typename?: 'Query', panel?: { __typename?: 'Panel', id: string, name: string, status: PanelStatus, lastSeenAt?: string | null, todayUsage: { __typename?: 'Usage', energyKwh: number, cost: number }, latestReading?: { __typename?: 'Reading', time: string, activePowerKw: number, energyKwh: number, powerFactor?: number | null, voltageUnbalance?: number | null, currentUnbalance?: number | null } | null, readings: Array<{ __typename?: 'Reading', time: string, activePowerKw: number, apparentPowerKva?: number | null, energyKwh: number, powerFactor?: number | null, voltage: { __typename?: 'PhaseValues', average?: number | null }, current: { __typename?: 'PhaseValues', average?: number | null } }> } | null };

export type PanelHistoryQueryVariables = Exact<{
  id: Scalars['ID']['input'];
  from: Scalars['DateTime']['input'];
  to: Scalars['DateTime']['input'];
  every: Scalars['String']['input'];
}>;


export type PanelHistoryQuery = { __typename?: 'Query', panel?: { __typename?: 'Panel', id: string, history: Array<{ __typename?: 'HistoryPoint', start: string, end: string, energyKwh: number, cost: number, readingCount: number, activePowerKw?: number | null, voltage?: number | null, current?: number | null, powerFactor?: number | null }> } | null };

export type MonthlySummaryQueryVariables = Exact<{
  year: Scalars['Int']['input'];
  month: Scalars['Int']['input'];
  panelId?: InputMaybe<Scalars['ID']['input']>;
}>;


export type MonthlySummaryQuery = { __typename?: 'Query', monthlySummary: { __typename?: 'MonthlySummary', year: number, month: number, panelId?: string | null, total: { __typename?: 'Usage', energyKwh: number, cost: number }, days: Array<{ __typename?: 'DailyUsage', date: string, energyKwh: number, cost: number }> } };

export type YearlySummaryQueryVariables = Exact<{
  year: Scalars['Int']['input'];
  panelId?: InputMaybe<Scalars['ID']['input']>;
}>;


export type YearlySummaryQuery = { __typename?: 'Query', yearlySummary: { __typename?: 'YearlySummary', year: number, panelId?: string | null, total: { __typename?: 'Usage', energyKwh: number, cost: number }, months: Array<{ __typename?: 'MonthlyUsage', month: number, energyKwh: number, cost: number }> } };

export type TariffHistoryQueryVariables = Exact<{ [key: string]: never; }>;


export type TariffHistoryQuery = { __typename?: 'Query', tariff: { __typename?: 'Tariff', ratePerKwh: number, currency: string, timezone: string, current: { __typename?: 'TariffPlanVersion', effectiveFrom: string, kind: TariffKind, blocks: Array<{ __typename?: 'BlockRate', block: TariffBlock, ratePerKwh: number, hours: string }> }, versions: Array<{ __typename?: 'TariffPlanVersion', effectiveFrom: string, name?: string | null, kind: TariffKind, peakMultiplier?: number | null, reactiveRatePerKvarh?: number | null, minimumBillConnectedKva?: number | null, minimumBillHours?: number | null, taxPercent: number, recordedAt: string, recordedBy: string, blocks: Array<{ __typename?: 'BlockRate', block: TariffBlock, ratePerKwh: number, hours: string }> }> } };


export const MonthlyBillDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"MonthlyBill"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"year"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"month"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"panelId"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"monthlyBill"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"year"},"value":{"kind":"Variable","name":{"kind":"Name","value":"year"}}},{"kind":"Argument","name":{"kind":"Name","value":"month"},"value":{"kind":"Variable","name":{"kind":"Name","value":"month"}}},{"kind":"Argument","name":{"kind":"Name","value":"panelId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"panelId"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"year"}},{"kind":"Field","name":{"kind":"Name","value":"month"}},{"kind":"Field","name":{"kind":"Name","value":"panelId"}},{"kind":"Field","name":{"kind":"Name","value":"from"}},{"kind":"Field","name":{"kind":"Name","value":"to"}},{"kind":"Field","name":{"kind":"Name","value":"complete"}},{"kind":"Field","name":{"kind":"Name","value":"energyKwh"}},{"kind":"Field","name":{"kind":"Name","value":"blocks"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"block"}},{"kind":"Field","name":{"kind":"Name","value":"energyKwh"}},{"kind":"Field","name":{"kind":"Name","value":"cost"}}]}},{"kind":"Field","name":{"kind":"Name","value":"reactiveKvarh"}},{"kind":"Field","name":{"kind":"Name","value":"reactiveEstimated"}},{"kind":"Field","name":{"kind":"Name","value":"averagePowerFactor"}},{"kind":"Field","name":{"kind":"Name","value":"lines"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"block"}},{"kind":"Field","name":{"kind":"Name","value":"description"}},{"kind":"Field","name":{"kind":"Name","value":"quantity"}},{"kind":"Field","name":{"kind":"Name","value":"unit"}},{"kind":"Field","name":{"kind":"Name","value":"rate"}},{"kind":"Field","name":{"kind":"Name","value":"amount"}},{"kind":"Field","name":{"kind":"Name","value":"planEffectiveFrom"}}]}},{"kind":"Field","name":{"kind":"Name","value":"subtotal"}},{"kind":"Field","name":{"kind":"Name","value":"tax"}},{"kind":"Field","name":{"kind":"Name","value":"total"}},{"kind":"Field","name":{"kind":"Name","value":"planVersions"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"effectiveFrom"}},{"kind":"Field","name":{"kind":"Name","value":"kind"}}]}}]}}]}}]} as unknown as DocumentNode<MonthlyBillQuery, MonthlyBillQueryVariables>;
export const CurrentBillDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"CurrentBill"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"panelId"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"currentBill"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"panelId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"panelId"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"monthToDate"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"energyKwh"}},{"kind":"Field","name":{"kind":"Name","value":"total"}},{"kind":"Field","name":{"kind":"Name","value":"complete"}},{"kind":"Field","name":{"kind":"Name","value":"blocks"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"block"}},{"kind":"Field","name":{"kind":"Name","value":"energyKwh"}},{"kind":"Field","name":{"kind":"Name","value":"cost"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"projectedTotal"}},{"kind":"Field","name":{"kind":"Name","value":"projectedEnergyKwh"}},{"kind":"Field","name":{"kind":"Name","value":"elapsedFraction"}}]}}]}}]} as unknown as DocumentNode<CurrentBillQuery, CurrentBillQueryVariables>;
export const DashboardDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Dashboard"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"overview"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"panelCount"}},{"kind":"Field","name":{"kind":"Name","value":"onlineCount"}},{"kind":"Field","name":{"kind":"Name","value":"offlineCount"}},{"kind":"Field","name":{"kind":"Name","value":"todayUsage"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"energyKwh"}},{"kind":"Field","name":{"kind":"Name","value":"cost"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"panels"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"lastSeenAt"}},{"kind":"Field","name":{"kind":"Name","value":"latestReading"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"time"}},{"kind":"Field","name":{"kind":"Name","value":"activePowerKw"}},{"kind":"Field","name":{"kind":"Name","value":"apparentPowerKva"}},{"kind":"Field","name":{"kind":"Name","value":"energyKwh"}},{"kind":"Field","name":{"kind":"Name","value":"powerFactor"}},{"kind":"Field","name":{"kind":"Name","value":"voltage"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"l1"}},{"kind":"Field","name":{"kind":"Name","value":"l2"}},{"kind":"Field","name":{"kind":"Name","value":"l3"}},{"kind":"Field","name":{"kind":"Name","value":"average"}}]}},{"kind":"Field","name":{"kind":"Name","value":"current"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"l1"}},{"kind":"Field","name":{"kind":"Name","value":"l2"}},{"kind":"Field","name":{"kind":"Name","value":"l3"}},{"kind":"Field","name":{"kind":"Name","value":"average"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"todayUsage"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"energyKwh"}},{"kind":"Field","name":{"kind":"Name","value":"cost"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"tariff"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"ratePerKwh"}},{"kind":"Field","name":{"kind":"Name","value":"currency"}},{"kind":"Field","name":{"kind":"Name","value":"timezone"}}]}}]}}]} as unknown as DocumentNode<DashboardQuery, DashboardQueryVariables>;
export const LiveReadingsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"subscription","name":{"kind":"Name","value":"LiveReadings"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"panelId"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"panelReading"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"panelId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"panelId"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"panelId"}},{"kind":"Field","name":{"kind":"Name","value":"time"}},{"kind":"Field","name":{"kind":"Name","value":"activePowerKw"}},{"kind":"Field","name":{"kind":"Name","value":"energyKwh"}},{"kind":"Field","name":{"kind":"Name","value":"powerFactor"}},{"kind":"Field","name":{"kind":"Name","value":"voltage"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"average"}}]}},{"kind":"Field","name":{"kind":"Name","value":"current"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"average"}}]}}]}}]}}]} as unknown as DocumentNode<LiveReadingsSubscription, LiveReadingsSubscriptionVariables>;
export const PanelStatusChangesDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"subscription","name":{"kind":"Name","value":"PanelStatusChanges"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"panelId"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"panelStatusChanged"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"panelId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"panelId"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"panelId"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"at"}}]}}]}}]} as unknown as DocumentNode<PanelStatusChangesSubscription, PanelStatusChangesSubscriptionVariables>;
export const LiveTodayUsageDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"subscription","name":{"kind":"Name","value":"LiveTodayUsage"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"panelId"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"todayUsage"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"panelId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"panelId"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"panelId"}},{"kind":"Field","name":{"kind":"Name","value":"date"}},{"kind":"Field","name":{"kind":"Name","value":"at"}},{"kind":"Field","name":{"kind":"Name","value":"today"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"energyKwh"}},{"kind":"Field","name":{"kind":"Name","value":"cost"}},{"kind":"Field","name":{"kind":"Name","value":"blocks"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"block"}},{"kind":"Field","name":{"kind":"Name","value":"energyKwh"}},{"kind":"Field","name":{"kind":"Name","value":"cost"}}]}}]}}]}}]}}]} as unknown as DocumentNode<LiveTodayUsageSubscription, LiveTodayUsageSubscriptionVariables>;
export const LiveOverviewDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"subscription","name":{"kind":"Name","value":"LiveOverview"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"overview"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"panelCount"}},{"kind":"Field","name":{"kind":"Name","value":"onlineCount"}},{"kind":"Field","name":{"kind":"Name","value":"offlineCount"}},{"kind":"Field","name":{"kind":"Name","value":"todayUsage"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"energyKwh"}},{"kind":"Field","name":{"kind":"Name","value":"cost"}}]}}]}}]}}]} as unknown as DocumentNode<LiveOverviewSubscription, LiveOverviewSubscriptionVariables>;
export const PanelDetailDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"PanelDetail"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"from"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"DateTime"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"to"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"DateTime"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"every"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"panel"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"lastSeenAt"}},{"kind":"Field","name":{"kind":"Name","value":"todayUsage"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"energyKwh"}},{"kind":"Field","name":{"kind":"Name","value":"cost"}}]}},{"kind":"Field","name":{"kind":"Name","value":"latestReading"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"time"}},{"kind":"Field","name":{"kind":"Name","value":"activePowerKw"}},{"kind":"Field","name":{"kind":"Name","value":"energyKwh"}},{"kind":"Field","name":{"kind":"Name","value":"powerFactor"}},{"kind":"Field","name":{"kind":"Name","value":"voltageUnbalance"}},{"kind":"Field","name":{"kind":"Name","value":"currentUnbalance"}}]}},{"kind":"Field","name":{"kind":"Name","value":"readings"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"from"},"value":{"kind":"Variable","name":{"kind":"Name","value":"from"}}},{"kind":"Argument","name":{"kind":"Name","value":"to"},"value":{"kind":"Variable","name":{"kind":"Name","value":"to"}}},{"kind":"Argument","name":{"kind":"Name","value":"every"},"value":{"kind":"Variable","name":{"kind":"Name","value":"every"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"time"}},{"kind":"Field","name":{"kind":"Name","value":"activePowerKw"}},{"kind":"Field","name":{"kind":"Name","value":"apparentPowerKva"}},{"kind":"Field","name":{"kind":"Name","value":"energyKwh"}},{"kind":"Field","name":{"kind":"Name","value":"powerFactor"}},{"kind":"Field","name":{"kind":"Name","value":"voltage"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"average"}}]}},{"kind":"Field","name":{"kind":"Name","value":"current"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"average"}}]}}]}}]}}]}}]} as unknown as DocumentNode<PanelDetailQuery, PanelDetailQueryVariables>;
export const PanelHistoryDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"PanelHistory"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"from"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"DateTime"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"to"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"DateTime"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"every"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"panel"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"history"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"from"},"value":{"kind":"Variable","name":{"kind":"Name","value":"from"}}},{"kind":"Argument","name":{"kind":"Name","value":"to"},"value":{"kind":"Variable","name":{"kind":"Name","value":"to"}}},{"kind":"Argument","name":{"kind":"Name","value":"every"},"value":{"kind":"Variable","name":{"kind":"Name","value":"every"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"start"}},{"kind":"Field","name":{"kind":"Name","value":"end"}},{"kind":"Field","name":{"kind":"Name","value":"energyKwh"}},{"kind":"Field","name":{"kind":"Name","value":"cost"}},{"kind":"Field","name":{"kind":"Name","value":"readingCount"}},{"kind":"Field","name":{"kind":"Name","value":"activePowerKw"}},{"kind":"Field","name":{"kind":"Name","value":"voltage"}},{"kind":"Field","name":{"kind":"Name","value":"current"}},{"kind":"Field","name":{"kind":"Name","value":"powerFactor"}}]}}]}}]}}]} as unknown as DocumentNode<PanelHistoryQuery, PanelHistoryQueryVariables>;
export const MonthlySummaryDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"MonthlySummary"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"year"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"month"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"panelId"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"monthlySummary"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"year"},"value":{"kind":"Variable","name":{"kind":"Name","value":"year"}}},{"kind":"Argument","name":{"kind":"Name","value":"month"},"value":{"kind":"Variable","name":{"kind":"Name","value":"month"}}},{"kind":"Argument","name":{"kind":"Name","value":"panelId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"panelId"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"year"}},{"kind":"Field","name":{"kind":"Name","value":"month"}},{"kind":"Field","name":{"kind":"Name","value":"panelId"}},{"kind":"Field","name":{"kind":"Name","value":"total"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"energyKwh"}},{"kind":"Field","name":{"kind":"Name","value":"cost"}}]}},{"kind":"Field","name":{"kind":"Name","value":"days"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"date"}},{"kind":"Field","name":{"kind":"Name","value":"energyKwh"}},{"kind":"Field","name":{"kind":"Name","value":"cost"}}]}}]}}]}}]} as unknown as DocumentNode<MonthlySummaryQuery, MonthlySummaryQueryVariables>;
export const YearlySummaryDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"YearlySummary"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"year"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"panelId"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"yearlySummary"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"year"},"value":{"kind":"Variable","name":{"kind":"Name","value":"year"}}},{"kind":"Argument","name":{"kind":"Name","value":"panelId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"panelId"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"year"}},{"kind":"Field","name":{"kind":"Name","value":"panelId"}},{"kind":"Field","name":{"kind":"Name","value":"total"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"energyKwh"}},{"kind":"Field","name":{"kind":"Name","value":"cost"}}]}},{"kind":"Field","name":{"kind":"Name","value":"months"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"month"}},{"kind":"Field","name":{"kind":"Name","value":"energyKwh"}},{"kind":"Field","name":{"kind":"Name","value":"cost"}}]}}]}}]}}]} as unknown as DocumentNode<YearlySummaryQuery, YearlySummaryQueryVariables>;
export const TariffHistoryDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"TariffHistory"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"tariff"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"ratePerKwh"}},{"kind":"Field","name":{"kind":"Name","value":"currency"}},{"kind":"Field","name":{"kind":"Name","value":"timezone"}},{"kind":"Field","name":{"kind":"Name","value":"current"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"effectiveFrom"}},{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"blocks"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"block"}},{"kind":"Field","name":{"kind":"Name","value":"ratePerKwh"}},{"kind":"Field","name":{"kind":"Name","value":"hours"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"versions"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"effectiveFrom"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"blocks"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"block"}},{"kind":"Field","name":{"kind":"Name","value":"ratePerKwh"}},{"kind":"Field","name":{"kind":"Name","value":"hours"}}]}},{"kind":"Field","name":{"kind":"Name","value":"peakMultiplier"}},{"kind":"Field","name":{"kind":"Name","value":"reactiveRatePerKvarh"}},{"kind":"Field","name":{"kind":"Name","value":"minimumBillConnectedKva"}},{"kind":"Field","name":{"kind":"Name","value":"minimumBillHours"}},{"kind":"Field","name":{"kind":"Name","value":"taxPercent"}},{"kind":"Field","name":{"kind":"Name","value":"recordedAt"}},{"kind":"Field","name":{"kind":"Name","value":"recordedBy"}}]}}]}}]}}]} as unknown as DocumentNode<TariffHistoryQuery, TariffHistoryQueryVariables>;