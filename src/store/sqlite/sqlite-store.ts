import type Database from 'better-sqlite3';
import type { PanelRecord, Reading } from '../../models/reading.js';
import { interpretEntries, parseStoredJson, type AdminLog, type StoredAdminEntry } from '../admin-log.js';
import type { CounterColumns, DurableWriter, ReadingStore, WindowReadings } from '../reading-store.js';
import { DamagedStoreError, type StoreCondition, type StoreConditionSource } from '../store-condition.js';
import { closeDatabase, DamagedDatabaseError, looksDamaged, markDamaged, openDatabase } from './sqlite-database.js';
import { SqliteReadPool } from './sqlite-read-pool.js';
import { WalCheckpointer, WRITER_CHECKPOINT_PAGES, type CheckpointCounts } from './wal-checkpointer.js';
import { READING_COLUMNS, SCHEMA_SQL, SCHEMA_VERSION, assertStorable, paramsToReading, readingParams, rowToReading, type ReadingParams, type ReadingRow } from './sqlite-schema.js';

export interface SqliteStoreOptions {
  /** Database file (parent folders are created). */
  readonly file: string;
  /** Readings per scan chunk. Default 50,000. */
  readonly scanChunk?: number;
}


const UPSERT_READING_SQL = `
INSERT INTO readings (${READING_COLUMNS.join(', ')})
VALUES (${READING_COLUMNS.map(() => '?').join(', ')})
ON CONFLICT (panel_id, time_ms) DO UPDATE SET
${READING_COLUMNS.slice(2)
  .map((column) => `  ${column} = excluded.${column}`)
  .join(',\n')}
`;

/**
 * Version 1 had no reactive counter and kept an outbox for InfluxDB here (now the journal's job);
 * version 3 added the admin record (created by SCHEMA_SQL).
 */
const MIGRATIONS = [{ to: 2, sql: 'ALTER TABLE readings ADD COLUMN reactive_energy_kvarh REAL; DROP TABLE IF EXISTS outbox;' }];

interface PanelRow {
  readonly id: string;
  readonly first_seen_ms: number;
  readonly last_seen_ms: number;
}

interface DownsampleRow extends Omit<ReadingRow, 'panel_id' | 'time_ms'> {
  readonly window_index: number;
  readonly count: number;
}

function timeMs(date: Date, name: string): number {
  const ms = date instanceof Date ? date.getTime() : Number.NaN;
  if (!Number.isFinite(ms)) throw new RangeError(`${name} is not a valid date`);
  return ms;
}

/**
 * The embedded store: every raw reading in one SQLite file (the default, and the store of record
 * without InfluxDB). Writes run on the calling thread (one commit per call); long reads run in a
 * worker pool so they never stall ingestion or requests.
 */
export class SqliteStore implements ReadingStore, DurableWriter, StoreConditionSource {
  readonly file: string;
  /** The admin record, in the same file (the store of record). */
  readonly admin: AdminLog;
  readonly #db: Database.Database;
  readonly #pool: SqliteReadPool;
  readonly #checkpointer: WalCheckpointer;
  readonly #scanChunk: number;
  #closed = false;
  /** What is wrong with the file, once a query or write met a damaged page. */
  #damaged: string | null = null;

  // Prepared once: better-sqlite3 statements are reusable and preparing costs more than running.
  readonly #upsertReading: Database.Statement<unknown[]>;
  readonly #upsertPanel: Database.Statement<[string, number, number]>;
  readonly #selectLatest: Database.Statement<[string], ReadingRow>;
  readonly #selectRange: Database.Statement<[string, number, number, number], ReadingParams>;
  readonly #selectPanels: Database.Statement<[], PanelRow>;
  readonly #selectOne: Database.Statement<[], { one: number }>;
  /** Returns how many panels the readings are of. */
  readonly #write: (readings: readonly Reading[]) => number;

