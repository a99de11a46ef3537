import { GraphQLError } from 'graphql';
import { Repeater, SlidingBuffer } from 'graphql-yoga';
import { SUBSCRIBER_BUFFER } from '../../pipeline/pubsub.js';
import { ALARM_SEVERITIES, ALARM_STATES, ALARM_TYPES, type Alarm as AlarmShape, type AlarmTransitionKind as TransitionKind } from '../../models/alarm.js';
import type { Alarms } from '../../services/alarms/alarms.js';
import { UserInputError } from '../../services/user-input-error.js';
import { builder } from '../builder.js';
import { checkedPanelIds } from './live.js';
import { globalId, localKey, Node } from './node.js';
import type { Context } from '../context.js';
import { decodeCursor, encodeCursor, PageInfo, UserError, type PageInfoShape, type UserErrorShape } from './common.js';

/** Alarms (docs/alarms.md): the list, one alarm, the badge counts, live changes and acknowledging. */

export const AlarmType = builder.enumType('AlarmType', {
  description:
    'PANEL_OFFLINE: no reading for OFFLINE_AFTER; VOLTAGE_OUT_OF_RANGE: a phase outside 198-231 V; VOLTAGE_UNBALANCE: above 2 %; LOW_POWER_FACTOR: a ' +
    "15-minute power factor below 0.85; DEMAND_HIGH: a 15-minute average kW above the limit; BUDGET: the month over (or projected over) its budget; METER_DATA: a meter's data held back or refused.",
  values: ALARM_TYPES,
});
export const AlarmSeverity = builder.enumType('AlarmSeverity', { description: 'Gravest first.', values: ALARM_SEVERITIES });
export const AlarmState = builder.enumType('AlarmState', {
  description: 'ACTIVE_UNACK → ACTIVE_ACK (acknowledged) → CLEARED_ACK; or ACTIVE_UNACK → CLEARED_UNACK (cleared first) → CLEARED_ACK.',
  values: ALARM_STATES,
});
const TRANSITIONS = ['RAISED', 'WORSENED', 'CLEARED', 'WITHDRAWN', 'ACKNOWLEDGED', 'REMINDER'] as const satisfies readonly TransitionKind[];
export const AlarmTransitionKind = builder.enumType('AlarmTransitionKind', {
  description:
    'What happened to an alarm. WORSENED: a repeat while open (a worse value, a graver severity). WITHDRAWN: a late reading showed the condition did not ' +
    'hold as long as it had seemed; the alarm is gone (the one the readings give, if any, is raised in its place).',
  values: TRANSITIONS,
});

const UNITS = 'The unit is the rule\'s: V (VOLTAGE_OUT_OF_RANGE), % (VOLTAGE_UNBALANCE), power factor 0-1 (LOW_POWER_FACTOR), kW (DEMAND_HIGH), percent of the budget (BUDGET), seconds without a reading (PANEL_OFFLINE threshold), held-back readings (METER_DATA).';

export const Alarm = builder.objectRef<AlarmShape>('Alarm').implement({
  description: 'A condition a rule raised for a panel or for the building. At most one is open per panel (or building) and type; a repeat updates it.',
  interfaces: [Node],
  fields: (t) => ({
    id: t.id({ description: 'The global id (Node).', resolve: (a) => globalId('Alarm', a.id) }),
    alarmId: t.exposeID('id', { description: 'The alarm\'s own id: stable and the same on every process (derived from panel, type and start).' }),
    type: t.field({ type: AlarmType, resolve: (a) => a.type }),
    severity: t.field({ type: AlarmSeverity, description: 'The gravest it reached while open.', resolve: (a) => a.severity }),
    state: t.field({ type: AlarmState, resolve: (a) => a.state }),
    panelId: t.exposeID('panelId', { nullable: true, description: 'null: the building.' }),
    startedAt: t.expose('startedAt', { type: 'DateTime', description: 'Meter time the condition began.' }),
    clearedAt: t.expose('clearedAt', { type: 'DateTime', nullable: true, description: 'Meter time it cleared.' }),
    lastSeenAt: t.expose('lastSeenAt', { type: 'DateTime', description: 'Meter time of the newest trigger.' }),
    acknowledgedAt: t.expose('acknowledgedAt', { type: 'DateTime', nullable: true }),
    acknowledgedBy: t.exposeString('acknowledgedBy', { nullable: true, description: 'The API key or token holder who acknowledged it.' }),
    note: t.exposeString('note', { nullable: true, description: 'The acknowledgement note.' }),
    value: t.exposeFloat('value', { nullable: true, description: `The value that raised it. ${UNITS}` }),
    worstValue: t.exposeFloat('worstValue', { nullable: true, description: `The worst value while open, in the unit of value (the rule's metric: V, A, kW, %...).` }),
    latestValue: t.exposeFloat('latestValue', { nullable: true, description: "The newest value that updated it, in the unit of value (the rule's metric)." }),
    threshold: t.exposeFloat('threshold', { nullable: true, description: "The threshold in force when it was raised, in the unit of value (the rule's metric)." }),
    message: t.exposeString('message', { description: 'What happened, in one line.' }),
    ruleVersion: t.exposeInt('ruleVersion', { description: "How many recorded changes had shaped the rule (0: the defaults)." }),
  }),
});

