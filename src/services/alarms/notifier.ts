import { createHmac } from 'node:crypto';
import type { Logger } from '../../config/logger.js';
import { BUILDING, type Alarm, type ChannelConfig } from '../../models/alarm.js';
import type { AlarmLog } from '../../store/alarms/alarm-log.js';
import type { SqliteAlarmStore } from '../../store/alarms/sqlite-alarm-store.js';
import type { AlarmService, AlarmTransition } from './alarm-service.js';

/** SMTP settings of the e-mail channels (ALARM_SMTP_*). */
export interface SmtpSettings {
  readonly host: string;
  readonly port: number;
  /** true: TLS from the start (port 465); false: STARTTLS when offered, required if `requireTls`. */
  readonly secure: boolean;
  readonly requireTls: boolean;
  readonly user: string | null;
  /** From the configuration; a channel's own secret (set through the API) takes precedence. */
  readonly password: string | null;
  readonly from: string;
  /** Accept the server's certificate without checking it (a private relay with its own CA). */
  readonly allowInvalidCertificate: boolean;
}

export interface NotifierOptions {
  readonly alarms: AlarmService;
  /** The outbox (this process's, durable). */
  readonly outbox: SqliteAlarmStore;
  /** Where channel secrets are kept. */
  readonly secrets: AlarmLog;
  /** Delays between attempts; past the last, the delivery is a dead letter (retryDelays()). */
  readonly retryDelaysMs: readonly number[];
  /** ALARM_NOTIFY_MIN_INTERVAL: at most one notification per alarm subject and type and channel per this. */
  readonly minIntervalMs: number;
  readonly smtp: SmtpSettings | null;
  readonly logger: Logger;
  readonly now?: () => number;
  /** How often reminders are looked for. Default 30 s. */
  readonly reminderCheckMs?: number;
}

/**
 * The default retry schedule: doubling from `firstMs` up to `maxMs` between attempts, until the
 * attempts span at least `totalMs` (the issue asks for ≥ 24 h).
 */
export function retryDelays(firstMs: number, maxMs: number, totalMs: number): number[] {
  const delays: number[] = [];
  let sum = 0;
  let next = firstMs;
  while (sum < totalMs) {
    delays.push(next);
    sum += next;
    next = Math.min(maxMs, next * 2);
  }
  return delays;
}

/** The JSON body of a webhook and the fields of a mail: the alarm and what happened to it. */
export interface NotificationPayload {
  readonly transition: { readonly id: string; readonly kind: AlarmTransition['kind']; readonly at: string };
  readonly alarm: {
    readonly id: string;
    readonly type: string;
    readonly severity: string;
    readonly panelId: string | null;
    readonly state: string;
    readonly startedAt: string;
    readonly clearedAt: string | null;
    readonly acknowledgedAt: string | null;
    readonly acknowledgedBy: string | null;
    readonly note: string | null;
    readonly value: number | null;
    readonly worstValue: number | null;
    readonly threshold: number | null;
    readonly message: string;
  };
  /** True for testNotificationChannel's message. */
  readonly test?: boolean;
}

export function payloadOf(transition: Pick<AlarmTransition, 'id' | 'kind' | 'at' | 'alarm'>): NotificationPayload {
  const a: Alarm = transition.alarm;
  return {
    transition: { id: transition.id, kind: transition.kind, at: transition.at.toISOString() },
    alarm: {
      id: a.id,
      type: a.type,
      severity: a.severity,
      panelId: a.panelId,
      state: a.state,
      startedAt: a.startedAt.toISOString(),
      clearedAt: a.clearedAt?.toISOString() ?? null,
      acknowledgedAt: a.acknowledgedAt?.toISOString() ?? null,
      acknowledgedBy: a.acknowledgedBy,
      note: a.note,
      value: a.value,
      worstValue: a.worstValue,
      threshold: a.threshold,
      message: a.message,
    },
  };
}

