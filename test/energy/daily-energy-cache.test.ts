import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_COUNTER_RULE } from '../../src/models/energy.js';
import type { Reading } from '../../src/models/reading.js';
import { DailyEnergyCache } from '../../src/services/energy/daily-energy-cache.js';
import { daysOfMonth } from '../../src/services/energy/periods.js';
import { LiveState } from '../../src/pipeline/live-state.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { randomCounterSeries } from '../support/counter-series.js';
import { makeReading, seededRandom, shuffled } from '../support/readings.js';

const TZ = 'Asia/Jakarta';
const PANELS = ['CACHE_A', 'CACHE_B', 'CACHE_C'];
const DAYS = daysOfMonth(2025, 3, TZ);

let dir: string;
let store: SqliteStore;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cache-'));
  store = new SqliteStore({ file: join(dir, 'readings.sqlite'), timezone: TZ, counterRule: DEFAULT_COUNTER_RULE });
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** What the store itself answers, per panel per day (0 where it returns no row). */
async function storeAnswer(): Promise<Map<string, number[]>> {
  const rows = await store.energy({ panelIds: PANELS, from: DAYS[0]!.start, to: DAYS.at(-1)!.end, groupBy: 'day' });
  return new Map(
    PANELS.map((id) => [
      id,
      DAYS.map((day) => rows.find((row) => row.panelId === id && row.periodStart.getTime() === day.start.getTime())?.energyKwh ?? 0),
    ]),
  );
}

function history(seed: number): Reading[] {
  const random = seededRandom(seed);
  return PANELS.flatMap((panelId) =>
    randomCounterSeries(random, { start: DAYS[0]!.start.getTime(), count: 400 }).map((sample) =>
      makeReading(panelId, sample.time, sample.energyKwh, sample.activePowerKw),
    ),
  ).filter((reading) => reading.time < DAYS.at(-1)!.end);
}

describe('DailyEnergyCache gives the same answers as the store', () => {
  it.each([1, 2, 3])('after every write, in order and late, with interleaved reads (seed %i)', async (seed) => {
    const readings = history(seed);
    // Most arrive in time order (the live stream); a tenth arrive late, out of order.
    const random = seededRandom(seed * 101);
    const late = readings.filter(() => random() < 0.1);
    const onTime = readings.filter((reading) => !late.includes(reading));
    const live = new LiveState();
    const cache = new DailyEnergyCache(store, TZ);
    live.onApply((reading) => cache.invalidate(reading.panelId, reading.time));

    const arrivals = [...onTime, ...shuffled(late, random)];
    for (const [i, reading] of arrivals.entries()) {
      store.writeBatchSync([reading]);
      live.apply(reading);
      // Read through the cache now and then while on time, after every late write, so a stale
      // entry would be caught.
      if (i % 37 === 0 || i >= onTime.length) {
        const [cached, expected] = await Promise.all([cache.energy(PANELS, DAYS), storeAnswer()]);
        for (const id of PANELS) {
          expect(cached.get(id)!.map((kwh) => kwh.toFixed(9)), `${id} after ${i + 1} writes`).toEqual(
            expected.get(id)!.map((kwh) => kwh.toFixed(9)),
          );
        }
      }
    }
  });

  it('a late reading re-computes the day it belongs to, even far from the newest one', async () => {
    const cache = new DailyEnergyCache(store, TZ);
    const at = (day: number, hour: number) => new Date(DAYS[day]!.start.getTime() + hour * 3_600_000);
    for (const [time, kwh] of [
      [at(0, 10), 100],
      [at(0, 12), 110],
      [at(9, 10), 200],
    ] as const) {
      store.writeBatchSync([makeReading('CACHE_A', time, kwh, 10)]);
      cache.invalidate('CACHE_A', time);
    }
    expect((await cache.energy(['CACHE_A'], DAYS)).get('CACHE_A')![0]).toBeCloseTo(10, 9);
    const late = makeReading('CACHE_A', at(0, 11), 104, 10);
    store.writeBatchSync([late]);
    cache.invalidate('CACHE_A', late.time);
    const after = (await cache.energy(['CACHE_A'], DAYS)).get('CACHE_A')!;
    expect(after[0]).toBeCloseTo(10, 9);
    expect(after).toEqual((await storeAnswer()).get('CACHE_A'));
  });
});

describe('LiveState gives the same latest readings and panels as the store', () => {
  it('after in-order, late and duplicate writes, and after a reload from the store', async () => {
    const live = new LiveState();
    const readings = shuffled(history(9), seededRandom(4));
    for (const reading of readings) {
      store.writeBatchSync([reading]);
      live.apply(reading);
    }
    const latest = await store.latestReadings(PANELS);
    for (const id of PANELS) expect(live.latest(id)).toEqual(latest.get(id));
    expect(live.panels()).toEqual(await store.panels());
    const reloaded = await LiveState.load(store);
    expect(reloaded.panels()).toEqual(live.panels());
    for (const id of PANELS) expect(reloaded.latest(id)).toEqual(latest.get(id));
  });
});
