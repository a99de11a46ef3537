import type { Emissions as EmissionsShape, EmissionFactorView } from '../../models/emission-factor.js';
import type { EmissionFactors as EmissionFactorsShape } from '../../services/emissions/emission-service.js';
import { builder } from '../builder.js';
import { Bill } from './bill.js';
import { DailyUsage, MonthlyUsage, Usage } from './usage.js';

/**
 * CO₂ (issue 25): the grid emission factor's versions, the admin mutation that records one, and
 * the emissions next to every energy figure of a day, month and year (Usage, DailyUsage,
 * MonthlyUsage, Bill). Computed in services/energy/amount.ts and services/emissions/.
 */

export const EmissionFactorVersion = builder.objectRef<EmissionFactorView>('EmissionFactorVersion').implement({
  description:
    'One version of the grid emission factor. A version applies from its date until the next one; recording one never changes emissions already reported.',
  fields: (t) => ({
    effectiveFrom: t.expose('effectiveFrom', { type: 'Date', description: 'Local date; the first version also covers every earlier day.' }),
    tonnesCo2ePerMwh: t.exposeFloat('tonnesCo2ePerMwh', { description: 't CO₂e per MWh, the same number as kg CO₂e per kWh.' }),
    source: t.exposeString('source', { description: 'Where the figure comes from.' }),
    recordedAt: t.expose('recordedAt', { type: 'DateTime' }),
    recordedBy: t.exposeString('recordedBy', { description: '"default" for the built-in factor, else who recorded it.' }),
  }),
});

export const Emissions = builder.objectRef<EmissionsShape>('Emissions').implement({
  description: "The greenhouse gas emissions of an energy figure: each day's kWh × the grid emission factor in force that day.",
  fields: (t) => ({
    co2eKg: t.exposeFloat('co2eKg', { description: 'kg CO₂e, rounded to 3 decimals.' }),
    factors: t.expose('factors', {
      type: [EmissionFactorVersion],
      description: "The factor versions in force on the figure's days, oldest first: more than one when the period spans a change of factor.",
    }),
  }),
});

export const EmissionFactors = builder.objectRef<EmissionFactorsShape>('EmissionFactors').implement({
  fields: (t) => ({
    current: t.expose('current', { type: EmissionFactorVersion, description: 'The factor in force today.' }),
    versions: t.expose('versions', { type: [EmissionFactorVersion], description: 'Every version, oldest first.' }),
  }),
});

for (const ref of [Usage, DailyUsage, MonthlyUsage] as const) {
  builder.objectField(ref, 'emissions', (t) =>
    t.field({
      type: Emissions,
      nullable: true,
      description: 'kg CO₂e of the energy and the emission factors used (null only for a figure that is not of whole days).',
      resolve: (usage) => usage.emissions,
    }),
  );
}

builder.objectField(Bill, 'emissions', (t) =>
  t.field({
    type: Emissions,
    nullable: true,
    description: "kg CO₂e of the month's energy and the emission factors used (null with an error when it cannot be computed).",
    resolve: (bill, _args, { services, viewer }) => services.emissions.month(bill.year, bill.month, services.panels.scope(bill.panelId, viewer.panels)),
  }),
);

builder.queryField('emissionFactors', (t) =>
  t.field({
    type: EmissionFactors,
    deprecationReason: 'Use site { emissionFactors } (2026-12).',
    description: 'The grid emission factor (kg CO₂e per kWh) and its history.',
    resolve: (_root, _args, { services }) => services.emissions.factors(),
  }),
);

builder.mutationField('setEmissionFactor', (t) =>
  t.field({
    type: EmissionFactorVersion,
    // The factor applies to every panel: a caller limited to some panels may not change it.
    authScopes: { $all: { admin: true, allPanels: true } },
    description:
      'Records a grid emission factor version from a local date (tomorrow at the earliest), with its source, in the admin record: ' +
      'emissions already reported keep their factor. Needs an admin without a panel limit.',
    args: {
      effectiveFrom: t.arg({ type: 'Date', required: true }),
      tonnesCo2ePerMwh: t.arg.float({ required: true, description: 't CO₂e per MWh (= kg CO₂e per kWh), 0-2.' }),
      source: t.arg.string({ required: true, description: 'Where the figure comes from (a publication and its year), 1-300 characters.' }),
    },
    resolve: (_root, { effectiveFrom, tonnesCo2ePerMwh, source }, { services, viewer }) =>
      services.emissions.record(viewer.name, effectiveFrom, tonnesCo2ePerMwh, source),
  }),
);
