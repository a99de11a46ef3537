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
  /** A calendar date YYYY-MM-DD in the site timezone; a day the calendar has (2026-02-30 is refused). */
  Date: { input: string; output: string; }
  /** An instant as ISO-8601 with an offset (output in UTC, e.g. 2026-07-01T05:30:05.000Z). */
  DateTime: { input: string; output: string; }
};

export type AcknowledgeAlarmInput = {
  id: Scalars['ID']['input'];
  /** At most 500 characters. */
  note?: InputMaybe<Scalars['String']['input']>;
};

export type AcknowledgeAlarmsInput = {
  /** At most 500. */
  ids: Array<Scalars['ID']['input']>;
  /** At most 500 characters. */
  note?: InputMaybe<Scalars['String']['input']>;
};

/** What an admin record entry changed (its `change` JSON holds the same kind in its stored form, e.g. "apiKey.created"). */
export type AdminChangeKind =
  | 'ALARM_ACKNOWLEDGED'
  | 'ALARM_BUDGET'
  | 'ALARM_RULE'
  | 'API_KEY_CREATED'
  | 'API_KEY_REVOKED'
  | 'EMISSION_FACTOR'
  | 'NOTIFICATION_CHANNEL'
  | 'PANEL_HIDDEN'
  | 'PANEL_NAME'
  | 'PANEL_RETIRED'
  | 'TARIFF_CONFIGURED'
  | 'TARIFF_PLAN';

/** Every given condition must hold; a list matches any of its values. */
export type AlarmFilter = {
  /** true: only the building's alarms; false: only panels'. */
  building?: InputMaybe<Scalars['Boolean']['input']>;
  /** Started at or after (meter time). */
  from?: InputMaybe<Scalars['DateTime']['input']>;
  /** true: ACTIVE_*; false: CLEARED_*. */
  open?: InputMaybe<Scalars['Boolean']['input']>;
  /** One panel's alarms. */
  panelId?: InputMaybe<Scalars['ID']['input']>;
  severity?: InputMaybe<Array<AlarmSeverity>>;
  state?: InputMaybe<Array<AlarmState>>;
  /** Started before (meter time, exclusive). */
  to?: InputMaybe<Scalars['DateTime']['input']>;
  type?: InputMaybe<Array<AlarmType>>;
};

/** Gravest first. */
export type AlarmSeverity =
  | 'CRITICAL'
  | 'MAJOR'
  | 'MINOR'
  | 'WARNING';

/** ACTIVE_UNACK → ACTIVE_ACK (acknowledged) → CLEARED_ACK; or ACTIVE_UNACK → CLEARED_UNACK (cleared first) → CLEARED_ACK. */
export type AlarmState =
  | 'ACTIVE_ACK'
  | 'ACTIVE_UNACK'
  | 'CLEARED_ACK'
  | 'CLEARED_UNACK';

/** What happened to an alarm. WORSENED: a repeat while open (a worse value, a graver severity). WITHDRAWN: a late reading showed the condition did not hold as long as it had seemed; the alarm is gone (the one the readings give, if any, is raised in its place). */
export type AlarmTransitionKind =
  | 'ACKNOWLEDGED'
  | 'CLEARED'
  | 'RAISED'
  | 'REMINDER'
  | 'WITHDRAWN'
  | 'WORSENED';

/** PANEL_OFFLINE: no reading for OFFLINE_AFTER; VOLTAGE_OUT_OF_RANGE: a phase outside 198-231 V; VOLTAGE_UNBALANCE: above 2 %; LOW_POWER_FACTOR: a 15-minute power factor below 0.85; DEMAND_HIGH: a 15-minute average kW above the limit; BUDGET: the month over (or projected over) its budget; METER_DATA: a meter's data held back or refused. */
export type AlarmType =
  | 'BUDGET'
  | 'DEMAND_HIGH'
  | 'LOW_POWER_FACTOR'
  | 'METER_DATA'
  | 'PANEL_OFFLINE'
  | 'VOLTAGE_OUT_OF_RANGE'
  | 'VOLTAGE_UNBALANCE';

/** VIEWER: read everything; OPERATOR: also name, hide and retire panels; ADMIN: also tariffs and API keys. */
export type ApiRole =
  | 'ADMIN'
  | 'OPERATOR'
  | 'VIEWER';

/** ENERGY per tariff block; REACTIVE excess reactive energy; MINIMUM_TOP_UP the minimum charge (hours × connected kVA at the base rate) less the energy charged; TAX the street-lighting tax. */
export type BillLineKind =
  | 'ENERGY'
  | 'MINIMUM_TOP_UP'
  | 'REACTIVE'
  | 'TAX';

export type CreateApiKeyInput = {
  name: Scalars['String']['input'];
  /** The panels the key may see; omitted: all (a caller limited to some panels must list them, among its own). */
  panelIds?: InputMaybe<Array<Scalars['ID']['input']>>;
  /** At most the caller's own. */
  role: ApiRole;
};

export type CreateExportLinkInput = {
  /** HISTORY only: the window length, from 1m to 366d (e.g. "15m", "1h", "1d"). */
  every?: InputMaybe<Scalars['String']['input']>;
  format?: InputMaybe<ExportFormat>;
  /** A local date (YYYY-MM-DD, its local midnight) or an ISO 8601 instant with its offset; inclusive. */
  from: Scalars['String']['input'];
  kind: ExportKind;
  /** Absent: the whole building (the panels the caller sees). */
  panelId?: InputMaybe<Scalars['ID']['input']>;
  /** As `from`; exclusive. At most 10 years after `from`. */
  to: Scalars['String']['input'];
};

/** ISO 4217 currency code. IDR: Indonesian Rupiah (the only currency today; PLN bills in it). */
export type Currency =
  | 'IDR';

/** CSV: comma, dot decimals, ISO 8601 times with the site offset (for programs). EXCEL_ID: semicolon, comma decimals, a UTF-8 byte order mark, times as YYYY-MM-DD HH:mm:ss with the offset in a column of its own (what Excel with Indonesian regional settings opens as columns). */
export type ExportFormat =
  | 'CSV'
  | 'EXCEL_ID';

/** What a CSV export holds (columns: docs/export.md). READINGS: raw readings as stored; HISTORY: windows of `every` with energy by the counting rule; DAILY and MONTHLY: the summaries; BILLS: one row per monthly bill; BILL_LINES: one row per bill line. */
export type ExportKind =
  | 'BILLS'
  | 'BILL_LINES'
  | 'DAILY'
  | 'HISTORY'
  | 'MONTHLY'
  | 'READINGS';

/** WEBHOOK: an HTTP POST of JSON, signed; EMAIL: over SMTP (ALARM_SMTP_*). */
export type NotificationChannelKind =
  | 'EMAIL'
  | 'WEBHOOK';

/** PENDING: not delivered yet (retrying); SENT: the receiver accepted it; DEAD: given up after the retry schedule (a dead letter). */
export type NotificationDeliveryState =
  | 'DEAD'
  | 'PENDING'
  | 'SENT';

/** ONLINE while the newest reading is within OFFLINE_AFTER of now. */
export type PanelStatus =
  | 'OFFLINE'
  | 'ONLINE';

/** Why a meter message was refused (docs/ingestion.md); the metric label is the same name in lower case. */
export type RejectionReason =
  | 'AMBIGUOUS_KEY'
  | 'DATA_NOT_OBJECT'
  | 'INTERNAL_ERROR'
  | 'INVALID_JSON'
  | 'INVALID_NUMBER'
  | 'INVALID_PHASE_ARRAY'
  | 'INVALID_TIME'
  | 'INVALID_TOPIC'
  | 'MISSING_FIELD'
  | 'NEGATIVE_VALUE'
  | 'NOT_AN_OBJECT'
  | 'PANEL_LIMIT'
  | 'PANEL_RETIRED'
  | 'PAYLOAD_TOO_LARGE'
  | 'POWER_FACTOR_OUT_OF_RANGE'
  | 'STATUS_NOT_OK'
  | 'TIME_IN_FUTURE'
  | 'TIME_TOO_OLD'
  | 'TOO_DEEPLY_NESTED';

export type RevokeApiKeyInput = {
  /** The key id (ApiKey.id). */
  id: Scalars['ID']['input'];
};

/** Changes one rule for the building (panelId omitted) or one panel; fields left out keep their value; null removes a threshold. */
export type SetAlarmRuleInput = {
  /** In the rule's unit. */
  clearAbove?: InputMaybe<Scalars['Float']['input']>;
  /** In the rule's unit. */
  clearBelow?: InputMaybe<Scalars['Float']['input']>;
  /** Seconds, 0-604,800. */
  clearForSeconds?: InputMaybe<Scalars['Int']['input']>;
  enabled?: InputMaybe<Scalars['Boolean']['input']>;
  /** Seconds, 0-604,800. */
  forSeconds?: InputMaybe<Scalars['Int']['input']>;
  panelId?: InputMaybe<Scalars['ID']['input']>;
  /** In the rule's unit. */
  raiseAbove?: InputMaybe<Scalars['Float']['input']>;
  /** In the rule's unit. */
  raiseBelow?: InputMaybe<Scalars['Float']['input']>;
  severity?: InputMaybe<AlarmSeverity>;
  type: AlarmType;
};

