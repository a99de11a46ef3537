import type Database from 'better-sqlite3';
import type { PanelRecord, Reading } from '../../models/reading.js';
import { allocateColumns, type CounterColumns, type DurableWriter } from '../reading-store.js';
import { DamagedStoreError, type StoreCondition, type StoreConditionSource } from '../store-condition.js';
import { closeDatabase, looksDamaged, markDamaged, openDatabase } from './sqlite-database.js';
import { WalCheckpointer, WRITER_CHECKPOINT_PAGES, type CheckpointCounts } from './wal-checkpointer.js';
import { READING_COLUMNS, READING_COLUMNS_SQL, assertStorable, readingParams, rowToReading, type ReadingParams, type ReadingRow } from './sqlite-schema.js';

/**
 * The write-ahead buffer in front of InfluxDB: every acknowledged reading is committed here first
 * (a local SQLite commit, fast and independent of the network) and stays only until InfluxDB has
 * confirmed it; the forwarder then removes it. So the file holds what InfluxDB does not have yet,
 * and a process can be replaced with an empty DATA_DIR whenever its journal is empty.
 *
 * A reading written again for the same (panel, time) replaces the waiting one and gets a new
 * sequence number: a confirmation of the older version does not remove the newer one.
 */

export const JOURNAL_SCHEMA_VERSION = 1;

