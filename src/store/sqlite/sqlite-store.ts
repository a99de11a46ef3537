import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { IANAZone } from 'luxon';
import type { CounterRuleParams, EnergyQuery, EnergyRow } from '../../models/energy.js';
import type { PanelRecord, Reading } from '../../models/reading.js';
import { periodSlices } from '../../services/energy/periods.js';
import type { ReadingStore } from '../reading-store.js';
import { SqliteQueryPool } from './sqlite-query-worker.js';
import {
  READING_COLUMNS,
  SCHEMA_SQL,
  SCHEMA_VERSION,
  invalidReadingReason,
  readingParams,
  rowToReading,
  type ReadingRow,
} from './sqlite-schema.js';

export interface SqliteStoreOptions {
  /** Database file (parent folders are created), or ':memory:'. */
  readonly file: string;
  /** IANA zone whose local midnights cut days and months in energy(). */
  readonly timezone: string;
  /** Thresholds of the counter rule. */
  readonly counterRule: CounterRuleParams;
  /** Also enqueue every written reading in the outbox table for the InfluxDB forwarder. Default false. */
  readonly outbox?: boolean;
  /** Clock for the outbox's enqueue time (ms since epoch). Default Date.now. */
  readonly now?: () => number;
  /**
   * Run energy() on a read-only connection in a worker thread, so a query over months of
   * readings never blocks this thread. Default true for a file, false for ':memory:'.
   */
  readonly queryWorker?: boolean;
}

/** A reading waiting in the outbox, with the latest values stored for its (panel, time). */
export interface OutboxEntry {
  readonly seq: number;
  readonly reading: Reading;
}

export interface OutboxStats {
  readonly count: number;
  readonly oldestEnqueuedAt: Date | null;
  readonly oldestReadingTime: Date | null;
}

/** Thrown for a batch with an unstorable reading; nothing of the batch was written. */
export class InvalidReadingError extends RangeError {
  constructor(
    readonly index: number,
    readonly panelId: unknown,
    readonly reason: string,
  ) {
    super(`reading ${index} (panel ${String(panelId)}) cannot be stored: ${reason}`);
    this.name = 'InvalidReadingError';
  }
}

/** Column expressions of one reading in the energy query. */
interface RuleColumns {
  readonly t: string;
  readonly c: string;
  readonly p: string;
}
const THIS: RuleColumns = { t: 't', c: 'c', p: 'p' };
const PREV: RuleColumns = { t: 't1', c: 'c1', p: 'p1' };
const PREV2: RuleColumns = { t: 't2', c: 'c2', p: 'p2' };
const NEXT: RuleColumns = { t: 'nx.time_ms', c: 'nx.energy_kwh', p: 'nx.active_power_kw' };

/**
 * The counter rule's "normal step" from reading `a` to reading `b`. Same operation order as
 * isNormalStep() in counter-rule.ts, so SQLite and the TypeScript oracle decide borderline
 * steps with identical doubles.
 */
function normalStep(a: RuleColumns, b: RuleColumns): string {
  return (
    `(${b.c} - ${a.c} >= 0 AND ${b.c} - ${a.c} <= ` +
    `max(${a.p}, ${b.p}, @minPowerKw) * @maxPowerRatio * ((${b.t} - ${a.t}) / 3600000.0))`
  );
}

/**
 * Energy per (panel, period slice), all panels and periods in one statement.
 *
 * Slices come from periods.ts as JSON [periodStart, start, end] (ms), so any IANA zone works
 * without SQLite knowing about zones. For each panel × slice a correlated subquery reads the
 * panel's readings from the second one before `start` up to `end` (a primary-key seek, then one
 * contiguous range scan in key order, so the window needs no sort) and applies the rule:
 * - common case: the step in is normal and the predecessor is not a glitch (its own step in was
 *   normal, or it has no predecessor): count `c - c1`;
 * - the step in is abnormal: the reading is a glitch, counting 0, when the step from its
 *   predecessor straight to its successor is normal. The successor (the first reading after it,
 *   which for the last reading of the slice is the lookahead reading at or after `end`) is
 *   fetched by one primary-key seek only on this rare path (three LEADs in the window made the
 *   whole query about 40% slower, measured);
 * - the predecessor is a glitch (its step in abnormal, the step over it normal): count from the
 *   reading before it, `c - c2` (normal by the glitch definition);
 * - otherwise `c - c1` if the step is normal, else 0 (a reset, a replacement meter, a jump).
 * Only readings inside [start, end) are summed; the two lookback rows serve as neighbours. The
 * rule looks at most two readings back and one ahead, so cutting [from, to) into slices gives
 * exactly the result of one window over [from, to).
 *
 * `cells` is MATERIALIZED so the per-cell subquery runs once (inlined, SQLite would evaluate it
 * again for the IS NOT NULL filter). A row is returned for each panel and slice holding at least
 * one reading (energy may be 0); periods without readings are absent.
 */