/** A monthly budget for the building (panelId omitted) or a panel. Both limits null removes it. */
export type SetBudgetInput = {
  /** kWh per month; null: no energy limit. */
  kwh?: InputMaybe<Scalars['Float']['input']>;
  panelId?: InputMaybe<Scalars['ID']['input']>;
  /** Rupiah per month; null: no cost limit. */
  rupiah?: InputMaybe<Scalars['Float']['input']>;
};

/** Creates or replaces a channel by id; enabled false removes it. */
export type SetNotificationChannelInput = {
  /** Default true; false removes the channel. */
  enabled?: InputMaybe<Scalars['Boolean']['input']>;
  /** Letters, digits, _ and -, 1-40. */
  id: Scalars['ID']['input'];
  kind: NotificationChannelKind;
  panelIds?: InputMaybe<Array<Scalars['ID']['input']>>;
  /** Minutes, 0-10,080. */
  reminderMinutes?: InputMaybe<Scalars['Int']['input']>;
  reminderSeverities?: InputMaybe<Array<AlarmSeverity>>;
  /** Write-only: the webhook signing secret or SMTP password. Omitted: keeps the current one; empty: removes it. */
  secret?: InputMaybe<Scalars['String']['input']>;
  sendAcknowledged?: InputMaybe<Scalars['Boolean']['input']>;
  severities?: InputMaybe<Array<AlarmSeverity>>;
  /** WEBHOOK: an http(s) URL; EMAIL: comma-separated recipients. */
  target: Scalars['String']['input'];
  types?: InputMaybe<Array<AlarmType>>;
};

export type SetTariffPlanInput = {
  /** Local date the plan takes effect (tomorrow at the earliest). */
  effectiveFrom: Scalars['Date']['input'];
  plan: TariffPlanInput;
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
  kind: TariffKind;
  /** Connected power for the minimum charge, kVA; omitted: no minimum. */
  minimumBillConnectedKva?: InputMaybe<Scalars['Float']['input']>;
  /** Hours of use at the connected power the minimum charge bills, hours. Default 40. */
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
  /** Rupiah per kVArh of excess reactive energy; omitted: none charged. */
  reactiveRatePerKvarh?: InputMaybe<Scalars['Float']['input']>;
  /** Tax on the subtotal, percent (%). Default 0. */
  taxPercent?: InputMaybe<Scalars['Float']['input']>;
};

/** Fields left out keep their value. */
export type UpdatePanelInput = {
  hidden?: InputMaybe<Scalars['Boolean']['input']>;
  /** The panel id (Panel.id, the same as Panel.panelId). */
  id: Scalars['ID']['input'];
  /** The display name, 1-80 characters; null or empty: back to the name derived from its id. */
  name?: InputMaybe<Scalars['String']['input']>;
  retired?: InputMaybe<Scalars['Boolean']['input']>;
};

/** Why a mutation refused part of its input. UNKNOWN_ALARM: no such alarm among those the caller sees; UNKNOWN_PANEL: no such panel among the caller's; UNKNOWN_CHANNEL: no such notification channel; INVALID_VALUE: a value out of its range or form; NOT_ALLOWED: the caller may not change it; the others mean what the error reasons of the same name mean (docs/api.md). */
export type UserErrorCode =
  | 'INVALID_API_KEY_ID'
  | 'INVALID_CHANGE'
  | 'INVALID_PANEL_ID'
  | 'INVALID_TARIFF_PLAN'
  | 'INVALID_VALUE'
  | 'NOT_ALLOWED'
  | 'TARIFF_DATE_TOO_EARLY'
  | 'UNKNOWN_ALARM'
  | 'UNKNOWN_API_KEY'
  | 'UNKNOWN_CHANNEL'
  | 'UNKNOWN_PANEL';

export type AlarmCountsQueryVariables = Exact<{ [key: string]: never; }>;


export type AlarmCountsQuery = { __typename?: 'Query', alarmCounts: { __typename?: 'AlarmCounts', open: number, unacknowledged: number, bySeverity: Array<{ __typename?: 'AlarmSeverityCount', severity: AlarmSeverity, count: number }> } | null };

export type AlarmChangesSubscriptionVariables = Exact<{ [key: string]: never; }>;


export type AlarmChangesSubscription = { __typename?: 'Subscription', alarmChanged: { __typename?: 'AlarmChange', initial: boolean, transition: AlarmTransitionKind | null, alarm: { __typename?: 'Alarm', id: string, type: AlarmType, severity: AlarmSeverity, state: AlarmState, panelId: string | null, startedAt: string } } };

export type OpenAlarmsQueryVariables = Exact<{ [key: string]: never; }>;


export type OpenAlarmsQuery = { __typename?: 'Query', alarms: { __typename?: 'AlarmConnection', edges: Array<{ __typename?: 'AlarmEdge', node: { __typename?: 'Alarm', id: string, type: AlarmType, severity: AlarmSeverity, state: AlarmState, panelId: string | null, startedAt: string } }> } };

export type BudgetsQueryVariables = Exact<{ [key: string]: never; }>;


export type BudgetsQuery = { __typename?: 'Query', budgets: Array<{ __typename?: 'Budget', panelId: string | null, kwh: number | null, usedKwh: number, projectedKwh: number, rupiah: { __typename?: 'Money', amount: string } | null, usedRupiah: { __typename?: 'Money', amount: string }, projectedRupiah: { __typename?: 'Money', amount: string } }> | null };

export type AlarmViewQueryVariables = Exact<{ [key: string]: never; }>;


export type AlarmViewQuery = { __typename?: 'Query', caller: { __typename?: 'Caller', name: string, role: ApiRole, panelIds: Array<string> | null }, panels: { __typename?: 'PanelConnection', nodes: Array<{ __typename?: 'Panel', id: string, name: string }> } | null, site: { __typename?: 'Site', timezone: string } };

export type AlarmListQueryVariables = Exact<{
  filter?: InputMaybe<AlarmFilter>;
  first?: InputMaybe<Scalars['Int']['input']>;
  after?: InputMaybe<Scalars['String']['input']>;
}>;


export type AlarmListQuery = { __typename?: 'Query', alarms: { __typename?: 'AlarmConnection', totalCount: number, pageInfo: { __typename?: 'PageInfo', hasNextPage: boolean, endCursor: string | null }, edges: Array<{ __typename?: 'AlarmEdge', node: { __typename?: 'Alarm', id: string, type: AlarmType, severity: AlarmSeverity, state: AlarmState, panelId: string | null, startedAt: string, clearedAt: string | null, value: number | null, worstValue: number | null, threshold: number | null, message: string, acknowledgedAt: string | null, acknowledgedBy: string | null, note: string | null } }> } };

export type ListedAlarmFragment = { __typename?: 'Alarm', id: string, type: AlarmType, severity: AlarmSeverity, state: AlarmState, panelId: string | null, startedAt: string, clearedAt: string | null, value: number | null, worstValue: number | null, threshold: number | null, message: string, acknowledgedAt: string | null, acknowledgedBy: string | null, note: string | null };

export type AcknowledgeAlarmMutationVariables = Exact<{
  input: AcknowledgeAlarmInput;
}>;


export type AcknowledgeAlarmMutation = { __typename?: 'Mutation', acknowledgeAlarm: { __typename?: 'AcknowledgeAlarmPayload', alarm: { __typename?: 'Alarm', id: string, type: AlarmType, severity: AlarmSeverity, state: AlarmState, panelId: string | null, startedAt: string, clearedAt: string | null, value: number | null, worstValue: number | null, threshold: number | null, message: string, acknowledgedAt: string | null, acknowledgedBy: string | null, note: string | null } | null, userErrors: Array<{ __typename?: 'UserError', code: UserErrorCode, message: string }> } };

export type MonthlyBillQueryVariables = Exact<{
  year: Scalars['Int']['input'];
  month: Scalars['Int']['input'];
  panelId?: InputMaybe<Scalars['ID']['input']>;
}>;


export type MonthlyBillQuery = { __typename?: 'Query', monthlyBill: { __typename?: 'Bill', year: number, month: number, panelId: string | null, from: string, to: string, complete: boolean, energyKwh: number, reactiveKvarh: number, reactiveEstimated: boolean, averagePowerFactor: number | null, blocks: Array<{ __typename?: 'BlockUsage', block: TariffBlock, energyKwh: number, cost: { __typename?: 'Money', amount: string } }>, lines: Array<
      | { __typename: 'EnergyChargeLine', block: TariffBlock, quantityKwh: number, kind: BillLineKind, description: string, planEffectiveFrom: string, rate: { __typename?: 'Money', amount: string }, amount: { __typename?: 'Money', amount: string } }
      | { __typename: 'MinimumChargeLine', quantityKwh: number, kind: BillLineKind, description: string, planEffectiveFrom: string, rate: { __typename?: 'Money', amount: string }, amount: { __typename?: 'Money', amount: string } }
      | { __typename: 'ReactiveChargeLine', quantityKvarh: number, kind: BillLineKind, description: string, planEffectiveFrom: string, rate: { __typename?: 'Money', amount: string }, amount: { __typename?: 'Money', amount: string } }
      | { __typename: 'TaxLine', ratePercent: number, kind: BillLineKind, description: string, planEffectiveFrom: string, base: { __typename?: 'Money', amount: string }, amount: { __typename?: 'Money', amount: string } }
    >, subtotal: { __typename?: 'Money', amount: string }, tax: { __typename?: 'Money', amount: string }, total: { __typename?: 'Money', amount: string }, planVersions: Array<{ __typename?: 'TariffPlanVersion', effectiveFrom: string, kind: TariffKind }> } | null };

