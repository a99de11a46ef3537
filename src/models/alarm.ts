import { createHash } from 'node:crypto';
import { z } from 'zod';

/**
 * Alarms (docs/alarms.md): what a rule raised for a panel or for the building, its lifecycle and
 * the rules' settings. An alarm's id is derived from what raised it (subject, type, the meter time
 * its condition began), so every process that evaluates the same readings names it alike.
 */

export const ALARM_TYPES = ['PANEL_OFFLINE', 'VOLTAGE_OUT_OF_RANGE', 'VOLTAGE_UNBALANCE', 'LOW_POWER_FACTOR', 'DEMAND_HIGH', 'BUDGET', 'METER_DATA'] as const;
export type AlarmType = (typeof ALARM_TYPES)[number];

export const ALARM_SEVERITIES = ['CRITICAL', 'MAJOR', 'MINOR', 'WARNING'] as const;
export type AlarmSeverity = (typeof ALARM_SEVERITIES)[number];

/** Worst first: the index is the rank used to keep an alarm's worst severity. */
export function severityRank(severity: AlarmSeverity): number {
  return ALARM_SEVERITIES.indexOf(severity);
}

export const ALARM_STATES = ['ACTIVE_UNACK', 'ACTIVE_ACK', 'CLEARED_UNACK', 'CLEARED_ACK'] as const;
export type AlarmState = (typeof ALARM_STATES)[number];

/** The building (site-wide alarms such as its demand or budget) in place of a panel id. */
export const BUILDING = '*';

/** What happened to an alarm; each is one entry of the alarm log and one notification at most. */
/**
 * WITHDRAWN: a late reading showed that the condition did not hold as long as it had seemed (the
 * alarm is removed; the readings' own alarm, if any, is raised in its place).
 */
export type AlarmTransitionKind = 'RAISED' | 'WORSENED' | 'CLEARED' | 'WITHDRAWN' | 'ACKNOWLEDGED' | 'REMINDER';

/** One raise, worsening or clear as the rules decided it (meter time), before it is stored. */
export interface AlarmEvent {
  readonly kind: 'RAISED' | 'WORSENED' | 'CLEARED';
  /** A panel id, or BUILDING. */
  readonly subject: string;
  readonly type: AlarmType;
  readonly severity: AlarmSeverity;
  /** When the condition began (RAISED), the worst value was seen (WORSENED), or cleared (CLEARED), meter time. */
  readonly at: Date;
  /** The alarm's start (meter time): with subject and type, its identity. */
  readonly startedAt: Date;
  /** The value that raised it (or the worst so far, or the value it cleared at). */
  readonly value: number | null;
  /** The threshold in force. */
  readonly threshold: number | null;
  /** A short explanation ("L2 at 196.1 V below 198 V for 5 min"). */
  readonly message: string;
  /** The version of the rule's settings that decided it. */
  readonly ruleVersion: number;
}

/** An alarm as stored and shown. */
export interface Alarm {
  readonly id: string;
  readonly type: AlarmType;
  readonly severity: AlarmSeverity;
  /** null: the building. */
  readonly panelId: string | null;
  readonly state: AlarmState;
  readonly startedAt: Date;
  readonly clearedAt: Date | null;
  readonly acknowledgedAt: Date | null;
  readonly acknowledgedBy: string | null;
  readonly note: string | null;
  /** The value that raised it. */
  readonly value: number | null;
  /** The worst value while it was active. */
  readonly worstValue: number | null;
  /** The newest value while it was active. */
  readonly latestValue: number | null;
  /** Meter time of the newest trigger. */
  readonly lastSeenAt: Date;
  readonly threshold: number | null;
  readonly message: string;
  readonly ruleVersion: number;
}

export function isOpen(alarm: Pick<Alarm, 'state'>): boolean {
  return alarm.state === 'ACTIVE_UNACK' || alarm.state === 'ACTIVE_ACK';
}

/** The deterministic id: the same on every process for the same subject, type and start. */
export function alarmId(subject: string, type: AlarmType, startedAt: Date): string {
  return createHash('sha256').update(`${subject}\u0000${type}\u0000${startedAt.getTime()}`).digest('hex').slice(0, 24);
}

