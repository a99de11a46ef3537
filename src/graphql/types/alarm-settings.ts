import { ALARM_TYPES, BUILDING, CHANNEL_KINDS, type AlarmType as AlarmTypeValue, type ChannelConfig } from '../../models/alarm.js';
import { describeIssues } from '../../models/admin-change.js';
import { alarmRuleChangeSchema, budgetChangeSchema, channelChangeSchema } from '../../models/alarm.js';
import { isPanelId } from '../../models/panel-id.js';
import type { Budget as BudgetShape } from '../../services/alarms/alarm-service.js';
import type { ResolvedRule } from '../../services/alarms/rules.js';
import { redactUrl } from '../../services/alarms/notifier.js';
import type { DeliveryState, OutboxRow, AttemptRow } from '../../store/alarms/sqlite-alarm-store.js';
import { builder } from '../builder.js';
import type { Context } from '../context.js';
import { UserError, type UserErrorShape } from './alarm-common.js';
import { AlarmSeverity, AlarmType, alarmsOf } from './alarm.js';

/**
 * What admins set for alarms: the rules (for the building, overridden per panel), monthly budgets
 * and notification channels; and what operators see of deliveries. Every change is recorded in the
 * admin record. Channel secrets are write-only: kept in the alarm store, never returned or logged.
 */

const ADMIN = { $all: { admin: true, allPanels: true } } as const;

const AlarmRule = builder.objectRef<ResolvedRule & { panelId: string | null }>('AlarmRule').implement({
  description: "A rule as in force for the building (panelId null) or a panel (the building's, with the panel's overrides).",
  fields: (t) => ({
    type: t.field({ type: AlarmType, resolve: (r) => r.type }),
    panelId: t.exposeID('panelId', { nullable: true }),
    enabled: t.exposeBoolean('enabled'),
    severity: t.field({ type: AlarmSeverity, resolve: (r) => r.severity }),
    raiseAbove: t.exposeFloat('raiseAbove', { nullable: true, description: "Raised above this, in the rule's unit (V, %, kW, percent of budget, held-back readings)." }),
    raiseBelow: t.exposeFloat('raiseBelow', { nullable: true, description: "Raised below this, in the rule's unit (V, power factor 0-1)." }),
    clearBelow: t.exposeFloat('clearBelow', { nullable: true, description: 'An alarm raised above clears at or below this (hysteresis), same unit.' }),
    clearAbove: t.exposeFloat('clearAbove', { nullable: true, description: 'An alarm raised below clears at or above this, same unit.' }),
    forSeconds: t.exposeInt('forSeconds', { description: 'Seconds (meter time) the condition must hold before it raises.' }),
    clearForSeconds: t.exposeInt('clearForSeconds', { description: 'Seconds the clear condition must hold before it clears.' }),
    version: t.exposeInt('version', { description: 'How many recorded changes shaped it (0: the defaults).' }),
  }),
});

builder.queryField('alarmRules', (t) =>
  t.field({
    type: [AlarmRule],
    nullable: true,
    authScopes: { operator: true },
    description: "Every rule for the building, then each panel's rules where a panel has overrides.",
    resolve: (_root, _args, context) => {
      const service = alarmsOf(context).service;
      const building = ALARM_TYPES.map((type) => ({ ...service.rule(BUILDING, type), panelId: null }));
      const panels = service
        .rules()
        .overrides()
        .filter((o): o is { type: AlarmTypeValue; panelId: string } => o.panelId !== null && (context.viewer.panels === null || context.viewer.panels.has(o.panelId)))
        .map((o) => ({ ...service.rule(o.panelId, o.type), panelId: o.panelId }));
      return [...building, ...panels];
    },
  }),
);

const SetAlarmRuleInput = builder.inputType('SetAlarmRuleInput', {
  description: 'Changes one rule for the building (panelId omitted) or one panel; fields left out keep their value; null removes a threshold.',
  fields: (t) => ({
    type: t.field({ type: AlarmType, required: true }),
    panelId: t.id({ required: false }),
    enabled: t.boolean({ required: false }),
    severity: t.field({ type: AlarmSeverity, required: false }),
    raiseAbove: t.float({ required: false, description: "In the rule's unit." }),
    raiseBelow: t.float({ required: false, description: "In the rule's unit." }),
    clearBelow: t.float({ required: false, description: "In the rule's unit." }),
    clearAbove: t.float({ required: false, description: "In the rule's unit." }),
    forSeconds: t.int({ required: false, description: 'Seconds, 0-604,800.' }),
    clearForSeconds: t.int({ required: false, description: 'Seconds, 0-604,800.' }),
  }),
});