const ENERGY_SQL = `
WITH
  ids(panel_id) AS (SELECT DISTINCT value FROM json_each(@panelIds)),
  slices(period_ms, start_ms, end_ms) AS (
    SELECT value ->> '$[0]', value ->> '$[1]', value ->> '$[2]' FROM json_each(@slices)
  ),
  cells(panel_id, period_ms, kwh) AS MATERIALIZED (
    SELECT ids.panel_id, slices.period_ms, (
      SELECT sum(
        CASE
          WHEN t1 IS NULL THEN 0
          WHEN ${normalStep(PREV, THIS)} AND (t2 IS NULL OR ${normalStep(PREV2, PREV)}) THEN c - c1
          WHEN NOT ${normalStep(PREV, THIS)} AND coalesce((
                 SELECT ${normalStep(PREV, NEXT)} FROM readings AS nx
                 WHERE nx.panel_id = ids.panel_id AND nx.time_ms > t
                 ORDER BY nx.time_ms LIMIT 1), FALSE) THEN 0
          WHEN t2 IS NOT NULL AND NOT ${normalStep(PREV2, PREV)} AND ${normalStep(PREV2, THIS)} THEN c - c2
          WHEN ${normalStep(PREV, THIS)} THEN c - c1
          ELSE 0
        END)
      FROM (
        SELECT time_ms AS t, energy_kwh AS c, active_power_kw AS p,
               lag(time_ms) OVER w AS t1, lag(energy_kwh) OVER w AS c1, lag(active_power_kw) OVER w AS p1,
               lag(time_ms, 2) OVER w AS t2, lag(energy_kwh, 2) OVER w AS c2, lag(active_power_kw, 2) OVER w AS p2
        FROM readings
        WHERE panel_id = ids.panel_id
          AND time_ms >= coalesce((
                SELECT min(time_ms) FROM (
                  SELECT time_ms FROM readings
                  WHERE panel_id = ids.panel_id AND time_ms < slices.start_ms
                  ORDER BY time_ms DESC LIMIT 2)),
                slices.start_ms)
          AND time_ms < slices.end_ms
        WINDOW w AS (ORDER BY time_ms)
      )
      WHERE t >= slices.start_ms
    )
    FROM ids CROSS JOIN slices
  )
SELECT panel_id, period_ms, kwh FROM cells
WHERE kwh IS NOT NULL
ORDER BY panel_id, period_ms
`;

const UPSERT_READING_SQL = `
INSERT INTO readings (${READING_COLUMNS.join(', ')})
VALUES (${READING_COLUMNS.map(() => '?').join(', ')})
ON CONFLICT (panel_id, time_ms) DO UPDATE SET
${READING_COLUMNS.slice(2)
  .map((column) => `  ${column} = excluded.${column}`)
  .join(',\n')}
`;

interface PanelRow {
  readonly id: string;
  readonly first_seen_ms: number;
  readonly last_seen_ms: number;
}

interface EnergyResultRow {
  readonly panel_id: string;
  readonly period_ms: number;
  readonly kwh: number;
}

interface OutboxRow extends ReadingRow {
  readonly seq: number;
}

interface OutboxStatsRow {
  readonly count: number;
  readonly oldest_enqueued_ms: number | null;
  readonly oldest_time_ms: number | null;
}

function timeMs(date: Date, name: string): number {
  const ms = date instanceof Date ? date.getTime() : Number.NaN;
  if (!Number.isFinite(ms)) throw new RangeError(`${name} is not a valid date`);
  return ms;
}

/**
 * The embedded store: raw readings in one SQLite file. It is the default store and, with
 * `outbox: true`, the durable local journal in front of InfluxDB.
 *
 * Every method runs synchronously on the calling thread (better-sqlite3); the async methods of
 * ReadingStore just wrap them, so a thrown error becomes a rejected promise.
 */
