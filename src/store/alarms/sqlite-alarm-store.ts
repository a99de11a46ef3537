import type Database from 'better-sqlite3';
import { ALARM_SEVERITIES, ALARM_TYPES, type AlarmSeverity, type AlarmType } from '../../models/alarm.js';
import { closeDatabase, openDatabase } from '../sqlite/sqlite-database.js';
import { compareEntries, type AlarmLog, type AlarmLogEntry } from './alarm-log.js';

const SCHEMA = `
-- The alarm log (embedded store; with InfluxDB it is kept there and this table stays empty).
CREATE TABLE IF NOT EXISTS alarm_log (
  id           TEXT    NOT NULL PRIMARY KEY,
  alarm_id     TEXT    NOT NULL,
  kind         TEXT    NOT NULL,
  at_ms        INTEGER NOT NULL,
  subject      TEXT    NOT NULL,
  type         TEXT    NOT NULL,
  severity     TEXT    NOT NULL,
  started_ms   INTEGER NOT NULL,
  value        REAL,
  threshold    REAL,
  message      TEXT    NOT NULL,
  rule_version INTEGER NOT NULL
) STRICT;

-- Channel secrets (embedded store), write-only through the API.
CREATE TABLE IF NOT EXISTS alarm_secrets (
  id    TEXT NOT NULL PRIMARY KEY,
  value TEXT NOT NULL
) STRICT;

-- This process's notification outbox: one row per (transition, channel), sent at least once.
CREATE TABLE IF NOT EXISTS notification_outbox (
  id            TEXT    NOT NULL PRIMARY KEY,
  channel_id    TEXT    NOT NULL,
  transition_id TEXT    NOT NULL,
  alarm_id      TEXT    NOT NULL,
  payload_json  TEXT    NOT NULL,
  created_ms    INTEGER NOT NULL,
  next_ms       INTEGER NOT NULL,
  attempts      INTEGER NOT NULL,
  state         TEXT    NOT NULL,
  last_error    TEXT
) STRICT;
CREATE INDEX IF NOT EXISTS notification_outbox_due ON notification_outbox (state, next_ms);

-- Every delivery attempt, for operators (notificationDeliveries).
CREATE TABLE IF NOT EXISTS notification_attempts (
  seq         INTEGER PRIMARY KEY,
  delivery_id TEXT    NOT NULL,
  at_ms       INTEGER NOT NULL,
  ok          INTEGER NOT NULL,
  detail      TEXT    NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS notification_attempts_delivery ON notification_attempts (delivery_id, seq);
`;

interface LogRow {
  id: string;
  alarm_id: string;
  kind: string;
  at_ms: number;
  subject: string;
  type: string;
  severity: string;
  started_ms: number;
  value: number | null;
  threshold: number | null;
  message: string;
  rule_version: number;
}

export type DeliveryState = 'PENDING' | 'SENT' | 'DEAD';

/** One notification to one channel, as the outbox holds it. */
export interface OutboxRow {
  readonly id: string;
  readonly channelId: string;
  readonly transitionId: string;
  readonly alarmId: string;
  readonly payloadJson: string;
  readonly createdAt: Date;
  readonly nextAt: Date;
  readonly attempts: number;
  readonly state: DeliveryState;
  readonly lastError: string | null;
}

export interface AttemptRow {
  readonly at: Date;
  readonly ok: boolean;
  readonly detail: string;
}

interface OutboxDbRow {
  id: string;
  channel_id: string;
  transition_id: string;
  alarm_id: string;
  payload_json: string;
  created_ms: number;
  next_ms: number;
  attempts: number;
  state: string;
  last_error: string | null;
}

/**
 * `alarms.sqlite` in DATA_DIR: the alarm log and secrets of the embedded store, and (in every
 * mode) this process's durable notification outbox and its attempts.
 */
export class SqliteAlarmStore implements AlarmLog {
  readonly #db: Database.Database;
  readonly #file: string;

  constructor(file: string) {
    this.#file = file;
    this.#db = openDatabase({ file, role: 'alarm store', schema: SCHEMA, version: 1 });
  }

