import { PANEL_STATUSES } from '../../models/panel-status.js';
import type { PanelRecord } from '../../models/reading.js';
import { builder } from '../builder.js';
import { globalId, localKey, Node } from './node.js';
import { connectionType, decodeListCursor, encodeListCursor, pageOf, pageSize } from './common.js';
import { Reading } from './reading.js';
import { Usage } from './usage.js';

export const PanelStatus = builder.enumType('PanelStatus', {
  description: 'ONLINE while the newest reading is within OFFLINE_AFTER of now.',
  values: PANEL_STATUSES,
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
    todayUsage: t.field({
      type: Usage,
      nullable: true,
      description: "Energy and cost from local midnight until now (today's bill so far); null with an error while it cannot be computed.",
      // From the in-memory energy ledger, kept per panel until its day changes: synchronous once the
      // panel's stored readings are settled, so the dashboard's 1,000 cards need no loader or promise each.
      resolve: (panel, _args, { services }) => services.energy.todayUsageOf(panel.id),
    }),
  }),
});

/** Largest page of `panels`: a 1,000-panel site's dashboard in one page. */
export const MAX_PANELS_PAGE = 1_000;

const PanelConnection = connectionType('Panel', Panel, 'A page of panels, sorted by id.', 'How many panels match the filter (every page).');

builder.queryFields((t) => ({
  panels: t.field({
    type: PanelConnection,
    nullable: true,
    description:
      `The panels the caller sees, sorted by id, page by page (at most ${MAX_PANELS_PAGE.toLocaleString('en')}, the default): hidden and ` +
      'retired ones only when asked for; `status` and `search` (part of the id or the name, any case) narrow the list.',
    args: {
      includeHidden: t.arg.boolean({ required: false, defaultValue: false }),
      includeRetired: t.arg.boolean({ required: false, defaultValue: false, description: 'Retired panels are read from the store (slower).' }),
      status: t.arg({ type: PanelStatus, required: false, description: 'Only panels with this status now.' }),
      search: t.arg.string({ required: false, description: 'Only panels whose id or name contains this text (any case).' }),
      first: t.arg.int({ required: false, description: `Page size, at most ${MAX_PANELS_PAGE.toLocaleString('en')} (the default).` }),
      after: t.arg.string({ required: false, description: 'The endCursor of the previous page.' }),
    },
    resolve: async (_root, args, { services, viewer }) => {
      const n = pageSize(args.first, MAX_PANELS_PAGE, MAX_PANELS_PAGE);
      const after = args.after == null ? null : decodeListCursor('panels', args.after);
      const listed = await services.panels.listing(viewer.panels, { includeHidden: args.includeHidden === true, includeRetired: args.includeRetired === true });
      const search = args.search?.trim().toLowerCase() ?? '';
      const matching = listed.filter(
        (panel) =>
          (args.status == null || services.panels.status(panel.id) === args.status) &&
          (search === '' || panel.id.toLowerCase().includes(search) || services.panels.name(panel.id).toLowerCase().includes(search)),
      );
      // Sorted by id: a cursor (the last id shown) stays valid when panels are added or retired.
      return pageOf(matching, { first: n, after, follows: (panel, id) => panel.id > id, cursor: (panel) => encodeListCursor('panels', panel.id) });
    },
  }),
  panel: t.field({
    type: Panel,
    nullable: true,
    description: 'By panel id (Panel.id and Panel.panelId are the same); null with an error UNKNOWN_PANEL when the caller sees no such panel.',
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, { services, viewer }) => services.panels.visible(localKey('Panel', String(id)) ?? String(id), viewer.panels),
  }),
}));