export class SqliteStore implements ReadingStore {
  readonly timezone: string;
  private readonly db: Database.Database;
  private readonly rule: CounterRuleParams;
  private readonly outboxEnabled: boolean;
  private readonly now: () => number;
  private closed = false;
  private readonly queryWorker: SqliteQueryPool | null;

  // Prepared once: better-sqlite3 statements are reusable and preparing costs more than running.
  private readonly upsertReading: Database.Statement<unknown[]>;
  private readonly upsertPanel: Database.Statement<[string, number, number]>;
  private readonly enqueue: Database.Statement<[string, number, number]>;
  private readonly selectLatest: Database.Statement<[string], ReadingRow>;
  private readonly selectRange: Database.Statement<[string, number, number, number], ReadingRow>;
  private readonly selectDownsample: Database.Statement<
    { panelId: string; from: number; to: number; every: number },
    DownsampleRow
  >;
  private readonly selectPanels: Database.Statement<[], PanelRow>;
  private readonly selectEnergy: Database.Statement<
    { panelIds: string; slices: string; minPowerKw: number; maxPowerRatio: number },
    EnergyResultRow
  >;
  private readonly selectOne: Database.Statement<[], { one: number }>;
  private readonly selectOutbox: Database.Statement<[number], OutboxRow>;
  private readonly deleteOutbox: Database.Statement<[string]>;
  private readonly selectOutboxStats: Database.Statement<[], OutboxStatsRow>;
  private readonly writeTransaction: (readings: readonly Reading[]) => void;

  constructor(options: SqliteStoreOptions) {
    if (!IANAZone.isValidZone(options.timezone)) throw new RangeError(`"${options.timezone}" is not an IANA timezone`);
    const { maxPowerRatio, minPowerKw } = options.counterRule;
    if (!(maxPowerRatio > 0) || !(minPowerKw > 0)) throw new RangeError('counter rule thresholds must be positive');
    this.timezone = options.timezone;
    this.rule = options.counterRule;
    this.outboxEnabled = options.outbox ?? false;
    this.now = options.now ?? Date.now;

    const inMemory = options.file === ':memory:' || options.file === '';
    if (!inMemory) mkdirSync(dirname(options.file), { recursive: true });
    this.db = new Database(options.file);
    try {
      // WAL: readers do not block the writer, and a commit is one append to the -wal file.
      this.db.pragma('journal_mode = WAL');
      // NORMAL in WAL mode: a commit is written to the WAL file (the OS page cache) before it
      // returns, so a crash of this process loses nothing; only a power cut or OS crash can lose
      // the last commits (the database stays consistent). That is the durability the ingester
      // acknowledges on, and it keeps a commit at tens of microseconds instead of an fsync each.
      this.db.pragma('synchronous = NORMAL');
      // Another connection (a backup, the sqlite3 CLI) may hold the lock briefly.
      this.db.pragma('busy_timeout = 5000');
      this.migrate();

      this.upsertReading = this.db.prepare(UPSERT_READING_SQL);
      this.upsertPanel = this.db.prepare(`
        INSERT INTO panels (id, first_seen_ms, last_seen_ms) VALUES (?, ?, ?)
        ON CONFLICT (id) DO UPDATE SET
          first_seen_ms = min(first_seen_ms, excluded.first_seen_ms),
          last_seen_ms = max(last_seen_ms, excluded.last_seen_ms)`);
      this.enqueue = this.db.prepare('INSERT INTO outbox (panel_id, time_ms, enqueued_at_ms) VALUES (?, ?, ?)');
      // One statement for any number of panels: the newest key of each is one primary-key seek.
      this.selectLatest = this.db.prepare(`
        SELECT r.* FROM (SELECT DISTINCT value AS panel_id FROM json_each(?)) AS ids
        JOIN readings AS r ON r.panel_id = ids.panel_id
          AND r.time_ms = (SELECT max(time_ms) FROM readings WHERE panel_id = ids.panel_id)`);
      this.selectRange = this.db.prepare(`
        SELECT * FROM readings WHERE panel_id = ? AND time_ms >= ? AND time_ms < ?
        ORDER BY time_ms LIMIT ?`);
      // better-sqlite3 binds every JS number as REAL: cast so the window index is an integer
      // division. energy_kwh is a bare column next to the single max(): SQLite documents that it
      // then comes from the row holding the max, i.e. the last counter value in the window.
      this.selectDownsample = this.db.prepare(`
        SELECT (time_ms - CAST(@from AS INTEGER)) / CAST(@every AS INTEGER) AS window_index,
               max(time_ms) AS last_time_ms, energy_kwh,
               avg(voltage_l1) AS voltage_l1, avg(voltage_l2) AS voltage_l2,
               avg(voltage_l3) AS voltage_l3, avg(voltage_avg) AS voltage_avg,
               avg(current_l1) AS current_l1, avg(current_l2) AS current_l2,
               avg(current_l3) AS current_l3, avg(current_avg) AS current_avg,
               avg(active_power_kw) AS active_power_kw, avg(apparent_power_kva) AS apparent_power_kva,
               avg(power_factor) AS power_factor, avg(voltage_unbalance) AS voltage_unbalance,
               avg(current_unbalance) AS current_unbalance
        FROM readings
        WHERE panel_id = @panelId AND time_ms >= @from AND time_ms < @to
        GROUP BY window_index ORDER BY window_index`);
      this.selectPanels = this.db.prepare('SELECT id, first_seen_ms, last_seen_ms FROM panels ORDER BY id');
      this.selectEnergy = this.db.prepare(ENERGY_SQL);
      this.selectOne = this.db.prepare('SELECT 1 AS one');
      // Joined with readings so a rewritten duplicate is forwarded with its latest values.
      this.selectOutbox = this.db.prepare(`
        SELECT o.seq, r.* FROM outbox AS o
        JOIN readings AS r ON r.panel_id = o.panel_id AND r.time_ms = o.time_ms
        ORDER BY o.seq LIMIT ?`);
      this.deleteOutbox = this.db.prepare('DELETE FROM outbox WHERE seq IN (SELECT value FROM json_each(?))');
      this.selectOutboxStats = this.db.prepare(`
        SELECT count(*) AS count, min(enqueued_at_ms) AS oldest_enqueued_ms, min(time_ms) AS oldest_time_ms
        FROM outbox`);
      this.writeTransaction = this.db.transaction((readings: readonly Reading[]) => this.writeRows(readings));
    } catch (error) {
      this.db.close();
      throw error;
    }
    this.queryWorker = (options.queryWorker ?? true) && !inMemory ? new SqliteQueryPool(options.file) : null;
  }

