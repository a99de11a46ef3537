import { PANEL_STATUSES } from '../../models/panel-status.js';
import type { PanelRecord } from '../../models/reading.js';
import type { HistoryPoint as HistoryPointShape, Usage as UsageShape } from '../../models/usage.js';
import { builder } from '../builder.js';
import { globalId, localKey, Node } from './node.js';
import { Money } from './money.js';
import { Reading } from './reading.js';
import { Usage } from './usage.js';

export const PanelStatus = builder.enumType('PanelStatus', {
  description: 'ONLINE while the newest reading is within OFFLINE_AFTER of now.',
  values: PANEL_STATUSES,
});

const HistoryPoint = builder.objectRef<HistoryPointShape>('HistoryPoint').implement({
  description: 'One window of a panel\'s history: energy counted by the counting rule, instantaneous values averaged.',
  fields: (t) => ({
    start: t.expose('start', { type: 'DateTime' }),
    end: t.expose('end', { type: 'DateTime', description: 'Exclusive; the last window ends at `to`.' }),
    energyKwh: t.exposeFloat('energyKwh', { description: 'kWh used in the window, rounded to 3 decimals.' }),
    cost: t.expose('cost', { type: Money, description: 'At the tariff in force, rounded to 2 decimals.' }),
    readingCount: t.exposeInt('readingCount'),
    activePowerKw: t.exposeFloat('activePowerKw', { nullable: true, description: 'Average kW (3 decimals); null without readings.' }),
    voltage: t.exposeFloat('voltage', { nullable: true, description: 'Average of the phase-average voltage, V (2 decimals).' }),
    current: t.exposeFloat('current', { nullable: true, description: 'Average of the phase-average current, A (2 decimals).' }),
    powerFactor: t.exposeFloat('powerFactor', { nullable: true, description: 'Average power factor (3 decimals).' }),
  }),
});

export const Panel = builder.objectRef<PanelRecord>('Panel').implement({
  description: 'An electrical panel with a power meter.',
  interfaces: [Node],
  fields: (t) => ({
    id: t.id({ description: 'The global id (Node): the panel id itself, unique across types (docs/api.md, Identity).', resolve: (panel) => globalId('Panel', panel.id) }),
    panelId: t.exposeID('id', { description: 'The panel id: what every `panelId` argument takes, the meter topic and the export name.' }),
    name: t.string({ resolve: (panel, _args, { services }) => services.panels.name(panel.id) }),
    status: t.field({ type: PanelStatus, resolve: (panel, _args, { services }) => services.panels.status(panel.id) }),
    firstSeenAt: t.expose('firstSeenAt', { type: 'DateTime' }),
    lastSeenAt: t.expose('lastSeenAt', {
      type: 'DateTime',
      nullable: true,
      description: 'Meter time of the newest reading.',
    }),
    latestReading: t.field({
      type: Reading,
      nullable: true,
      resolve: (panel, _args, { services }) => services.panels.latest(panel.id),
    }),
    todayUsage: t.loadable({
      type: Usage,
      nullable: true,
      description: "Energy and cost from local midnight until now (today's bill so far); null with an error while it cannot be computed.",
      // Batched: every panel of the operation is read from the in-memory energy ledger in one call
      // (after it has settled every stored reading), not one call per panel.
      load: async (panelIds: string[], { services }): Promise<UsageShape[]> => {
        const usage = await services.energy.todayUsage(panelIds);
        return panelIds.map((id) => usage.get(id)!);
      },
      resolve: (panel) => panel.id,
    }),
    readings: t.field({
      type: [Reading],
      nullable: true,
      description: 'History, oldest first: raw, or one point per `every` (e.g. "1m", "15m", "1h", "1d") with instantaneous values averaged and the last kWh of each window. At most 5,000 points.',
      args: {
        from: t.arg({ type: 'DateTime', required: true }),
        to: t.arg({ type: 'DateTime', required: true }),
        every: t.arg.string({ required: false }),
      },
      resolve: (panel, { from, to, every }, { services }) => services.history.readings(panel.id, from, to, every),
    }),
    history: t.field({
      type: [HistoryPoint],
      nullable: true,
      description:
        'Every window of `every` ("15m", "1h", "1d"...) from `from` to `to`, zero-filled: the energy and cost used in the window (by the counting rule) and the averages of its readings. At most 5,000 windows.',
      args: {
        from: t.arg({ type: 'DateTime', required: true }),
        to: t.arg({ type: 'DateTime', required: true }),
        every: t.arg.string({ required: true }),
      },
      resolve: (panel, { from, to, every }, { services }) => services.history.history(panel.id, from, to, every),
    }),
  }),
});

builder.queryFields((t) => ({
  panels: t.field({
    type: [Panel],
    nullable: true,
    description: 'Every panel ever seen, sorted by id; hidden and retired ones only when asked for.',
    args: {
      includeHidden: t.arg.boolean({ required: false, defaultValue: false }),
      includeRetired: t.arg.boolean({ required: false, defaultValue: false, description: 'Retired panels are read from the store (slower).' }),
    },
    resolve: (_root, { includeHidden, includeRetired }, { services, viewer }) =>
      services.panels.listing(viewer.panels, { includeHidden: includeHidden === true, includeRetired: includeRetired === true }),
  }),
  panel: t.field({
    type: Panel,
    nullable: true,
    description: 'By panel id (Panel.id and Panel.panelId are the same); null with an error UNKNOWN_PANEL when the caller sees no such panel.',
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, { services, viewer }) => services.panels.visible(localKey('Panel', String(id)) ?? String(id), viewer.panels),
  }),
}));