const AlarmEdge = builder.objectRef<{ cursor: string; node: AlarmShape }>('AlarmEdge').implement({
  fields: (t) => ({ cursor: t.exposeString('cursor'), node: t.field({ type: Alarm, resolve: (edge) => edge.node }) }),
});

const AlarmConnection = builder.objectRef<{ edges: Array<{ cursor: string; node: AlarmShape }>; pageInfo: PageInfoShape; totalCount: number }>('AlarmConnection').implement({
  description: 'A page of alarms, newest first (by start).',
  fields: (t) => ({
    edges: t.field({ type: [AlarmEdge], resolve: (c) => c.edges }),
    pageInfo: t.field({ type: PageInfo, resolve: (c) => c.pageInfo }),
    totalCount: t.exposeInt('totalCount', { description: 'How many alarms match the filter (all pages).' }),
  }),
});

const AlarmFilter = builder.inputType('AlarmFilter', {
  description: 'Every given condition must hold; a list matches any of its values.',
  fields: (t) => ({
    state: t.field({ type: [AlarmState], required: false }),
    severity: t.field({ type: [AlarmSeverity], required: false }),
    type: t.field({ type: [AlarmType], required: false }),
    panelId: t.id({ required: false, description: 'One panel\'s alarms.' }),
    building: t.boolean({ required: false, description: 'true: only the building\'s alarms; false: only panels\'.' }),
    open: t.boolean({ required: false, description: 'true: ACTIVE_*; false: CLEARED_*.' }),
    from: t.field({ type: 'DateTime', required: false, description: 'Started at or after (meter time).' }),
    to: t.field({ type: 'DateTime', required: false, description: 'Started before (meter time, exclusive).' }),
  }),
});

/** The alarm parts, or a clear error when ALARMS=false. */
export function alarmsOf(context: Context): Alarms {
  const alarms = context.services.alarms;
  if (!alarms) throw new GraphQLError('alarms are turned off here (ALARMS=false)', { extensions: { code: 'ALARMS_OFF' } });
  return alarms;
}

/** Largest page. */
const MAX_FIRST = 500;

builder.queryField('alarms', (t) =>
  t.field({
    type: AlarmConnection,
    description: `Alarms the caller sees (its panels'; the building's only without a panel limit), newest first. At most ${MAX_FIRST} per page (default 50). Empty when alarms are off (ALARMS=false).`,
    args: {
      filter: t.arg({ type: AlarmFilter, required: false }),
      first: t.arg.int({ required: false }),
      after: t.arg.string({ required: false, description: 'The endCursor of the previous page.' }),
    },
    resolve: (_root, { filter, first, after }, context) => {
      const n = first ?? 50;
      if (!Number.isInteger(n) || n < 0 || n > MAX_FIRST) throw new UserInputError('LIMIT_OUT_OF_RANGE', `first must be 0-${MAX_FIRST}`, { maximum: MAX_FIRST });
      const position = after == null ? null : decodeCursor(after);
      if (after != null && position === null) throw new UserInputError('INVALID_CURSOR', 'after: not a cursor of this list');
      const states = filter?.state ? new Set<string>(filter.state) : null;
      const severities = filter?.severity ? new Set<string>(filter.severity) : null;
      const types = filter?.type ? new Set<string>(filter.type) : null;
      const panelId = filter?.panelId == null ? null : String(filter.panelId);
      const from = filter?.from?.getTime() ?? Number.NEGATIVE_INFINITY;
      const to = filter?.to?.getTime() ?? Number.POSITIVE_INFINITY;
      const all = context.services.alarms?.service.list(context.viewer.panels) ?? [];
      const matching = all.filter(
          (a) =>
            (states === null || states.has(a.state)) &&
            (severities === null || severities.has(a.severity)) &&
            (types === null || types.has(a.type)) &&
            (panelId === null || a.panelId === panelId) &&
            (filter?.building == null || filter.building === (a.panelId === null)) &&
            (filter?.open == null || filter.open === a.state.startsWith('ACTIVE')) &&
            a.startedAt.getTime() >= from &&
            a.startedAt.getTime() < to,
        );
      let start = 0;
      if (position) {
        // Newest first: skip to the first alarm after the cursor's (started earlier, or same time and smaller id).
        while (start < matching.length) {
          const a = matching[start]!;
          const t0 = a.startedAt.getTime();
          if (t0 < position.timeMs || (t0 === position.timeMs && a.id < position.id)) break;
          start++;
        }
      }
      const page = matching.slice(start, start + n);
      const edges = page.map((node) => ({ cursor: encodeCursor(node.startedAt.getTime(), node.id), node }));
      return { edges, pageInfo: { hasNextPage: start + n < matching.length, endCursor: edges.at(-1)?.cursor ?? null }, totalCount: matching.length };
    },
  }),
);

