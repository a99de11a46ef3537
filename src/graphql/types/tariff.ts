import { moneyAmount, moneyOrNull } from '../../models/money.js';
import type { BlockRate as BlockRateShape, Tariff as TariffShape, TariffPlanView } from '../../models/tariff.js';
import { builder } from '../builder.js';
import { globalId, Node } from './node.js';
import { Currency, Money } from './money.js';
import { TariffBlock } from './usage.js';

const BlockRate = builder.objectRef<BlockRateShape>('BlockRate').implement({
  description: 'The rate of one tariff block and the local hours it covers.',
  fields: (t) => ({
    block: t.field({ type: TariffBlock, resolve: (rate) => rate.block }),
    ratePerKwh: t.field({ type: Money, description: 'Per kWh.', resolve: (parent) => moneyAmount(parent.ratePerKwh) }),
    hours: t.exposeString('hours', { description: 'Local hours as HH:00-HH:00 (LWBP is the rest of the day).' }),
  }),
});

export const TariffKind = builder.enumType('TariffKind', {
  description: 'FLAT: one rate all day. TIME_OF_USE: LWBP off-peak, WBP = K × LWBP in the peak window.',
  values: ['FLAT', 'TIME_OF_USE'] as const,
});

export const TariffPlanVersion = builder.objectRef<TariffPlanView>('TariffPlanVersion').implement({
  description: 'One version of the tariff plan. A version applies from its date until the next one; recording one never reprices earlier days.',
  interfaces: [Node],
  fields: (t) => ({
    id: t.id({ description: 'The global id (Node); a version is known by its effectiveFrom.', resolve: (version) => globalId('TariffPlanVersion', version.effectiveFrom) }),
    effectiveFrom: t.expose('effectiveFrom', { type: 'Date', description: 'Local date; the first version also covers every earlier day.' }),
    name: t.exposeString('name', { nullable: true }),
    kind: t.field({ type: TariffKind, resolve: (plan) => plan.kind }),
    blocks: t.expose('blocks', { type: [BlockRate] }),
    peakMultiplier: t.exposeFloat('peakMultiplier', { nullable: true, description: 'K, a unitless ratio: WBP rate = K × LWBP rate (time of use only).' }),
    reactiveRatePerKvarh: t.field({
      type: Money,
      nullable: true,
      description: 'Per kVArh of excess reactive energy (above 0.62 × kWh when the average power factor is under 0.85); null: not billed.',
      resolve: (parent) => moneyOrNull(parent.reactiveRatePerKvarh),
    }),
    minimumBillConnectedKva: t.exposeFloat('minimumBillConnectedKva', { nullable: true, description: 'Connected power (kVA) of the minimum bill; null: no minimum.' }),
    minimumBillHours: t.exposeFloat('minimumBillHours', { nullable: true, description: 'Hours of the minimum bill (PLN: 40).' }),
    taxPercent: t.exposeFloat('taxPercent', { description: 'Street-lighting tax (PPJ/PBJT), percent of the bill before tax.' }),
    recordedAt: t.expose('recordedAt', { type: 'DateTime' }),
    recordedBy: t.exposeString('recordedBy', { description: '"configuration" for the plan of the first start, else who recorded it.' }),
  }),
});

export const Tariff = builder.objectRef<TariffShape>('Tariff').implement({
  fields: (t) => ({
    ratePerKwh: t.field({ type: Money, description: "Today's base rate per kWh: the flat rate, or LWBP.", resolve: (parent) => moneyAmount(parent.ratePerKwh) }),
    currency: t.field({ type: Currency, description: 'The currency of every amount.', resolve: () => 'IDR' as const }),
    timezone: t.exposeString('timezone', { description: 'The timezone days, months and tariff hours are counted in.' }),
    current: t.expose('current', { type: TariffPlanVersion, description: 'The plan in force today.' }),
    versions: t.expose('versions', { type: [TariffPlanVersion], description: 'Every version, oldest first.' }),
  }),
});

builder.queryField('tariff', (t) =>
  t.field({ type: Tariff, nullable: true, deprecationReason: 'Use site { tariff } (2026-12).', description: 'The tariff plan and its history.', resolve: (_root, _args, { services }) => services.tariff.current() }),
);