const SetAlarmRulePayload = builder.objectRef<{ rule: (ResolvedRule & { panelId: string | null }) | null; userErrors: UserErrorShape[] }>('SetAlarmRulePayload').implement({
  fields: (t) => ({
    rule: t.field({ type: AlarmRule, nullable: true, resolve: (p) => p.rule }),
    userErrors: t.field({ type: [UserError], resolve: (p) => p.userErrors }),
  }),
});

function knownPanel(context: Context, panelId: string): boolean {
  return isPanelId(panelId) && context.services.panels.get(panelId, context.viewer.panels) !== null;
}

builder.mutationFields((t) => ({
  setAlarmRule: t.field({
    type: SetAlarmRulePayload,
    authScopes: ADMIN,
    description: 'Changes a rule (admin without a panel limit), recorded in the admin record. Takes effect with the next reading.',
    args: { input: t.arg({ type: SetAlarmRuleInput, required: true }) },
    resolve: async (_root, { input }, context) => {
      const service = alarmsOf(context).service;
      const panelId = input.panelId == null ? null : String(input.panelId);
      if (panelId !== null && !knownPanel(context, panelId)) return { rule: null, userErrors: [{ field: ['input', 'panelId'], code: 'UNKNOWN_PANEL' as const, message: `unknown panel "${panelId.slice(0, 64)}"` }] };
      const change = {
        kind: 'alarm.rule' as const,
        type: input.type,
        panelId,
        ...(input.enabled != null ? { enabled: input.enabled } : {}),
        ...(input.severity != null ? { severity: input.severity } : {}),
        ...('raiseAbove' in input ? { raiseAbove: input.raiseAbove ?? null } : {}),
        ...('raiseBelow' in input ? { raiseBelow: input.raiseBelow ?? null } : {}),
        ...('clearBelow' in input ? { clearBelow: input.clearBelow ?? null } : {}),
        ...('clearAbove' in input ? { clearAbove: input.clearAbove ?? null } : {}),
        ...(input.forSeconds != null ? { forSeconds: input.forSeconds } : {}),
        ...(input.clearForSeconds != null ? { clearForSeconds: input.clearForSeconds } : {}),
      };
      const parsed = alarmRuleChangeSchema.safeParse(change);
      if (!parsed.success) return { rule: null, userErrors: [{ field: ['input'], code: 'INVALID_VALUE' as const, message: describeIssues(parsed.error, 'input') }] };
      await context.services.settings.record(context.viewer.name, parsed.data);
      return { rule: { ...service.rule(panelId ?? BUILDING, input.type), panelId }, userErrors: [] };
    },
  }),
}));

interface BudgetView extends BudgetShape {
  readonly usedKwh: number;
  readonly usedRupiah: number;
  readonly projectedKwh: number;
  readonly projectedRupiah: number;
}

const Budget = builder.objectRef<BudgetView>('Budget').implement({
  description: "A month's budget for the building (panelId null) or a panel, with this month so far and its projection to the month's end.",
  fields: (t) => ({
    panelId: t.exposeID('panelId', { nullable: true }),
    kwh: t.exposeFloat('kwh', { nullable: true, description: 'Budget, kWh per month.' }),
    rupiah: t.exposeFloat('rupiah', { nullable: true, description: 'Budget, Rupiah per month (tax as the tariff applies it).' }),
    usedKwh: t.exposeFloat('usedKwh', { description: 'kWh used this month so far (local calendar month).' }),
    usedRupiah: t.exposeFloat('usedRupiah', { description: 'Rupiah this month so far.' }),
    projectedKwh: t.exposeFloat('projectedKwh', { description: "kWh projected to the month's end at this month's pace so far." }),
    projectedRupiah: t.exposeFloat('projectedRupiah', { description: "Rupiah projected to the month's end." }),
    setAt: t.expose('setAt', { type: 'DateTime' }),
    setBy: t.exposeString('setBy'),
  }),
});