  private migrate(): void {
    const version = this.db.pragma('user_version', { simple: true }) as number;
    if (version > SCHEMA_VERSION) {
      throw new Error(`database schema version ${version} is newer than this build supports (${SCHEMA_VERSION})`);
    }
    this.db.exec(SCHEMA_SQL);
    if (version < SCHEMA_VERSION) this.db.pragma(`user_version = ${SCHEMA_VERSION}`);
  }

  /**
   * Writes readings in one transaction and returns once committed (see the synchronous pragma
   * for what that guarantees). All or nothing: an invalid reading throws InvalidReadingError
   * before anything is written, and any SQLite error rolls the whole batch back.
   */
  writeBatchSync(readings: readonly Reading[]): void {
    for (let i = 0; i < readings.length; i++) {
      const reason = invalidReadingReason(readings[i]!);
      if (reason !== null) throw new InvalidReadingError(i, readings[i]?.panelId, reason);
    }
    if (readings.length === 0) return;
    this.writeTransaction(readings);
  }

  private writeRows(readings: readonly Reading[]): void {
    const enqueuedAt = this.now();
    if (readings.length === 1) {
      // The ingester's per-message path: skip the per-panel aggregation below.
      const reading = readings[0]!;
      const time = reading.time.getTime();
      this.upsertReading.run(...readingParams(reading));
      this.upsertPanel.run(reading.panelId, time, time);
      if (this.outboxEnabled) this.enqueue.run(reading.panelId, time, enqueuedAt);
      return;
    }
    const seen = new Map<string, { first: number; last: number }>();
    for (const reading of readings) {
      const time = reading.time.getTime();
      this.upsertReading.run(...readingParams(reading));
      if (this.outboxEnabled) this.enqueue.run(reading.panelId, time, enqueuedAt);
      const span = seen.get(reading.panelId);
      if (span === undefined) seen.set(reading.panelId, { first: time, last: time });
      else {
        span.first = Math.min(span.first, time);
        span.last = Math.max(span.last, time);
      }
    }
    for (const [panelId, span] of seen) this.upsertPanel.run(panelId, span.first, span.last);
  }

  async writeBatch(readings: readonly Reading[]): Promise<void> {
    this.writeBatchSync(readings);
  }