builder.queryField('alarm', (t) =>
  t.field({
    type: Alarm,
    nullable: true,
    description: 'One alarm by Alarm.id (or, for one release, Alarm.alarmId), or null when there is none among those the caller sees.',
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, context) => alarmsOf(context).service.get(localKey('Alarm', String(id)) ?? '', context.viewer.panels),
  }),
);

const SeverityCount = builder.objectRef<{ severity: (typeof ALARM_SEVERITIES)[number]; count: number }>('AlarmSeverityCount').implement({
  fields: (t) => ({ severity: t.field({ type: AlarmSeverity, resolve: (c) => c.severity }), count: t.exposeInt('count', { description: 'How many open alarms have this severity (a count).' }) }),
});

const AlarmCounts = builder.objectRef<{ open: number; unacknowledged: number; bySeverity: Record<(typeof ALARM_SEVERITIES)[number], number> }>('AlarmCounts').implement({
  description: 'For a header badge: open alarms the caller sees, by severity.',
  fields: (t) => ({
    open: t.exposeInt('open', { description: 'How many alarms are ACTIVE_UNACK or ACTIVE_ACK (a count).' }),
    unacknowledged: t.exposeInt('unacknowledged', { description: 'How many alarms are ACTIVE_UNACK or CLEARED_UNACK (a count).' }),
    bySeverity: t.field({ type: [SeverityCount], description: 'Open alarms per severity, gravest first.', resolve: (c) => ALARM_SEVERITIES.map((severity) => ({ severity, count: c.bySeverity[severity] })) }),
  }),
});

builder.queryField('alarmCounts', (t) =>
  t.field({ type: AlarmCounts, nullable: true, resolve: (_root, _args, context) => alarmsOf(context).service.counts(context.viewer.panels) }),
);

interface AlarmEventShape {
  readonly alarm: AlarmShape;
  readonly transition: TransitionKind | null;
  readonly initial: boolean;
}

const AlarmChange = builder.objectRef<AlarmEventShape>('AlarmChange').implement({
  description: 'An alarm as it is now, and what happened to it.',
  fields: (t) => ({
    alarm: t.field({ type: Alarm, resolve: (e) => e.alarm }),
    transition: t.field({ type: AlarmTransitionKind, nullable: true, description: 'null on the initial snapshot.', resolve: (e) => e.transition }),
    initial: t.exposeBoolean('initial', { description: 'Part of the initial snapshot of open alarms (sent first, before any change).' }),
  }),
});

builder.subscriptionField('alarmChanged', (t) =>
  t.field({
    type: AlarmChange,
    description: "The open alarms the caller sees at once (initial: true), then every change to the caller's alarms.",
    args: {
      panelIds: t.arg.idList({
        required: false,
        description: "Only these panels' alarms (within the caller's; an unknown one ends the subscription with UNKNOWN_PANEL, as a query's panelId does); omitted: all the caller sees.",
      }),
    },
    subscribe: (_root, { panelIds }, context) => {
      const service = alarmsOf(context).service;
      const scope = context.viewer.panels;
      const checked = checkedPanelIds(panelIds, context);
      const wanted = checked ? new Set(checked) : null;
      const sees = (alarm: AlarmShape) =>
        (scope === null || (alarm.panelId !== null && scope.has(alarm.panelId))) && (wanted === null || (alarm.panelId !== null && wanted.has(alarm.panelId)));
      return new Repeater<AlarmEventShape>(async (push, stop) => {
        // Listen first, so nothing between the snapshot and the first change is lost.
        const queued: AlarmEventShape[] = [];
        let snapshotSent = false;
        const unsubscribe = service.onTransition((transition) => {
          if (!sees(transition.alarm)) return;
          const event = { alarm: transition.alarm, transition: transition.kind, initial: false };
          if (snapshotSent) void push(event);
          else queued.push(event);
        });
        for (const alarm of service.openAlarms(scope).filter(sees)) await push({ alarm, transition: null, initial: true });
        snapshotSent = true;
        for (const event of queued) await push(event);
        await stop;
        unsubscribe();
        // A slow client skips to the newest events instead of overflowing (as the pubsub's subscribers do).
      }, new SlidingBuffer(SUBSCRIBER_BUFFER));
    },
    resolve: (event) => event,
  }),
);