function budgetView(context: Context, budget: BudgetShape): BudgetView {
  return { ...budget, ...alarmsOf(context).service.budgetProgress(budget, Date.now()) };
}

builder.queryField('budgets', (t) =>
  t.field({
    type: [Budget],
    nullable: true,
    description: "Monthly budgets the caller sees (its panels'; the building's without a panel limit), with this month so far and the projection.",
    resolve: async (_root, _args, context) => {
      const scope = context.viewer.panels;
      const budgets = alarmsOf(context)
        .service.budgets()
        .filter((b) => (scope === null ? true : b.panelId !== null && scope.has(b.panelId)));
      await context.services.energy.settled(context.services.panels.list(null).map((p) => p.id));
      return budgets.map((b) => budgetView(context, b));
    },
  }),
);

const SetBudgetInput = builder.inputType('SetBudgetInput', {
  description: 'A monthly budget for the building (panelId omitted) or a panel. Both limits null removes it.',
  fields: (t) => ({
    panelId: t.id({ required: false }),
    kwh: t.float({ required: false, description: 'kWh per month; null: no energy limit.' }),
    rupiah: t.float({ required: false, description: 'Rupiah per month; null: no cost limit.' }),
  }),
});

const SetBudgetPayload = builder.objectRef<{ budget: BudgetView | null; userErrors: UserErrorShape[] }>('SetBudgetPayload').implement({
  fields: (t) => ({
    budget: t.field({ type: Budget, nullable: true, description: 'null when removed or refused.', resolve: (p) => p.budget }),
    userErrors: t.field({ type: [UserError], resolve: (p) => p.userErrors }),
  }),
});

builder.mutationFields((t) => ({
  setBudget: t.field({
    type: SetBudgetPayload,
    authScopes: ADMIN,
    description: 'Sets or removes a monthly budget (admin without a panel limit), recorded in the admin record; BUDGET alarms follow at once.',
    args: { input: t.arg({ type: SetBudgetInput, required: true }) },
    resolve: async (_root, { input }, context) => {
      const service = alarmsOf(context).service;
      const panelId = input.panelId == null ? null : String(input.panelId);
      if (panelId !== null && !knownPanel(context, panelId)) return { budget: null, userErrors: [{ field: ['input', 'panelId'], code: 'UNKNOWN_PANEL' as const, message: `unknown panel "${panelId.slice(0, 64)}"` }] };
      const parsed = budgetChangeSchema.safeParse({ kind: 'alarm.budget', panelId, kwh: input.kwh ?? null, rupiah: input.rupiah ?? null });
      if (!parsed.success) return { budget: null, userErrors: [{ field: ['input'], code: 'INVALID_VALUE' as const, message: describeIssues(parsed.error, 'input') }] };
      await context.services.settings.record(context.viewer.name, parsed.data);
      const budget = service.budgets().find((b) => b.panelId === panelId);
      return { budget: budget ? budgetView(context, budget) : null, userErrors: [] };
    },
  }),
}));

// --- notification channels -------------------------------------------------------------------

const ChannelKind = builder.enumType('NotificationChannelKind', { description: 'WEBHOOK: an HTTP POST of JSON, signed; EMAIL: over SMTP (ALARM_SMTP_*).', values: CHANNEL_KINDS });