  constructor(options: SqliteStoreOptions) {
    this.file = options.file;
    this.#scanChunk = options.scanChunk ?? 50_000;
    this.#db = openDatabase({
      file: options.file,
      role: 'readings store',
      schema: SCHEMA_SQL,
      version: SCHEMA_VERSION,
      migrations: MIGRATIONS,
      // Millions of rows: probed by two seeks per panel instead of read page by page at every start.
      largeTables: ['readings'],
      autocheckpointPages: WRITER_CHECKPOINT_PAGES,
      probe: (db) => {
        const ends = db.prepare('SELECT (SELECT min(time_ms) FROM readings WHERE panel_id = ?) AS first, (SELECT max(time_ms) FROM readings WHERE panel_id = ?) AS last');
        for (const { id } of db.prepare('SELECT id FROM panels').all() as Array<{ id: string }>) ends.get(id, id);
      },
    });
    const db = this.#db;
    this.#upsertReading = db.prepare(UPSERT_READING_SQL);
    this.#upsertPanel = db.prepare(`
      INSERT INTO panels (id, first_seen_ms, last_seen_ms) VALUES (?, ?, ?)
      ON CONFLICT (id) DO UPDATE SET
        first_seen_ms = min(first_seen_ms, excluded.first_seen_ms),
        last_seen_ms = max(last_seen_ms, excluded.last_seen_ms)`);
    // One statement for any number of panels: the newest key of each is one primary-key seek.
    this.#selectLatest = db.prepare(`
      SELECT r.* FROM (SELECT DISTINCT value AS panel_id FROM json_each(?)) AS ids
      JOIN readings AS r ON r.panel_id = ids.panel_id
        AND r.time_ms = (SELECT max(time_ms) FROM readings WHERE panel_id = ids.panel_id)`);
    // Raw rows in READING_COLUMNS order: named rows cost more than twice as much to fetch, which
    // is most of an export's time (525,600 rows of a year: 95,000 rows/s named, 220,000 raw).
    this.#selectRange = db
      .prepare<[string, number, number, number], ReadingParams>(
        `SELECT ${READING_COLUMNS.join(', ')} FROM readings WHERE panel_id = ? AND time_ms >= ? AND time_ms < ?
      ORDER BY time_ms LIMIT ?`,
      )
      .raw(true);
    this.#selectPanels = db.prepare('SELECT id, first_seen_ms, last_seen_ms FROM panels ORDER BY id');
    this.#selectOne = db.prepare('SELECT 1 AS one');
    this.#write = db.transaction((readings: readonly Reading[]) => this.#writeRows(readings));
    const insertRecord = db.prepare<[string, number, string, string]>('INSERT INTO admin_records (id, at_ms, actor, change_json) VALUES (?, ?, ?, ?)');
    const selectRecords = db.prepare<[], { id: string; at_ms: number; actor: string; change_json: string }>(
      'SELECT id, at_ms, actor, change_json FROM admin_records ORDER BY at_ms, id',
    );
    const entries = (): StoredAdminEntry[] =>
      selectRecords.all().map((row) => ({ id: row.id, at: new Date(row.at_ms), actor: row.actor, changeJson: row.change_json }));
    const damaged = (entry: StoredAdminEntry, reason: string) =>
      new DamagedDatabaseError(this.file, 'readings store', `admin record ${entry.id} (tariffs, panel names, retired panels) cannot be read: ${reason.split('\n')[0]}`);
    // Checked now, so that a damaged record (the tariffs live there) stops start-up with exit 2
    // instead of failing every later load of the settings. An intact entry this version cannot
    // interpret is no damage: SiteSettings skips and shows it.
    try {
      for (const entry of entries()) parseStoredJson(entry, damaged);
    } catch (error) {
      db.close();
      throw error;
    }
    this.#pool = new SqliteReadPool(options.file);
    this.#checkpointer = new WalCheckpointer({ file: options.file, onError: (error) => this.#noteDamage(error) });
    this.admin = {
      append: async (record) => {
        insertRecord.run(record.id, record.at.getTime(), record.actor, JSON.stringify(record.change));
      },
      all: async () => interpretEntries(entries(), damaged),
    };
  }

  /**
   * Writes readings in one transaction and returns once committed. All or nothing: an invalid
   * reading throws InvalidReadingError before anything is written, and a SQLite error (a full
   * disk) rolls the whole batch back.
   */
  writeBatchSync(readings: readonly Reading[]): void {
    assertStorable(readings);
    if (readings.length === 0) return;
    if (this.#damaged) throw new DamagedStoreError(this.#damaged);
    const panels = this.#watch(() => this.#write(readings));
    // The pages the commit appended to the log: each panel's newest leaf of the readings table,
    // the panels table's leaf, and about one more for the pages above them.
    this.#checkpointer.wrote(panels + 2);
  }

  /** What the checkpoint worker did so far. */
  checkpoints(): CheckpointCounts {
    return this.#checkpointer.counts();
  }

  /** Whether the file is known to be damaged (then writes are refused). */
  storeCondition(): StoreCondition {
    return { damaged: this.#damaged };
  }

  /** Runs a read or write; an error that shows a damaged file marks the store damaged. */
  #watch<T>(run: () => T): T {
    try {
      return run();
    } catch (error) {
      this.#noteDamage(error);
      throw error;
    }
  }

  async #watchAsync<T>(run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      this.#noteDamage(error);
      throw error;
    }
  }

  #noteDamage(error: unknown): void {
    if (this.#damaged !== null || !looksDamaged(error)) return;
    const what = error instanceof Error ? error.message : String(error);
    this.#damaged =
      `The readings store ${this.file} is damaged (${what}). Stop the product, restore the file from a backup ` +
      `(or move it aside to start with an empty readings store), then start again.`;
    markDamaged(this.file, 'readings store', what);
  }

  #writeRows(readings: readonly Reading[]): number {
    const seen = new Map<string, { first: number; last: number }>();
    for (const reading of readings) {
      const time = reading.time.getTime();
      this.#upsertReading.run(...readingParams(reading));
      const span = seen.get(reading.panelId);
      if (span === undefined) seen.set(reading.panelId, { first: time, last: time });
      else {
        span.first = Math.min(span.first, time);
        span.last = Math.max(span.last, time);
      }
    }
    for (const [panelId, span] of seen) this.#upsertPanel.run(panelId, span.first, span.last);
    return seen.size;
  }

  async latestReadings(panelIds: readonly string[]): Promise<Map<string, Reading>> {
    const latest = new Map<string, Reading>();
    if (panelIds.length === 0) return latest;
    for (const row of this.#watch(() => this.#selectLatest.all(JSON.stringify(panelIds)))) latest.set(row.panel_id, rowToReading(row));
    return latest;
  }

  async readings(panelId: string, from: Date, to: Date, limit?: number): Promise<Reading[]> {
    if (limit !== undefined && !(Number.isInteger(limit) && limit >= 0)) {
      throw new RangeError(`limit must be a non-negative integer, got ${limit}`);
    }
    // LIMIT -1 is SQLite's "no limit".
    const fromMs = timeMs(from, 'from');
    const toMs = timeMs(to, 'to');
    return this.#watch(() => this.#selectRange.all(panelId, fromMs, toMs, limit ?? -1)).map(paramsToReading);
  }

  async downsample(panelId: string, from: Date, to: Date, everyMs: number): Promise<WindowReadings[]> {
    if (!(Number.isSafeInteger(everyMs) && everyMs > 0)) throw new RangeError(`everyMs must be a positive integer, got ${everyMs}`);
    const fromMs = timeMs(from, 'from');
    const toMs = timeMs(to, 'to');
    const rows = await this.#watchAsync(() => this.#pool.downsample<DownsampleRow>({ panelId, from: fromMs, to: toMs, every: everyMs }));
    return rows.map((row) => ({
      count: row.count,
      reading: rowToReading({ ...row, panel_id: panelId, time_ms: fromMs + row.window_index * everyMs }),
    }));
  }

  async panels(): Promise<PanelRecord[]> {
    return this.#watch(() => this.#selectPanels.all()).map((row) => ({
      id: row.id,
      firstSeenAt: new Date(row.first_seen_ms),
      lastSeenAt: new Date(row.last_seen_ms),
    }));
  }

  async *scan(panelId: string, fromMs: number): AsyncIterable<CounterColumns> {
    // Keyset pagination: each chunk is its own short read, so writes go on in between.
    let from = Number.isFinite(fromMs) ? fromMs : Number.MIN_SAFE_INTEGER;
    for (;;) {
      const chunk = await this.#watchAsync(() => this.#pool.scan(panelId, from, this.#scanChunk));
      if (chunk.t.length > 0) yield chunk;
      if (chunk.t.length < this.#scanChunk) return;
      from = chunk.t[chunk.t.length - 1]! + 1;
    }
  }

  async ping(): Promise<void> {
    if (this.#selectOne.get()?.one !== 1) throw new Error('SQLite did not answer SELECT 1');
    await this.#pool.ping();
  }

  /** Checkpoints the WAL into the database file and closes. Safe to call more than once. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#pool.close();
    await this.#checkpointer.close();
    closeDatabase(this.#db, this.file, 'readings store');
  }
}
