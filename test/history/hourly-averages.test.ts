import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ReadingStore } from '../../src/store/reading-store.js';
import { HourlyAverages } from '../../src/services/hourly-averages.js';
import type { WindowTable } from '../../src/services/window-table.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { local, makeReading } from '../support/readings.js';

const J = local('Asia/Jakarta');
const MIN = 60_000;
const HOUR = 3_600_000;

const dir = mkdtempSync(join(tmpdir(), 'hourly-averages-'));
const store = new SqliteStore({ file: join(dir, 'readings.sqlite') });
afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

/**
 * The store's answer for a fill arrives only once the test lets it: a write can be placed between
 * the store's read and the moment the fill would keep what it read.
 */
function heldStore(real: ReadingStore) {
  let release: () => void = () => {};
  const released = new Promise<void>((resolve) => (release = resolve));
  let read: () => void = () => {};
  const wasRead = new Promise<void>((resolve) => (read = resolve));
  const held: Pick<ReadingStore, 'downsample'> = {
    downsample: async (...args) => {
      const answer = await real.downsample(...args);
      read();
      await released;
      return answer;
    },
  };
  return { held, wasRead, release };
}

/** A window's phases read one by one (they are computed when read). */
function phases(table: WindowTable, i: number, which: 'voltage' | 'current') {
  const p = table.phases(i, which, (v) => v);
  return { l1: p.l1, l2: p.l2, l3: p.l3, average: p.average };
}

/** Each hour of a table as an object (null without readings), to compare whole hours. */
function rows(table: WindowTable) {
  return Array.from({ length: table.windows }, (_, i) =>
    table.count(i) === 0
      ? null
      : {
          count: table.count(i),
          activePowerKw: table.activePowerKw(i),
          voltage: phases(table, i, 'voltage'),
          current: phases(table, i, 'current'),
          powerFactor: table.powerFactor(i),
        },
  );
}

describe('HourlyAverages', () => {
  const from = J('2025-03-10 10:00:00').getTime();
  const hourOf = (id: string, k: number, kw: number) => makeReading(id, new Date(from + k * MIN), 100 + k * 0.1, kw);

  it('does not keep what it read when a reading of that hour was stored meanwhile', async () => {
    store.writeBatchSync(Array.from({ length: 30 }, (_, k) => hourOf('RACE', k, 2)));
    const { held, wasRead, release } = heldStore(store);
    const averages = new HourlyAverages(held);
    const asked = averages.hours('RACE', from, 2).then(rows);
    await wasRead;
    const late = hourOf('RACE', 40, 32);
    store.writeBatchSync([late]);
    averages.applyStored(late);
    release();
    // The request that was reading answers what it read; the next one reads the hour again.
    expect((await asked)[0]).toMatchObject({ count: 30, activePowerKw: 2 });
    expect(rows(await averages.hours('RACE', from, 2))[0]).toMatchObject({ count: 31, activePowerKw: (30 * 2 + 32) / 31 });
  });

  it('reads only the hours it does not hold, and answers them as the store does', async () => {
    store.writeBatchSync(Array.from({ length: 180 }, (_, k) => hourOf('KEPT', k, 1 + (k % 7))));
    const calls: Array<[number, number]> = [];
    const averages = new HourlyAverages({
      downsample: async (id, f, t, every) => {
        calls.push([(f.getTime() - from) / HOUR, (t.getTime() - from) / HOUR]);
        return store.downsample(id, f, t, every);
      },
    });
    const first = rows(await averages.hours('KEPT', from, 3));
    const direct = await store.downsample('KEPT', new Date(from), new Date(from + 3 * HOUR), HOUR);
    expect(first.map((hour) => hour?.activePowerKw)).toEqual(direct.map((w) => w.reading.activePowerKw));
    expect(first.map((hour) => hour?.voltage)).toEqual(direct.map((w) => w.reading.voltage));
    expect(rows(await averages.hours('KEPT', from, 3))).toEqual(first);
    const corrected = hourOf('KEPT', 70, 40);
    store.writeBatchSync([corrected]);
    averages.applyStored(corrected);
    const again = rows(await averages.hours('KEPT', from, 3));
    expect(calls).toEqual([
      [0, 3],
      [1, 2],
    ]);
    expect(again[1]!.activePowerKw).toBe((await store.downsample('KEPT', new Date(from + HOUR), new Date(from + 2 * HOUR), HOUR))[0]!.reading.activePowerKw);
    expect([again[0], again[2]]).toEqual([first[0], first[2]]);
  });

  it('shares one store read between requests missing the same hours, but not with a request after a write', async () => {
    store.writeBatchSync(Array.from({ length: 60 }, (_, k) => hourOf('SHARED', k, 3)));
    const { held, wasRead, release } = heldStore(store);
    let reads = 0;
    const averages = new HourlyAverages({
      downsample: (...args) => {
        reads++;
        return held.downsample(...args);
      },
    });
    const first = averages.hours('SHARED', from, 2).then(rows);
    const second = averages.hours('SHARED', from, 2).then(rows);
    await wasRead;
    expect(reads).toBe(1);
    // A reading stored while that read is in flight: the next request reads again, and sees it.
    const late = hourOf('SHARED', 70, 63);
    store.writeBatchSync([late]);
    averages.applyStored(late);
    const third = averages.hours('SHARED', from, 2).then(rows);
    release();
    expect(reads).toBe(2);
    expect(await first).toEqual([expect.objectContaining({ count: 60, activePowerKw: 3 }), null]);
    expect(await second).toEqual(await first);
    expect(await third).toEqual([(await first)[0], expect.objectContaining({ count: 1, activePowerKw: 63 })]);
  });

  it('keeps at most maxBlocks panel-days, the least recently used going first', async () => {
    const averages = new HourlyAverages(store, { maxBlocks: 4 });
    for (let day = 0; day < 10; day++) await averages.hours('KEPT', from + day * 24 * HOUR, 1);
    expect(rows(await averages.hours('KEPT', from, 3))).toEqual(rows(await new HourlyAverages(store).hours('KEPT', from, 3)));
  });
});