export type CurrentBillQueryVariables = Exact<{
  panelId?: InputMaybe<Scalars['ID']['input']>;
}>;


export type CurrentBillQuery = { __typename?: 'Query', currentBill: { __typename?: 'BillProjection', projectedEnergyKwh: number, elapsedFraction: number, monthToDate: { __typename?: 'Bill', energyKwh: number, complete: boolean, total: { __typename?: 'Money', amount: string }, blocks: Array<{ __typename?: 'BlockUsage', block: TariffBlock, energyKwh: number, cost: { __typename?: 'Money', amount: string } }> }, projectedTotal: { __typename?: 'Money', amount: string } } | null };

export type MonthlyComparisonQueryVariables = Exact<{
  year: Scalars['Int']['input'];
  month: Scalars['Int']['input'];
  panelId?: InputMaybe<Scalars['ID']['input']>;
}>;


export type MonthlyComparisonQuery = { __typename?: 'Query', monthlySummary: { __typename?: 'MonthlySummary', year: number, month: number, panelId: string | null, total: { __typename?: 'Usage', energyKwh: number, emissions: { __typename?: 'Emissions', co2eKg: number } | null }, comparison: { __typename?: 'Comparison', soFar: boolean, current: { __typename?: 'ComparedSpan', from: string, to: string, energyKwh: number, co2eKg: number, cost: { __typename?: 'Money', amount: string } }, previousPeriod: { __typename?: 'ComparedPeriod', from: string, to: string, energyKwh: number, co2eKg: number, shortened: boolean, cost: { __typename?: 'Money', amount: string }, change: { __typename?: 'PeriodChange', energyKwh: number, co2eKg: number, energyPercent: number | null, costPercent: number | null, cost: { __typename?: 'Money', amount: string } } }, samePeriodLastYear: { __typename?: 'ComparedPeriod', from: string, to: string, energyKwh: number, co2eKg: number, shortened: boolean, cost: { __typename?: 'Money', amount: string }, change: { __typename?: 'PeriodChange', energyKwh: number, co2eKg: number, energyPercent: number | null, costPercent: number | null, cost: { __typename?: 'Money', amount: string } } } } | null } | null };

export type YearlyComparisonQueryVariables = Exact<{
  year: Scalars['Int']['input'];
  panelId?: InputMaybe<Scalars['ID']['input']>;
}>;


export type YearlyComparisonQuery = { __typename?: 'Query', yearlySummary: { __typename?: 'YearlySummary', year: number, panelId: string | null, total: { __typename?: 'Usage', energyKwh: number, emissions: { __typename?: 'Emissions', co2eKg: number } | null }, comparison: { __typename?: 'Comparison', soFar: boolean, current: { __typename?: 'ComparedSpan', from: string, to: string, energyKwh: number, co2eKg: number, cost: { __typename?: 'Money', amount: string } }, previousPeriod: { __typename?: 'ComparedPeriod', from: string, to: string, energyKwh: number, co2eKg: number, shortened: boolean, cost: { __typename?: 'Money', amount: string }, change: { __typename?: 'PeriodChange', energyKwh: number, co2eKg: number, energyPercent: number | null, costPercent: number | null, cost: { __typename?: 'Money', amount: string } } }, samePeriodLastYear: { __typename?: 'ComparedPeriod', from: string, to: string, energyKwh: number, co2eKg: number, shortened: boolean, cost: { __typename?: 'Money', amount: string }, change: { __typename?: 'PeriodChange', energyKwh: number, co2eKg: number, energyPercent: number | null, costPercent: number | null, cost: { __typename?: 'Money', amount: string } } } } | null } | null };

export type PeriodComparisonFragment = { __typename?: 'Comparison', soFar: boolean, current: { __typename?: 'ComparedSpan', from: string, to: string, energyKwh: number, co2eKg: number, cost: { __typename?: 'Money', amount: string } }, previousPeriod: { __typename?: 'ComparedPeriod', from: string, to: string, energyKwh: number, co2eKg: number, shortened: boolean, cost: { __typename?: 'Money', amount: string }, change: { __typename?: 'PeriodChange', energyKwh: number, co2eKg: number, energyPercent: number | null, costPercent: number | null, cost: { __typename?: 'Money', amount: string } } }, samePeriodLastYear: { __typename?: 'ComparedPeriod', from: string, to: string, energyKwh: number, co2eKg: number, shortened: boolean, cost: { __typename?: 'Money', amount: string }, change: { __typename?: 'PeriodChange', energyKwh: number, co2eKg: number, energyPercent: number | null, costPercent: number | null, cost: { __typename?: 'Money', amount: string } } } };

export type ComparedPeriodFiguresFragment = { __typename?: 'ComparedPeriod', from: string, to: string, energyKwh: number, co2eKg: number, shortened: boolean, cost: { __typename?: 'Money', amount: string }, change: { __typename?: 'PeriodChange', energyKwh: number, co2eKg: number, energyPercent: number | null, costPercent: number | null, cost: { __typename?: 'Money', amount: string } } };

export type DashboardQueryVariables = Exact<{ [key: string]: never; }>;


export type DashboardQuery = { __typename?: 'Query', site: { __typename?: 'Site', overview: { __typename?: 'Overview', panelCount: number, onlineCount: number, offlineCount: number, todayUsage: { __typename?: 'Usage', energyKwh: number, cost: { __typename?: 'Money', amount: string } } } | null, tariff: { __typename?: 'Tariff', currency: Currency, timezone: string, ratePerKwh: { __typename?: 'Money', amount: string } } | null }, panels: { __typename?: 'PanelConnection', nodes: Array<{ __typename?: 'Panel', id: string, name: string, status: PanelStatus, lastSeenAt: string | null, latestReading: { __typename?: 'Reading', panelId: string, time: string, activePowerKw: number, meterEnergyKwh: number, powerFactor: number | null, voltage: { __typename?: 'PhaseValues', average: number | null }, current: { __typename?: 'PhaseValues', average: number | null } } | null, todayUsage: { __typename?: 'Usage', energyKwh: number, cost: { __typename?: 'Money', amount: string } } | null }>, pageInfo: { __typename?: 'PageInfo', hasNextPage: boolean, endCursor: string | null } } | null };

export type PeakDemandQueryVariables = Exact<{
  year: Scalars['Int']['input'];
  month?: InputMaybe<Scalars['Int']['input']>;
  panelId?: InputMaybe<Scalars['ID']['input']>;
}>;


export type PeakDemandQuery = { __typename?: 'Query', peakDemand: { __typename?: 'PeakDemand', panelId: string | null, firstDay: string, lastDay: string, windowsComplete: number, windowsMeasured: number, windowsExpected: number, peak: { __typename?: 'DemandPeak', start: string, kw: number, kva: number, complete: boolean } | null, apparentPeak: { __typename?: 'DemandPeak', start: string, kw: number, kva: number, complete: boolean } | null, parts: Array<{ __typename?: 'PeakDemand', firstDay: string, lastDay: string, windowsComplete: number, windowsMeasured: number, windowsExpected: number, peak: { __typename?: 'DemandPeak', start: string, kw: number, kva: number, complete: boolean } | null }> } | null };

export type DemandPeakFiguresFragment = { __typename?: 'DemandPeak', start: string, kw: number, kva: number, complete: boolean };

export type LoadProfileQueryVariables = Exact<{
  from: Scalars['Date']['input'];
  to: Scalars['Date']['input'];
  panelId?: InputMaybe<Scalars['ID']['input']>;
}>;


export type LoadProfileQuery = { __typename?: 'Query', loadProfile: { __typename?: 'LoadProfile', panelId: string | null, from: string, to: string, operatingHours: string, holidays: Array<string>, baseLoadKw: number | null, baseLoadWindows: number, outsideShare: number | null, total: { __typename?: 'EnergyCost', energyKwh: number, cost: { __typename?: 'Money', amount: string } }, outsideHours: { __typename?: 'EnergyCost', energyKwh: number, cost: { __typename?: 'Money', amount: string } }, weekdays: Array<{ __typename?: 'HourAverage', hour: number, averageKw: number | null, days: number }>, weekendsAndHolidays: Array<{ __typename?: 'HourAverage', hour: number, averageKw: number | null, days: number }> } | null };

export type CreateExportLinkMutationVariables = Exact<{
  input: CreateExportLinkInput;
}>;


export type CreateExportLinkMutation = { __typename?: 'Mutation', createExportLink: { __typename?: 'CreateExportLinkPayload', url: string | null, expiresAt: string | null, userErrors: Array<{ __typename?: 'UserError', field: Array<string>, code: UserErrorCode, message: string }> } };

export type PanelReadingChangedSubscriptionVariables = Exact<{
  panelIds?: InputMaybe<Array<Scalars['ID']['input']> | Scalars['ID']['input']>;
}>;


export type PanelReadingChangedSubscription = { __typename?: 'Subscription', panelReadingChanged: { __typename?: 'PanelReadingChange', initial: boolean, reading: { __typename?: 'Reading', panelId: string, time: string, activePowerKw: number, meterEnergyKwh: number, powerFactor: number | null, voltage: { __typename?: 'PhaseValues', average: number | null }, current: { __typename?: 'PhaseValues', average: number | null } } } };

