/**
 * Names for the parts of the operations' results the page passes around, derived from the types
 * `npm run codegen` generates from operations/*.graphql (web/src/generated/).
 */
import type {
  DashboardQuery,
  LiveOverviewSubscription,
  LiveReadingsSubscription,
  LiveTodayUsageSubscription,
  PanelHistoryQuery,
  PanelStatusChangesSubscription,
  UsageByBlockFragment,
} from './generated/graphql.js';

/** The dashboard query's answer. */
export type DashboardData = DashboardQuery;
export type Panel = NonNullable<DashboardData['panels']>['nodes'][number];
/** A live reading; the dashboard query selects the same fields for a panel's latest one. */
export type Reading = LiveReadingsSubscription['panelReading'];
export type StatusChange = PanelStatusChangesSubscription['panelStatusChanged'];
export type TodayUsageUpdate = LiveTodayUsageSubscription['todayUsage'];
/** The building's totals as queried, or as pushed (which adds today's use per tariff block). */
export type Overview = NonNullable<DashboardData['overview']> | LiveOverviewSubscription['overview'];
export type BlockUsage = UsageByBlockFragment['blocks'][number];
/** The dashboard as the page shows it: the query's answer with the live events laid over it. */
export type DashboardView = Omit<DashboardData, 'overview' | 'panels'> & { readonly overview: Overview | null; readonly panels: readonly Panel[] | null };
export type HistoryPoint = NonNullable<NonNullable<PanelHistoryQuery['panel']>['history']>['nodes'][number];
