import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Reading } from '../../src/models/reading.js';
import { SqliteJournal } from '../../src/store/sqlite/sqlite-journal.js';
import { InvalidReadingError, paramsToReading } from '../../src/store/sqlite/sqlite-schema.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { local, makeReading, makeSparseReading } from '../support/readings.js';
import { describeStoreContract } from './contract.js';

describeStoreContract('SqliteStore', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sqlite-store-'));
  const store = new SqliteStore({ file: join(dir, 'data', 'readings.sqlite'), scanChunk: 128 });
  return {
    store,
    write: async (readings) => store.writeBatchSync(readings),
    cleanup: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

describe('SqliteStore specifics', () => {
  let dir: string;
  const open: Array<{ close(): unknown }> = [];
  const openStore = (file = join(dir, 'nested', 'folders', 'readings.sqlite')): SqliteStore => {
    const store = new SqliteStore({ file });
    open.push(store);
    return store;
  };
  const J = local('Asia/Jakarta');
  const day = { from: J('2025-03-10 00:00:00'), to: J('2025-03-11 00:00:00') };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sqlite-store-'));
  });
  afterEach(async () => {
    for (const store of open.splice(0)) await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates missing parent folders and keeps everything across close and reopen', async () => {
    const store = openStore();
    const readings = [makeReading('P1', J('2025-03-10 10:00:00'), 100), makeSparseReading('P1', J('2025-03-10 10:01:00'), 100.1)];
    store.writeBatchSync(readings);
    await store.close();
    await store.close(); // idempotent
    await expect(store.ping()).rejects.toThrow();

    const reopened = openStore();
    expect(await reopened.readings('P1', day.from, day.to)).toEqual(readings);
    expect(await reopened.panels()).toEqual([{ id: 'P1', firstSeenAt: readings[0]!.time, lastSeenAt: readings[1]!.time }]);
  });

  it('keeps every acknowledged write when the process is killed without closing (store and journal)', async () => {
    for (const kind of ['store', 'journal'] as const) {
      const file = join(dir, kind, 'readings.sqlite');
      const child = spawnSync(
        process.execPath,
        ['--import', 'tsx', fileURLToPath(new URL('../support/sqlite-crash-child.ts', import.meta.url)), file, 'CRASH', '50', kind],
        { encoding: 'utf8', timeout: 15_000 },
      );
      expect(child.stdout).toContain('written');
      expect(child.signal).toBe('SIGKILL');
      if (kind === 'store') {
        const rows = await openStore(file).readings('CRASH', day.from, day.to);
        expect(rows).toHaveLength(50);
        expect(rows.at(-1)!.energyKwh).toBeCloseTo(104.9, 9);
      } else {
        const journal = new SqliteJournal({ file });
        open.push(journal);
        expect(journal.stats().count).toBe(50);
        expect(journal.readings('CRASH', day.from.getTime(), day.to.getTime()).at(-1)!.energyKwh).toBeCloseTo(104.9, 9);
      }
    }
  });

  it('writes a batch atomically: an unstorable reading fails the whole batch, naming it', async () => {
    const store = openStore();
    const good = makeReading('ATOMIC', J('2025-03-10 10:00:00'), 100);
    const bad = { ...makeReading('ATOMIC', J('2025-03-10 10:01:00'), 100.1), energyKwh: Number.NaN };
    expect(() => store.writeBatchSync([good, bad])).toThrow(InvalidReadingError);
    expect(() => store.writeBatchSync([good, bad])).toThrow(/reading 1 \(panel ATOMIC\).*energyKwh is NaN/);
    expect(await store.readings('ATOMIC', day.from, day.to)).toEqual([]);
    expect(await store.panels()).toEqual([]);
  });

  it('rolls back the whole batch when SQLite fails midway', async () => {
    const store = openStore();
    const first = makeReading('ROLLBACK', J('2025-03-10 10:00:00'), 100);
    let reads = 0;
    // Valid when checked, null when written: SQLite's NOT NULL constraint fails mid-transaction.
    const second = Object.defineProperty({ ...makeReading('ROLLBACK', J('2025-03-10 10:01:00'), 100.1) }, 'energyKwh', {
      get: () => (++reads === 1 ? 100.1 : null),
    }) as Reading;
    expect(() => store.writeBatchSync([first, second])).toThrow(/NOT NULL/);
    expect(await store.readings('ROLLBACK', day.from, day.to)).toEqual([]);
    expect(await store.panels()).toEqual([]);
    store.writeBatchSync([first]);
    expect(await store.readings('ROLLBACK', day.from, day.to)).toEqual([first]);
  });

  it('ignores an empty batch and validates arguments', async () => {
    const store = openStore();
    store.writeBatchSync([]);
    await expect(store.readings('P', day.from, day.to, -1)).rejects.toThrow(RangeError);
    await expect(store.downsample('P', day.from, day.to, 0)).rejects.toThrow(RangeError);
  });

  it('refuses a database written by a newer schema version, naming the file', () => {
    const file = join(dir, 'future.sqlite');
    const db = new Database(file);
    db.pragma('user_version = 99');
    db.close();
    expect(() => openStore(file)).toThrow(new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}.*schema version 99`));
  });

  it('refuses a file that is not a database, naming it and what to do', () => {
    const file = join(dir, 'garbage.sqlite');
    writeFileSync(file, Buffer.alloc(64 * 1024, 0x5a));
    expect(() => openStore(file)).toThrow(/garbage\.sqlite is damaged .*restore the file from a backup/);
  });

  it('upgrades a version-1 database (no reactive counter, an outbox table) keeping its readings', async () => {
    const file = join(dir, 'v1.sqlite');
    const db = new Database(file);
    db.exec(`
      CREATE TABLE readings (panel_id TEXT NOT NULL, time_ms INTEGER NOT NULL, voltage_l1 REAL, voltage_l2 REAL, voltage_l3 REAL,
        voltage_avg REAL, current_l1 REAL, current_l2 REAL, current_l3 REAL, current_avg REAL, active_power_kw REAL NOT NULL,
        apparent_power_kva REAL, energy_kwh REAL NOT NULL, power_factor REAL, voltage_unbalance REAL, current_unbalance REAL,
        PRIMARY KEY (panel_id, time_ms)) WITHOUT ROWID, STRICT;
      CREATE TABLE panels (id TEXT NOT NULL PRIMARY KEY, first_seen_ms INTEGER NOT NULL, last_seen_ms INTEGER NOT NULL) WITHOUT ROWID, STRICT;
      CREATE TABLE outbox (seq INTEGER PRIMARY KEY AUTOINCREMENT, panel_id TEXT NOT NULL, time_ms INTEGER NOT NULL, enqueued_at_ms INTEGER NOT NULL) STRICT;
      INSERT INTO readings (panel_id, time_ms, active_power_kw, energy_kwh) VALUES ('OLD', ${day.from.getTime() + 1000}, 5, 42);
      INSERT INTO panels VALUES ('OLD', ${day.from.getTime() + 1000}, ${day.from.getTime() + 1000});
      PRAGMA user_version = 1;`);
    db.close();
    const store = openStore(file);
    const [old] = await store.readings('OLD', day.from, day.to);
    expect(old).toMatchObject({ energyKwh: 42, activePowerKw: 5, reactiveEnergyKvarh: null });
    store.writeBatchSync([makeReading('OLD', J('2025-03-10 12:00:00'), 43, 5, { reactiveEnergyKvarh: 10 })]);
    expect((await store.latestReadings(['OLD'])).get('OLD')!.reactiveEnergyKvarh).toBe(10);
  });
});

describe('SqliteJournal', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'journal-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const J = local('Asia/Jakarta');

  it('keeps readings until confirmed; a rewrite gets a new sequence and outlives the old ack', async () => {
    let now = 1_000;
    const journal = new SqliteJournal({ file: join(dir, 'journal.sqlite'), now: () => now });
    try {
      const a1 = makeReading('A', J('2025-03-10 10:00:00'), 100);
      const a2 = makeReading('A', J('2025-03-10 10:01:00'), 100.1);
      const b1 = makeReading('B', J('2025-03-10 09:00:00'), 50);
      journal.writeBatchSync([a1, a2, b1]);
      expect(journal.stats()).toEqual({ count: 3, quarantined: 0, oldestEnqueuedAt: new Date(1_000) });
      const first = journal.peek(10);
      expect(first.map((e) => paramsToReading(e.row))).toEqual([a1, a2, b1]);

      now = 2_000;
      const a1Rewritten = makeSparseReading('A', a1.time, 100.05, 3);
      journal.writeBatchSync([a1Rewritten]);
      // The confirmation of the first version of a1 must not drop the rewrite.
      journal.ack(first.map((e) => e.seq));
      journal.ack(first.map((e) => e.seq)); // idempotent
      expect(journal.peek(10).map((e) => paramsToReading(e.row))).toEqual([a1Rewritten]);
      expect(journal.stats()).toEqual({ count: 1, quarantined: 0, oldestEnqueuedAt: new Date(2_000) });
      expect(journal.latest(['A', 'B'])).toEqual(new Map([['A', a1Rewritten]]));
      expect(journal.panels()).toEqual([{ id: 'A', firstSeenAt: a1.time, lastSeenAt: a1.time }]);

      const [entry] = journal.peek(1);
      journal.quarantine(entry!.seq, 'InfluxDB said no');
      expect(journal.stats()).toMatchObject({ count: 0, quarantined: 1 });
      expect(journal.readings('A', 0, Number.MAX_SAFE_INTEGER)).toEqual([]);
    } finally {
      await journal.close();
    }
  });

  it('reads on after a sequence number, and counts what waits across a reopen', async () => {
    const file = join(dir, 'journal.sqlite');
    const readings = [0, 1, 2, 3, 4].map((i) => makeReading('A', J(`2025-03-10 10:0${i}:00`), 100 + i));
    let journal = new SqliteJournal({ file });
    try {
      journal.writeBatchSync(readings);
      const firstTwo = journal.peek(2);
      expect(firstTwo.map((e) => paramsToReading(e.row))).toEqual(readings.slice(0, 2));
      // What the forwarder reads while the first two are in flight.
      expect(journal.peek(2, firstTwo.at(-1)!.seq).map((e) => paramsToReading(e.row))).toEqual(readings.slice(2, 4));
      journal.ack(firstTwo.map((e) => e.seq));
      // A batch confirmed as a range: a reading written again since keeps its newer version.
      const batch = journal.peek(2, firstTwo.at(-1)!.seq);
      const rewritten = makeSparseReading('A', readings[2]!.time, 102.5, 3);
      journal.writeBatchSync([rewritten]);
      journal.ackRange(batch[0]!.seq, batch.at(-1)!.seq);
      expect(journal.peek(10).map((e) => paramsToReading(e.row))).toEqual([readings[4], rewritten]);
      expect(journal.stats().count).toBe(2);
      journal.writeBatchSync([readings[3]!]);
      journal.writeBatchSync([makeSparseReading('A', readings[4]!.time, 104.5, 3)]); // a rewrite adds nothing
    } finally {
      await journal.close();
    }
    journal = new SqliteJournal({ file });
    try {
      expect(journal.stats().count).toBe(3);
      expect(journal.peek(10)).toHaveLength(3);
    } finally {
      await journal.close();
    }
  });
});