const JOURNAL_SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS journal (
  ${READING_COLUMNS_SQL},
  seq                INTEGER NOT NULL,
  enqueued_at_ms     INTEGER NOT NULL,
  PRIMARY KEY (panel_id, time_ms)
) WITHOUT ROWID, STRICT;
CREATE UNIQUE INDEX IF NOT EXISTS journal_by_seq ON journal (seq);
-- Readings InfluxDB refused for their content (kept, never silently dropped; see the forwarder).
CREATE TABLE IF NOT EXISTS quarantine (
  seq            INTEGER NOT NULL PRIMARY KEY,
  panel_id       TEXT    NOT NULL,
  time_ms        INTEGER NOT NULL,
  reading_json   TEXT    NOT NULL,
  reason         TEXT    NOT NULL,
  quarantined_at_ms INTEGER NOT NULL
) STRICT;
`;

export interface JournalEntry {
  readonly seq: number;
  /** The reading's columns in READING_COLUMNS order (paramsToReading() makes a Reading of it). */
  readonly row: ReadingParams;
}

/**
 * Cheap to ask at any backlog size (status queries and /ready ask it): the count is kept in
 * memory (#waiting) and the oldest entry is found through the sequence index, never by scanning the table.
 */
export interface JournalStats {
  /** Readings waiting for InfluxDB. */
  readonly count: number;
  /** Readings InfluxDB refused for their content, kept in the quarantine table. */
  readonly quarantined: number;
  /** When the longest-waiting reading (the lowest sequence number) was journaled. */
  readonly oldestEnqueuedAt: Date | null;
}

interface JournalRow extends ReadingRow {
  readonly seq: number;
}

export interface SqliteJournalOptions {
  readonly file: string;
  /** Clock for enqueue times (ms since epoch). Default Date.now. */
  readonly now?: () => number;
}

export class SqliteJournal implements DurableWriter, StoreConditionSource {
  readonly file: string;
  readonly #db: Database.Database;
  readonly #checkpointer: WalCheckpointer;
  readonly #now: () => number;
  #nextSeq: number;
  /** Rows in the journal table, kept in step with every insert and delete. */
  #waiting: number;
  #closed = false;
  /** What is wrong with the file, once a query or write met a damaged page. */
  #damaged: string | null = null;
  /**
   * whenForwarded() callers, by ascending sequence number: each waits until no entry numbered at
   * or below its number is left (InfluxDB confirmed them, or they were quarantined).
   */
  readonly #forwardWaiters: Array<{ readonly upTo: number; readonly resolve: () => void }> = [];
  readonly #minSeq: Database.Statement<[], { seq: number | null }>;
  /** Raw rows: the reading's columns in READING_COLUMNS order, then seq. */
  readonly #peek: Database.Statement<[number, number], ReadingParams>;
  readonly #oldest: Database.Statement<[], { enqueued_at_ms: number }>;
  readonly #quarantined: Database.Statement<[], { n: number }>;
  readonly #range: Database.Statement<[string, number, number], ReadingRow>;
  readonly #latest: Database.Statement<[string], ReadingRow>;
  readonly #counters: Database.Statement<[string, number], [number, number, number, number | null, number | null, number | null]>;
  readonly #panels: Database.Statement<[], { id: string; first_ms: number; last_ms: number }>;
  readonly #count: Database.Statement<[string, number, number], { n: number }>;
  /** Returns how many rows were added (a rewrite of a waiting reading replaces it). */
  readonly #write: (readings: readonly Reading[]) => number;
  /** Return how many rows were removed. */
  readonly #ack: (seqs: readonly number[]) => number;
  readonly #ackRange: Database.Statement<[number, number]>;
  readonly #quarantine: (seq: number, reason: string) => number;

  constructor(options: SqliteJournalOptions) {
    this.file = options.file;
    this.#now = options.now ?? Date.now;
    this.#db = openDatabase({
      file: options.file,
      role: 'journal',
      schema: JOURNAL_SCHEMA_SQL,
      version: JOURNAL_SCHEMA_VERSION,
      // Large only while InfluxDB is away for long: then probed by its sequence index.
      largeTables: ['journal'],
      probe: (db) => void db.prepare('SELECT min(seq), max(seq) FROM journal').get(),
      autocheckpointPages: WRITER_CHECKPOINT_PAGES,
    });
    this.#checkpointer = new WalCheckpointer({ file: options.file, onError: (error) => this.#noteDamage(error) });
    const db = this.#db;
    const columns = [...READING_COLUMNS, 'seq', 'enqueued_at_ms'];
    // Insert, and only when the (panel, time) is already waiting, replace it: the two statements
    // tell a new row from a rewrite, which keeps #count exact without counting the table.
    const insert = db.prepare(`
      INSERT INTO journal (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})
      ON CONFLICT (panel_id, time_ms) DO NOTHING`);
    const replace = db.prepare(`
      UPDATE journal SET ${columns.slice(2).map((column) => `${column} = ?`).join(', ')}
      WHERE panel_id = ? AND time_ms = ?`);
    this.#peek = db
      .prepare<[number, number], ReadingParams>(`SELECT ${columns.slice(0, -1).join(', ')} FROM journal WHERE seq > ? ORDER BY seq LIMIT ?`)
      .raw(true);
    this.#oldest = db.prepare('SELECT enqueued_at_ms FROM journal ORDER BY seq LIMIT 1');
    this.#minSeq = db.prepare('SELECT min(seq) AS seq FROM journal');
    this.#quarantined = db.prepare('SELECT count(*) AS n FROM quarantine');
    this.#range = db.prepare('SELECT * FROM journal WHERE panel_id = ? AND time_ms >= ? AND time_ms < ? ORDER BY time_ms');
    this.#latest = db.prepare(`
      SELECT j.* FROM (SELECT DISTINCT value AS panel_id FROM json_each(?)) AS ids
      JOIN journal AS j ON j.panel_id = ids.panel_id
        AND j.time_ms = (SELECT max(time_ms) FROM journal WHERE panel_id = ids.panel_id)`);
    this.#counters = db
      .prepare<[string, number], [number, number, number, number | null, number | null, number | null]>(
        `SELECT time_ms, energy_kwh, active_power_kw, power_factor, reactive_energy_kvarh, apparent_power_kva
         FROM journal WHERE panel_id = ? AND time_ms >= ? ORDER BY time_ms`,
      )
      .raw(true);
    this.#panels = db.prepare('SELECT panel_id AS id, min(time_ms) AS first_ms, max(time_ms) AS last_ms FROM journal GROUP BY panel_id');
    this.#count = db.prepare('SELECT count(*) AS n FROM journal WHERE panel_id = ? AND time_ms >= ? AND time_ms < ?');
    const remove = db.prepare<[number]>('DELETE FROM journal WHERE seq = ?');
    this.#nextSeq = ((db.prepare('SELECT max(seq) AS seq FROM journal').get() as { seq: number | null }).seq ?? 0) + 1;
    this.#waiting = (db.prepare('SELECT count(*) AS n FROM journal').get() as { n: number }).n;
    this.#write = db.transaction((readings: readonly Reading[]) => {
      const enqueuedAt = this.#now();
      let added = 0;
      for (const reading of readings) {
        const params = [...readingParams(reading), this.#nextSeq++, enqueuedAt];
        if (insert.run(...params).changes === 1) added++;
        else replace.run(...params.slice(2), params[0], params[1]);
      }
      return added;
    });
    this.#ackRange = db.prepare<[number, number]>('DELETE FROM journal WHERE seq BETWEEN ? AND ?');
    this.#ack = db.transaction((seqs: readonly number[]) => {
      let removed = 0;
      for (const seq of seqs) removed += remove.run(seq).changes;
      return removed;
    });
    const bySeq = db.prepare<[number], JournalRow>('SELECT * FROM journal WHERE seq = ?');
    const keep = db.prepare('INSERT OR REPLACE INTO quarantine (seq, panel_id, time_ms, reading_json, reason, quarantined_at_ms) VALUES (?, ?, ?, ?, ?, ?)');
    this.#quarantine = db.transaction((seq: number, reason: string) => {
      const row = bySeq.get(seq);
      if (!row) return 0;
      keep.run(seq, row.panel_id, row.time_ms, JSON.stringify(rowToReading(row)), reason, this.#now());
      return remove.run(seq).changes;
    });
  }

  /** Commits the readings (all or nothing) before returning; they wait here for InfluxDB. */
  writeBatchSync(readings: readonly Reading[]): void {
    assertStorable(readings);
    if (readings.length === 0) return;
    if (this.#damaged) throw new DamagedStoreError(this.#damaged);
    const seqBefore = this.#nextSeq;
    try {
      this.#waiting += this.#write(readings);
      this.#checkpointer.wrote(logPages(readings.length));
    } catch (error) {
      this.#nextSeq = seqBefore; // rolled back: the numbers were not used
      this.#noteDamage(error);
      throw error;
    }
  }

  /** Whether the file is known to be damaged (then writes are refused). */
  storeCondition(): StoreCondition {
    return { damaged: this.#damaged };
  }

  #noteDamage(error: unknown): void {
    if (this.#damaged !== null || !looksDamaged(error)) return;
    const what = error instanceof Error ? error.message : String(error);
    this.#damaged =
      `The journal ${this.file} is damaged (${what}). Stop the product, restore the file from a backup ` +
      `(or move it aside, losing the readings InfluxDB does not have yet), then start again.`;
    markDamaged(this.file, 'journal', what);
  }

  /**
   * The oldest `limit` waiting readings with a sequence number above `afterSeq`, by the order
   * they were written (the forwarder passes the last one it has in flight).
   */
  peek(limit: number, afterSeq = 0): JournalEntry[] {
    try {
      return this.#peek.all(afterSeq, limit).map((row) => {
        const seq = row.pop() as number;
        return { seq, row };
      });
    } catch (error) {
      this.#noteDamage(error);
      throw error;
    }
  }

  /** InfluxDB confirmed these: remove them (a reading written again since keeps its newer version). */
  ack(seqs: readonly number[]): void {
    if (seqs.length > 0) this.#removed(this.#ack(seqs));
    this.#settleForwardWaiters();
  }

  /**
   * Removes every entry numbered `fromSeq` to `toSeq`: one statement for a whole batch. For a
   * batch read with peek(): a reading written again since has a higher number and stays.
   */
  ackRange(fromSeq: number, toSeq: number): void {
    if (toSeq >= fromSeq) this.#removed(this.#ackRange.run(fromSeq, toSeq).changes);
    this.#settleForwardWaiters();
  }

  /** Moves a reading InfluxDB will never accept to the quarantine table (kept with the reason). */
  quarantine(seq: number, reason: string): void {
    this.#waiting -= this.#quarantine(seq, reason);
    this.#settleForwardWaiters();
  }

  /** The number of the last entry written (0 before the first). */
  lastSeq(): number {
    return this.#nextSeq - 1;
  }

  /**
   * Resolves once every entry numbered up to `upTo` has left the journal: InfluxDB confirmed it
   * (or refused it for its content and it was quarantined). A reading rewritten since counts as
   * its newer version, which has a higher number. Never resolves after close() while entries wait.
   */
  whenForwarded(upTo: number = this.lastSeq()): Promise<void> {
    if (this.#waiting === 0 || this.#oldestSeq() > upTo) return Promise.resolve();
    return new Promise((resolve) => {
      const waiters = this.#forwardWaiters;
      // Usually the highest number so far: insert from the end.
      let i = waiters.length;
      while (i > 0 && waiters[i - 1]!.upTo > upTo) i--;
      waiters.splice(i, 0, { upTo, resolve });
    });
  }

  /** How many whenForwarded() callers are waiting. */
  forwardWaiters(): number {
    return this.#forwardWaiters.length;
  }

  #oldestSeq(): number {
    return this.#waiting === 0 ? Number.POSITIVE_INFINITY : (this.#minSeq.get()?.seq ?? Number.POSITIVE_INFINITY);
  }

  #settleForwardWaiters(): void {
    const waiters = this.#forwardWaiters;
    if (waiters.length === 0) return;
    const oldest = this.#oldestSeq();
    let n = 0;
    while (n < waiters.length && waiters[n]!.upTo < oldest) n++;
    for (const waiter of waiters.splice(0, n)) waiter.resolve();
  }

  stats(): JournalStats {
    const oldest = this.#waiting === 0 ? undefined : this.#oldest.get();
    return {
      count: this.#waiting,
      quarantined: this.#quarantined.get()?.n ?? 0,
      oldestEnqueuedAt: oldest === undefined ? null : new Date(oldest.enqueued_at_ms),
    };
  }

  /** Waiting readings of one panel in [fromMs, toMs), oldest first. */
  readings(panelId: string, fromMs: number, toMs: number): Reading[] {
    return this.#range.all(panelId, clampMs(fromMs), clampMs(toMs)).map(rowToReading);
  }

  /** How many readings of one panel in [fromMs, toMs) are waiting. */
  count(panelId: string, fromMs: number, toMs: number): number {
    return this.#count.get(panelId, clampMs(fromMs), clampMs(toMs))?.n ?? 0;
  }

  /**
   * Waiting readings of one panel from `fromMs` on, as columns (the energy ledger's start-up walk
   * reads every waiting reading this way: raw rows of the six counter columns, no Reading objects).
   */
  columns(panelId: string, fromMs: number): CounterColumns {
    const rows = this.#counters.all(panelId, clampMs(fromMs));
    const columns = allocateColumns(rows.length);
    rows.forEach(([t, kwh, kw, pf, kvarh, kva], k) => {
      columns.t[k] = t;
      columns.kwh[k] = kwh;
      columns.kw[k] = kw;
      columns.pf[k] = pf ?? Number.NaN;
      columns.kvarh[k] = kvarh ?? Number.NaN;
      columns.kva[k] = kva ?? Number.NaN;
    });
    return columns;
  }

  /** The newest waiting reading of each requested panel that has one. */
  latest(panelIds: readonly string[]): Map<string, Reading> {
    const latest = new Map<string, Reading>();
    if (panelIds.length === 0) return latest;
    for (const row of this.#latest.all(JSON.stringify(panelIds))) latest.set(row.panel_id, rowToReading(row));
    return latest;
  }

  /** Panels with waiting readings, with the span of those readings. */
  panels(): PanelRecord[] {
    return this.#panels.all().map((row) => ({ id: row.id, firstSeenAt: new Date(row.first_ms), lastSeenAt: new Date(row.last_ms) }));
  }

  ping(): void {
    this.#db.prepare('SELECT 1').get();
  }

  /** What the checkpoint worker did so far. */
  checkpoints(): CheckpointCounts {
    return this.#checkpointer.counts();
  }

  #removed(rows: number): void {
    this.#waiting -= rows;
    this.#checkpointer.wrote(logPages(rows));
  }

  /** Checkpoints the WAL into the file and closes. Safe to call more than once. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#checkpointer.close();
    closeDatabase(this.#db, this.file, 'journal');
  }
}

/**
 * About the pages a commit of `rows` rows appends to the log: a leaf of the key per panel (up to
 * some 100 panels a building has), one of the sequence index, one more above them.
 */
function logPages(rows: number): number {
  return Math.min(rows, 100) + 2;
}

function clampMs(ms: number): number {
  return Math.max(Number.MIN_SAFE_INTEGER, Math.min(Number.MAX_SAFE_INTEGER, ms));
}