/** Header names of the webhook contract (docs/alarms.md). */
export const SIGNATURE_HEADER = 'X-Signature-SHA256';
export const TIMESTAMP_HEADER = 'X-Signature-Timestamp';

/** The signature a receiver checks: HMAC-SHA256 over `<timestamp>.<body>` with the channel's secret, hex. */
export function signature(secret: string, timestamp: string, body: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
}

/** Whether a channel's routing takes an alarm. */
export function routes(channel: ChannelConfig, alarm: Alarm): boolean {
  return (
    (channel.severities.length === 0 || channel.severities.includes(alarm.severity)) &&
    (channel.types.length === 0 || channel.types.includes(alarm.type)) &&
    (channel.panelIds.length === 0 || channel.panelIds.includes(alarm.panelId ?? BUILDING))
  );
}

/**
 * Notifications through a durable outbox. Each transition this process owns (the reading that
 * caused it was ingested here, the acknowledgement made here) is put in the outbox once per
 * channel that routes it, in the same step that decided it; a loop sends what is due, records
 * every attempt and retries with growing delays until the schedule ends (then it is a dead
 * letter). A restart resumes from the outbox. Receivers deduplicate by `Idempotency-Key`.
 */
export class Notifier {
  readonly #options: NotifierOptions;
  readonly #now: () => number;
  #timer: NodeJS.Timeout | null = null;
  #timerAt = Number.POSITIVE_INFINITY;
  #reminders: NodeJS.Timeout | null = null;
  #sending = false;
  #stopped = false;
  #unsubscribe: (() => void) | null = null;
  /** Last notification per channel, subject and type (ALARM_NOTIFY_MIN_INTERVAL). */
  readonly #lastAt = new Map<string, number>();

