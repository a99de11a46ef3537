import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteReadPool } from '../../src/store/sqlite/sqlite-read-pool.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { makeReading } from '../support/readings.js';

/**
 * The SQLite read workers (src/store/sqlite/sqlite-read-pool.ts): workers whose heaps grew with a
 * long scan (the start-up walk) are replaced once the pool has been idle, so that memory goes back
 * to the system; short reads keep their workers; a scan in progress is never cut short.
 */
describe('SQLite read pool', () => {
  let dir: string;
  let file: string;
  const open: Array<{ close(): Promise<void> }> = [];
  const START = Date.UTC(2025, 2, 10);

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'read-pool-'));
    file = join(dir, 'readings.sqlite');
    const store = new SqliteStore({ file });
    store.writeBatchSync(Array.from({ length: 3_000 }, (_, k) => makeReading('P1', new Date(START + k * 60_000), 100 + k * 0.01)));
    await store.close();
  });
  afterEach(async () => {
    for (const pool of open.splice(0)) await pool.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const pool = (afterRows: number) => {
    const p = new SqliteReadPool(file, 1, { afterRows, idleMs: 600 });
    open.push(p);
    return p;
  };
  const idle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  it('replaces its workers once idle after they scanned past the limit, and answers the same from the new ones', async () => {
    const reads = pool(2_000);
    const before = await reads.ping();
    const first = await reads.scan('P1', START, 2_500);
    expect(first.t.length).toBe(2_500);
    // Still busy a moment after: the same worker.
    expect(await reads.ping()).toBe(before);
    await idle(1_200);
    const after = await reads.ping();
    expect(after).not.toBe(before);
    const again = await reads.scan('P1', START, 2_500);
    expect(Array.from(again.kwh)).toEqual(Array.from(first.kwh));
  });

  it('starts a fresh worker when it replaces them, before any read asks for one', async () => {
    const reads = pool(2_000);
    const before = await reads.ping();
    await reads.scan('P1', START, 2_500);
    await idle(1_200);
    // A worker started now, after the replacement and before the next read, has a larger id than
    // one the replacement started, and a smaller one than a worker the read below would start.
    const probeId = await threadIdStartedNow();
    const after = await reads.ping();
    expect(after).not.toBe(before);
    expect(after).toBeGreaterThan(before);
    expect(after).toBeLessThan(probeId);
  });

  it('keeps its workers after reads below the limit, and while reads keep coming', async () => {
    const reads = pool(10_000);
    const before = await reads.ping();
    await reads.scan('P1', START, 2_500);
    await idle(1_200);
    expect(await reads.ping()).toBe(before);

    // Past the limit, but never idle for the idle time: a long walk in chunks is not interrupted.
    const busy = pool(1_000);
    const worker = await busy.ping();
    for (let from = START, k = 0; k < 6; k++, from += 500 * 60_000) {
      const chunk = await busy.scan('P1', from, 500);
      expect(chunk.t.length).toBe(500);
      expect(await busy.ping()).toBe(worker);
      await idle(20);
    }
  });

  it('with its defaults, replaces workers a second after a scan of 100,000 rows, and keeps them after 99,999', async () => {
    const big = join(dir, 'big.sqlite');
    const store = new SqliteStore({ file: big });
    store.writeBatchSync(Array.from({ length: 100_000 }, (_, k) => makeReading('P1', new Date(START + k * 60_000), 100 + k * 0.01)));
    await store.close();

    const below = new SqliteReadPool(big);
    open.push(below);
    const kept = await below.ping();
    expect((await below.scan('P1', START, 99_999)).t.length).toBe(99_999);
    await idle(1_500);
    expect(await below.ping()).toBe(kept);

    const reads = new SqliteReadPool(big);
    open.push(reads);
    const before = await reads.ping();
    expect((await reads.scan('P1', START, 100_000)).t.length).toBe(100_000);
    await idle(500);
    expect(await reads.ping()).toBe(before);
    await idle(1_500);
    // Replaced, and the fresh worker already started: a probe started now comes after it.
    const probeId = await threadIdStartedNow();
    const after = await reads.ping();
    expect(after).not.toBe(before);
    expect(after).toBeLessThan(probeId);
  }, 60_000);

  it('with its defaults, lets an idle worker end after a minute, and starts another for the next read', async () => {
    const reads = new SqliteReadPool(file);
    open.push(reads);
    const first = await reads.ping();
    await idle(30_000);
    expect(await reads.ping()).toBe(first);
    await idle(62_000);
    expect(await reads.ping()).not.toBe(first);
  }, 120_000);
});

/**
 * The thread id of a worker started now: ids grow with each worker the process starts, so it
 * orders the pool's workers against this moment. Read before the worker exits (then it is -1).
 */
async function threadIdStartedNow(): Promise<number> {
  const probe = new Worker('', { eval: true });
  const id = probe.threadId;
  await once(probe, 'exit');
  return id;
}