const NotificationChannel = builder.objectRef<ChannelConfig & { updatedAt: Date }>('NotificationChannel').implement({
  description: 'Where alarms are sent, and which. Its secret is never shown: only whether one is set.',
  fields: (t) => ({
    id: t.exposeID('channelId'),
    kind: t.field({ type: ChannelKind, resolve: (c) => c.channel }),
    target: t.string({ description: 'WEBHOOK: the URL without its query or credentials; EMAIL: the recipients.', resolve: (c) => (c.channel === 'WEBHOOK' ? redactUrl(c.target) : c.target) }),
    severities: t.field({ type: [AlarmSeverity], description: 'Empty: every severity.', resolve: (c) => c.severities }),
    types: t.field({ type: [AlarmType], description: 'Empty: every type.', resolve: (c) => c.types }),
    panelIds: t.idList({ description: 'Empty: every panel and the building ("*" stands for the building).', resolve: (c) => c.panelIds }),
    sendAcknowledged: t.exposeBoolean('sendAcknowledged', { description: 'Acknowledgements are sent too (raises and clears always are).' }),
    reminderMinutes: t.exposeInt('reminderMinutes', { description: 'Minutes between reminders of an alarm left ACTIVE_UNACK; 0: none.' }),
    reminderSeverities: t.field({ type: [AlarmSeverity], resolve: (c) => c.reminderSeverities }),
    hasSecret: t.boolean({ description: 'Whether a signing secret (WEBHOOK) or SMTP password (EMAIL) is set.', resolve: (c) => c.secretId !== null }),
    configured: t.boolean({ description: 'From the configuration (ALARM_WEBHOOK_URL, ALARM_EMAIL_TO): not changeable through the API.', resolve: (c) => c.channelId.startsWith('config-') }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
  }),
});

builder.queryField('notificationChannels', (t) =>
  t.field({ type: [NotificationChannel], nullable: true, authScopes: ADMIN, resolve: (_root, _args, context) => alarmsOf(context).service.channels() }),
);

const SetNotificationChannelInput = builder.inputType('SetNotificationChannelInput', {
  description: 'Creates or replaces a channel by id; enabled false removes it.',
  fields: (t) => ({
    id: t.id({ required: true, description: 'Letters, digits, _ and -, 1-40.' }),
    kind: t.field({ type: ChannelKind, required: true }),
    target: t.string({ required: true, description: 'WEBHOOK: an http(s) URL; EMAIL: comma-separated recipients.' }),
    enabled: t.boolean({ required: false, description: 'Default true; false removes the channel.' }),
    severities: t.field({ type: [AlarmSeverity], required: false }),
    types: t.field({ type: [AlarmType], required: false }),
    panelIds: t.idList({ required: false }),
    sendAcknowledged: t.boolean({ required: false }),
    reminderMinutes: t.int({ required: false, description: 'Minutes, 0-10,080.' }),
    reminderSeverities: t.field({ type: [AlarmSeverity], required: false }),
    secret: t.string({ required: false, description: 'Write-only: the webhook signing secret or SMTP password. Omitted: keeps the current one; empty: removes it.' }),
  }),
});

const SetNotificationChannelPayload = builder.objectRef<{ channel: (ChannelConfig & { updatedAt: Date }) | null; userErrors: UserErrorShape[] }>('SetNotificationChannelPayload').implement({
  fields: (t) => ({
    channel: t.field({ type: NotificationChannel, nullable: true, resolve: (p) => p.channel }),
    userErrors: t.field({ type: [UserError], resolve: (p) => p.userErrors }),
  }),
});

const TestNotificationChannelPayload = builder.objectRef<{ delivered: boolean; detail: string; userErrors: UserErrorShape[] }>('TestNotificationChannelPayload').implement({
  fields: (t) => ({
    delivered: t.exposeBoolean('delivered'),
    detail: t.exposeString('detail', { description: 'The receiver\'s answer, or why it failed.' }),
    userErrors: t.field({ type: [UserError], resolve: (p) => p.userErrors }),
  }),
});

builder.mutationFields((t) => ({
  setNotificationChannel: t.field({
    type: SetNotificationChannelPayload,
    authScopes: ADMIN,
    description: 'Creates, replaces or removes a channel (admin without a panel limit), recorded in the admin record (its secret is not: it is kept in the alarm store only).',
    args: { input: t.arg({ type: SetNotificationChannelInput, required: true }) },
    resolve: async (_root, { input }, context) => {
      const alarms = alarmsOf(context);
      const channelId = String(input.id);
      if (channelId.startsWith('config-')) return { channel: null, userErrors: [{ field: ['input', 'id'], code: 'NOT_ALLOWED' as const, message: 'channels from the configuration are changed there' }] };
      if (input.kind === 'WEBHOOK' && !/^https?:\/\//.test(input.target)) return { channel: null, userErrors: [{ field: ['input', 'target'], code: 'INVALID_VALUE' as const, message: 'a webhook target is an http(s) URL' }] };
      const previous = alarms.service.channel(channelId);
      let secretId = previous?.secretId ?? null;
      if (input.secret === '') secretId = null;
      else if (input.secret != null) secretId = await alarms.putSecret(channelId, input.secret);
      const parsed = channelChangeSchema.safeParse({
        kind: 'notification.channel',
        channelId,
        enabled: input.enabled ?? true,
        channel: input.kind,
        target: input.target,
        severities: input.severities ?? [],
        types: input.types ?? [],
        panelIds: (input.panelIds ?? []).map(String),
        sendAcknowledged: input.sendAcknowledged ?? false,
        reminderMinutes: input.reminderMinutes ?? 0,
        reminderSeverities: input.reminderSeverities ?? ['CRITICAL', 'MAJOR'],
        secretId,
      });
      if (!parsed.success) return { channel: null, userErrors: [{ field: ['input'], code: 'INVALID_VALUE' as const, message: describeIssues(parsed.error, 'input') }] };
      await context.services.settings.record(context.viewer.name, parsed.data);
      return { channel: alarms.service.channel(channelId), userErrors: [] };
    },
  }),
  testNotificationChannel: t.field({
    type: TestNotificationChannelPayload,
    authScopes: ADMIN,
    description: 'Sends a test message to a channel now (not through the outbox) and says what the receiver answered.',
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, { id }, context) => {
      const alarms = alarmsOf(context);
      const channel = alarms.service.channel(String(id));
      if (!channel) return { delivered: false, detail: '', userErrors: [{ field: ['id'], code: 'UNKNOWN_CHANNEL' as const, message: `no channel "${String(id).slice(0, 40)}"` }] };
      const result = await alarms.notifier.test(channel);
      return { delivered: result.ok, detail: result.detail, userErrors: [] };
    },
  }),
}));

// --- deliveries ------------------------------------------------------------------------------

const DeliveryStateEnum = builder.enumType('NotificationDeliveryState', {
  description: 'PENDING: not delivered yet (retrying); SENT: the receiver accepted it; DEAD: given up after the retry schedule (a dead letter).',
  values: ['PENDING', 'SENT', 'DEAD'] as const satisfies readonly DeliveryState[],
});

const DeliveryAttempt = builder.objectRef<AttemptRow>('NotificationAttempt').implement({
  fields: (t) => ({
    at: t.expose('at', { type: 'DateTime' }),
    ok: t.exposeBoolean('ok'),
    detail: t.exposeString('detail', { description: "The receiver's answer (HTTP status, SMTP reply) or the error." }),
  }),
});

const NotificationDelivery = builder.objectRef<OutboxRow & { tries: AttemptRow[] }>('NotificationDelivery').implement({
  description: "One notification of one alarm transition to one channel, from this process's outbox.",
  fields: (t) => ({
    id: t.exposeID('id'),
    channelId: t.exposeID('channelId'),
    transitionId: t.exposeID('transitionId', { description: 'The Idempotency-Key receivers deduplicate by.' }),
    alarmId: t.exposeID('alarmId'),
    state: t.field({ type: DeliveryStateEnum, resolve: (d) => d.state }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    nextAttemptAt: t.expose('nextAt', { type: 'DateTime', nullable: true, description: 'PENDING: when it is tried next.' }),
    attemptCount: t.exposeInt('attempts'),
    lastError: t.exposeString('lastError', { nullable: true }),
    attempts: t.field({ type: [DeliveryAttempt], description: 'Every attempt, oldest first.', resolve: (d) => d.tries }),
  }),
});

builder.queryField('notificationDeliveries', (t) =>
  t.field({
    type: [NotificationDelivery],
    nullable: true,
    authScopes: { $all: { operator: true, allPanels: true } },
    description: "Notifications in this process's outbox, newest first, with every attempt (operators without a panel limit).",
    args: {
      state: t.arg({ type: DeliveryStateEnum, required: false }),
      first: t.arg.int({ required: false, description: 'At most this many (default 100, at most 1,000).' }),
    },
    resolve: (_root, { state, first }, context) => {
      const n = first ?? 100;
      if (!Number.isInteger(n) || n < 1 || n > 1_000) return [];
      return alarmsOf(context).outbox.deliveries({ state: state ?? undefined, limit: n });
    },
  }),
);
