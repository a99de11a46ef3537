import { moneyAmount } from '../../models/money.js';
import {
  TARIFF_BLOCKS,
  type BlockUsage as BlockUsageShape,
  type DailyUsage as DailyUsageShape,
  type MonthlySummary as MonthlySummaryShape,
  type MonthlyUsage as MonthlyUsageShape,
  type PanelUsageUpdate as PanelUsageUpdateShape,
  type Usage as UsageShape,
  type YearlySummary as YearlySummaryShape,
} from '../../models/usage.js';
import { builder, type BuilderTypes } from '../builder.js';
import { Money } from './money.js';

export const TariffBlock = builder.enumType('TariffBlock', {
  description: 'PLN tariff blocks: LWBP off-peak, WBP the peak window (local time), FLAT the whole day of a flat plan.',
  values: TARIFF_BLOCKS,
});

export const BlockUsage = builder.objectRef<BlockUsageShape>('BlockUsage').implement({
  description: "One tariff block's share of a period's energy and cost.",
  fields: (t) => ({
    block: t.field({ type: TariffBlock, resolve: (usage) => usage.block }),
    energyKwh: t.exposeFloat('energyKwh', { description: 'kWh, rounded to 3 decimals.' }),
    cost: t.field({ type: Money, description: 'Rounded to 2 decimals.', resolve: (parent) => moneyAmount(parent.cost) }),
  }),
});

/** The fields every usage row shares (Usage, DailyUsage, MonthlyUsage). */
function usageFields<Shape extends UsageShape>(t: PothosSchemaTypes.ObjectFieldBuilder<PothosSchemaTypes.ExtendDefaultTypes<BuilderTypes>, Shape>) {
  return {
  energyKwh: t.float({ description: 'kWh counted by the counting rule, rounded to 3 decimals.', resolve: (u) => u.energyKwh }),
  cost: t.field({ type: Money, description: 'At the tariff in force when the energy was used, rounded to 2 decimals.', resolve: (u) => moneyAmount(u.cost) }),
  blocks: t.field({
    type: [BlockUsage],
    resolve: (u) => u.blocks,
    description: 'The split by tariff block (every block of the plans in force); the blocks add up to the totals.',
  }),
  };
}

export const Usage = builder.objectRef<UsageShape>('Usage').implement({
  description: 'Energy used and what it costs.',
  fields: (t) => usageFields(t),
});

export const DailyUsage = builder.objectRef<DailyUsageShape>('DailyUsage').implement({
  description: 'One local calendar day.',
  fields: (t) => ({ date: t.expose('date', { type: 'Date' }), ...usageFields(t) }),
});

export const MonthlyUsage = builder.objectRef<MonthlyUsageShape>('MonthlyUsage').implement({
  description: 'One calendar month.',
  fields: (t) => ({ month: t.exposeInt('month', { description: 'Calendar month, 1-12.' }), ...usageFields(t) }),
});

export const MonthlySummary = builder.objectRef<MonthlySummaryShape>('MonthlySummary').implement({
  fields: (t) => ({
    year: t.exposeInt('year', { description: 'Calendar year.' }),
    month: t.exposeInt('month', { description: 'Calendar month, 1-12.' }),
    panelId: t.exposeID('panelId', { nullable: true, description: 'null: the whole building.' }),
    total: t.expose('total', { type: Usage }),
    days: t.expose('days', { type: [DailyUsage], description: 'Every day of the month, zero when there was no use.' }),
  }),
});

export const YearlySummary = builder.objectRef<YearlySummaryShape>('YearlySummary').implement({
  fields: (t) => ({
    year: t.exposeInt('year', { description: 'Calendar year.' }),
    panelId: t.exposeID('panelId', { nullable: true, description: 'null: the whole building.' }),
    total: t.expose('total', { type: Usage }),
    months: t.expose('months', { type: [MonthlyUsage], description: 'All twelve months.' }),
  }),
});

builder.queryFields((t) => ({
  monthlySummary: t.field({
    type: MonthlySummary,
    nullable: true,
    description: 'Energy and cost per day of a month in the site timezone, for one panel or the whole building.',
    args: { year: t.arg.int({ required: true }), month: t.arg.int({ required: true }), panelId: t.arg.id({ required: false }) },
    resolve: (_root, { year, month, panelId }, { services, viewer }) =>
      services.panels.monthlySummary(year, month, panelId == null ? null : String(panelId), viewer.panels),
  }),
  yearlySummary: t.field({
    type: YearlySummary,
    nullable: true,
    description: 'Energy and cost per month of a year in the site timezone, for one panel or the whole building.',
    args: { year: t.arg.int({ required: true }), panelId: t.arg.id({ required: false }) },
    resolve: (_root, { year, panelId }, { services, viewer }) =>
      services.panels.yearlySummary(year, panelId == null ? null : String(panelId), viewer.panels),
  }),
}));

const PanelUsageUpdate = builder.objectRef<PanelUsageUpdateShape>('PanelUsageUpdate').implement({
  description: "A panel's usage today, pushed live.",
  fields: (t) => ({
    panelId: t.exposeID('panelId'),
    date: t.expose('date', { type: 'Date', description: 'The local date `today` covers.' }),
    today: t.expose('today', { type: Usage, description: 'Local midnight until now.' }),
    at: t.expose('at', { type: 'DateTime', description: 'When it was computed.' }),
  }),
});

builder.subscriptionField('todayUsage', (t) =>
  t.field({
    type: PanelUsageUpdate,
    deprecationReason: 'Use panelUsageChanged (2026-12).',
    description: "Each panel's usage today at once, then whenever it changes, at most once a second per panel (and at local midnight).",
    args: { panelId: t.arg.id({ required: false }) },
    subscribe: (_root, { panelId }, { services, viewer }) => services.live.todayUsage(panelId == null ? null : new Set([String(panelId)]), viewer.panels),
    resolve: (update) => update,
  }),
);
