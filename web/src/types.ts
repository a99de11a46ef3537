/**
 * Names for the parts of the operations' results the page passes around, derived from the types
 * `npm run codegen` generates from operations/*.graphql (web/src/generated/).
 */
import type {
  DashboardQuery,
  OverviewChangedSubscription,
  PanelHistoryQuery,
  PanelReadingChangedSubscription,
  PanelStatusChangedSubscription,
  PanelUsageChangedSubscription,
  UsageByBlockFragment,
} from './generated/graphql.js';

/** The dashboard query's answer. */
export type DashboardData = DashboardQuery;
export type Panel = NonNullable<DashboardData['panels']>['nodes'][number];
/** A live reading; the dashboard query selects the same fields for a panel's latest one. */
export type Reading = PanelReadingChangedSubscription['panelReadingChanged']['reading'];
/** A status event, keyed by its panel's id (the event carries the panel). */
export type StatusChange = Omit<PanelStatusChangedSubscription['panelStatusChanged'], 'panel' | 'initial'> & { readonly panelId: string };
/** A usage event, keyed by its panel's id (the event carries the panel). */
export type TodayUsageUpdate = Omit<PanelUsageChangedSubscription['panelUsageChanged'], 'panel' | 'initial'> & { readonly panelId: string };
/** The building's totals as queried, or as pushed (which adds today's use per tariff block). */
export type Overview = NonNullable<DashboardData['site']['overview']> | OverviewChangedSubscription['overviewChanged']['overview'];
export type Tariff = NonNullable<DashboardData['site']['tariff']>;
export type BlockUsage = UsageByBlockFragment['blocks'][number];
/** The dashboard as the page shows it: the query's answer with the live events laid over it. */
export type DashboardView = Omit<DashboardData, 'site' | 'panels'> & {
  readonly overview: Overview | null;
  readonly tariff: Tariff | null;
  readonly panels: readonly Panel[] | null;
};
export type HistoryPoint = NonNullable<NonNullable<PanelHistoryQuery['panel']>['history']>['nodes'][number];
