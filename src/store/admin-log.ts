import type { AdminRecord } from '../models/admin-change.js';

/**
 * The append-only record of operators' and administrators' changes, kept in the store of record
 * (the embedded SQLite file, or InfluxDB), so every process of a site sees the same changes.
 */
export interface AdminLog {
  /** Appends durably; throws when the store of record cannot take it (the change did not happen). */
  append(record: AdminRecord): Promise<void>;
  /** Every record, oldest first (by time, then id). */
  all(): Promise<AdminRecord[]>;
}

/** Orders records by time, then id (two changes in the same millisecond keep a stable order). */
export function compareRecords(a: AdminRecord, b: AdminRecord): number {
  return a.at.getTime() - b.at.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}
