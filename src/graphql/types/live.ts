import type { PanelStatusChange as PanelStatusChangeShape } from '../../models/panel-status.js';
import type { Reading as ReadingShape } from '../../models/reading.js';
import type { Overview as OverviewShape, PanelUsageUpdate as PanelUsageShape } from '../../models/usage.js';
import type { LiveEvent, PanelFilter } from '../../services/live-updates.js';
import { builder } from '../builder.js';
import type { Context } from '../context.js';
import { Overview } from './overview.js';
import { Panel, PanelStatus } from './panel.js';
import { Reading } from './reading.js';
import { Usage } from './usage.js';

/** The date every event subscription below was introduced, for the deprecation reasons. */
const SINCE = '2026-12';

const INITIAL_DESCRIPTION = 'Part of the current state, sent first when the subscription starts; false on a change that happened since.';
const PANEL_IDS_DESCRIPTION =
  "Only these panels (within the caller's; an unknown one ends the subscription with UNKNOWN_PANEL, as a query's panelId does); omitted: every panel the caller sees but hidden ones.";

/**
 * The panels a subscription asked for, each checked as a query checks its panelId: one the caller
 * does not see ends the subscription at once with UNKNOWN_PANEL instead of waiting silently.
 */
export function checkedPanelIds(panelIds: ReadonlyArray<string | number> | null | undefined, { services, viewer }: Context): PanelFilter {
  if (panelIds == null) return null;
  const ids = new Set(panelIds.map(String));
  for (const id of ids) services.panels.visible(id, viewer.panels);
  return ids;
}

/** The panel an event is about, as the caller sees it now (the stream only carries its id). */
const panelOf = (panelId: string, { services, viewer }: Context) => services.panels.visible(panelId, viewer.panels);

const PanelReadingChange = builder.objectRef<LiveEvent<ReadingShape>>('PanelReadingChange').implement({
  description: 'A reading stored for a panel, with the panel as it is now.',
  fields: (t) => ({
    initial: t.exposeBoolean('initial', { description: `${INITIAL_DESCRIPTION} The initial events are each panel's newest reading.` }),
    panel: t.field({ type: Panel, resolve: (event, _args, context) => panelOf(event.panelId, context) }),
    reading: t.field({ type: Reading, resolve: (event) => event }),
  }),
});

export const PanelStatusChange = builder.objectRef<LiveEvent<PanelStatusChangeShape>>('PanelStatusChange').implement({
  description: "A panel's status changed (ONLINE or OFFLINE), with the panel as it is now.",
  fields: (t) => ({
    initial: t.exposeBoolean('initial', { description: `${INITIAL_DESCRIPTION} The initial events are each panel's status now.` }),
    panel: t.field({ type: Panel, resolve: (event, _args, context) => panelOf(event.panelId, context) }),
    panelId: t.exposeID('panelId', { deprecationReason: `Use panel { panelId } (${SINCE}).` }),
    status: t.field({ type: PanelStatus, resolve: (change) => change.status }),
    at: t.expose('at', { type: 'DateTime', description: 'When the change happened: the reading time that revived the panel, or the instant it timed out.' }),
  }),
});

const PanelUsageChange = builder.objectRef<LiveEvent<PanelUsageShape>>('PanelUsageChange').implement({
  description: "A panel's usage today changed, with the panel as it is now.",
  fields: (t) => ({
    initial: t.exposeBoolean('initial', { description: `${INITIAL_DESCRIPTION} The initial events are each panel's usage today until now.` }),
    panel: t.field({ type: Panel, resolve: (event, _args, context) => panelOf(event.panelId, context) }),
    date: t.expose('date', { type: 'Date', description: 'The local date `today` covers.' }),
    today: t.expose('today', { type: Usage, description: 'Local midnight until now.' }),
    at: t.expose('at', { type: 'DateTime', description: 'When it was computed.' }),
  }),
});

const OverviewChange = builder.objectRef<LiveEvent<OverviewShape>>('OverviewChange').implement({
  description: "The building's overview changed.",
  fields: (t) => ({
    initial: t.exposeBoolean('initial', { description: `${INITIAL_DESCRIPTION} The initial event is the overview now.` }),
    overview: t.field({ type: Overview, resolve: (event) => event }),
  }),
});

builder.subscriptionFields((t) => ({
  panelReadingChanged: t.field({
    type: PanelReadingChange,
    description: "Each panel's newest reading at once (initial: true), then every reading as soon as it is stored.",
    args: { panelIds: t.arg.idList({ required: false, description: PANEL_IDS_DESCRIPTION }) },
    subscribe: (_root, { panelIds }, context) => context.services.live.readings(checkedPanelIds(panelIds, context), context.viewer.panels),
    resolve: (event) => event,
  }),
  panelStatusChanged: t.field({
    type: PanelStatusChange,
    description: "Each panel's status at once (initial: true), then every change to ONLINE or OFFLINE (announced by a timer at the exact threshold).",
    args: {
      panelIds: t.arg.idList({ required: false, description: PANEL_IDS_DESCRIPTION }),
      panelId: t.arg.id({ required: false, deprecationReason: `Use panelIds (${SINCE}); an unknown panelId waits silently for the panel.` }),
    },
    subscribe: (_root, { panelIds, panelId }, context) =>
      context.services.live.statuses(panelId != null && panelIds == null ? new Set([String(panelId)]) : checkedPanelIds(panelIds, context), context.viewer.panels),
    resolve: (event) => event,
  }),
  panelUsageChanged: t.field({
    type: PanelUsageChange,
    description: "Each panel's usage today at once (initial: true), then whenever it changes, at most once a second per panel (and at local midnight).",
    args: { panelIds: t.arg.idList({ required: false, description: PANEL_IDS_DESCRIPTION }) },
    subscribe: (_root, { panelIds }, context) => context.services.live.todayUsage(checkedPanelIds(panelIds, context), context.viewer.panels),
    resolve: (event) => event,
  }),
  overviewChanged: t.field({
    type: OverviewChange,
    description: "The building's overview at once (initial: true), then whenever it changes (a reading, a status), at most once a second.",
    subscribe: (_root, _args, { services, viewer }) => services.live.overview(viewer.panels),
    resolve: (event) => event,
  }),
}));