  async append(entries: readonly AlarmLogEntry[]): Promise<void> {
    const insert = this.#db.prepare(
      `INSERT OR IGNORE INTO alarm_log (id, alarm_id, kind, at_ms, subject, type, severity, started_ms, value, threshold, message, rule_version)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.#db.transaction(() => {
      for (const e of entries) {
        insert.run(e.id, e.alarmId, e.kind, e.at.getTime(), e.subject, e.type, e.severity, e.startedAt.getTime(), e.value, e.threshold, e.message, e.ruleVersion);
      }
    })();
    return Promise.resolve();
  }

  async all(): Promise<AlarmLogEntry[]> {
    const rows = this.#db.prepare('SELECT * FROM alarm_log ORDER BY at_ms, id').all() as LogRow[];
    return Promise.resolve(rows.map((row) => rowToEntry(row, this.#file)).sort(compareEntries));
  }

  async putSecret(id: string, value: string): Promise<void> {
    this.#db.prepare('INSERT INTO alarm_secrets (id, value) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET value = excluded.value').run(id, value);
    return Promise.resolve();
  }

  async secret(id: string): Promise<string | null> {
    const row = this.#db.prepare('SELECT value FROM alarm_secrets WHERE id = ?').get(id) as { value: string } | undefined;
    return Promise.resolve(row?.value ?? null);
  }

  /** Adds deliveries; one already there (same transition and channel) is left as it is. Returns the ids added. */
  enqueue(rows: ReadonlyArray<Pick<OutboxRow, 'id' | 'channelId' | 'transitionId' | 'alarmId' | 'payloadJson'> & { at: number }>): string[] {
    const insert = this.#db.prepare(
      `INSERT OR IGNORE INTO notification_outbox (id, channel_id, transition_id, alarm_id, payload_json, created_ms, next_ms, attempts, state, last_error)
       VALUES (?, ?, ?, ?, ?, ?, ?, 0, 'PENDING', NULL)`,
    );
    const added: string[] = [];
    this.#db.transaction(() => {
      for (const row of rows) if (insert.run(row.id, row.channelId, row.transitionId, row.alarmId, row.payloadJson, row.at, row.at).changes > 0) added.push(row.id);
    })();
    return added;
  }

  /** Whether this process's outbox holds a notification of the alarm (it owns its reminders). */
  owns(alarmId: string): boolean {
    return this.#db.prepare('SELECT 1 FROM notification_outbox WHERE alarm_id = ? LIMIT 1').get(alarmId) !== undefined;
  }

  /** Deliveries due at `now`, oldest first. */
  due(now: number, limit: number): OutboxRow[] {
    const rows = this.#db.prepare("SELECT * FROM notification_outbox WHERE state = 'PENDING' AND next_ms <= ? ORDER BY next_ms, id LIMIT ?").all(now, limit) as OutboxDbRow[];
    return rows.map(toOutbox);
  }

  /** The earliest next attempt of a pending delivery, or null. */
  nextDue(): number | null {
    const row = this.#db.prepare("SELECT MIN(next_ms) AS next FROM notification_outbox WHERE state = 'PENDING'").get() as { next: number | null };
    return row.next;
  }

  /** Records one attempt and the delivery's new state, together. */
  recordAttempt(id: string, at: number, result: { ok: true; detail: string } | { ok: false; detail: string; nextAt: number | null }): void {
    this.#db.transaction(() => {
      this.#db.prepare('INSERT INTO notification_attempts (delivery_id, at_ms, ok, detail) VALUES (?, ?, ?, ?)').run(id, at, result.ok ? 1 : 0, result.detail.slice(0, 500));
      if (result.ok) {
        this.#db.prepare("UPDATE notification_outbox SET attempts = attempts + 1, state = 'SENT', last_error = NULL WHERE id = ?").run(id);
      } else {
        const state = result.nextAt === null ? 'DEAD' : 'PENDING';
        this.#db
          .prepare('UPDATE notification_outbox SET attempts = attempts + 1, state = ?, next_ms = ?, last_error = ? WHERE id = ?')
          .run(state, result.nextAt ?? at, result.detail.slice(0, 500), id);
      }
    })();
  }

  /** Deliveries, newest first, optionally one state's; with their attempts. */
  deliveries(options: { state?: DeliveryState; limit: number; beforeCreatedMs?: number }): Array<OutboxRow & { tries: AttemptRow[] }> {
    const params: Array<string | number> = [];
    let where = '1 = 1';
    if (options.state) {
      where += ' AND state = ?';
      params.push(options.state);
    }
    const rows = this.#db.prepare(`SELECT * FROM notification_outbox WHERE ${where} ORDER BY created_ms DESC, id DESC LIMIT ?`).all(...params, options.limit) as OutboxDbRow[];
    const attempts = this.#db.prepare('SELECT at_ms, ok, detail FROM notification_attempts WHERE delivery_id = ? ORDER BY seq');
    return rows.map((row) => ({
      ...toOutbox(row),
      tries: (attempts.all(row.id) as Array<{ at_ms: number; ok: number; detail: string }>).map((a) => ({ at: new Date(a.at_ms), ok: a.ok === 1, detail: a.detail })),
    }));
  }

  close(): void {
    closeDatabase(this.#db, this.#file, 'alarm store');
  }
}

function toOutbox(row: OutboxDbRow): OutboxRow {
  return {
    id: row.id,
    channelId: row.channel_id,
    transitionId: row.transition_id,
    alarmId: row.alarm_id,
    payloadJson: row.payload_json,
    createdAt: new Date(row.created_ms),
    nextAt: new Date(row.next_ms),
    attempts: row.attempts,
    state: row.state as DeliveryState,
    lastError: row.last_error,
  };
}

function rowToEntry(row: LogRow, file: string): AlarmLogEntry {
  if (!(ALARM_TYPES as readonly string[]).includes(row.type) || !(ALARM_SEVERITIES as readonly string[]).includes(row.severity)) {
    throw new Error(`alarm log entry ${row.id} in ${file} has an unknown type or severity (${row.type}, ${row.severity}): written by another version?`);
  }
  return {
    id: row.id,
    alarmId: row.alarm_id,
    kind: row.kind as AlarmLogEntry['kind'],
    at: new Date(row.at_ms),
    subject: row.subject,
    type: row.type as AlarmType,
    severity: row.severity as AlarmSeverity,
    startedAt: new Date(row.started_ms),
    value: row.value,
    threshold: row.threshold,
    message: row.message,
    ruleVersion: row.rule_version,
  };
}