export type PanelStatusChangedSubscriptionVariables = Exact<{
  panelIds?: InputMaybe<Array<Scalars['ID']['input']> | Scalars['ID']['input']>;
}>;


export type PanelStatusChangedSubscription = { __typename?: 'Subscription', panelStatusChanged: { __typename?: 'PanelStatusChange', initial: boolean, status: PanelStatus, at: string, panel: { __typename?: 'Panel', panelId: string } } };

export type PanelUsageChangedSubscriptionVariables = Exact<{
  panelIds?: InputMaybe<Array<Scalars['ID']['input']> | Scalars['ID']['input']>;
}>;


export type PanelUsageChangedSubscription = { __typename?: 'Subscription', panelUsageChanged: { __typename?: 'PanelUsageChange', initial: boolean, date: string, at: string, panel: { __typename?: 'Panel', panelId: string }, today: { __typename?: 'Usage', energyKwh: number, cost: { __typename?: 'Money', amount: string }, blocks: Array<{ __typename?: 'BlockUsage', block: TariffBlock, energyKwh: number, cost: { __typename?: 'Money', amount: string } }> } } };

export type OverviewChangedSubscriptionVariables = Exact<{ [key: string]: never; }>;


export type OverviewChangedSubscription = { __typename?: 'Subscription', overviewChanged: { __typename?: 'OverviewChange', initial: boolean, overview: { __typename?: 'Overview', panelCount: number, onlineCount: number, offlineCount: number, todayUsage: { __typename?: 'Usage', energyKwh: number, cost: { __typename?: 'Money', amount: string }, blocks: Array<{ __typename?: 'BlockUsage', block: TariffBlock, energyKwh: number, cost: { __typename?: 'Money', amount: string } }> } } } };

export type LiveReadingsSubscriptionVariables = Exact<{
  panelId?: InputMaybe<Scalars['ID']['input']>;
}>;


export type LiveReadingsSubscription = { __typename?: 'Subscription', panelReading: { __typename?: 'Reading', panelId: string, time: string, activePowerKw: number, meterEnergyKwh: number, powerFactor: number | null, voltage: { __typename?: 'PhaseValues', average: number | null }, current: { __typename?: 'PhaseValues', average: number | null } } };

export type PanelStatusChangesSubscriptionVariables = Exact<{
  panelId?: InputMaybe<Scalars['ID']['input']>;
}>;


export type PanelStatusChangesSubscription = { __typename?: 'Subscription', panelStatusChanged: { __typename?: 'PanelStatusChange', panelId: string, status: PanelStatus, at: string } };

export type LiveTodayUsageSubscriptionVariables = Exact<{
  panelId?: InputMaybe<Scalars['ID']['input']>;
}>;


export type LiveTodayUsageSubscription = { __typename?: 'Subscription', todayUsage: { __typename?: 'PanelUsageUpdate', panelId: string, date: string, at: string, today: { __typename?: 'Usage', energyKwh: number, cost: { __typename?: 'Money', amount: string }, blocks: Array<{ __typename?: 'BlockUsage', block: TariffBlock, energyKwh: number, cost: { __typename?: 'Money', amount: string } }> } } };

export type LiveOverviewSubscriptionVariables = Exact<{ [key: string]: never; }>;


export type LiveOverviewSubscription = { __typename?: 'Subscription', overview: { __typename?: 'Overview', panelCount: number, onlineCount: number, offlineCount: number, todayUsage: { __typename?: 'Usage', energyKwh: number, cost: { __typename?: 'Money', amount: string }, blocks: Array<{ __typename?: 'BlockUsage', block: TariffBlock, energyKwh: number, cost: { __typename?: 'Money', amount: string } }> } } };

export type UsageByBlockFragment = { __typename?: 'Usage', energyKwh: number, cost: { __typename?: 'Money', amount: string }, blocks: Array<{ __typename?: 'BlockUsage', block: TariffBlock, energyKwh: number, cost: { __typename?: 'Money', amount: string } }> };

export type PanelDetailQueryVariables = Exact<{
  id: Scalars['ID']['input'];
  from: Scalars['DateTime']['input'];
  to: Scalars['DateTime']['input'];
  every?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
  after?: InputMaybe<Scalars['String']['input']>;
}>;


export type PanelDetailQuery = { __typename?: 'Query', panel: { __typename?: 'Panel', id: string, name: string, status: PanelStatus, lastSeenAt: string | null, todayUsage: { __typename?: 'Usage', energyKwh: number, cost: { __typename?: 'Money', amount: string } } | null, latestReading: { __typename?: 'Reading', time: string, activePowerKw: number, meterEnergyKwh: number, powerFactor: number | null, voltageUnbalance: number | null, currentUnbalance: number | null } | null, readings: { __typename?: 'ReadingConnection', nodes: Array<{ __typename?: 'Reading', time: string, activePowerKw: number, apparentPowerKva: number | null, meterEnergyKwh: number, powerFactor: number | null, voltage: { __typename?: 'PhaseValues', average: number | null }, current: { __typename?: 'PhaseValues', average: number | null } }>, pageInfo: { __typename?: 'PageInfo', hasNextPage: boolean, endCursor: string | null } } | null } | null };

export type PanelHistoryQueryVariables = Exact<{
  id: Scalars['ID']['input'];
  from: Scalars['DateTime']['input'];
  to: Scalars['DateTime']['input'];
  every: Scalars['String']['input'];
  first?: InputMaybe<Scalars['Int']['input']>;
  after?: InputMaybe<Scalars['String']['input']>;
}>;


export type PanelHistoryQuery = { __typename?: 'Query', panel: { __typename?: 'Panel', id: string, history: { __typename?: 'HistoryPointConnection', nodes: Array<{ __typename?: 'HistoryPoint', start: string, end: string, energyKwh: number, readingCount: number, activePowerKw: number | null, powerFactor: number | null, cost: { __typename?: 'Money', amount: string }, voltage: { __typename?: 'PhaseValues', average: number | null } | null, current: { __typename?: 'PhaseValues', average: number | null } | null }>, pageInfo: { __typename?: 'PageInfo', hasNextPage: boolean, endCursor: string | null } } | null } | null };

export type ReportScopeQueryVariables = Exact<{ [key: string]: never; }>;


export type ReportScopeQuery = { __typename?: 'Query', panels: { __typename?: 'PanelConnection', nodes: Array<{ __typename?: 'Panel', id: string, name: string }> } | null, site: { __typename?: 'Site', timezone: string } };

export type MonthlySummaryQueryVariables = Exact<{
  year: Scalars['Int']['input'];
  month: Scalars['Int']['input'];
  panelId?: InputMaybe<Scalars['ID']['input']>;
}>;


export type MonthlySummaryQuery = { __typename?: 'Query', monthlySummary: { __typename?: 'MonthlySummary', year: number, month: number, panelId: string | null, total: { __typename?: 'Usage', energyKwh: number, cost: { __typename?: 'Money', amount: string } }, days: Array<{ __typename?: 'DailyUsage', date: string, energyKwh: number, cost: { __typename?: 'Money', amount: string } }> } | null };

export type YearlySummaryQueryVariables = Exact<{
  year: Scalars['Int']['input'];
  panelId?: InputMaybe<Scalars['ID']['input']>;
}>;


export type YearlySummaryQuery = { __typename?: 'Query', yearlySummary: { __typename?: 'YearlySummary', year: number, panelId: string | null, total: { __typename?: 'Usage', energyKwh: number, cost: { __typename?: 'Money', amount: string } }, months: Array<{ __typename?: 'MonthlyUsage', month: number, energyKwh: number, cost: { __typename?: 'Money', amount: string } }> } | null };

export type TariffHistoryQueryVariables = Exact<{ [key: string]: never; }>;


export type TariffHistoryQuery = { __typename?: 'Query', site: { __typename?: 'Site', tariff: { __typename?: 'Tariff', currency: Currency, timezone: string, ratePerKwh: { __typename?: 'Money', amount: string }, current: { __typename?: 'TariffPlanVersion', effectiveFrom: string, kind: TariffKind, blocks: Array<{ __typename?: 'BlockRate', block: TariffBlock, hours: string, ratePerKwh: { __typename?: 'Money', amount: string } }> }, versions: Array<{ __typename?: 'TariffPlanVersion', effectiveFrom: string, name: string | null, kind: TariffKind, peakMultiplier: number | null, minimumBillConnectedKva: number | null, minimumBillHours: number | null, taxPercent: number, recordedAt: string, recordedBy: string, blocks: Array<{ __typename?: 'BlockRate', block: TariffBlock, hours: string, ratePerKwh: { __typename?: 'Money', amount: string } }>, reactiveRatePerKvarh: { __typename?: 'Money', amount: string } | null }> } | null } };

