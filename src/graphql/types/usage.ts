import type {
  DailyUsage as DailyUsageShape,
  MonthlySummary as MonthlySummaryShape,
  MonthlyUsage as MonthlyUsageShape,
  Usage as UsageShape,
  YearlySummary as YearlySummaryShape,
} from '../../models/usage.js';
import { builder } from '../builder.js';

export const Usage = builder.objectRef<UsageShape>('Usage').implement({
  description: 'Energy used and what it costs.',
  fields: (t) => ({
    energyKwh: t.exposeFloat('energyKwh', { description: 'kWh, rounded to 3 decimals.' }),
    cost: t.exposeFloat('cost', { description: 'Rupiah, rounded to 2 decimals.' }),
  }),
});

const DailyUsage = builder.objectRef<DailyUsageShape>('DailyUsage').implement({
  fields: (t) => ({
    date: t.expose('date', { type: 'Date' }),
    energyKwh: t.exposeFloat('energyKwh'),
    cost: t.exposeFloat('cost'),
  }),
});

const MonthlyUsage = builder.objectRef<MonthlyUsageShape>('MonthlyUsage').implement({
  fields: (t) => ({
    month: t.exposeInt('month', { description: '1-12.' }),
    energyKwh: t.exposeFloat('energyKwh'),
    cost: t.exposeFloat('cost'),
  }),
});

const MonthlySummary = builder.objectRef<MonthlySummaryShape>('MonthlySummary').implement({
  fields: (t) => ({
    year: t.exposeInt('year'),
    month: t.exposeInt('month'),
    panelId: t.exposeID('panelId', { nullable: true, description: 'null: the whole building.' }),
    total: t.expose('total', { type: Usage }),
    days: t.expose('days', { type: [DailyUsage], description: 'Every day of the month, zero when there was no use.' }),
  }),
});

const YearlySummary = builder.objectRef<YearlySummaryShape>('YearlySummary').implement({
  fields: (t) => ({
    year: t.exposeInt('year'),
    panelId: t.exposeID('panelId', { nullable: true, description: 'null: the whole building.' }),
    total: t.expose('total', { type: Usage }),
    months: t.expose('months', { type: [MonthlyUsage], description: 'All twelve months.' }),
  }),
});

builder.queryFields((t) => ({
  monthlySummary: t.field({
    type: MonthlySummary,
    description: 'Energy and cost per day of a month in the site timezone, for one panel or the whole building.',
    args: { year: t.arg.int({ required: true }), month: t.arg.int({ required: true }), panelId: t.arg.id({ required: false }) },
    resolve: (_root, { year, month, panelId }, { services }) =>
      services.panels.monthlySummary(year, month, panelId == null ? null : String(panelId)),
  }),
  yearlySummary: t.field({
    type: YearlySummary,
    description: 'Energy and cost per month of a year in the site timezone, for one panel or the whole building.',
    args: { year: t.arg.int({ required: true }), panelId: t.arg.id({ required: false }) },
    resolve: (_root, { year, panelId }, { services }) => services.panels.yearlySummary(year, panelId == null ? null : String(panelId)),
  }),
}));
