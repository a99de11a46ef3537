import { moneyAmount } from '../../models/money.js';
import {
  BILL_LINE_KINDS,
  type Bill as BillShape,
  type BillLine as BillLineShape,
  type BillProjection as BillProjectionShape,
} from '../../models/bill.js';
import { round } from '../../services/rounding.js';
import { builder } from '../builder.js';
import { Money } from './money.js';
import { TariffPlanVersion } from './tariff.js';
import { BlockUsage, TariffBlock } from './usage.js';

const BillLineKind = builder.enumType('BillLineKind', {
  description: 'ENERGY per tariff block; REACTIVE excess reactive energy; MINIMUM_TOP_UP the minimum charge (hours × connected kVA at the base rate) less the energy charged; TAX the street-lighting tax.',
  values: BILL_LINE_KINDS,
});

/**
 * Typed bill lines (issue 23): each kind has the fields that mean one thing for it, so that `rate`
 * is always money per unit and a tax is a percentage of a base, never a "rate" in Rupiah per Rupiah.
 */
const BillLine = builder.interfaceRef<BillLineShape>('BillLine').implement({
  description: 'One line of a bill. Amounts are rounded so that the lines add up to the total; on a charge line quantity × rate = amount, within rounding.',
  resolveType: (line) => LINE_TYPES[line.kind],
  fields: (t) => ({
    kind: t.field({ type: BillLineKind, resolve: (line) => line.kind }),
    description: t.exposeString('description'),
    amount: t.field({ type: Money, description: '2 decimals.', resolve: (parent) => moneyAmount(parent.amount) }),
    planEffectiveFrom: t.expose('planEffectiveFrom', { type: 'Date', description: 'The plan version that priced this line.' }),
  }),
});

const LINE_TYPES = {
  ENERGY: 'EnergyChargeLine',
  REACTIVE: 'ReactiveChargeLine',
  MINIMUM_TOP_UP: 'MinimumChargeLine',
  TAX: 'TaxLine',
} as const satisfies Record<BillLineShape['kind'], string>;

builder.objectRef<BillLineShape>(LINE_TYPES.ENERGY).implement({
  description: 'Energy of one tariff block at its rate.',
  interfaces: [BillLine],
  fields: (t) => ({
    block: t.field({ type: TariffBlock, resolve: (line) => line.block ?? 'FLAT' }),
    quantityKwh: t.exposeFloat('quantity', { description: 'kWh (3 decimals).' }),
    rate: t.field({ type: Money, description: 'Per kWh.', resolve: (parent) => moneyAmount(parent.rate) }),
  }),
});

builder.objectRef<BillLineShape>(LINE_TYPES.REACTIVE).implement({
  description: 'Excess reactive energy (above 0.62 × kWh when the average power factor is under 0.85) at the reactive rate.',
  interfaces: [BillLine],
  fields: (t) => ({
    quantityKvarh: t.exposeFloat('quantity', { description: 'kVArh (3 decimals).' }),
    rate: t.field({ type: Money, description: 'Per kVArh.', resolve: (parent) => moneyAmount(parent.rate) }),
  }),
});

builder.objectRef<BillLineShape>(LINE_TYPES.MINIMUM_TOP_UP).implement({
  description: 'The minimum bill (hours × connected kVA, as kWh at the base rate) less the energy already charged.',
  interfaces: [BillLine],
  fields: (t) => ({
    quantityKwh: t.exposeFloat('quantity', {
      // Issue 25 point 6: "the minimum not used" read as (minimum kWh − kWh used), the README's wrong rule.
      description:
        'kWh at the base rate that make up the top-up: the top-up ÷ the base rate (3 decimals). With peak energy this is not the minimum kWh less the kWh used: peak kWh already cost more than the base rate.',
    }),
    rate: t.field({ type: Money, description: 'Per kWh (the base rate).', resolve: (parent) => moneyAmount(parent.rate) }),
  }),
});

builder.objectRef<BillLineShape>(LINE_TYPES.TAX).implement({
  description: 'The street-lighting tax (PPJ/PBJT): a percentage of everything before it.',
  interfaces: [BillLine],
  fields: (t) => ({
    base: t.field({ type: Money, description: 'What the tax is a percentage of: the subtotal.', resolve: (parent) => moneyAmount(parent.quantity) }),
    // The model keeps the tax as a fraction (0.1); 6 decimals drop binary noise such as 10.000000000000002.
    ratePercent: t.float({ description: 'Percent of `base`: 10 means 10 %.', resolve: (line) => round(line.rate * 100, 6) }),
  }),
});