export const ListedAlarmFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"ListedAlarm"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Alarm"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"type"}},{"kind":"Field","name":{"kind":"Name","value":"severity"}},{"kind":"Field","name":{"kind":"Name","value":"state"}},{"kind":"Field","name":{"kind":"Name","value":"panelId"}},{"kind":"Field","name":{"kind":"Name","value":"startedAt"}},{"kind":"Field","name":{"kind":"Name","value":"clearedAt"}},{"kind":"Field","name":{"kind":"Name","value":"value"}},{"kind":"Field","name":{"kind":"Name","value":"worstValue"}},{"kind":"Field","name":{"kind":"Name","value":"threshold"}},{"kind":"Field","name":{"kind":"Name","value":"message"}},{"kind":"Field","name":{"kind":"Name","value":"acknowledgedAt"}},{"kind":"Field","name":{"kind":"Name","value":"acknowledgedBy"}},{"kind":"Field","name":{"kind":"Name","value":"note"}}]}}]} as unknown as DocumentNode<ListedAlarmFragment, unknown>;
export const ComparedPeriodFiguresFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"ComparedPeriodFigures"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"ComparedPeriod"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"from"}},{"kind":"Field","name":{"kind":"Name","value":"to"}},{"kind":"Field","name":{"kind":"Name","value":"energyKwh"}},{"kind":"Field","name":{"kind":"Name","value":"cost"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amount"}}]}},{"kind":"Field","name":{"kind":"Name","value":"co2eKg"}},{"kind":"Field","name":{"kind":"Name","value":"shortened"}},{"kind":"Field","name":{"kind":"Name","value":"change"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"energyKwh"}},{"kind":"Field","name":{"kind":"Name","value":"cost"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amount"}}]}},{"kind":"Field","name":{"kind":"Name","value":"co2eKg"}},{"kind":"Field","name":{"kind":"Name","value":"energyPercent"}},{"kind":"Field","name":{"kind":"Name","value":"costPercent"}}]}}]}}]} as unknown as DocumentNode<ComparedPeriodFiguresFragment, unknown>;
export const PeriodComparisonFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"PeriodComparison"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Comparison"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"soFar"}},{"kind":"Field","name":{"kind":"Name","value":"current"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"from"}},{"kind":"Field","name":{"kind":"Name","value":"to"}},{"kind":"Field","name":{"kind":"Name","value":"energyKwh"}},{"kind":"Field","name":{"kind":"Name","value":"cost"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amount"}}]}},{"kind":"Field","name":{"kind":"Name","value":"co2eKg"}}]}},{"kind":"Field","name":{"kind":"Name","value":"previousPeriod"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"ComparedPeriodFigures"}}]}},{"kind":"Field","name":{"kind":"Name","value":"samePeriodLastYear"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"ComparedPeriodFigures"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"ComparedPeriodFigures"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"ComparedPeriod"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"from"}},{"kind":"Field","name":{"kind":"Name","value":"to"}},{"kind":"Field","name":{"kind":"Name","value":"energyKwh"}},{"kind":"Field","name":{"kind":"Name","value":"cost"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amount"}}]}},{"kind":"Field","name":{"kind":"Name","value":"co2eKg"}},{"kind":"Field","name":{"kind":"Name","value":"shortened"}},{"kind":"Field","name":{"kind":"Name","value":"change"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"energyKwh"}},{"kind":"Field","name":{"kind":"Name","value":"cost"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amount"}}]}},{"kind":"Field","name":{"kind":"Name","value":"co2eKg"}},{"kind":"Field","name":{"kind":"Name","value":"energyPercent"}},{"kind":"Field","name":{"kind":"Name","value":"costPercent"}}]}}]}}]} as unknown as DocumentNode<PeriodComparisonFragment, unknown>;
export const DemandPeakFiguresFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"DemandPeakFigures"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"DemandPeak"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"start"}},{"kind":"Field","name":{"kind":"Name","value":"kw"}},{"kind":"Field","name":{"kind":"Name","value":"kva"}},{"kind":"Field","name":{"kind":"Name","value":"complete"}}]}}]} as unknown as DocumentNode<DemandPeakFiguresFragment, unknown>;
export const UsageByBlockFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"UsageByBlock"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Usage"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"energyKwh"}},{"kind":"Field","name":{"kind":"Name","value":"cost"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amount"}}]}},{"kind":"Field","name":{"kind":"Name","value":"blocks"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"block"}},{"kind":"Field","name":{"kind":"Name","value":"energyKwh"}},{"kind":"Field","name":{"kind":"Name","value":"cost"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amount"}}]}}]}}]}}]} as unknown as DocumentNode<UsageByBlockFragment, unknown>;
export const AlarmCountsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"AlarmCounts"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"alarmCounts"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"open"}},{"kind":"Field","name":{"kind":"Name","value":"unacknowledged"}},{"kind":"Field","name":{"kind":"Name","value":"bySeverity"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"severity"}},{"kind":"Field","name":{"kind":"Name","value":"count"}}]}}]}}]}}]} as unknown as DocumentNode<AlarmCountsQuery, AlarmCountsQueryVariables>;
export const AlarmChangesDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"subscription","name":{"kind":"Name","value":"AlarmChanges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"alarmChanged"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"initial"}},{"kind":"Field","name":{"kind":"Name","value":"transition"}},{"kind":"Field","name":{"kind":"Name","value":"alarm"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"type"}},{"kind":"Field","name":{"kind":"Name","value":"severity"}},{"kind":"Field","name":{"kind":"Name","value":"state"}},{"kind":"Field","name":{"kind":"Name","value":"panelId"}},{"kind":"Field","name":{"kind":"Name","value":"startedAt"}}]}}]}}]}}]} as unknown as DocumentNode<AlarmChangesSubscription, AlarmChangesSubscriptionVariables>;
export const OpenAlarmsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"OpenAlarms"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"alarms"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"filter"},"value":{"kind":"ObjectValue","fields":[{"kind":"ObjectField","name":{"kind":"Name","value":"open"},"value":{"kind":"BooleanValue","value":true}}]}},{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"IntValue","value":"100"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"type"}},{"kind":"Field","name":{"kind":"Name","value":"severity"}},{"kind":"Field","name":{"kind":"Name","value":"state"}},{"kind":"Field","name":{"kind":"Name","value":"panelId"}},{"kind":"Field","name":{"kind":"Name","value":"startedAt"}}]}}]}}]}}]}}]} as unknown as DocumentNode<OpenAlarmsQuery, OpenAlarmsQueryVariables>;
export const BudgetsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Budgets"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"budgets"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"panelId"}},{"kind":"Field","name":{"kind":"Name","value":"kwh"}},{"kind":"Field","name":{"kind":"Name","value":"usedKwh"}},{"kind":"Field","name":{"kind":"Name","value":"projectedKwh"}},{"kind":"Field","name":{"kind":"Name","value":"rupiah"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amount"}}]}},{"kind":"Field","name":{"kind":"Name","value":"usedRupiah"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amount"}}]}},{"kind":"Field","name":{"kind":"Name","value":"projectedRupiah"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amount"}}]}}]}}]}}]} as unknown as DocumentNode<BudgetsQuery, BudgetsQueryVariables>;
export const AlarmViewDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"AlarmView"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"caller"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"role"}},{"kind":"Field","name":{"kind":"Name","value":"panelIds"}}]}},{"kind":"Field","name":{"kind":"Name","value":"panels"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"IntValue","value":"1000"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"nodes"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"site"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"timezone"}}]}}]}}]} as unknown as DocumentNode<AlarmViewQuery, AlarmViewQueryVariables>;
export const AlarmListDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"AlarmList"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"filter"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"AlarmFilter"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"alarms"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"filter"},"value":{"kind":"Variable","name":{"kind":"Name","value":"filter"}}},{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totalCount"}},{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}},{"kind":"Field","name":{"kind":"Name","value":"endCursor"}}]}},{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"ListedAlarm"}}]}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"ListedAlarm"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Alarm"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"type"}},{"kind":"Field","name":{"kind":"Name","value":"severity"}},{"kind":"Field","name":{"kind":"Name","value":"state"}},{"kind":"Field","name":{"kind":"Name","value":"panelId"}},{"kind":"Field","name":{"kind":"Name","value":"startedAt"}},{"kind":"Field","name":{"kind":"Name","value":"clearedAt"}},{"kind":"Field","name":{"kind":"Name","value":"value"}},{"kind":"Field","name":{"kind":"Name","value":"worstValue"}},{"kind":"Field","name":{"kind":"Name","value":"threshold"}},{"kind":"Field","name":{"kind":"Name","value":"message"}},{"kind":"Field","name":{"kind":"Name","value":"acknowledgedAt"}},{"kind":"Field","name":{"kind":"Name","value":"acknowledgedBy"}},{"kind":"Field","name":{"kind":"Name","value":"note"}}]}}]} as unknown as DocumentNode<AlarmListQuery, AlarmListQueryVariables>;
export const AcknowledgeAlarmDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"AcknowledgeAlarm"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"AcknowledgeAlarmInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"acknowledgeAlarm"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"alarm"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"ListedAlarm"}}]}},{"kind":"Field","name":{"kind":"Name","value":"userErrors"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"message"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"ListedAlarm"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Alarm"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"type"}},{"kind":"Field","name":{"kind":"Name","value":"severity"}},{"kind":"Field","name":{"kind":"Name","value":"state"}},{"kind":"Field","name":{"kind":"Name","value":"panelId"}},{"kind":"Field","name":{"kind":"Name","value":"startedAt"}},{"kind":"Field","name":{"kind":"Name","value":"clearedAt"}},{"kind":"Field","name":{"kind":"Name","value":"value"}},{"kind":"Field","name":{"kind":"Name","value":"worstValue"}},{"kind":"Field","name":{"kind":"Name","value":"threshold"}},{"kind":"Field","name":{"kind":"Name","value":"message"}},{"kind":"Field","name":{"kind":"Name","value":"acknowledgedAt"}},{"kind":"Field","name":{"kind":"Name","value":"acknowledgedBy"}},{"kind":"Field","name":{"kind":"Name","value":"note"}}]}}]} as unknown as DocumentNode<AcknowledgeAlarmMutation, AcknowledgeAlarmMutationVariables>;
export const MonthlyBillDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"MonthlyBill"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"year"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"month"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"panelId"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"monthlyBill"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"year"},"value":{"kind":"Variable","name":{"kind":"Name","value":"year"}}},{"kind":"Argument","name":{"kind":"Name","value":"month"},"value":{"kind":"Variable","name":{"kind":"Name","value":"month"}}},{"kind":"Argument","name":{"kind":"Name","value":"panelId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"panelId"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"year"}},{"kind":"Field","name":{"kind":"Name","value":"month"}},{"kind":"Field","name":{"kind":"Name","value":"panelId"}},{"kind":"Field","name":{"kind":"Name","value":"from"}},{"kind":"Field","name":{"kind":"Name","value":"to"}},{"kind":"Field","name":{"kind":"Name","value":"complete"}},{"kind":"Field","name":{"kind":"Name","value":"energyKwh"}},{"kind":"Field","name":{"kind":"Name","value":"blocks"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"block"}},{"kind":"Field","name":{"kind":"Name","value":"energyKwh"}},{"kind":"Field","name":{"kind":"Name","value":"cost"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amount"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"reactiveKvarh"}},{"kind":"Field","name":{"kind":"Name","value":"reactiveEstimated"}},{"kind":"Field","name":{"kind":"Name","value":"averagePowerFactor"}},{"kind":"Field","name":{"kind":"Name","value":"lines"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"description"}},{"kind":"Field","name":{"kind":"Name","value":"amount"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amount"}}]}},{"kind":"Field","name":{"kind":"Name","value":"planEffectiveFrom"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"EnergyChargeLine"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"block"}},{"kind":"Field","name":{"kind":"Name","value":"quantityKwh"}},{"kind":"Field","name":{"kind":"Name","value":"rate"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amount"}}]}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"ReactiveChargeLine"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"quantityKvarh"}},{"kind":"Field","name":{"kind":"Name","value":"rate"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amount"}}]}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"MinimumChargeLine"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"quantityKwh"}},{"kind":"Field","name":{"kind":"Name","value":"rate"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amount"}}]}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"TaxLine"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"base"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amount"}}]}},{"kind":"Field","name":{"kind":"Name","value":"ratePercent"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"subtotal"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amount"}}]}},{"kind":"Field","name":{"kind":"Name","value":"tax"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amount"}}]}},{"kind":"Field","name":{"kind":"Name","value":"total"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amount"}}]}},{"kind":"Field","name":{"kind":"Name","value":"planVersions"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"effectiveFrom"}},{"kind":"Field","name":{"kind":"Name","value":"kind"}}]}}]}}]}}]} as unknown as DocumentNode<MonthlyBillQuery, MonthlyBillQueryVariables>;
export const CurrentBillDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"CurrentBill"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"panelId"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"currentBill"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"panelId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"panelId"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"monthToDate"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"energyKwh"}},{"kind":"Field","name":{"kind":"Name","value":"total"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amount"}}]}},{"kind":"Field","name":{"kind":"Name","value":"complete"}},{"kind":"Field","name":{"kind":"Name","value":"blocks"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"block"}},{"kind":"Field","name":{"kind":"Name","value":"energyKwh"}},{"kind":"Field","name":{"kind":"Name","value":"cost"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amount"}}]}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"projectedTotal"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amount"}}]}},{"kind":"Field","name":{"kind":"Name","value":"projectedEnergyKwh"}},{"kind":"Field","name":{"kind":"Name","value":"elapsedFraction"}}]}}]}}]} as unknown as DocumentNode<CurrentBillQuery, CurrentBillQueryVariables>;
export const MonthlyComparisonDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"MonthlyComparison"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"year"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"month"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"panelId"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"monthlySummary"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"year"},"value":{"kind":"Variable","name":{"kind":"Name","value":"year"}}},{"kind":"Argument","name":{"kind":"Name","value":"month"},"value":{"kind":"Variable","name":{"kind":"Name","value":"month"}}},{"kind":"Argument","name":{"kind":"Name","value":"panelId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"panelId"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"year"}},{"kind":"Field","name":{"kind":"Name","value":"month"}},{"kind":"Field","name":{"kind":"Name","value":"panelId"}},{"kind":"Field","name":{"kind":"Name","value":"total"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"energyKwh"}},{"kind":"Field","name":{"kind":"Name","value":"emissions"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"co2eKg"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"comparison"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"PeriodComparison"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"ComparedPeriodFigures"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"ComparedPeriod"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"from"}},{"kind":"Field","name":{"kind":"Name","value":"to"}},{"kind":"Field","name":{"kind":"Name","value":"energyKwh"}},{"kind":"Field","name":{"kind":"Name","value":"cost"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amount"}}]}},{"kind":"Field","name":{"kind":"Name","value":"co2eKg"}},{"kind":"Field","name":{"kind":"Name","value":"shortened"}},{"kind":"Field","name":{"kind":"Name","value":"change"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"energyKwh"}},{"kind":"Field","name":{"kind":"Name","value":"cost"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amount"}}]}},{"kind":"Field","name":{"kind":"Name","value":"co2eKg"}},{"kind":"Field","name":{"kind":"Name","value":"energyPercent"}},{"kind":"Field","name":{"kind":"Name","value":"costPercent"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"PeriodComparison"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Comparison"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"soFar"}},{"kind":"Field","name":{"kind":"Name","value":"current"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"from"}},{"kind":"Field","name":{"kind":"Name","value":"to"}},{"kind":"Field","name":{"kind":"Name","value":"energyKwh"}},{"kind":"Field","name":{"kind":"Name","value":"cost"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amount"}}]}},{"kind":"Field","name":{"kind":"Name","value":"co2eKg"}}]}},{"kind":"Field","name":{"kind":"Name","value":"previousPeriod"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"ComparedPeriodFigures"}}]}},{"kind":"Field","name":{"kind":"Name","value":"samePeriodLastYear"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"ComparedPeriodFigures"}}]}}]}}]} as unknown as DocumentNode<MonthlyComparisonQuery, MonthlyComparisonQueryVariables>;
export const YearlyComparisonDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"YearlyComparison"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"year"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"panelId"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"yearlySummary"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"year"},"value":{"kind":"Variable","name":{"kind":"Name","value":"year"}}},{"kind":"Argument","name":{"kind":"Name","value":"panelId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"panelId"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"year"}},{"kind":"Field","name":{"kind":"Name","value":"panelId"}},{"kind":"Field","name":{"kind":"Name","value":"total"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"energyKwh"}},{"kind":"Field","name":{"kind":"Name","value":"emissions"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"co2eKg"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"comparison"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"PeriodComparison"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"ComparedPeriodFigures"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"ComparedPeriod"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"from"}},{"kind":"Field","name":{"kind":"Name","value":"to"}},{"kind":"Field","name":{"kind":"Name","value":"energyKwh"}},{"kind":"Field","name":{"kind":"Name","value":"cost"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amount"}}]}},{"kind":"Field","name":{"kind":"Name","value":"co2eKg"}},{"kind":"Field","name":{"kind":"Name","value":"shortened"}},{"kind":"Field","name":{"kind":"Name","value":"change"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"energyKwh"}},{"kind":"Field","name":{"kind":"Name","value":"cost"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amount"}}]}},{"kind":"Field","name":{"kind":"Name","value":"co2eKg"}},{"kind":"Field","name":{"kind":"Name","value":"energyPercent"}},{"kind":"Field","name":{"kind":"Name","value":"costPercent"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"PeriodComparison"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Comparison"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"soFar"}},{"kind":"Field","name":{"kind":"Name","value":"current"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"from"}},{"kind":"Field","name":{"kind":"Name","value":"to"}},{"kind":"Field","name":{"kind":"Name","value":"energyKwh"}},{"kind":"Field","name":{"kind":"Name","value":"cost"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amount"}}]}},{"kind":"Field","name":{"kind":"Name","value":"co2eKg"}}]}},{"kind":"Field","name":{"kind":"Name","value":"previousPeriod"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"ComparedPeriodFigures"}}]}},{"kind":"Field","name":{"kind":"Name","value":"samePeriodLastYear"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"ComparedPeriodFigures"}}]}}]}}]} as unknown as DocumentNode<YearlyComparisonQuery, YearlyComparisonQueryVariables>;
export const DashboardDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Dashboard"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"site"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"overview"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"panelCount"}},{"kind":"Field","name":{"kind":"Name","value":"onlineCount"}},{"kind":"Field","name":{"kind":"Name","value":"offlineCount"}},{"kind":"Field","name":{"kind":"Name","value":"todayUsage"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"energyKwh"}},{"kind":"Field","name":{"kind":"Name","value":"cost"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amount"}}]}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"tariff"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"ratePerKwh"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amount"}}]}},{"kind":"Field","name":{"kind":"Name","value":"currency"}},{"kind":"Field","name":{"kind":"Name","value":"timezone"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"panels"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"IntValue","value":"1000"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"nodes"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"lastSeenAt"}},{"kind":"Field","name":{"kind":"Name","value":"latestReading"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"panelId"}},{"kind":"Field","name":{"kind":"Name","value":"time"}},{"kind":"Field","name":{"kind":"Name","value":"activePowerKw"}},{"kind":"Field","name":{"kind":"Name","value":"meterEnergyKwh"}},{"kind":"Field","name":{"kind":"Name","value":"powerFactor"}},{"kind":"Field","name":{"kind":"Name","value":"voltage"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"average"}}]}},{"kind":"Field","name":{"kind":"Name","value":"current"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"average"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"todayUsage"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"energyKwh"}},{"kind":"Field","name":{"kind":"Name","value":"cost"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amount"}}]}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}},{"kind":"Field","name":{"kind":"Name","value":"endCursor"}}]}}]}}]}}]} as unknown as DocumentNode<DashboardQuery, DashboardQueryVariables>;
export const PeakDemandDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"PeakDemand"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"year"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"month"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"panelId"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"peakDemand"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"year"},"value":{"kind":"Variable","name":{"kind":"Name","value":"year"}}},{"kind":"Argument","name":{"kind":"Name","value":"month"},"value":{"kind":"Variable","name":{"kind":"Name","value":"month"}}},{"kind":"Argument","name":{"kind":"Name","value":"panelId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"panelId"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"panelId"}},{"kind":"Field","name":{"kind":"Name","value":"firstDay"}},{"kind":"Field","name":{"kind":"Name","value":"lastDay"}},{"kind":"Field","name":{"kind":"Name","value":"windowsComplete"}},{"kind":"Field","name":{"kind":"Name","value":"windowsMeasured"}},{"kind":"Field","name":{"kind":"Name","value":"windowsExpected"}},{"kind":"Field","name":{"kind":"Name","value":"peak"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"DemandPeakFigures"}}]}},{"kind":"Field","name":{"kind":"Name","value":"apparentPeak"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"DemandPeakFigures"}}]}},{"kind":"Field","name":{"kind":"Name","value":"parts"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"firstDay"}},{"kind":"Field","name":{"kind":"Name","value":"lastDay"}},{"kind":"Field","name":{"kind":"Name","value":"windowsComplete"}},{"kind":"Field","name":{"kind":"Name","value":"windowsMeasured"}},{"kind":"Field","name":{"kind":"Name","value":"windowsExpected"}},{"kind":"Field","name":{"kind":"Name","value":"peak"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"DemandPeakFigures"}}]}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"DemandPeakFigures"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"DemandPeak"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"start"}},{"kind":"Field","name":{"kind":"Name","value":"kw"}},{"kind":"Field","name":{"kind":"Name","value":"kva"}},{"kind":"Field","name":{"kind":"Name","value":"complete"}}]}}]} as unknown as DocumentNode<PeakDemandQuery, PeakDemandQueryVariables>;
export const LoadProfileDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"LoadProfile"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"from"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"Date"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"to"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"Date"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"panelId"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"loadProfile"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"from"},"value":{"kind":"Variable","name":{"kind":"Name","value":"from"}}},{"kind":"Argument","name":{"kind":"Name","value":"to"},"value":{"kind":"Variable","name":{"kind":"Name","value":"to"}}},{"kind":"Argument","name":{"kind":"Name","value":"panelId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"panelId"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"panelId"}},{"kind":"Field","name":{"kind":"Name","value":"from"}},{"kind":"Field","name":{"kind":"Name","value":"to"}},{"kind":"Field","name":{"kind":"Name","value":"operatingHours"}},{"kind":"Field","name":{"kind":"Name","value":"holidays"}},{"kind":"Field","name":{"kind":"Name","value":"baseLoadKw"}},{"kind":"Field","name":{"kind":"Name","value":"baseLoadWindows"}},{"kind":"Field","name":{"kind":"Name","value":"outsideShare"}},{"kind":"Field","name":{"kind":"Name","value":"total"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"energyKwh"}},{"kind":"Field","name":{"kind":"Name","value":"cost"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amount"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"outsideHours"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"energyKwh"}},{"kind":"Field","name":{"kind":"Name","value":"cost"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amount"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"weekdays"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hour"}},{"kind":"Field","name":{"kind":"Name","value":"averageKw"}},{"kind":"Field","name":{"kind":"Name","value":"days"}}]}},{"kind":"Field","name":{"kind":"Name","value":"weekendsAndHolidays"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hour"}},{"kind":"Field","name":{"kind":"Name","value":"averageKw"}},{"kind":"Field","name":{"kind":"Name","value":"days"}}]}}]}}]}}]} as unknown as DocumentNode<LoadProfileQuery, LoadProfileQueryVariables>;
export const CreateExportLinkDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"CreateExportLink"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"CreateExportLinkInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"createExportLink"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"url"}},{"kind":"Field","name":{"kind":"Name","value":"expiresAt"}},{"kind":"Field","name":{"kind":"Name","value":"userErrors"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"field"}},{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"message"}}]}}]}}]}}]} as unknown as DocumentNode<CreateExportLinkMutation, CreateExportLinkMutationVariables>;
export const PanelReadingChangedDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"subscription","name":{"kind":"Name","value":"PanelReadingChanged"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"panelIds"}},"type":{"kind":"ListType","type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"panelReadingChanged"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"panelIds"},"value":{"kind":"Variable","name":{"kind":"Name","value":"panelIds"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"initial"}},{"kind":"Field","name":{"kind":"Name","value":"reading"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"panelId"}},{"kind":"Field","name":{"kind":"Name","value":"time"}},{"kind":"Field","name":{"kind":"Name","value":"activePowerKw"}},{"kind":"Field","name":{"kind":"Name","value":"meterEnergyKwh"}},{"kind":"Field","name":{"kind":"Name","value":"powerFactor"}},{"kind":"Field","name":{"kind":"Name","value":"voltage"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"average"}}]}},{"kind":"Field","name":{"kind":"Name","value":"current"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"average"}}]}}]}}]}}]}}]} as unknown as DocumentNode<PanelReadingChangedSubscription, PanelReadingChangedSubscriptionVariables>;
export const PanelStatusChangedDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"subscription","name":{"kind":"Name","value":"PanelStatusChanged"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"panelIds"}},"type":{"kind":"ListType","type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"panelStatusChanged"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"panelIds"},"value":{"kind":"Variable","name":{"kind":"Name","value":"panelIds"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"initial"}},{"kind":"Field","name":{"kind":"Name","value":"panel"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"panelId"}}]}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"at"}}]}}]}}]} as unknown as DocumentNode<PanelStatusChangedSubscription, PanelStatusChangedSubscriptionVariables>;
export const PanelUsageChangedDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"subscription","name":{"kind":"Name","value":"PanelUsageChanged"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"panelIds"}},"type":{"kind":"ListType","type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"panelUsageChanged"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"panelIds"},"value":{"kind":"Variable","name":{"kind":"Name","value":"panelIds"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"initial"}},{"kind":"Field","name":{"kind":"Name","value":"panel"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"panelId"}}]}},{"kind":"Field","name":{"kind":"Name","value":"date"}},{"kind":"Field","name":{"kind":"Name","value":"at"}},{"kind":"Field","name":{"kind":"Name","value":"today"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"UsageByBlock"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"UsageByBlock"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Usage"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"energyKwh"}},{"kind":"Field","name":{"kind":"Name","value":"cost"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amount"}}]}},{"kind":"Field","name":{"kind":"Name","value":"blocks"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"block"}},{"kind":"Field","name":{"kind":"Name","value":"energyKwh"}},{"kind":"Field","name":{"kind":"Name","value":"cost"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amount"}}]}}]}}]}}]} as unknown as DocumentNode<PanelUsageChangedSubscription, PanelUsageChangedSubscriptionVariables>;
export const OverviewChangedDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"subscription","name":{"kind":"Name","value":"OverviewChanged"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"overviewChanged"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"initial"}},{"kind":"Field","name":{"kind":"Name","value":"overview"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"panelCount"}},{"kind":"Field","name":{"kind":"Name","value":"onlineCount"}},{"kind":"Field","name":{"kind":"Name","value":"offlineCount"}},{"kind":"Field","name":{"kind":"Name","value":"todayUsage"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"UsageByBlock"}}]}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"UsageByBlock"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Usage"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"energyKwh"}},{"kind":"Field","name":{"kind":"Name","value":"cost"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amount"}}]}},{"kind":"Field","name":{"kind":"Name","value":"blocks"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"block"}},{"kind":"Field","name":{"kind":"Name","value":"energyKwh"}},{"kind":"Field","name":{"kind":"Name","value":"cost"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amount"}}]}}]}}]}}]} as unknown as DocumentNode<OverviewChangedSubscription, OverviewChangedSubscriptionVariables>;
export const LiveReadingsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"subscription","name":{"kind":"Name","value":"LiveReadings"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"panelId"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"panelReading"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"panelId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"panelId"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"panelId"}},{"kind":"Field","name":{"kind":"Name","value":"time"}},{"kind":"Field","name":{"kind":"Name","value":"activePowerKw"}},{"kind":"Field","name":{"kind":"Name","value":"meterEnergyKwh"}},{"kind":"Field","name":{"kind":"Name","value":"powerFactor"}},{"kind":"Field","name":{"kind":"Name","value":"voltage"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"average"}}]}},{"kind":"Field","name":{"kind":"Name","value":"current"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"average"}}]}}]}}]}}]} as unknown as DocumentNode<LiveReadingsSubscription, LiveReadingsSubscriptionVariables>;
export const PanelStatusChangesDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"subscription","name":{"kind":"Name","value":"PanelStatusChanges"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"panelId"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"panelStatusChanged"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"panelId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"panelId"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"panelId"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"at"}}]}}]}}]} as unknown as DocumentNode<PanelStatusChangesSubscription, PanelStatusChangesSubscriptionVariables>;
export const LiveTodayUsageDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"subscription","name":{"kind":"Name","value":"LiveTodayUsage"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"panelId"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"todayUsage"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"panelId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"panelId"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"panelId"}},{"kind":"Field","name":{"kind":"Name","value":"date"}},{"kind":"Field","name":{"kind":"Name","value":"at"}},{"kind":"Field","name":{"kind":"Name","value":"today"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"UsageByBlock"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"UsageByBlock"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Usage"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"energyKwh"}},{"kind":"Field","name":{"kind":"Name","value":"cost"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amount"}}]}},{"kind":"Field","name":{"kind":"Name","value":"blocks"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"block"}},{"kind":"Field","name":{"kind":"Name","value":"energyKwh"}},{"kind":"Field","name":{"kind":"Name","value":"cost"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amount"}}]}}]}}]}}]} as unknown as DocumentNode<LiveTodayUsageSubscription, LiveTodayUsageSubscriptionVariables>;
export const LiveOverviewDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"subscription","name":{"kind":"Name","value":"LiveOverview"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"overview"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"panelCount"}},{"kind":"Field","name":{"kind":"Name","value":"onlineCount"}},{"kind":"Field","name":{"kind":"Name","value":"offlineCount"}},{"kind":"Field","name":{"kind":"Name","value":"todayUsage"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"UsageByBlock"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"UsageByBlock"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Usage"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"energyKwh"}},{"kind":"Field","name":{"kind":"Name","value":"cost"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amount"}}]}},{"kind":"Field","name":{"kind":"Name","value":"blocks"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"block"}},{"kind":"Field","name":{"kind":"Name","value":"energyKwh"}},{"kind":"Field","name":{"kind":"Name","value":"cost"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amount"}}]}}]}}]}}]} as unknown as DocumentNode<LiveOverviewSubscription, LiveOverviewSubscriptionVariables>;
export const PanelDetailDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"PanelDetail"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"from"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"DateTime"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"to"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"DateTime"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"every"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"panel"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"lastSeenAt"}},{"kind":"Field","name":{"kind":"Name","value":"todayUsage"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"energyKwh"}},{"kind":"Field","name":{"kind":"Name","value":"cost"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amount"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"latestReading"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"time"}},{"kind":"Field","name":{"kind":"Name","value":"activePowerKw"}},{"kind":"Field","name":{"kind":"Name","value":"meterEnergyKwh"}},{"kind":"Field","name":{"kind":"Name","value":"powerFactor"}},{"kind":"Field","name":{"kind":"Name","value":"voltageUnbalance"}},{"kind":"Field","name":{"kind":"Name","value":"currentUnbalance"}}]}},{"kind":"Field","name":{"kind":"Name","value":"readings"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"from"},"value":{"kind":"Variable","name":{"kind":"Name","value":"from"}}},{"kind":"Argument","name":{"kind":"Name","value":"to"},"value":{"kind":"Variable","name":{"kind":"Name","value":"to"}}},{"kind":"Argument","name":{"kind":"Name","value":"every"},"value":{"kind":"Variable","name":{"kind":"Name","value":"every"}}},{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"nodes"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"time"}},{"kind":"Field","name":{"kind":"Name","value":"activePowerKw"}},{"kind":"Field","name":{"kind":"Name","value":"apparentPowerKva"}},{"kind":"Field","name":{"kind":"Name","value":"meterEnergyKwh"}},{"kind":"Field","name":{"kind":"Name","value":"powerFactor"}},{"kind":"Field","name":{"kind":"Name","value":"voltage"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"average"}}]}},{"kind":"Field","name":{"kind":"Name","value":"current"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"average"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}},{"kind":"Field","name":{"kind":"Name","value":"endCursor"}}]}}]}}]}}]}}]} as unknown as DocumentNode<PanelDetailQuery, PanelDetailQueryVariables>;
export const PanelHistoryDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"PanelHistory"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"from"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"DateTime"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"to"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"DateTime"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"every"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"panel"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"history"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"from"},"value":{"kind":"Variable","name":{"kind":"Name","value":"from"}}},{"kind":"Argument","name":{"kind":"Name","value":"to"},"value":{"kind":"Variable","name":{"kind":"Name","value":"to"}}},{"kind":"Argument","name":{"kind":"Name","value":"every"},"value":{"kind":"Variable","name":{"kind":"Name","value":"every"}}},{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"nodes"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"start"}},{"kind":"Field","name":{"kind":"Name","value":"end"}},{"kind":"Field","name":{"kind":"Name","value":"energyKwh"}},{"kind":"Field","name":{"kind":"Name","value":"cost"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amount"}}]}},{"kind":"Field","name":{"kind":"Name","value":"readingCount"}},{"kind":"Field","name":{"kind":"Name","value":"activePowerKw"}},{"kind":"Field","name":{"kind":"Name","value":"voltage"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"average"}}]}},{"kind":"Field","name":{"kind":"Name","value":"current"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"average"}}]}},{"kind":"Field","name":{"kind":"Name","value":"powerFactor"}}]}},{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}},{"kind":"Field","name":{"kind":"Name","value":"endCursor"}}]}}]}}]}}]}}]} as unknown as DocumentNode<PanelHistoryQuery, PanelHistoryQueryVariables>;
export const ReportScopeDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"ReportScope"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"panels"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"IntValue","value":"1000"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"nodes"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"site"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"timezone"}}]}}]}}]} as unknown as DocumentNode<ReportScopeQuery, ReportScopeQueryVariables>;
export const MonthlySummaryDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"MonthlySummary"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"year"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"month"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"panelId"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"monthlySummary"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"year"},"value":{"kind":"Variable","name":{"kind":"Name","value":"year"}}},{"kind":"Argument","name":{"kind":"Name","value":"month"},"value":{"kind":"Variable","name":{"kind":"Name","value":"month"}}},{"kind":"Argument","name":{"kind":"Name","value":"panelId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"panelId"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"year"}},{"kind":"Field","name":{"kind":"Name","value":"month"}},{"kind":"Field","name":{"kind":"Name","value":"panelId"}},{"kind":"Field","name":{"kind":"Name","value":"total"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"energyKwh"}},{"kind":"Field","name":{"kind":"Name","value":"cost"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amount"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"days"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"date"}},{"kind":"Field","name":{"kind":"Name","value":"energyKwh"}},{"kind":"Field","name":{"kind":"Name","value":"cost"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amount"}}]}}]}}]}}]}}]} as unknown as DocumentNode<MonthlySummaryQuery, MonthlySummaryQueryVariables>;
export const YearlySummaryDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"YearlySummary"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"year"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"panelId"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"yearlySummary"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"year"},"value":{"kind":"Variable","name":{"kind":"Name","value":"year"}}},{"kind":"Argument","name":{"kind":"Name","value":"panelId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"panelId"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"year"}},{"kind":"Field","name":{"kind":"Name","value":"panelId"}},{"kind":"Field","name":{"kind":"Name","value":"total"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"energyKwh"}},{"kind":"Field","name":{"kind":"Name","value":"cost"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amount"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"months"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"month"}},{"kind":"Field","name":{"kind":"Name","value":"energyKwh"}},{"kind":"Field","name":{"kind":"Name","value":"cost"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amount"}}]}}]}}]}}]}}]} as unknown as DocumentNode<YearlySummaryQuery, YearlySummaryQueryVariables>;
export const TariffHistoryDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"TariffHistory"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"site"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"tariff"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"ratePerKwh"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amount"}}]}},{"kind":"Field","name":{"kind":"Name","value":"currency"}},{"kind":"Field","name":{"kind":"Name","value":"timezone"}},{"kind":"Field","name":{"kind":"Name","value":"current"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"effectiveFrom"}},{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"blocks"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"block"}},{"kind":"Field","name":{"kind":"Name","value":"ratePerKwh"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amount"}}]}},{"kind":"Field","name":{"kind":"Name","value":"hours"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"versions"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"effectiveFrom"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"blocks"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"block"}},{"kind":"Field","name":{"kind":"Name","value":"ratePerKwh"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amount"}}]}},{"kind":"Field","name":{"kind":"Name","value":"hours"}}]}},{"kind":"Field","name":{"kind":"Name","value":"peakMultiplier"}},{"kind":"Field","name":{"kind":"Name","value":"reactiveRatePerKvarh"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amount"}}]}},{"kind":"Field","name":{"kind":"Name","value":"minimumBillConnectedKva"}},{"kind":"Field","name":{"kind":"Name","value":"minimumBillHours"}},{"kind":"Field","name":{"kind":"Name","value":"taxPercent"}},{"kind":"Field","name":{"kind":"Name","value":"recordedAt"}},{"kind":"Field","name":{"kind":"Name","value":"recordedBy"}}]}}]}}]}}]}}]} as unknown as DocumentNode<TariffHistoryQuery, TariffHistoryQueryVariables>;