const AcknowledgeAlarmInput = builder.inputType('AcknowledgeAlarmInput', {
  fields: (t) => ({
    id: t.id({ required: true }),
    note: t.string({ required: false, description: 'At most 500 characters.' }),
  }),
});

const AcknowledgeAlarmPayload = builder.objectRef<{ alarm: AlarmShape | null; userErrors: UserErrorShape[] }>('AcknowledgeAlarmPayload').implement({
  fields: (t) => ({
    alarm: t.field({ type: Alarm, nullable: true, description: 'The alarm as it is now (acknowledged).', resolve: (p) => p.alarm }),
    userErrors: t.field({ type: [UserError], resolve: (p) => p.userErrors }),
  }),
});

const AcknowledgeAlarmsInput = builder.inputType('AcknowledgeAlarmsInput', {
  fields: (t) => ({
    ids: t.idList({ required: true, description: 'At most 500.' }),
    note: t.string({ required: false, description: 'At most 500 characters.' }),
  }),
});

const AcknowledgeAlarmsPayload = builder.objectRef<{ alarms: AlarmShape[]; userErrors: UserErrorShape[] }>('AcknowledgeAlarmsPayload').implement({
  fields: (t) => ({
    alarms: t.field({ type: [Alarm], description: 'The alarms acknowledged (or already acknowledged), as they are now.', resolve: (p) => p.alarms }),
    userErrors: t.field({ type: [UserError], description: 'One per id not acknowledged.', resolve: (p) => p.userErrors }),
  }),
});

/** The alarm an input id names: Alarm.id, or for one release Alarm.alarmId (another type's id names none). */
function alarmKey(id: string | number): string {
  return localKey('Alarm', String(id)) ?? String(id);
}

/** Acknowledges what the caller sees; the rest become UNKNOWN_ALARM user errors. */
async function acknowledge(context: Context, ids: readonly string[], note: string | null | undefined, field: string[]): Promise<{ alarms: AlarmShape[]; userErrors: UserErrorShape[] }> {
  const service = alarmsOf(context).service;
  const userErrors: UserErrorShape[] = [];
  const text = note?.trim() || null;
  if (text !== null && text.length > 500) return { alarms: [], userErrors: [{ field: ['input', 'note'], code: 'INVALID_VALUE', message: 'note: at most 500 characters' }] };
  if (ids.length > 500) return { alarms: [], userErrors: [{ field, code: 'INVALID_VALUE', message: 'at most 500 alarms at once' }] };
  const known = ids.filter((id, i) => {
    // Unknown and out-of-scope alike: a limited caller learns nothing of other panels' alarms.
    if (service.get(id, context.viewer.panels)) return true;
    userErrors.push({ field: ids.length === 1 && field.at(-1) === 'id' ? field : [...field, String(i)], code: 'UNKNOWN_ALARM', message: `no alarm "${id.slice(0, 40)}" among those this caller sees` });
    return false;
  });
  const alarms = known.length === 0 ? [] : await service.acknowledge(context.viewer.name, known, text);
  return { alarms, userErrors };
}

builder.mutationFields((t) => ({
  acknowledgeAlarm: t.field({
    type: AcknowledgeAlarmPayload,
    description: 'Acknowledges an alarm (operator), recorded in the admin record with who and the note; shown on every process. Acknowledging again changes nothing.',
    args: { input: t.arg({ type: AcknowledgeAlarmInput, required: true }) },
    resolve: async (_root, { input }, context) => {
      const { alarms, userErrors } = await acknowledge(context, [alarmKey(input.id)], input.note, ['input', 'id']);
      return { alarm: alarms[0] ?? null, userErrors };
    },
  }),
  acknowledgeAlarms: t.field({
    type: AcknowledgeAlarmsPayload,
    description: 'Acknowledges several alarms at once (operator), as one record.',
    args: { input: t.arg({ type: AcknowledgeAlarmsInput, required: true }) },
    resolve: (_root, { input }, context) => acknowledge(context, [...new Set(input.ids.map(alarmKey))], input.note, ['input', 'ids']),
  }),
}));