  constructor(options: NotifierOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  start(): void {
    this.#unsubscribe = this.#options.alarms.onTransition((transition) => this.#take(transition));
    this.#reminders = setInterval(() => this.#tick(), this.#options.reminderCheckMs ?? 30_000);
    this.#reminders.unref();
    this.#schedule(0);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#unsubscribe?.();
    if (this.#timer) clearTimeout(this.#timer);
    if (this.#reminders) clearInterval(this.#reminders);
    while (this.#sending) await new Promise((resolve) => setTimeout(resolve, 10));
  }

  /** Sends a test message to a channel now (not through the outbox); resolves with what happened. */
  async test(channel: ChannelConfig): Promise<{ ok: boolean; detail: string }> {
    const now = new Date(this.#now());
    const alarm: Alarm = {
      id: '000000000000000000000000',
      type: 'METER_DATA',
      severity: 'WARNING',
      panelId: null,
      state: 'CLEARED_ACK',
      startedAt: now,
      clearedAt: now,
      acknowledgedAt: now,
      acknowledgedBy: 'testNotificationChannel',
      note: null,
      value: null,
      worstValue: null,
      latestValue: null,
      lastSeenAt: now,
      threshold: null,
      message: 'a test message from the energy monitor',
      ruleVersion: 0,
    };
    const payload = { ...payloadOf({ id: `test-${now.getTime()}`, kind: 'RAISED', at: now, alarm }), test: true };
    try {
      return { ok: true, detail: await this.#send(channel, payload) };
    } catch (error) {
      return { ok: false, detail: (error as Error).message };
    }
  }

  /**
   * Which transitions this process sends: a raise when the reading it started at was ingested
   * here (or, for PANEL_OFFLINE, the panel's newest reading), an acknowledgement made here, and the
   * clear of an alarm whose raise it sent. So a cluster sends each once.
   */
  #take(transition: AlarmTransition): void {
    if (transition.correction || transition.kind === 'WORSENED' || transition.kind === 'REMINDER') return;
    const mine = transition.kind === 'CLEARED' || transition.kind === 'WITHDRAWN' ? this.#options.outbox.owns(transition.alarm.id) : transition.local;
    if (mine) this.#enqueue(transition);
  }

  #enqueue(transition: AlarmTransition): void {
    const rows = [];
    const now = this.#now();
    for (const channel of this.#options.alarms.channels()) {
      if (transition.kind === 'ACKNOWLEDGED' && !channel.sendAcknowledged) continue;
      if (!routes(channel, transition.alarm)) continue;
      const key = `${channel.channelId}\u0000${transition.alarm.panelId ?? BUILDING}\u0000${transition.alarm.type}`;
      const last = this.#lastAt.get(key);
      // A flapping value: later transitions wait their turn (they are still each sent once).
      const at = last === undefined ? now : Math.max(now, last + this.#options.minIntervalMs);
      this.#lastAt.set(key, at);
      rows.push({
        id: `${transition.id}:${channel.channelId}`,
        channelId: channel.channelId,
        transitionId: transition.id,
        alarmId: transition.alarm.id,
        payloadJson: JSON.stringify(payloadOf(transition)),
        at,
      });
    }
    if (rows.length === 0) return;
    try {
      this.#options.outbox.enqueue(rows);
    } catch (error) {
      this.#options.logger.error({ err: error, transition: transition.id }, 'could not put a notification in the outbox');
      return;
    }
    this.#schedule(Math.max(0, Math.min(...rows.map((row) => row.at)) - now));
  }

  /** Now and then: reminders, and whatever is due (a timer that fired late, a clock that jumped). */
  #tick(): void {
    this.#checkReminders();
    try {
      const next = this.#options.outbox.nextDue();
      if (next !== null && next <= this.#now() && !this.#stopped) void this.#drain();
    } catch (error) {
      this.#options.logger.error({ err: error }, 'notification outbox could not be read');
    }
  }

  /** Reminders of ACTIVE_UNACK alarms whose notifications this process owns (their raise is in its outbox). */
  #checkReminders(): void {
    try {
      const now = this.#now();
      for (const channel of this.#options.alarms.channels()) {
        for (const reminder of this.#options.alarms.remindersDue(channel, now)) {
          if (!routes(channel, reminder.alarm) || !this.#options.outbox.owns(reminder.alarm.id)) continue;
          const added = this.#options.outbox.enqueue([
            { id: `${reminder.id}:${channel.channelId}`, channelId: channel.channelId, transitionId: reminder.id, alarmId: reminder.alarm.id, payloadJson: JSON.stringify(payloadOf(reminder)), at: now },
          ]);
          if (added.length > 0) this.#schedule(0);
        }
      }
    } catch (error) {
      this.#options.logger.error({ err: error }, 'reminder check failed');
    }
  }

  /** Wakes the loop after `delayMs`, unless it is already due to wake earlier. */
  #schedule(delayMs: number): void {
    if (this.#stopped) return;
    const at = this.#now() + delayMs;
    if (this.#timer && this.#timerAt <= at) return;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timerAt = at;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      void this.#drain();
    }, Math.min(delayMs, 2 ** 31 - 1));
    this.#timer.unref();
  }

  async #drain(): Promise<void> {
    if (this.#sending || this.#stopped) return;
    this.#sending = true;
    try {
      for (;;) {
        const due = this.#options.outbox.due(this.#now(), 20);
        if (due.length === 0 || this.#stopped) break;
        await Promise.all(due.map((row) => this.#deliver(row)));
      }
    } catch (error) {
      this.#options.logger.error({ err: error }, 'notification outbox could not be read');
    } finally {
      this.#sending = false;
    }
    const next = this.#options.outbox.nextDue();
    if (next !== null) this.#schedule(Math.max(0, next - this.#now()));
  }

  async #deliver(row: { id: string; channelId: string; payloadJson: string; attempts: number }): Promise<void> {
    const channel = this.#options.alarms.channel(row.channelId);
    const at = this.#now();
    if (!channel) {
      this.#options.outbox.recordAttempt(row.id, at, { ok: false, detail: `channel ${row.channelId} was removed`, nextAt: null });
      return;
    }
    try {
      const detail = await this.#send(channel, JSON.parse(row.payloadJson) as NotificationPayload);
      this.#options.outbox.recordAttempt(row.id, at, { ok: true, detail });
    } catch (error) {
      const delays = this.#options.retryDelaysMs;
      const nextAt = row.attempts < delays.length ? this.#now() + delays[row.attempts]! : null;
      const detail = (error as Error).message;
      this.#options.outbox.recordAttempt(row.id, at, { ok: false, detail, nextAt });
      const log = { delivery: row.id, channel: row.channelId, attempt: row.attempts + 1, error: detail };
      if (nextAt === null) this.#options.logger.error(log, 'notification given up: a dead letter (see notificationDeliveries)');
      else this.#options.logger.warn({ ...log, retryAt: new Date(nextAt) }, 'notification not delivered; will retry');
    }
  }

  async #send(channel: ChannelConfig, payload: NotificationPayload): Promise<string> {
    const secret = channel.secretId === null ? null : await this.#options.secrets.secret(channel.secretId);
    if (channel.channel === 'WEBHOOK') {
      const body = JSON.stringify(payload);
      const timestamp = String(Math.floor(this.#now() / 1000));
      const headers: Record<string, string> = { 'Content-Type': 'application/json', 'Idempotency-Key': payload.transition.id, [TIMESTAMP_HEADER]: timestamp };
      if (secret !== null) headers[SIGNATURE_HEADER] = signature(secret, timestamp, body);
      let response: Response;
      try {
        response = await fetch(channel.target, { method: 'POST', headers, body, signal: AbortSignal.timeout(10_000), redirect: 'manual' });
      } catch (error) {
        throw new Error(`webhook ${redactUrl(channel.target)} unreachable: ${(error as Error).message}`, { cause: error });
      }
      await response.body?.cancel();
      if (response.status < 200 || response.status > 299) throw new Error(`webhook ${redactUrl(channel.target)} answered ${response.status}`);
      return `HTTP ${response.status}`;
    }
    const smtp = this.#options.smtp;
    if (smtp === null) throw new Error('e-mail channel without SMTP settings (ALARM_SMTP_HOST)');
    const password = secret ?? smtp.password;
    // Loaded on the first e-mail, not with the module: most installations send none.
    const { default: nodemailer } = await import('nodemailer');
    const transport = nodemailer.createTransport({
      host: smtp.host,
      port: smtp.port,
      secure: smtp.secure,
      requireTLS: smtp.requireTls,
      auth: smtp.user !== null && password !== null ? { user: smtp.user, pass: password } : undefined,
      tls: { rejectUnauthorized: !smtp.allowInvalidCertificate },
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 20_000,
    });
    try {
      const { alarm, transition } = payload;
      const info = await transport.sendMail({
        from: smtp.from,
        to: channel.target,
        subject: `${payload.test ? '[TEST] ' : ''}[${alarm.severity}] ${alarm.type} ${transition.kind.toLowerCase()}: ${alarm.panelId ?? 'building'}`,
        text:
          `${alarm.message}\n\nAlarm ${alarm.id} (${alarm.type}, ${alarm.severity}) on ${alarm.panelId ?? 'the building'}\n` +
          `State: ${alarm.state}\nStarted: ${alarm.startedAt}\n${alarm.clearedAt ? `Cleared: ${alarm.clearedAt}\n` : ''}` +
          `${alarm.acknowledgedBy ? `Acknowledged by ${alarm.acknowledgedBy} at ${alarm.acknowledgedAt}${alarm.note ? `: ${alarm.note}` : ''}\n` : ''}`,
        headers: { 'X-Alarm-Transition': transition.id },
        messageId: `<${transition.id}@energy-monitoring>`,
      });
      return `SMTP ${info.response}`.slice(0, 300);
    } finally {
      transport.close();
    }
  }
}

/** A URL without its credentials or query (which may hold tokens), for logs and the API. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
  } catch {
    return '(not a URL)';
  }
}
