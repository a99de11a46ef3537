import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_COUNTER_RULE, type EnergyGrouping, type EnergyRow } from '../../src/models/energy.js';
import type { Reading } from '../../src/models/reading.js';
import { windowedEnergy } from '../../src/services/energy/counter-rule.js';
import { daysOfMonth, monthsOfYear, periodSlices, sliceBoundaries, type Period } from '../../src/services/energy/periods.js';
import type { ReadingStore } from '../../src/store/reading-store.js';
import { randomCounterSeries } from '../support/counter-series.js';
import { freshPanelId, local, makeReading, makeSparseReading, seededRandom, shuffled } from '../support/readings.js';

export interface StoreUnderTest {
  readonly store: ReadingStore;
  cleanup(): Promise<void>;
}

/**
 * Creates a store whose days and months are cut in `ctx.timezone` and whose counter rule is
 * DEFAULT_COUNTER_RULE (10×, 1 kW): every expectation below is computed with those thresholds.
 */
export type MakeStore = (ctx: { readonly timezone: string }) => Promise<StoreUnderTest>;

const MIN = 60_000;

/**
 * The behaviour every ReadingStore must show. Written against the interface only, with fresh
 * panel ids in every test, so it also runs against a shared real database (InfluxDB). Energy
 * expectations are hand-computed numbers (with the default counter rule); the randomized part
 * compares with the TypeScript oracle (counter-rule.ts).
 *
 * Stores may omit (panel, period) rows without readings; `energyOf` reads a missing row as 0.
 */
