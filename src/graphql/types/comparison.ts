import { moneyAmount } from '../../models/money.js';
import type { ComparedPeriod as ComparedPeriodShape, ComparedSpan as ComparedSpanShape, Comparison as ComparisonShape, PeriodChange as PeriodChangeShape } from '../../models/comparison.js';
import { builder } from '../builder.js';
import { Bill } from './bill.js';
import { Money } from './money.js';
import { MonthlySummary, YearlySummary } from './usage.js';

/**
 * Comparisons (issue 25): a month's or a year's energy, cost and emissions against the period
 * before and the same period last year, on the summaries and bills (services/comparisons/).
 */

const spanFields = {
  from: { description: 'Start of the span (local midnight of its first day).' },
  to: { description: 'End of the span, exclusive: the end of the period, or (so far) the same day of the period and hour of the day as now.' },
} as const;

const ComparedSpan = builder.objectRef<ComparedSpanShape>('ComparedSpan').implement({
  description: 'The energy of a span of local time.',
  fields: (t) => ({
    from: t.expose('from', { type: 'DateTime', ...spanFields.from }),
    to: t.expose('to', { type: 'DateTime', ...spanFields.to }),
    energyKwh: t.exposeFloat('energyKwh', { description: 'kWh, rounded to 3 decimals.' }),
    cost: t.field({ type: Money, description: 'The energy charge at the tariff in force when the energy was used (before reactive energy, minimum and tax).', resolve: (parent) => moneyAmount(parent.cost) }),
    co2eKg: t.exposeFloat('co2eKg', { description: 'kg CO₂e by the emission factor of each day, 3 decimals.' }),
  }),
});

const PeriodChange = builder.objectRef<PeriodChangeShape>('PeriodChange').implement({
  description: 'This period less the base period (positive: more than the base).',
  fields: (t) => ({
    energyKwh: t.exposeFloat('energyKwh', { description: 'The change in energy used, kWh (3 decimals).' }),
    cost: t.field({ type: Money, resolve: (parent) => moneyAmount(parent.cost) }),
    co2eKg: t.exposeFloat('co2eKg', { description: 'The change in kg CO2e (3 decimals).' }),
    energyPercent: t.exposeFloat('energyPercent', { nullable: true, description: "Percent of the base's energy, 1 decimal; null when the base used nothing." }),
    costPercent: t.exposeFloat('costPercent', { nullable: true, description: "Percent of the base's cost, 1 decimal; null when the base cost nothing." }),
  }),
});

const ComparedPeriod = builder.objectRef<ComparedPeriodShape>('ComparedPeriod').implement({
  description: 'A base period and the change from it.',
  fields: (t) => ({
    from: t.expose('from', { type: 'DateTime', ...spanFields.from }),
    to: t.expose('to', { type: 'DateTime', ...spanFields.to }),
    energyKwh: t.exposeFloat('energyKwh', { description: 'kWh, rounded to 3 decimals.' }),
    cost: t.field({ type: Money, description: 'The energy charge (before reactive energy, minimum and tax).', resolve: (parent) => moneyAmount(parent.cost) }),
    co2eKg: t.exposeFloat('co2eKg', { description: 'kg CO₂e, 3 decimals.' }),
    shortened: t.exposeBoolean('shortened', {
      description: 'True when the base period ran out before the like-for-like instant (29-31 March against February): the whole base period is used.',
    }),
    change: t.expose('change', { type: PeriodChange }),
  }),
});

const Comparison = builder.objectRef<ComparisonShape>('Comparison').implement({
  description:
    'This period against the period before and the same period last year. While the period runs, like for like: every span from its start to the same day of the period and hour of the day as now (the current hour left out until it ends).',
  fields: (t) => ({
    soFar: t.exposeBoolean('soFar', { description: 'True while the period is running.' }),
    current: t.expose('current', { type: ComparedSpan, description: 'This period over the compared span.' }),
    previousPeriod: t.expose('previousPeriod', { type: ComparedPeriod, description: 'The month (or year) before.' }),
    samePeriodLastYear: t.expose('samePeriodLastYear', {
      type: ComparedPeriod,
      description: 'The same month a year earlier; for a year, the year before (the same as previousPeriod).',
    }),
  }),
});

builder.objectField(MonthlySummary, 'comparison', (t) =>
  t.field({
    type: Comparison,
    // Null with an error when it cannot be computed (energy still settling): the rest of the answer stands.
    nullable: true,
    description: 'This month against the month before and the same month last year.',
    resolve: (summary, _args, { services, viewer }) =>
      services.comparisons.month(summary.year, summary.month, services.panels.scope(summary.panelId, viewer.panels)),
  }),
);

builder.objectField(YearlySummary, 'comparison', (t) =>
  t.field({
    type: Comparison,
    // Null with an error when it cannot be computed (energy still settling): the rest of the answer stands.
    nullable: true,
    description: 'This year against the year before.',
    resolve: (summary, _args, { services, viewer }) => services.comparisons.year(summary.year, services.panels.scope(summary.panelId, viewer.panels)),
  }),
);

builder.objectField(Bill, 'comparison', (t) =>
  t.field({
    type: Comparison,
    // Null with an error when it cannot be computed (energy still settling): the rest of the answer stands.
    nullable: true,
    description: "The month's energy and energy charge against the month before and the same month last year (so far: like for like).",
    resolve: (bill, _args, { services, viewer }) => services.comparisons.month(bill.year, bill.month, services.panels.scope(bill.panelId, viewer.panels)),
  }),
);