export const Bill = builder.objectRef<BillShape>('Bill').implement({
  description:
    "A month's bill as PLN computes it. The building's bill is computed on the building's totals (as PLN meters the connection), not as the sum of the panels' bills.",
  fields: (t) => ({
    year: t.exposeInt('year', { description: 'Calendar year.' }),
    month: t.exposeInt('month', { description: 'Calendar month, 1-12.' }),
    panelId: t.exposeID('panelId', { nullable: true, description: 'null: the whole building.' }),
    from: t.expose('from', { type: 'Date', description: 'First local date of the month, inclusive.' }),
    to: t.expose('to', {
      type: 'Date',
      description:
        'Last local date of the month, inclusive: a whole day (a Date), unlike the `to` of readings and history, an exclusive instant (a DateTime). ' +
        'The month is the local days from `from` to `to`, both counted.',
    }),
    complete: t.exposeBoolean('complete', { description: 'False while the month is still running.' }),
    energyKwh: t.exposeFloat('energyKwh', { description: 'kWh (3 decimals).' }),
    blocks: t.expose('blocks', { type: [BlockUsage], description: 'kWh and cost per tariff block.' }),
    reactiveKvarh: t.exposeFloat('reactiveKvarh', { description: 'kVArh of the month (3 decimals).' }),
    reactiveEstimated: t.exposeBoolean('reactiveEstimated', {
      description: 'True when (part of) the reactive energy is estimated from kW and power factor: the meters sent no kVArh counter.',
    }),
    averagePowerFactor: t.exposeFloat('averagePowerFactor', { nullable: true, description: 'kWh / √(kWh² + kVArh²) (4 decimals).' }),
    lines: t.expose('lines', { type: [BillLine] }),
    subtotal: t.field({ type: Money, description: 'Before tax.', resolve: (parent) => moneyAmount(parent.subtotal) }),
    tax: t.field({ type: Money, resolve: (parent) => moneyAmount(parent.tax) }),
    total: t.field({ type: Money, description: 'subtotal + tax, the sum of the lines.', resolve: (parent) => moneyAmount(parent.total) }),
    planVersions: t.expose('planVersions', { type: [TariffPlanVersion], description: 'The plan versions in force during the month.' }),
  }),
});

export const BillProjection = builder.objectRef<BillProjectionShape>('BillProjection').implement({
  description: 'This month so far, and its projection to the end of the month.',
  fields: (t) => ({
    monthToDate: t.expose('monthToDate', { type: Bill }),
    projectedTotal: t.field({ type: Money, description: 'If the rest of the month uses energy as the elapsed part did.', resolve: (parent) => moneyAmount(parent.projectedTotal) }),
    projectedEnergyKwh: t.exposeFloat('projectedEnergyKwh', { description: 'kWh, likewise.' }),
    elapsedFraction: t.exposeFloat('elapsedFraction', { description: 'How much of the month has elapsed, a unitless ratio 0-1.' }),
  }),
});

builder.queryFields((t) => ({
  monthlyBill: t.field({
    type: Bill,
    nullable: true,
    description: "A month's bill, for one panel or the building (panelId omitted).",
    args: { year: t.arg.int({ required: true }), month: t.arg.int({ required: true }), panelId: t.arg.id({ required: false }) },
    resolve: (_root, { year, month, panelId }, { services, viewer }) => {
      const id = panelId == null ? null : String(panelId);
      return services.bills.monthlyBill(year, month, services.panels.scope(id, viewer.panels), id);
    },
  }),
  currentBill: t.field({
    type: BillProjection,
    nullable: true,
    description: "This month's bill until now and its projected total (the dashboard's header).",
    args: { panelId: t.arg.id({ required: false }) },
    resolve: (_root, { panelId }, { services, viewer }) => {
      const id = panelId == null ? null : String(panelId);
      return services.bills.currentBill(services.panels.scope(id, viewer.panels), id);
    },
  }),
}));