  async latestReadings(panelIds: readonly string[]): Promise<Map<string, Reading>> {
    const latest = new Map<string, Reading>();
    if (panelIds.length === 0) return latest;
    for (const row of this.selectLatest.all(JSON.stringify(panelIds))) latest.set(row.panel_id, rowToReading(row));
    return latest;
  }

  async readings(panelId: string, from: Date, to: Date, limit?: number): Promise<Reading[]> {
    if (limit !== undefined && !(Number.isInteger(limit) && limit >= 0)) {
      throw new RangeError(`limit must be a non-negative integer, got ${limit}`);
    }
    // LIMIT -1 is SQLite's "no limit".
    const rows = this.selectRange.all(panelId, timeMs(from, 'from'), timeMs(to, 'to'), limit ?? -1);
    return rows.map(rowToReading);
  }

  async downsample(panelId: string, from: Date, to: Date, everyMs: number): Promise<Reading[]> {
    if (!(Number.isSafeInteger(everyMs) && everyMs > 0)) {
      throw new RangeError(`everyMs must be a positive integer, got ${everyMs}`);
    }
    const fromMs = timeMs(from, 'from');
    const rows = this.selectDownsample.all({ panelId, from: fromMs, to: timeMs(to, 'to'), every: everyMs });
    return rows.map((row) => rowToReading({ ...row, panel_id: panelId, time_ms: fromMs + row.window_index * everyMs }));
  }

  async panels(): Promise<PanelRecord[]> {
    return this.selectPanels.all().map((row) => ({
      id: row.id,
      firstSeenAt: new Date(row.first_seen_ms),
      lastSeenAt: new Date(row.last_seen_ms),
    }));
  }

  /**
   * See ENERGY_SQL: one statement for all panels and periods. Rows are sorted by panel and
   * period; a (panel, period) without any reading in it is absent, one with readings but no
   * counted increase has energyKwh 0.
   */
  async energy(query: EnergyQuery): Promise<EnergyRow[]> {
    const fromMs = timeMs(query.from, 'from');
    const toMs = timeMs(query.to, 'to');
    if (query.panelIds.length === 0 || fromMs >= toMs) return [];
    const slices = periodSlices(query.from, query.to, query.groupBy, this.timezone);
    const params = {
      panelIds: JSON.stringify(query.panelIds),
      slices: JSON.stringify(slices.map((s) => [s.periodStart.getTime(), s.start.getTime(), s.end.getTime()])),
      minPowerKw: this.rule.minPowerKw,
      maxPowerRatio: this.rule.maxPowerRatio,
    };
    const rows = this.queryWorker
      ? await this.queryWorker.all<EnergyResultRow>(ENERGY_SQL, params)
      : this.selectEnergy.all(params);
    return rows.map((row) => ({ panelId: row.panel_id, periodStart: new Date(row.period_ms), energyKwh: row.kwh }));
  }

  async ping(): Promise<void> {
    if (this.selectOne.get()?.one !== 1) throw new Error('SQLite did not answer SELECT 1');
  }

  /** Checkpoints the WAL into the database file and closes. Safe to call more than once. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.queryWorker?.close();
    try {
      this.db.pragma('wal_checkpoint(TRUNCATE)');
    } finally {
      this.db.close();
    }
  }

  /** The oldest `limit` outbox entries (by sequence), with the readings' current values. */
  outboxPeek(limit: number): OutboxEntry[] {
    if (!(Number.isInteger(limit) && limit >= 0)) throw new RangeError(`limit must be a non-negative integer, got ${limit}`);
    return this.selectOutbox.all(limit).map((row) => ({ seq: row.seq, reading: rowToReading(row) }));
  }

  /** Removes forwarded entries. Unknown sequence numbers are ignored (acks are idempotent). */
  outboxAck(seqs: readonly number[]): void {
    if (seqs.length === 0) return;
    this.deleteOutbox.run(JSON.stringify(seqs));
  }

  outboxStats(): OutboxStats {
    const row = this.selectOutboxStats.get();
    return {
      count: row?.count ?? 0,
      oldestEnqueuedAt: row?.oldest_enqueued_ms == null ? null : new Date(row.oldest_enqueued_ms),
      oldestReadingTime: row?.oldest_time_ms == null ? null : new Date(row.oldest_time_ms),
    };
  }
}

interface DownsampleRow extends Omit<ReadingRow, 'panel_id' | 'time_ms'> {
  readonly window_index: number;
  readonly last_time_ms: number;
}
