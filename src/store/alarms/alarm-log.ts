import type { AlarmSeverity, AlarmType } from '../../models/alarm.js';

/**
 * The alarm log: every raise, worsening and clear, appended, in the store of record (the embedded
 * SQLite file, or InfluxDB's admin bucket), so a restart neither loses nor duplicates an alarm and
 * every process of a site reads the same alarms with the same ids. Acknowledgements are in the
 * admin record (models/alarm.ts `alarm.acknowledged`). An entry's id is derived from what it says,
 * so writing the same entry twice (a replay, several processes deciding the same) keeps one.
 */
export interface AlarmLog {
  /** Appends durably (idempotent by entry id); throws when the store cannot take them. */
  append(entries: readonly AlarmLogEntry[]): Promise<void>;
  /** Every entry, oldest first (by time, then id). */
  all(): Promise<AlarmLogEntry[]>;
  /** A channel's secret (webhook signing key, SMTP password): kept here only, never returned by the API. */
  putSecret(id: string, value: string): Promise<void>;
  secret(id: string): Promise<string | null>;
}

export interface AlarmLogEntry {
  /** transitionId(alarmId, kind, at). */
  readonly id: string;
  readonly alarmId: string;
  readonly kind: 'RAISED' | 'WORSENED' | 'CLEARED' | 'WITHDRAWN';
  /** Meter time of the transition. */
  readonly at: Date;
  /** A panel id or BUILDING. */
  readonly subject: string;
  readonly type: AlarmType;
  readonly severity: AlarmSeverity;
  readonly startedAt: Date;
  readonly value: number | null;
  readonly threshold: number | null;
  readonly message: string;
  readonly ruleVersion: number;
}

export function compareEntries(a: AlarmLogEntry, b: AlarmLogEntry): number {
  const order = { RAISED: 0, WORSENED: 1, CLEARED: 2, WITHDRAWN: 3 } as const;
  return a.at.getTime() - b.at.getTime() || order[a.kind] - order[b.kind] || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}
