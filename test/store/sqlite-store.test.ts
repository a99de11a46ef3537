import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_COUNTER_RULE } from '../../src/models/energy.js';
import type { Reading } from '../../src/models/reading.js';
import { daysOfMonth } from '../../src/services/energy/periods.js';
import { InvalidReadingError, SqliteStore, type SqliteStoreOptions } from '../../src/store/sqlite/sqlite-store.js';
import { local, makeReading, makeSparseReading } from '../support/readings.js';
import { describeStoreContract } from './contract.js';

describeStoreContract('SqliteStore', async ({ timezone }) => {
  const dir = mkdtempSync(join(tmpdir(), 'sqlite-store-'));
  const store = new SqliteStore({ file: join(dir, 'data', 'readings.sqlite'), timezone, counterRule: DEFAULT_COUNTER_RULE });
  return {
    store,
    cleanup: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

describe('SqliteStore specifics', () => {
  let dir: string;
  const open: SqliteStore[] = [];
  const openStore = (options: Partial<SqliteStoreOptions> = {}): SqliteStore => {
    const store = new SqliteStore({
      file: join(dir, 'nested', 'folders', 'readings.sqlite'),
      timezone: 'Asia/Jakarta',
      counterRule: DEFAULT_COUNTER_RULE,
      ...options,
    });
    open.push(store);
    return store;
  };
  const J = local('Asia/Jakarta');
  const day = { from: J('2025-03-10 00:00:00'), to: J('2025-03-11 00:00:00') };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sqlite-store-'));
  });
  afterEach(async () => {
    vi.restoreAllMocks();
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
    expect((await reopened.energy({ panelIds: ['P1'], ...day, groupBy: 'total' }))[0]!.energyKwh).toBeCloseTo(0.1, 9);
  });

  it('keeps every acknowledged write when the process is killed without closing', async () => {
    const file = join(dir, 'crash', 'readings.sqlite');
    const child = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('../support/sqlite-crash-child.ts', import.meta.url)), file, 'CRASH', '50'], {
      encoding: 'utf8',
      timeout: 15_000,
    });
    expect(child.stdout).toContain('written');
    expect(child.signal).toBe('SIGKILL');
    const store = openStore({ file, outbox: true });
    const rows = await store.readings('CRASH', day.from, day.to);
    expect(rows).toHaveLength(50);
    expect(rows.at(-1)!.energyKwh).toBeCloseTo(104.9, 9);
    expect(store.outboxStats().count).toBe(50);
  });

  it('writes a batch atomically: one invalid reading writes nothing and throws', async () => {
    const store = openStore({ outbox: true });
    const good = makeReading('ATOMIC', J('2025-03-10 10:00:00'), 100);
    const bad = makeReading('ATOMIC', J('2025-03-10 10:01:00'), Number.NaN);
    expect(() => store.writeBatchSync([good, bad])).toThrow(InvalidReadingError);
    expect(() => store.writeBatchSync([good, bad])).toThrow(/reading 1 \(panel ATOMIC\).*energyKwh is NaN/);
    await expect(store.writeBatch([good, { ...good, time: new Date(Number.NaN) }])).rejects.toThrow(/time is not a valid date/);
    await expect(store.writeBatch([{ ...good, powerFactor: Number.POSITIVE_INFINITY }])).rejects.toThrow(/powerFactor is Infinity/);
    await expect(store.writeBatch([{ ...good, panelId: '' }])).rejects.toThrow(/panelId is empty/);
    expect(await store.readings('ATOMIC', day.from, day.to)).toEqual([]);
    expect(await store.panels()).toEqual([]);
    expect(store.outboxStats().count).toBe(0);
  });

  it('rolls the whole batch back when SQLite fails halfway', async () => {
    const store = openStore({ outbox: true });
    const first = makeReading('ROLLBACK', J('2025-03-10 10:00:00'), 100);
    // Valid when checked, then a value SQLite refuses once the first row is already written.
    let reads = 0;
    const second = Object.defineProperty({ ...makeReading('ROLLBACK', J('2025-03-10 10:01:00'), 100.1) }, 'energyKwh', {
      get: () => (++reads === 1 ? 100.1 : null),
    }) as Reading;
    expect(() => store.writeBatchSync([first, second])).toThrow(/NOT NULL/);
    expect(await store.readings('ROLLBACK', day.from, day.to)).toEqual([]);
    expect(await store.panels()).toEqual([]);
    expect(store.outboxStats().count).toBe(0);
    // The store is still usable afterwards.
    store.writeBatchSync([first]);
    expect(await store.readings('ROLLBACK', day.from, day.to)).toEqual([first]);
  });

  it('ignores an empty batch and validates arguments', async () => {
    const store = openStore();
    store.writeBatchSync([]);
    await expect(store.readings('P', day.from, day.to, -1)).rejects.toThrow(RangeError);
    await expect(store.downsample('P', day.from, day.to, 0)).rejects.toThrow(RangeError);
    await expect(store.energy({ panelIds: ['P'], from: new Date(Number.NaN), to: day.to, groupBy: 'day' })).rejects.toThrow(RangeError);
    expect(await store.energy({ panelIds: ['P'], from: day.to, to: day.from, groupBy: 'day' })).toEqual([]);
    expect(() => openStore({ timezone: 'Mars/Olympus_Mons' })).toThrow(/IANA/);
  });

  it('refuses a database written by a newer schema version', async () => {
    const file = join(dir, 'future.sqlite');
    const db = new Database(file);
    db.pragma('user_version = 99');
    db.close();
    expect(() => openStore({ file })).toThrow(/schema version 99/);
  });

  it('runs energy queries off the main thread, so ingestion and requests are not stalled', async () => {
    const store = openStore();
    const ids = Array.from({ length: 20 }, (_, i) => `LOAD_${i}`);
    const start = J('2025-03-01 00:00:00').getTime();
    for (const id of ids) {
      store.writeBatchSync(
        Array.from({ length: 2 * 1440 }, (_, minute) => makeReading(id, new Date(start + minute * 60_000), 100 + minute * 0.1, 6)),
      );
    }
    const days = daysOfMonth(2025, 3, 'Asia/Jakarta');
    let mainThreadRan = false;
    const pending = store.energy({ panelIds: ids, from: days[0]!.start, to: days[2]!.end, groupBy: 'day' });
    setImmediate(() => {
      mainThreadRan = true;
    });
    const rows = await pending;
    expect(mainThreadRan).toBe(true);
    expect(rows.filter((row) => row.panelId === 'LOAD_0').map((row) => row.energyKwh)).toEqual([
      expect.closeTo(143.9, 6),
      expect.closeTo(144, 6),
    ]);
  });

  it('computes energy for 100 panels and a month of days in one SQL statement', async () => {
    // On this thread, so the statement executions can be counted (the worker runs the same SQL).
    const store = openStore({ queryWorker: false });
    const ids = Array.from({ length: 100 }, (_, i) => `BULK_${String(i).padStart(3, '0')}`);
    store.writeBatchSync(
      ids.flatMap((id, i) => [
        makeReading(id, J('2025-03-01 00:30:00'), 1000 + i, 6),
        makeReading(id, J('2025-03-01 00:31:00'), 1000.1 + i, 6),
        makeReading(id, J('2025-03-31 23:59:00'), 1010 + i, 6),
      ]),
    );
    const probe = new Database(':memory:');
    const statement = Object.getPrototypeOf(probe.prepare('SELECT 1')) as Record<'all' | 'get' | 'run' | 'iterate', () => unknown>;
    probe.close();
    const calls = (['all', 'get', 'run', 'iterate'] as const).map((method) => vi.spyOn(statement, method));
    const march = daysOfMonth(2025, 3, 'Asia/Jakarta');
    const rows = await store.energy({ panelIds: ids, from: march[0]!.start, to: march.at(-1)!.end, groupBy: 'day' });
    expect(calls.reduce((n, spy) => n + spy.mock.calls.length, 0)).toBe(1);
    expect(rows).toHaveLength(200); // two days with readings per panel
    const p7 = rows.filter((r) => r.panelId === 'BULK_007');
    expect(p7.map((r) => r.periodStart)).toEqual([march[0]!.start, march[30]!.start]);
    expect(p7[0]!.energyKwh).toBeCloseTo(0.1, 9);
    expect(p7[1]!.energyKwh).toBeCloseTo(9.9, 9); // 30 days × 6 kW × 10 allows it
  });

  describe('outbox', () => {
    it('enqueues every write in the same transaction; peek joins the latest values; ack deletes', async () => {
      let now = 1_000;
      const store = openStore({ outbox: true, now: () => now });
      const a1 = makeReading('A', J('2025-03-10 10:00:00'), 100);
      const a2 = makeReading('A', J('2025-03-10 10:01:00'), 100.1);
      const b1 = makeReading('B', J('2025-03-10 09:00:00'), 50);
      store.writeBatchSync([a1, a2, b1]);
      expect(store.outboxStats()).toEqual({ count: 3, oldestEnqueuedAt: new Date(1_000), oldestReadingTime: b1.time });

      const firstTwo = store.outboxPeek(2);
      expect(firstTwo.map((e) => e.reading)).toEqual([a1, a2]);
      expect(firstTwo[0]!.seq).toBeLessThan(firstTwo[1]!.seq);

      now = 2_000;
      const a1Rewritten = makeSparseReading('A', a1.time, 100.05, 3);
      store.writeBatchSync([a1Rewritten]);
      const all = store.outboxPeek(10);
      expect(all.map((e) => e.reading)).toEqual([a1Rewritten, a2, b1, a1Rewritten]);

      store.outboxAck(all.slice(0, 2).map((e) => e.seq));
      store.outboxAck(all.slice(0, 2).map((e) => e.seq)); // acks are idempotent
      store.outboxAck([]);
      expect(store.outboxStats()).toEqual({ count: 2, oldestEnqueuedAt: new Date(1_000), oldestReadingTime: b1.time });
      expect(store.outboxPeek(10).map((e) => e.seq)).toEqual(all.slice(2).map((e) => e.seq));

      store.outboxAck(all.map((e) => e.seq));
      expect(store.outboxStats()).toEqual({ count: 0, oldestEnqueuedAt: null, oldestReadingTime: null });
      expect(store.outboxPeek(10)).toEqual([]);
      // Sequence numbers are never reused, even once the outbox was empty.
      store.writeBatchSync([makeReading('A', J('2025-03-10 10:02:00'), 100.2)]);
      expect(store.outboxPeek(1)[0]!.seq).toBeGreaterThan(Math.max(...all.map((e) => e.seq)));
      expect(store.outboxPeek(0)).toEqual([]);
    });

    it('survives a reopen, and is not filled when disabled', async () => {
      const file = join(dir, 'outbox.sqlite');
      const journal = openStore({ file, outbox: true });
      journal.writeBatchSync([makeReading('A', J('2025-03-10 10:00:00'), 100)]);
      await journal.close();
      const plain = openStore({ file });
      plain.writeBatchSync([makeReading('A', J('2025-03-10 10:01:00'), 100.1)]);
      expect(plain.outboxStats().count).toBe(1);
      expect(plain.outboxPeek(5).map((e) => e.reading.energyKwh)).toEqual([100]);
    });
  });
});