/** The id of one transition of an alarm (the notification's Idempotency-Key). */
export function transitionId(alarm: string, kind: AlarmTransitionKind, at: Date): string {
  return createHash('sha256').update(`${alarm}\u0000${kind}\u0000${at.getTime()}`).digest('hex').slice(0, 32);
}

/** One rule's settings: defaults, overridden for the building and per panel by admins. */
export interface RuleSettings {
  readonly enabled: boolean;
  readonly severity: AlarmSeverity;
  /** Raised when the value is above this (null: no upper bound). */
  readonly raiseAbove: number | null;
  /** Raised when the value is below this (null: no lower bound). */
  readonly raiseBelow: number | null;
  /** An alarm raised above clears at or below this (hysteresis). */
  readonly clearBelow: number | null;
  /** An alarm raised below clears at or above this. */
  readonly clearAbove: number | null;
  /** How long (meter time) the condition must hold before it raises, seconds. */
  readonly forSeconds: number;
  /** How long the clear condition must hold before it clears, seconds. */
  readonly clearForSeconds: number;
}

const severity = z.enum(ALARM_SEVERITIES);
const threshold = z.number().finite().nullable();
const seconds = z.number().int().min(0).max(7 * 86_400);

/** An admin's change to one rule, for the building (panelId null) or one panel; absent fields keep what was. */
export const alarmRuleChangeSchema = z.object({
  kind: z.literal('alarm.rule'),
  type: z.enum(ALARM_TYPES),
  panelId: z.string().min(1).max(64).nullable(),
  enabled: z.boolean().optional(),
  severity: severity.optional(),
  raiseAbove: threshold.optional(),
  raiseBelow: threshold.optional(),
  clearBelow: threshold.optional(),
  clearAbove: threshold.optional(),
  forSeconds: seconds.optional(),
  clearForSeconds: seconds.optional(),
});

/** A month's budget for the building (panelId null) or one panel; null removes that limit. */
export const budgetChangeSchema = z.object({
  kind: z.literal('alarm.budget'),
  panelId: z.string().min(1).max(64).nullable(),
  kwh: z.number().positive().finite().nullable(),
  rupiah: z.number().positive().finite().nullable(),
});

/** An operator acknowledged alarms (recorded, so every process shows it). */
export const alarmAckChangeSchema = z.object({
  kind: z.literal('alarm.acknowledged'),
  alarmIds: z.array(z.string().regex(/^[0-9a-f]{24}$/)).min(1).max(500),
  note: z.string().max(500).nullable(),
});

export const CHANNEL_KINDS = ['WEBHOOK', 'EMAIL'] as const;
export type ChannelKind = (typeof CHANNEL_KINDS)[number];

/**
 * A notification channel as the admin record keeps it. Its secret (webhook signing key, SMTP
 * password) is NOT here: it is kept in the alarm store only (write-only), named by `secretId`.
 */
export const channelChangeSchema = z.object({
  kind: z.literal('notification.channel'),
  channelId: z.string().regex(/^[A-Za-z0-9_-]{1,40}$/),
  /** false: removed. */
  enabled: z.boolean(),
  channel: z.enum(CHANNEL_KINDS),
  /** WEBHOOK: the URL; EMAIL: comma-separated recipients. */
  target: z.string().min(1).max(2_000),
  severities: z.array(severity).max(4),
  types: z.array(z.enum(ALARM_TYPES)).max(ALARM_TYPES.length),
  panelIds: z.array(z.string().min(1).max(64)).max(500),
  /** Send acknowledgements too (raise and clear always go). */
  sendAcknowledged: z.boolean(),
  /** Remind every N minutes of an alarm left ACTIVE_UNACK (0: never), for these severities. */
  reminderMinutes: z.number().int().min(0).max(10_080),
  reminderSeverities: z.array(severity).max(4),
  /** The id of its secret in the alarm store, or null. */
  secretId: z.string().max(64).nullable(),
});
export type ChannelConfig = Omit<z.output<typeof channelChangeSchema>, 'kind'>;
