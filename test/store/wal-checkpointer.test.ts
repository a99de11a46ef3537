import Database from 'better-sqlite3';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteJournal } from '../../src/store/sqlite/sqlite-journal.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { WalCheckpointer } from '../../src/store/sqlite/wal-checkpointer.js';
import { makeReading } from '../support/readings.js';

/**
 * Checkpoints of the readings store's write-ahead log run in a worker thread
 * (src/store/sqlite/wal-checkpointer.ts), not inside the commits of the ingesting thread: pages
 * reach the database file while commits go on, the log stays bounded, nothing written is lost, and
 * a checkpoint that fails is counted and handed on.
 */
describe('WAL checkpoints in a worker', () => {
  let dir: string;
  let file: string;
  const START = Date.UTC(2025, 2, 10);
  const PANELS = Array.from({ length: 100 }, (_, i) => `PANEL_${String(i).padStart(3, '0')}`);

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'wal-checkpointer-'));
    file = join(dir, 'readings.sqlite');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** One reading of every panel at minute `minute` (a commit touches about 100 pages). */
  const minuteOf = (minute: number) => PANELS.map((panel, i) => makeReading(panel, new Date(START + minute * 60_000), 1_000 + i + minute * 0.05));
  const until = async (what: () => boolean, ms = 10_000) => {
    const deadline = Date.now() + ms;
    while (!what()) {
      if (Date.now() > deadline) throw new Error('timed out');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };

  it('copies the log into the file in the worker, before a commit would have checkpointed it', async () => {
    const store = new SqliteStore({ file });
    try {
      const before = statSync(file).size;
      // About 1,200 pages: past the worker's 1,000, well short of the 4,096 at which a commit checkpoints.
      for (let minute = 0; minute < 12; minute++) store.writeBatchSync(minuteOf(minute));
      await until(() => store.checkpoints().checkpoints > 0);
      expect(store.checkpoints().failures).toBe(0);
      // Only a checkpoint writes pages into the database file itself.
      // 1,200 readings fill some 45 pages of the file.
      expect(statSync(file).size).toBeGreaterThan(before + 30 * 4096);
    } finally {
      await store.close();
    }
  });

  it('keeps the log bounded and loses nothing while commits go on during checkpoints', async () => {
    const store = new SqliteStore({ file });
    let minutes = 0;
    let largestLog = 0;
    try {
      // 600 commits of 100 readings as fast as they go (faster than a worker copies them): the
      // event loop turns only every 20 commits.
      for (; minutes < 600; minutes++) {
        store.writeBatchSync(minuteOf(minutes));
        if (minutes % 20 === 0) await new Promise((resolve) => setImmediate(resolve));
        largestLog = Math.max(largestLog, statSync(`${file}-wal`).size);
      }
      expect(store.checkpoints().checkpoints).toBeGreaterThan(3);
      expect(store.checkpoints().failures).toBe(0);
      // The writer checkpoints itself past 16 MiB, unless the worker is copying at that moment:
      // then at its first commit after that copy (up to 24.3 MiB in 12 runs of this loop).
      // STORE_MIN_FREE keeps 64 MiB free.
      expect(largestLog).toBeLessThan(32 * 1024 * 1024);
    } finally {
      await store.close();
    }
    const db = new Database(file, { readonly: true });
    try {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      expect((db.prepare('SELECT count(*) AS n FROM readings').get() as { n: number }).n).toBe(minutes * PANELS.length);
      const last = db.prepare('SELECT energy_kwh FROM readings WHERE panel_id = ? ORDER BY time_ms DESC LIMIT 1').get(PANELS[7]) as { energy_kwh: number };
      expect(last.energy_kwh).toBeCloseTo(1_007 + (minutes - 1) * 0.05, 9);
    } finally {
      db.close();
    }
  });

  it('checkpoints the journal in front of InfluxDB the same way, for its writes and its confirmations', async () => {
    const journalFile = join(dir, 'journal.sqlite');
    const journal = new SqliteJournal({ file: journalFile });
    try {
      const before = statSync(journalFile).size;
      for (let minute = 0; minute < 12; minute++) journal.writeBatchSync(minuteOf(minute));
      await until(() => journal.checkpoints().checkpoints === 1);
      expect(statSync(journalFile).size).toBeGreaterThan(before + 30 * 4096);
      // Confirmed readings leave the journal: removing them adds to the log as writing them did.
      for (let round = 0; round < 12; round++) {
        const entries = journal.peek(100);
        journal.ack(entries.map((entry) => entry.seq));
      }
      expect(journal.stats().count).toBe(0);
      await until(() => journal.checkpoints().checkpoints === 2);
      expect(journal.checkpoints().failures).toBe(0);
    } finally {
      await journal.close();
    }
  });

  it('counts a checkpoint that fails and hands its error on', async () => {
    const errors: unknown[] = [];
    const missing = join(dir, 'gone.sqlite');
    const checkpointer = new WalCheckpointer({ file: missing, everyPages: 10, onError: (error) => errors.push(error) });
    try {
      checkpointer.wrote(5);
      expect(checkpointer.counts()).toEqual({ checkpoints: 0, failures: 0, framesLeft: 0 });
      checkpointer.wrote(5);
      await until(() => checkpointer.counts().failures === 1);
      expect(String(errors[0])).toMatch(/checkpoint of .*gone\.sqlite failed: SQLITE_CANTOPEN/);
      expect(existsSync(missing)).toBe(false);
    } finally {
      await checkpointer.close();
    }
  });
});
