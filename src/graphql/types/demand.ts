import type { DemandPeak as DemandPeakShape, PeakDemand as PeakDemandShape } from '../../models/insights.js';
import { checkMonth, checkYear } from '../../services/energy/energy-service.js';
import { builder } from '../builder.js';

const DemandPeak = builder.objectRef<DemandPeakShape>('DemandPeak').implement({
  description: "One 15-minute window's demand: average power over a local quarter hour, from the energy counter's increase (docs/demand.md).",
  fields: (t) => ({
    start: t.expose('start', { type: 'DateTime', description: "The window's start, a local quarter hour (:00, :15, :30, :45)." }),
    kw: t.exposeFloat('kw', { description: 'Average active power over the window, kW (3 decimals): counted kWh over the time the counted steps span.' }),
    kva: t.exposeFloat('kva', {
      description:
        'Average apparent power over the window, kVA (3 decimals). Meters send no apparent energy counter: it is kW and the reactive power estimated from each step\'s power factor (kWh × tan φ), added as vectors; a step without a power factor counts as 1.',
    }),
    complete: t.exposeBoolean('complete', { description: 'Whether every panel with readings in the period was fully measured in this window.' }),
  }),
});

export const PeakDemand = builder.objectRef<PeakDemandShape>('PeakDemand');

PeakDemand.implement({
  description:
    'The highest 15-minute demand of a period. For the building the windows of its panels are added up first and the peak taken of the sum (coincident demand), not the sum of the panels\' own peaks.',
  fields: (t) => ({
    panelId: t.exposeID('panelId', { nullable: true, description: 'null: the whole building.' }),
    firstDay: t.expose('firstDay', { type: 'Date' }),
    lastDay: t.expose('lastDay', { type: 'Date' }),
    peak: t.expose('peak', { type: DemandPeak, nullable: true, description: 'The window with the highest kW; null when no window had readings.' }),
    apparentPeak: t.expose('apparentPeak', { type: DemandPeak, nullable: true, description: 'The window with the highest kVA (may be another window than `peak`).' }),
    windowsExpected: t.exposeInt('windowsExpected', { description: 'Windows of the period that have ended by now (96 a day).' }),
    windowsMeasured: t.exposeInt('windowsMeasured', { description: 'How many windows have readings of at least one panel (a count).' }),
    windowsComplete: t.exposeInt('windowsComplete', {
      description: 'Windows in which every panel with readings in the period was fully measured (its counted steps span the window, within a minute).',
    }),
    parts: t.expose('parts', { type: [PeakDemand], description: "A month's days, or a year's months, each with its own peak; empty for a day." }),
  }),
});

builder.queryFields((t) => ({
  peakDemand: t.field({
    type: PeakDemand,
    nullable: true,
    description: 'Peak demand of a month (with each day) or, without `month`, of a year (with each month), for one panel or the whole building.',
    args: { year: t.arg.int({ required: true }), month: t.arg.int({ required: false }), panelId: t.arg.id({ required: false }) },
    resolve: (_root, { year, month, panelId }, { services, viewer }) => {
      checkYear(year);
      if (month != null) checkMonth(month);
      const id = panelId == null ? null : String(panelId);
      return services.demand.peakDemand(services.panels.scope(id, viewer.panels), id, year, month ?? null);
    },
  }),
}));
