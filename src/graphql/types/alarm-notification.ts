import { CHANNEL_KINDS, channelChangeSchema, type ChannelConfig } from '../../models/alarm.js';
import { redactUrl } from '../../services/alarms/notifier.js';
import type { AttemptRow, DeliveryState, OutboxRow } from '../../store/alarms/sqlite-alarm-store.js';
import { describeIssues } from '../../models/admin-change.js';
import { builder } from '../builder.js';
import { UserError, type UserErrorShape } from './common.js';
import { AlarmSeverity, AlarmType, alarmsOf } from './alarm.js';
import { ADMIN } from './alarm-rule.js';

/**
 * Notification channels (admins; secrets write-only: kept in the alarm store, never returned or
 * logged), a test message, and what operators see of deliveries.
 */

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
    attemptCount: t.exposeInt('attempts', { description: 'How many times sending was tried (a count).' }),
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