export function describeStoreContract(name: string, makeStore: MakeStore): void {
  describe(`${name}: ReadingStore contract`, () => {
    const harness = (timezone: string) => {
      let current: StoreUnderTest | undefined;
      beforeAll(async () => {
        current = await makeStore({ timezone });
      });
      afterAll(async () => {
        await current?.cleanup();
      });
      return () => {
        if (!current) throw new Error('store not created');
        return current.store;
      };
    };

    describe('readings (Asia/Jakarta)', () => {
      const store = harness('Asia/Jakarta');
      const J = local('Asia/Jakarta');

      it('round-trips every field, including nulls', async () => {
        const id = freshPanelId('roundtrip');
        const full = makeReading(id, J('2025-03-10 10:00:00'), 12_345.678, 6.25, {
          voltage: { l1: 229.1, l2: 230.2, l3: 231.3, average: 230.2 },
          current: { l1: 10.5, l2: 11.25, l3: 9.75, average: 10.5 },
          apparentPowerKva: 6.9,
          powerFactor: 0.905,
          voltageUnbalance: 0.35,
          currentUnbalance: 7.5,
        });
        const sparse = makeSparseReading(id, J('2025-03-10 10:01:00'), 12_345.7, 0);
        const partial = makeReading(id, J('2025-03-10 10:02:00'), 12_345.75, 3, {
          voltage: { l3: null },
          current: { l1: null, average: null },
          powerFactor: null,
        });
        await store().writeBatch([full, sparse, partial]);
        expect(await store().readings(id, J('2025-03-10 00:00:00'), J('2025-03-11 00:00:00'))).toEqual([full, sparse, partial]);
        expect((await store().latestReadings([id])).get(id)).toEqual(partial);
      });

      it('replaces a duplicate (same panel and time) instead of adding it', async () => {
        const id = freshPanelId('dup');
        const t = J('2025-03-10 10:01:00');
        await store().writeBatch([makeReading(id, J('2025-03-10 10:00:00'), 100.0), makeReading(id, t, 100.5, 6)]);
        const replacement = makeSparseReading(id, t, 100.1, 7);
        await store().writeBatch([replacement]);
        const rows = await store().readings(id, J('2025-03-10 00:00:00'), J('2025-03-11 00:00:00'));
        expect(rows).toHaveLength(2);
        expect(rows[1]).toEqual(replacement);
        // Within one batch the later one wins too.
        const inBatch = makeReading(id, J('2025-03-10 10:02:00'), 100.2, 6);
        await store().writeBatch([makeReading(id, J('2025-03-10 10:02:00'), 999, 6), inBatch]);
        expect((await store().latestReadings([id])).get(id)).toEqual(inBatch);
      });

      it('latestReadings: newest by meter time for many panels in one call, unknown panels absent', async () => {
        const ids = Array.from({ length: 25 }, (_, i) => freshPanelId(`latest${i}`));
        const newest = new Map<string, Reading>();
        const batch: Reading[] = [];
        ids.forEach((id, i) => {
          const last = makeReading(id, J(`2025-03-10 10:0${i % 3}:30`), 200 + i, i);
          newest.set(id, last);
          batch.push(last, makeReading(id, J('2025-03-10 09:00:00'), 100 + i), makeReading(id, J('2025-03-10 09:30:00'), 150 + i));
        });
        // The newest are written first: "latest" means meter time, not arrival order.
        await store().writeBatch(batch);
        const unknown = freshPanelId('unknown');
        const latest = await store().latestReadings([...ids, unknown, ids[0]!]);
        expect(latest.size).toBe(ids.length);
        expect(latest.has(unknown)).toBe(false);
        for (const id of ids) expect(latest.get(id)).toEqual(newest.get(id));
        expect((await store().latestReadings([])).size).toBe(0);
      });

      it('readings: half-open [from, to), oldest first, limit', async () => {
        const id = freshPanelId('range');
        const times = [0, 1, 2, 3, 4].map((m) => J(`2025-03-10 10:0${m}:00`));
        await store().writeBatch(shuffled(times.map((t, i) => makeReading(id, t, 100 + i)), seededRandom(7)));
        const got = await store().readings(id, times[1]!, times[3]!);
        expect(got.map((r) => r.time)).toEqual([times[1], times[2]]);
        expect((await store().readings(id, times[0]!, J('2025-03-10 11:00:00'))).map((r) => r.energyKwh)).toEqual([100, 101, 102, 103, 104]);
        expect((await store().readings(id, times[1]!, J('2025-03-10 11:00:00'), 2)).map((r) => r.time)).toEqual([times[1], times[2]]);
        expect(await store().readings(id, times[2]!, times[2]!)).toEqual([]);
        expect(await store().readings(freshPanelId('none'), times[0]!, times[4]!)).toEqual([]);
      });

      it('downsample: windows aligned to `from`, means of instantaneous values, last counter value', async () => {
        const id = freshPanelId('down');
        await store().writeBatch([
          makeReading(id, J('2025-03-10 10:00:00'), 100.0, 2, { voltage: { l1: 220 }, powerFactor: 0.9 }),
          makeReading(id, J('2025-03-10 10:02:00'), 100.2, 4, { voltage: { l1: 230 }, powerFactor: null }),
          makeReading(id, J('2025-03-10 10:04:59'), 100.3, 6, { voltage: { l1: 240 }, powerFactor: 0.8 }),
          makeReading(id, J('2025-03-10 10:05:00'), 100.4, 10, { voltage: { l1: 200 } }),
          makeSparseReading(id, J('2025-03-10 10:07:00'), 100.6, 20),
          // 10:10-10:15 has no readings; 10:15 is outside [from, to).
          makeReading(id, J('2025-03-10 10:15:00'), 101.0, 1),
        ]);
        const windows = await store().downsample(id, J('2025-03-10 10:00:00'), J('2025-03-10 10:15:00'), 5 * MIN);
        expect(windows).toHaveLength(2);
        const [first, second] = windows as [Reading, Reading];
        expect(first.panelId).toBe(id);
        expect(first.time).toEqual(J('2025-03-10 10:00:00'));
        expect(first.activePowerKw).toBeCloseTo(4, 9);
        expect(first.voltage.l1).toBeCloseTo(230, 9);
        expect(first.powerFactor).toBeCloseTo(0.85, 9); // the null is not a value
        expect(first.energyKwh).toBeCloseTo(100.3, 9);
        expect(second.time).toEqual(J('2025-03-10 10:05:00'));
        expect(second.activePowerKw).toBeCloseTo(15, 9);
        expect(second.voltage.l1).toBeCloseTo(200, 9);
        expect(second.powerFactor).toBeCloseTo(0.92, 9);
        expect(second.energyKwh).toBeCloseTo(100.6, 9);
        // Aligned to `from`, not to the clock.
        const shifted = await store().downsample(id, J('2025-03-10 10:01:00'), J('2025-03-10 10:11:00'), 5 * MIN);
        expect(shifted.map((r) => [r.time, r.energyKwh])).toEqual([
          [J('2025-03-10 10:01:00'), 100.4],
          [J('2025-03-10 10:06:00'), 100.6],
        ]);
      });

      it('panels: every panel seen, with first and last meter time, sorted by id', async () => {
        const prefix = freshPanelId('list');
        const ids = [`${prefix}_C`, `${prefix}_A`, `${prefix}_B`];
        await store().writeBatch([
          makeReading(ids[0]!, J('2025-03-10 10:05:00'), 1),
          makeReading(ids[1]!, J('2025-03-10 10:00:00'), 1),
          makeReading(ids[0]!, J('2025-03-10 10:01:00'), 1),
        ]);
        await store().writeBatch([makeReading(ids[2]!, J('2025-03-10 11:00:00'), 1), makeReading(ids[0]!, J('2025-03-10 09:00:00'), 1)]);
        const all = await store().panels();
        expect(all.map((p) => p.id)).toEqual([...all.map((p) => p.id)].sort());
        expect(all.filter((p) => p.id.startsWith(prefix))).toEqual([
          { id: `${prefix}_A`, firstSeenAt: J('2025-03-10 10:00:00'), lastSeenAt: J('2025-03-10 10:00:00') },
          { id: `${prefix}_B`, firstSeenAt: J('2025-03-10 11:00:00'), lastSeenAt: J('2025-03-10 11:00:00') },
          { id: `${prefix}_C`, firstSeenAt: J('2025-03-10 09:00:00'), lastSeenAt: J('2025-03-10 10:05:00') },
        ]);
      });

      it('ping answers', async () => {
        await expect(store().ping()).resolves.toBeUndefined();
      });
    });

    describe('energy (Asia/Jakarta, UTC+7)', () => {
      const store = harness('Asia/Jakarta');
      const J = local('Asia/Jakarta');

      /** Writes [wall-clock time, kWh, kW] readings in one batch. */
      async function write(id: string, points: ReadonlyArray<readonly [string, number, number]>): Promise<void> {
        await store().writeBatch(points.map(([time, kwh, kw]) => makeReading(id, J(time), kwh, kw)));
      }

      /** Energy of `id` for the wall-clock period starting at `periodStart` (0 when absent). */
      async function energyOf(
        ids: readonly string[],
        from: string,
        to: string,
        groupBy: EnergyGrouping,
      ): Promise<(id: string, periodStart: string) => number> {
        const rows = await store().energy({ panelIds: ids, from: J(from), to: J(to), groupBy });
        const allowed = new Set(periodSlices(J(from), J(to), groupBy, 'Asia/Jakarta').map((s) => s.periodStart.getTime()));
        const byKey = new Map<string, number>();
        for (const row of rows) {
          expect(ids).toContain(row.panelId);
          expect(allowed.has(row.periodStart.getTime()), `unexpected period ${row.periodStart.toISOString()}`).toBe(true);
          const key = `${row.panelId}@${row.periodStart.getTime()}`;
          expect(byKey.has(key), `duplicate row ${key}`).toBe(false);
          byKey.set(key, row.energyKwh);
        }
        return (id, periodStart) => byKey.get(`${id}@${J(periodStart).getTime()}`) ?? 0;
      }

      async function total(id: string, from: string, to: string): Promise<number> {
        return (await energyOf([id], from, to, 'total'))(id, from);
      }

      describe('the README table', () => {
        it('normal: 10:00 100.0, 10:01 100.1 (6 kW) counts 0.1 at 10:01', async () => {
          const id = freshPanelId('normal');
          await write(id, [
            ['2025-03-10 10:00:00', 100.0, 6],
            ['2025-03-10 10:01:00', 100.1, 6],
          ]);
          const day = await energyOf([id], '2025-03-10 00:00:00', '2025-03-11 00:00:00', 'day');
          expect(day(id, '2025-03-10 00:00:00')).toBeCloseTo(0.1, 9);
          expect(await total(id, '2025-03-10 10:01:00', '2025-03-10 10:02:00')).toBeCloseTo(0.1, 9);
          expect(await total(id, '2025-03-10 10:00:00', '2025-03-10 10:01:00')).toBe(0);
        });

        it('midnight: 23:59:30 100.0, 00:00:30 100.05 (3 kW) counts 0.05 on the new day', async () => {
          const id = freshPanelId('midnight');
          await write(id, [
            ['2025-03-10 23:59:30', 100.0, 3],
            ['2025-03-11 00:00:30', 100.05, 3],
          ]);
          const day = await energyOf([id], '2025-03-10 00:00:00', '2025-03-12 00:00:00', 'day');
          expect(day(id, '2025-03-10 00:00:00')).toBe(0);
          expect(day(id, '2025-03-11 00:00:00')).toBeCloseTo(0.05, 9);
        });

        it('reset: 500.0, 500.2, 0.0, 0.1, 0.3 (12 kW) counts 0.2 + 0 + 0.1 + 0.2 = 0.5', async () => {
          const id = freshPanelId('reset');
          await write(id, [
            ['2025-03-10 10:00:00', 500.0, 12],
            ['2025-03-10 10:01:00', 500.2, 12],
            ['2025-03-10 10:02:00', 0.0, 12],
            ['2025-03-10 10:03:00', 0.1, 12],
            ['2025-03-10 10:04:00', 0.3, 12],
          ]);
          expect(await total(id, '2025-03-10 00:00:00', '2025-03-11 00:00:00')).toBeCloseTo(0.5, 9);
          expect(await total(id, '2025-03-10 10:02:00', '2025-03-10 10:03:00')).toBe(0);
          expect(await total(id, '2025-03-10 10:03:00', '2025-03-10 10:04:00')).toBeCloseTo(0.1, 9);
        });

        it('dip: 500.0, 0.0, 500.2 (12 kW) counts 0.2 at the third reading', async () => {
          const id = freshPanelId('dip');
          await write(id, [
            ['2025-03-10 10:00:00', 500.0, 12],
            ['2025-03-10 10:01:00', 0.0, 12],
            ['2025-03-10 10:02:00', 500.2, 12],
          ]);
          expect(await total(id, '2025-03-10 00:00:00', '2025-03-11 00:00:00')).toBeCloseTo(0.2, 9);
          expect(await total(id, '2025-03-10 10:01:00', '2025-03-10 10:02:00')).toBe(0);
          expect(await total(id, '2025-03-10 10:02:00', '2025-03-10 10:03:00')).toBeCloseTo(0.2, 9);
        });

        it('spike: 500.0, 99999.0, 500.2 (12 kW) counts 0.2 at the third reading', async () => {
          const id = freshPanelId('spike');
          await write(id, [
            ['2025-03-10 10:00:00', 500.0, 12],
            ['2025-03-10 10:01:00', 99999.0, 12],
            ['2025-03-10 10:02:00', 500.2, 12],
          ]);
          expect(await total(id, '2025-03-10 00:00:00', '2025-03-11 00:00:00')).toBeCloseTo(0.2, 9);
          expect(await total(id, '2025-03-10 10:01:00', '2025-03-10 10:02:00')).toBe(0);
        });

        it('new meter at a higher count: 500.0, 8000.0, 8000.1 (6 kW) counts 0 then 0.1', async () => {
          const id = freshPanelId('newmeter');
          await write(id, [
            ['2025-03-10 10:00:00', 500.0, 6],
            ['2025-03-10 10:01:00', 8000.0, 6],
            ['2025-03-10 10:02:00', 8000.1, 6],
          ]);
          expect(await total(id, '2025-03-10 10:01:00', '2025-03-10 10:02:00')).toBe(0);
          expect(await total(id, '2025-03-10 10:02:00', '2025-03-10 10:03:00')).toBeCloseTo(0.1, 9);
          expect(await total(id, '2025-03-10 00:00:00', '2025-03-11 00:00:00')).toBeCloseTo(0.1, 9);
        });

        it('gap: 10:00 100.0, 12:00 110.0 (5 kW) counts 10 at 12:00; 250.0 would count 0', async () => {
          const plausible = freshPanelId('gap');
          const implausible = freshPanelId('gapjump');
          await write(plausible, [
            ['2025-03-10 10:00:00', 100.0, 5],
            ['2025-03-10 12:00:00', 110.0, 5],
          ]);
          await write(implausible, [
            ['2025-03-10 10:00:00', 100.0, 5],
            ['2025-03-10 12:00:00', 250.0, 5],
            ['2025-03-10 12:01:00', 250.05, 5],
          ]);
          expect(await total(plausible, '2025-03-10 12:00:00', '2025-03-10 12:01:00')).toBeCloseTo(10, 9);
          expect(await total(implausible, '2025-03-10 00:00:00', '2025-03-11 00:00:00')).toBeCloseTo(0.05, 9);
        });

        it('duplicate: 10:01 100.1 written twice counts once', async () => {
          const id = freshPanelId('dupenergy');
          await write(id, [
            ['2025-03-10 10:00:00', 100.0, 6],
            ['2025-03-10 10:01:00', 100.1, 6],
          ]);
          await write(id, [['2025-03-10 10:01:00', 100.1, 6]]);
          await write(id, [
            ['2025-03-10 10:01:00', 100.1, 6],
            ['2025-03-10 10:01:00', 100.1, 6],
          ]);
          expect(await total(id, '2025-03-10 00:00:00', '2025-03-11 00:00:00')).toBeCloseTo(0.1, 9);
        });
      });

      describe('local days', () => {
        it('23:59:30 and 00:00:30 local go to different days; readings around UTC midnight stay in their local day', async () => {
          const id = freshPanelId('localday');
          await write(id, [
            // 06:59-07:01:30 Jakarta is 23:59-00:01:30 UTC: one local day.
            ['2025-03-10 06:59:00', 100.0, 3],
            ['2025-03-10 07:00:30', 100.05, 3],
            ['2025-03-10 07:01:30', 100.1, 3],
            ['2025-03-10 23:59:30', 101.0, 3],
            ['2025-03-11 00:00:30', 101.04, 3],
          ]);
          const day = await energyOf([id], '2025-03-09 00:00:00', '2025-03-12 00:00:00', 'day');
          expect(day(id, '2025-03-09 00:00:00')).toBe(0);
          // 0.05 + 0.05, then 100.1 → 101.0 over 16:58 h (plausible up to 509): 0.9.
          expect(day(id, '2025-03-10 00:00:00')).toBeCloseTo(1.0, 9);
          expect(day(id, '2025-03-11 00:00:00')).toBeCloseTo(0.04, 9);
        });

        it('counts the first interval of a day from the last reading before midnight', async () => {
          const id = freshPanelId('firstinterval');
          await write(id, [
            ['2025-03-10 23:58:00', 100.0, 6],
            ['2025-03-10 23:59:00', 100.1, 6],
            ['2025-03-11 00:01:00', 100.2, 6],
            ['2025-03-11 00:02:00', 100.3, 6],
          ]);
          // Only the new day is asked for: its baseline lies before `from`.
          const day = await energyOf([id], '2025-03-11 00:00:00', '2025-03-12 00:00:00', 'day');
          expect(day(id, '2025-03-11 00:00:00')).toBeCloseTo(0.2, 9);
        });

        it('a dip that is the first reading of the day is a glitch (two readings of lookback)', async () => {
          const id = freshPanelId('dipfirst');
          await write(id, [
            ['2025-03-10 23:59:00', 500.0, 12],
            ['2025-03-11 00:00:30', 0.0, 12],
            ['2025-03-11 00:01:30', 500.2, 12],
          ]);
          const day = await energyOf([id], '2025-03-11 00:00:00', '2025-03-12 00:00:00', 'day');
          expect(day(id, '2025-03-11 00:00:00')).toBeCloseTo(0.2, 9);
        });

        it('a dip that is the last reading of the day is a glitch (one reading of lookahead)', async () => {
          const id = freshPanelId('diplast');
          await write(id, [
            ['2025-03-10 23:58:00', 500.0, 12],
            ['2025-03-10 23:59:30', 0.0, 12],
            ['2025-03-11 00:01:00', 500.2, 12],
          ]);
          const day1 = await energyOf([id], '2025-03-10 00:00:00', '2025-03-11 00:00:00', 'day');
          expect(day1(id, '2025-03-10 00:00:00')).toBe(0);
          const both = await energyOf([id], '2025-03-10 00:00:00', '2025-03-12 00:00:00', 'day');
          expect(both(id, '2025-03-10 00:00:00')).toBe(0);
          expect(both(id, '2025-03-11 00:00:00')).toBeCloseTo(0.2, 9);
        });

        it('a spike just after midnight is ignored, the next reading counts from before midnight', async () => {
          const id = freshPanelId('spikemidnight');
          await write(id, [
            ['2025-03-10 23:59:00', 700.0, 12],
            ['2025-03-11 00:00:00', 1e6, 12],
            ['2025-03-11 00:01:00', 700.3, 12],
          ]);
          const day = await energyOf([id], '2025-03-10 00:00:00', '2025-03-12 00:00:00', 'day');
          expect(day(id, '2025-03-10 00:00:00')).toBe(0);
          expect(day(id, '2025-03-11 00:00:00')).toBeCloseTo(0.3, 9);
        });

        it('a trailing 0 counts nothing until the next reading shows it was a dip', async () => {
          const id = freshPanelId('trailing');
          await write(id, [
            ['2025-03-10 10:00:00', 500.0, 12],
            ['2025-03-10 10:01:00', 500.1, 12],
            ['2025-03-10 10:02:00', 0.0, 12],
          ]);
          expect(await total(id, '2025-03-10 00:00:00', '2025-03-11 00:00:00')).toBeCloseTo(0.1, 9);
          await write(id, [['2025-03-10 10:03:00', 500.3, 12]]);
          expect(await total(id, '2025-03-10 00:00:00', '2025-03-11 00:00:00')).toBeCloseTo(0.3, 9);
        });

        it('a meter reset and a replacement meter never count negative or as a spike', async () => {
          const id = freshPanelId('resetday');
          await write(id, [
            ['2025-03-10 08:00:00', 9000.0, 12],
            ['2025-03-10 08:01:00', 9000.2, 12],
            ['2025-03-10 08:02:00', 0.0, 12], // reset, persists
            ['2025-03-10 08:03:00', 0.1, 12],
            ['2025-03-10 08:04:00', 0.2, 12],
            ['2025-03-10 09:00:00', 40_000.0, 12], // replacement at a higher count, persists
            ['2025-03-10 09:01:00', 40_000.15, 12],
          ]);
          expect(await total(id, '2025-03-10 00:00:00', '2025-03-11 00:00:00')).toBeCloseTo(0.2 + 0.1 + 0.1 + 0.15, 9);
        });

        it('bridges a gap of hours: the energy lands in the period of the first reading after it', async () => {
          const id = freshPanelId('hours');
          await write(id, [
            ['2025-03-10 21:00:00', 100.0, 5],
            ['2025-03-11 02:00:00', 120.0, 5], // 5 h × 5 kW × 10 = 250 ≥ 20
          ]);
          const day = await energyOf([id], '2025-03-10 00:00:00', '2025-03-12 00:00:00', 'day');
          expect(day(id, '2025-03-10 00:00:00')).toBe(0);
          expect(day(id, '2025-03-11 00:00:00')).toBeCloseTo(20, 9);
        });

        it('bridges a gap of several days, however far back the baseline is', async () => {
          const id = freshPanelId('days');
          await write(id, [
            ['2025-03-10 22:00:00', 100.0, 2],
            ['2025-03-13 08:00:00', 150.0, 2], // 58 h × 2 kW × 10 = 1160 ≥ 50
            ['2025-03-13 08:01:00', 150.01, 2],
          ]);
          const month = await energyOf([id], '2025-03-01 00:00:00', '2025-04-01 00:00:00', 'day');
          expect(month(id, '2025-03-10 00:00:00')).toBe(0);
          expect(month(id, '2025-03-11 00:00:00')).toBe(0);
          expect(month(id, '2025-03-12 00:00:00')).toBe(0);
          expect(month(id, '2025-03-13 00:00:00')).toBeCloseTo(50.01, 9);
          const only = await energyOf([id], '2025-03-13 00:00:00', '2025-03-14 00:00:00', 'day');
          expect(only(id, '2025-03-13 00:00:00')).toBeCloseTo(50.01, 9);
        });

        it('a late, out-of-order reading is counted in the day its meter time belongs to', async () => {
          const id = freshPanelId('late');
          await write(id, [
            ['2025-03-10 23:58:00', 100.0, 3],
            ['2025-03-11 00:02:00', 100.4, 3],
          ]);
          let day = await energyOf([id], '2025-03-10 00:00:00', '2025-03-12 00:00:00', 'day');
          expect(day(id, '2025-03-10 00:00:00')).toBe(0);
          expect(day(id, '2025-03-11 00:00:00')).toBeCloseTo(0.4, 9);
          await write(id, [['2025-03-10 23:59:30', 100.3, 3]]);
          day = await energyOf([id], '2025-03-10 00:00:00', '2025-03-12 00:00:00', 'day');
          expect(day(id, '2025-03-10 00:00:00')).toBeCloseTo(0.3, 9);
          expect(day(id, '2025-03-11 00:00:00')).toBeCloseTo(0.1, 9);
        });
      });

      describe('months and years', () => {
        it('31 January → 1 February', async () => {
          const id = freshPanelId('janfeb');
          await write(id, [
            ['2025-01-31 23:58:00', 100.0, 6],
            ['2025-01-31 23:59:00', 100.1, 6],
            ['2025-02-01 00:01:00', 100.3, 6],
          ]);
          const months = await energyOf([id], '2025-01-01 00:00:00', '2025-03-01 00:00:00', 'month');
          expect(months(id, '2025-01-01 00:00:00')).toBeCloseTo(0.1, 9);
          expect(months(id, '2025-02-01 00:00:00')).toBeCloseTo(0.2, 9);
          const february = await energyOf([id], '2025-02-01 00:00:00', '2025-03-01 00:00:00', 'day');
          expect(february(id, '2025-02-01 00:00:00')).toBeCloseTo(0.2, 9);
        });

        it('31 December → 1 January, across years', async () => {
          const id = freshPanelId('newyear');
          await write(id, [
            ['2025-12-31 23:59:00', 100.0, 6],
            ['2026-01-01 00:01:00', 100.2, 6],
            ['2026-01-01 00:02:00', 100.3, 6],
          ]);
          const months = await energyOf([id], '2025-12-01 00:00:00', '2026-02-01 00:00:00', 'month');
          expect(months(id, '2025-12-01 00:00:00')).toBe(0);
          expect(months(id, '2026-01-01 00:00:00')).toBeCloseTo(0.3, 9);
          const year = await energyOf([id], '2026-01-01 00:00:00', '2027-01-01 00:00:00', 'month');
          expect(year(id, '2026-01-01 00:00:00')).toBeCloseTo(0.3, 9);
          const days = await energyOf([id], '2025-12-31 00:00:00', '2026-01-02 00:00:00', 'day');
          expect(days(id, '2025-12-31 00:00:00')).toBe(0);
          expect(days(id, '2026-01-01 00:00:00')).toBeCloseTo(0.3, 9);
        });

        it('leap day', async () => {
          const id = freshPanelId('leap');
          await write(id, [
            ['2024-02-28 23:59:00', 100.0, 2],
            ['2024-02-29 12:00:00', 110.0, 2], // 12h01 × 2 kW × 10 ≈ 240 ≥ 10
            ['2024-03-01 00:01:00', 111.0, 2],
          ]);
          const february = await energyOf([id], '2024-02-01 00:00:00', '2024-03-01 00:00:00', 'day');
          expect(february(id, '2024-02-28 00:00:00')).toBe(0);
          expect(february(id, '2024-02-29 00:00:00')).toBeCloseTo(10, 9);
          const months = await energyOf([id], '2024-01-01 00:00:00', '2025-01-01 00:00:00', 'month');
          expect(months(id, '2024-02-01 00:00:00')).toBeCloseTo(10, 9);
          expect(months(id, '2024-03-01 00:00:00')).toBeCloseTo(1, 9);
        });

        it("'total' is one row per panel labelled `from`, equal to the sum of the days", async () => {
          const id = freshPanelId('total');
          await write(id, [
            ['2025-03-10 23:58:00', 100.0, 6],
            ['2025-03-10 23:59:00', 100.1, 6],
            ['2025-03-11 00:01:00', 100.3, 6],
            ['2025-03-12 10:00:00', 101.0, 6],
          ]);
          const rows = await store().energy({ panelIds: [id], from: J('2025-03-10 12:00:00'), to: J('2025-03-13 00:00:00'), groupBy: 'total' });
          expect(rows).toHaveLength(1);
          expect(rows[0]!.panelId).toBe(id);
          expect(rows[0]!.periodStart).toEqual(J('2025-03-10 12:00:00'));
          expect(rows[0]!.energyKwh).toBeCloseTo(1.0, 9);
          const day = await energyOf([id], '2025-03-10 12:00:00', '2025-03-13 00:00:00', 'day');
          // The first slice starts at `from` but is labelled with its local midnight.
          expect(day(id, '2025-03-10 00:00:00')).toBeCloseTo(0.1, 9);
          expect(day(id, '2025-03-11 00:00:00')).toBeCloseTo(0.2, 9);
          expect(day(id, '2025-03-12 00:00:00')).toBeCloseTo(0.7, 9);
        });
      });

      it('a building: several panels in one call, unknown panels yield no energy', async () => {
        const [a, b, c] = [freshPanelId('bldA'), freshPanelId('bldB'), freshPanelId('bldC')];
        await write(a, [
          ['2025-03-10 10:00:00', 100.0, 6],
          ['2025-03-10 10:01:00', 100.1, 6],
        ]);
        await write(b, [
          ['2025-03-10 10:00:00', 500.0, 12],
          ['2025-03-10 10:01:00', 500.2, 12],
          ['2025-03-10 10:02:00', 0.0, 12],
          ['2025-03-10 10:03:00', 0.1, 12],
          ['2025-03-10 10:04:00', 0.3, 12],
        ]);
        await write(c, [
          ['2025-03-10 10:00:00', 500.0, 12],
          ['2025-03-10 10:01:00', 0.0, 12],
          ['2025-03-10 10:02:00', 500.2, 12],
        ]);
        const unknown = freshPanelId('bldX');
        const ids = [a, b, c, unknown];
        const day = await energyOf(ids, '2025-03-10 00:00:00', '2025-03-11 00:00:00', 'day');
        expect(day(a, '2025-03-10 00:00:00')).toBeCloseTo(0.1, 9);
        expect(day(b, '2025-03-10 00:00:00')).toBeCloseTo(0.5, 9);
        expect(day(c, '2025-03-10 00:00:00')).toBeCloseTo(0.2, 9);
        expect(day(unknown, '2025-03-10 00:00:00')).toBe(0);
        expect(ids.reduce((sum, id) => sum + day(id, '2025-03-10 00:00:00'), 0)).toBeCloseTo(0.8, 9);
        expect(await store().energy({ panelIds: [], from: J('2025-03-10 00:00:00'), to: J('2025-03-11 00:00:00'), groupBy: 'day' })).toEqual([]);
      });

      describe('matches the TypeScript oracle on random histories (seeded)', () => {
        for (const seed of [11, 12, 13]) {
          it(`seed ${seed}: days, months, total and unaligned windows`, async () => {
            const random = seededRandom(seed);
            const ids = [0, 1, 2].map((i) => freshPanelId(`prop${seed}_${i}`));
            const start = J('2025-01-29 20:00:00').getTime();
            const histories = new Map<string, Reading[]>();
            const stale: Reading[] = [];
            const finals: Reading[] = [];
            const repeats: Reading[] = [];
            for (const id of ids) {
              const samples = randomCounterSeries(random, { start, count: 180 });
              const readings = samples.map((s) => makeReading(id, s.time, s.energyKwh, s.activePowerKw));
              for (const r of readings) {
                // Duplicates: some readings first arrive with other values (to be replaced),
                // some arrive twice with the same values.
                if (random() < 0.05) stale.push({ ...r, energyKwh: r.energyKwh + 1000 * random(), activePowerKw: 0.5 });
                if (random() < 0.05) repeats.push(r);
              }
              finals.push(...readings);
              histories.set(id, readings);
            }
            await store().writeBatch(stale);
            // Random arrival order: late and out-of-order readings.
            const arrival = shuffled(finals, random);
            for (let i = 0; i < arrival.length; i += 97) await store().writeBatch(arrival.slice(i, i + 97));
            await store().writeBatch(repeats);

            const check = async (from: Date, to: Date, groupBy: EnergyGrouping): Promise<EnergyRow[]> => {
              const rows = await store().energy({ panelIds: ids, from, to, groupBy });
              const slices = periodSlices(from, to, groupBy, 'Asia/Jakarta');
              const boundaries = sliceBoundaries(slices);
              for (const id of ids) {
                const expected = windowedEnergy(histories.get(id)!, boundaries, DEFAULT_COUNTER_RULE);
                slices.forEach((slice, k) => {
                  const row = rows.find((r) => r.panelId === id && r.periodStart.getTime() === slice.periodStart.getTime());
                  expect(row?.energyKwh ?? 0, `${id} ${groupBy} ${slice.periodStart.toISOString()}`).toBeCloseTo(expected[k]!, 6);
                });
              }
              return rows;
            };

            const [january, february] = monthsOfYear(2025, 'Asia/Jakarta') as [Period, Period];
            const latest = Math.max(...[...histories.values()].map((h) => h.at(-1)!.time.getTime()));
            expect(latest, 'the random histories end within February').toBeLessThan(february.end.getTime());
            const dayRows = await check(january.start, february.end, 'day');
            const monthRows = await check(january.start, february.end, 'month');
            const totalRows = await check(january.start, february.end, 'total');
            for (const id of ids) {
              const sum = (rows: EnergyRow[]) => rows.filter((r) => r.panelId === id).reduce((acc, r) => acc + r.energyKwh, 0);
              expect(sum(dayRows)).toBeCloseTo(sum(monthRows), 6);
              expect(sum(monthRows)).toBeCloseTo(sum(totalRows), 6);
              expect(sum(totalRows)).toBeGreaterThan(0);
            }
            for (let k = 0; k < 3; k++) {
              const a = start - 3_600_000 + Math.floor(random() * 5 * 86_400_000);
              const b = a + 1 + Math.floor(random() * 3 * 86_400_000);
              await check(new Date(a), new Date(b), k === 0 ? 'day' : 'total');
            }
          });
        }
      });
    });

    describe('energy in other zones', () => {
      describe('Asia/Jayapura (UTC+9)', () => {
        const store = harness('Asia/Jayapura');
        it('cuts days at Jayapura midnight (15:00 UTC)', async () => {
          const id = freshPanelId('jayapura');
          const U = local('UTC');
          await store().writeBatch([
            makeReading(id, U('2025-03-10 14:58:00'), 100.0, 6),
            makeReading(id, U('2025-03-10 14:59:00'), 100.1, 6), // 23:59 in Jayapura, 21:59 in Jakarta
            makeReading(id, U('2025-03-10 15:01:00'), 100.3, 6), // 00:01 in Jayapura
          ]);
          const rows = await store().energy({ panelIds: [id], from: U('2025-03-09 15:00:00'), to: U('2025-03-11 15:00:00'), groupBy: 'day' });
          const byDay = new Map(rows.map((r) => [r.periodStart.toISOString(), r.energyKwh]));
          expect(byDay.get('2025-03-09T15:00:00.000Z') ?? 0).toBeCloseTo(0.1, 9);
          expect(byDay.get('2025-03-10T15:00:00.000Z') ?? 0).toBeCloseTo(0.2, 9);
        });
      });

      describe('Europe/Berlin (daylight saving)', () => {
        const store = harness('Europe/Berlin');
        it('a 23-hour day is one day; its neighbours are cut at local midnight', async () => {
          const id = freshPanelId('berlin');
          const B = local('Europe/Berlin');
          await store().writeBatch([
            makeReading(id, B('2025-03-29 23:59:00'), 100.0, 6),
            makeReading(id, B('2025-03-30 00:01:00'), 100.1, 6),
            makeReading(id, B('2025-03-30 23:59:00'), 102.0, 6), // 22:58 later: plausible up to 1378
            makeReading(id, B('2025-03-31 00:01:00'), 102.2, 6),
          ]);
          const march = daysOfMonth(2025, 3, 'Europe/Berlin');
          const rows = await store().energy({ panelIds: [id], from: march[0]!.start, to: march.at(-1)!.end, groupBy: 'day' });
          const byDay = new Map(rows.map((r) => [r.periodStart.getTime(), r.energyKwh]));
          expect(byDay.get(B('2025-03-29 00:00:00').getTime()) ?? 0).toBe(0);
          expect(byDay.get(B('2025-03-30 00:00:00').getTime()) ?? 0).toBeCloseTo(2.0, 9);
          expect(byDay.get(B('2025-03-31 00:00:00').getTime()) ?? 0).toBeCloseTo(0.2, 9);
          for (const row of rows) expect(march.some((d) => d.start.getTime() === row.periodStart.getTime())).toBe(true);
        });
      });
    });
  });
}
