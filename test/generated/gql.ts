/* eslint-disable */
import * as types from './graphql.js';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "query Dashboard {\n  overview {\n    panelCount\n    onlineCount\n    offlineCount\n    todayUsage {\n      energyKwh\n      cost\n    }\n  }\n  panels {\n    id\n    name\n    status\n    lastSeenAt\n    latestReading {\n      time\n      activePowerKw\n      apparentPowerKva\n      energyKwh\n      powerFactor\n      voltage {\n        l1\n        l2\n        l3\n        average\n      }\n      current {\n        l1\n        l2\n        l3\n        average\n      }\n    }\n    todayUsage {\n      energyKwh\n      cost\n    }\n  }\n  tariff {\n    ratePerKwh\n    currency\n    timezone\n  }\n}": typeof types.DashboardDocument,
    "subscription LiveReadings($panelId: ID) {\n  panelReading(panelId: $panelId) {\n    panelId\n    time\n    activePowerKw\n    energyKwh\n    powerFactor\n    voltage {\n      average\n    }\n    current {\n      average\n    }\n  }\n}\n\nsubscription PanelStatusChanges($panelId: ID) {\n  panelStatusChanged(panelId: $panelId) {\n    panelId\n    status\n    at\n  }\n}": typeof types.LiveReadingsDocument,
    "query PanelDetail($id: ID!, $from: DateTime!, $to: DateTime!, $every: String) {\n  panel(id: $id) {\n    id\n    name\n    status\n    lastSeenAt\n    todayUsage {\n      energyKwh\n      cost\n    }\n    latestReading {\n      time\n      activePowerKw\n      energyKwh\n      powerFactor\n      voltageUnbalance\n      currentUnbalance\n    }\n    readings(from: $from, to: $to, every: $every) {\n      time\n      activePowerKw\n      apparentPowerKva\n      energyKwh\n      powerFactor\n      voltage {\n        average\n      }\n      current {\n        average\n      }\n    }\n  }\n}": typeof types.PanelDetailDocument,
    "query MonthlySummary($year: Int!, $month: Int!, $panelId: ID) {\n  monthlySummary(year: $year, month: $month, panelId: $panelId) {\n    year\n    month\n    panelId\n    total {\n      energyKwh\n      cost\n    }\n    days {\n      date\n      energyKwh\n      cost\n    }\n  }\n}\n\nquery YearlySummary($year: Int!, $panelId: ID) {\n  yearlySummary(year: $year, panelId: $panelId) {\n    year\n    panelId\n    total {\n      energyKwh\n      cost\n    }\n    months {\n      month\n      energyKwh\n      cost\n    }\n  }\n}": typeof types.MonthlySummaryDocument,
    "query TariffHistory {\n  tariff {\n    ratePerKwh\n    currency\n    timezone\n    current {\n      effectiveFrom\n      kind\n      blocks {\n        block\n        ratePerKwh\n        hours\n      }\n    }\n    versions {\n      effectiveFrom\n      name\n      kind\n      blocks {\n        block\n        ratePerKwh\n        hours\n      }\n      peakMultiplier\n      reactiveRatePerKvarh\n      minimumBillConnectedKva\n      minimumBillHours\n      taxPercent\n      recordedAt\n      recordedBy\n    }\n  }\n}": typeof types.TariffHistoryDocument,
};
const documents: Documents = {
    "query Dashboard {\n  overview {\n    panelCount\n    onlineCount\n    offlineCount\n    todayUsage {\n      energyKwh\n      cost\n    }\n  }\n  panels {\n    id\n    name\n    status\n    lastSeenAt\n    latestReading {\n      time\n      activePowerKw\n      apparentPowerKva\n      energyKwh\n      powerFactor\n      voltage {\n        l1\n        l2\n        l3\n        average\n      }\n      current {\n        l1\n        l2\n        l3\n        average\n      }\n    }\n    todayUsage {\n      energyKwh\n      cost\n    }\n  }\n  tariff {\n    ratePerKwh\n    currency\n    timezone\n  }\n}": types.DashboardDocument,
    "subscription LiveReadings($panelId: ID) {\n  panelReading(panelId: $panelId) {\n    panelId\n    time\n    activePowerKw\n    energyKwh\n    powerFactor\n    voltage {\n      average\n    }\n    current {\n      average\n    }\n  }\n}\n\nsubscription PanelStatusChanges($panelId: ID) {\n  panelStatusChanged(panelId: $panelId) {\n    panelId\n    status\n    at\n  }\n}": types.LiveReadingsDocument,
    "query PanelDetail($id: ID!, $from: DateTime!, $to: DateTime!, $every: String) {\n  panel(id: $id) {\n    id\n    name\n    status\n    lastSeenAt\n    todayUsage {\n      energyKwh\n      cost\n    }\n    latestReading {\n      time\n      activePowerKw\n      energyKwh\n      powerFactor\n      voltageUnbalance\n      currentUnbalance\n    }\n    readings(from: $from, to: $to, every: $every) {\n      time\n      activePowerKw\n      apparentPowerKva\n      energyKwh\n      powerFactor\n      voltage {\n        average\n      }\n      current {\n        average\n      }\n    }\n  }\n}": types.PanelDetailDocument,
    "query MonthlySummary($year: Int!, $month: Int!, $panelId: ID) {\n  monthlySummary(year: $year, month: $month, panelId: $panelId) {\n    year\n    month\n    panelId\n    total {\n      energyKwh\n      cost\n    }\n    days {\n      date\n      energyKwh\n      cost\n    }\n  }\n}\n\nquery YearlySummary($year: Int!, $panelId: ID) {\n  yearlySummary(year: $year, panelId: $panelId) {\n    year\n    panelId\n    total {\n      energyKwh\n      cost\n    }\n    months {\n      month\n      energyKwh\n      cost\n    }\n  }\n}": types.MonthlySummaryDocument,
    "query TariffHistory {\n  tariff {\n    ratePerKwh\n    currency\n    timezone\n    current {\n      effectiveFrom\n      kind\n      blocks {\n        block\n        ratePerKwh\n        hours\n      }\n    }\n    versions {\n      effectiveFrom\n      name\n      kind\n      blocks {\n        block\n        ratePerKwh\n        hours\n      }\n      peakMultiplier\n      reactiveRatePerKvarh\n      minimumBillConnectedKva\n      minimumBillHours\n      taxPercent\n      recordedAt\n      recordedBy\n    }\n  }\n}": types.TariffHistoryDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query Dashboard {\n  overview {\n    panelCount\n    onlineCount\n    offlineCount\n    todayUsage {\n      energyKwh\n      cost\n    }\n  }\n  panels {\n    id\n    name\n    status\n    lastSeenAt\n    latestReading {\n      time\n      activePowerKw\n      apparentPowerKva\n      energyKwh\n      powerFactor\n      voltage {\n        l1\n        l2\n        l3\n        average\n      }\n      current {\n        l1\n        l2\n        l3\n        average\n      }\n    }\n    todayUsage {\n      energyKwh\n      cost\n    }\n  }\n  tariff {\n    ratePerKwh\n    currency\n    timezone\n  }\n}"): (typeof documents)["query Dashboard {\n  overview {\n    panelCount\n    onlineCount\n    offlineCount\n    todayUsage {\n      energyKwh\n      cost\n    }\n  }\n  panels {\n    id\n    name\n    status\n    lastSeenAt\n    latestReading {\n      time\n      activePowerKw\n      apparentPowerKva\n      energyKwh\n      powerFactor\n      voltage {\n        l1\n        l2\n        l3\n        average\n      }\n      current {\n        l1\n        l2\n        l3\n        average\n      }\n    }\n    todayUsage {\n      energyKwh\n      cost\n    }\n  }\n  tariff {\n    ratePerKwh\n    currency\n    timezone\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "subscription LiveReadings($panelId: ID) {\n  panelReading(panelId: $panelId) {\n    panelId\n    time\n    activePowerKw\n    energyKwh\n    powerFactor\n    voltage {\n      average\n    }\n    current {\n      average\n    }\n  }\n}\n\nsubscription PanelStatusChanges($panelId: ID) {\n  panelStatusChanged(panelId: $panelId) {\n    panelId\n    status\n    at\n  }\n}"): (typeof documents)["subscription LiveReadings($panelId: ID) {\n  panelReading(panelId: $panelId) {\n    panelId\n    time\n    activePowerKw\n    energyKwh\n    powerFactor\n    voltage {\n      average\n    }\n    current {\n      average\n    }\n  }\n}\n\nsubscription PanelStatusChanges($panelId: ID) {\n  panelStatusChanged(panelId: $panelId) {\n    panelId\n    status\n    at\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query PanelDetail($id: ID!, $from: DateTime!, $to: DateTime!, $every: String) {\n  panel(id: $id) {\n    id\n    name\n    status\n    lastSeenAt\n    todayUsage {\n      energyKwh\n      cost\n    }\n    latestReading {\n      time\n      activePowerKw\n      energyKwh\n      powerFactor\n      voltageUnbalance\n      currentUnbalance\n    }\n    readings(from: $from, to: $to, every: $every) {\n      time\n      activePowerKw\n      apparentPowerKva\n      energyKwh\n      powerFactor\n      voltage {\n        average\n      }\n      current {\n        average\n      }\n    }\n  }\n}"): (typeof documents)["query PanelDetail($id: ID!, $from: DateTime!, $to: DateTime!, $every: String) {\n  panel(id: $id) {\n    id\n    name\n    status\n    lastSeenAt\n    todayUsage {\n      energyKwh\n      cost\n    }\n    latestReading {\n      time\n      activePowerKw\n      energyKwh\n      powerFactor\n      voltageUnbalance\n      currentUnbalance\n    }\n    readings(from: $from, to: $to, every: $every) {\n      time\n      activePowerKw\n      apparentPowerKva\n      energyKwh\n      powerFactor\n      voltage {\n        average\n      }\n      current {\n        average\n      }\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query MonthlySummary($year: Int!, $month: Int!, $panelId: ID) {\n  monthlySummary(year: $year, month: $month, panelId: $panelId) {\n    year\n    month\n    panelId\n    total {\n      energyKwh\n      cost\n    }\n    days {\n      date\n      energyKwh\n      cost\n    }\n  }\n}\n\nquery YearlySummary($year: Int!, $panelId: ID) {\n  yearlySummary(year: $year, panelId: $panelId) {\n    year\n    panelId\n    total {\n      energyKwh\n      cost\n    }\n    months {\n      month\n      energyKwh\n      cost\n    }\n  }\n}"): (typeof documents)["query MonthlySummary($year: Int!, $month: Int!, $panelId: ID) {\n  monthlySummary(year: $year, month: $month, panelId: $panelId) {\n    year\n    month\n    panelId\n    total {\n      energyKwh\n      cost\n    }\n    days {\n      date\n      energyKwh\n      cost\n    }\n  }\n}\n\nquery YearlySummary($year: Int!, $panelId: ID) {\n  yearlySummary(year: $year, panelId: $panelId) {\n    year\n    panelId\n    total {\n      energyKwh\n      cost\n    }\n    months {\n      month\n      energyKwh\n      cost\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query TariffHistory {\n  tariff {\n    ratePerKwh\n    currency\n    timezone\n    current {\n      effectiveFrom\n      kind\n      blocks {\n        block\n        ratePerKwh\n        hours\n      }\n    }\n    versions {\n      effectiveFrom\n      name\n      kind\n      blocks {\n        block\n        ratePerKwh\n        hours\n      }\n      peakMultiplier\n      reactiveRatePerKvarh\n      minimumBillConnectedKva\n      minimumBillHours\n      taxPercent\n      recordedAt\n      recordedBy\n    }\n  }\n}"): (typeof documents)["query TariffHistory {\n  tariff {\n    ratePerKwh\n    currency\n    timezone\n    current {\n      effectiveFrom\n      kind\n      blocks {\n        block\n        ratePerKwh\n        hours\n      }\n    }\n    versions {\n      effectiveFrom\n      name\n      kind\n      blocks {\n        block\n        ratePerKwh\n        hours\n      }\n      peakMultiplier\n      reactiveRatePerKvarh\n      minimumBillConnectedKva\n      minimumBillHours\n      taxPercent\n      recordedAt\n      recordedBy\n    }\n  }\n}"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;