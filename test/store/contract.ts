import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Reading } from '../../src/models/reading.js';
import { DEFAULT_RULE as RULE, energyHarness, type EnergyHarness } from '../support/energy-harness.js';
import type { CounterColumns, ReadingStore } from '../../src/store/reading-store.js';
import { dayNumberOf, daysInMonth, isoDate } from '../../src/time/local-time.js';
import { randomCounterSeries } from '../support/counter-series.js';
import { describeComparisonsAndEmissions } from './comparisons-and-emissions.js';
import { uniquePanelId, local, makeReading, makeSparseReading, seededRandom, shuffled } from '../support/readings.js';
import { finalSeries, referenceDays, referenceEnergy, referenceIncreases } from '../support/reference-rule.js';
import { describeInsightsContract } from './insights-contract.js';
import { describeHistoryAveragesContract } from './history-averages-contract.js';

/** A store as the product uses it: a durable write, and the read side every query goes through. */
export interface StoreUnderTest {
  readonly store: ReadingStore;
  write(readings: readonly Reading[]): Promise<void>;
  cleanup(): Promise<void>;
}

export type MakeStore = () => Promise<StoreUnderTest>;

const MIN = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

/** Every reading of a scan, as [time, kWh, kW]. */
async function scanned(store: ReadingStore, panelId: string, fromMs: number): Promise<Array<[number, number, number]>> {
  const out: Array<[number, number, number]> = [];
  for await (const chunk of store.scan(panelId, fromMs)) {
    for (let k = 0; k < chunk.t.length; k++) out.push([chunk.t[k]!, chunk.kwh[k]!, chunk.kw[k]!]);
  }
  return out;
}

/**
 * The behaviour every store must show, written against the interfaces only with fresh panel ids
 * in every test, so it also runs against a shared real InfluxDB. Energy is checked end to end the
 * way the product computes it: readings written to the store and handed to the energy ledger as
 * the after-write pipeline does, figures read from the EnergyService. Hand-computed numbers for the
 * cases of docs/counting-rule.md; an independent reference of the rule for random histories with late, duplicate
 * and corrected readings; and a ledger rebuilt from the store alone (a restart) must agree.
 */
export function describeStoreContract(name: string, makeStore: MakeStore): void {
  describe(`${name}: store contract`, () => {
    let current: StoreUnderTest | undefined;
    beforeAll(async () => {
      current = await makeStore();
    });
    afterAll(async () => {
      // The energy harnesses' cores read the store: stopped before it closes.
      for (const harness of harnesses.splice(0)) await (await harness).close();
      await current?.cleanup();
    });
    const sut = () => {
      if (!current) throw new Error('store not created');
      return current;
    };
    const store = () => sut().store;

    describeInsightsContract(sut);
    describeHistoryAveragesContract(sut);

    describe('readings (Asia/Jakarta)', () => {
      const J = local('Asia/Jakarta');

      it('round-trips every field, including nulls', async () => {
        const id = uniquePanelId('roundtrip');
        const full = makeReading(id, J('2025-03-10 10:00:00'), 12_345.678, 6.25, {
          voltage: { l1: 229.1, l2: 230.2, l3: 231.3, average: 230.2 },
          current: { l1: 10.5, l2: 11.25, l3: 9.75, average: 10.5 },
          apparentPowerKva: 6.9,
          powerFactor: 0.905,
          voltageUnbalance: 0.35,
          currentUnbalance: 7.5,
          reactiveEnergyKvarh: 4_321.5,
        });
        const sparse = makeSparseReading(id, J('2025-03-10 10:01:00'), 12_345.7, 0);
        const partial = makeReading(id, J('2025-03-10 10:02:00'), 12_345.75, 3, {
          voltage: { l3: null },
          current: { l1: null, average: null },
          powerFactor: null,
        });
        await sut().write([full, sparse, partial]);
        expect(await store().readings(id, J('2025-03-10 00:00:00'), J('2025-03-11 00:00:00'))).toEqual([full, sparse, partial]);
        expect((await store().latestReadings([id])).get(id)).toEqual(partial);
      });

      it('replaces a duplicate (same panel and time), nulls included, instead of adding it', async () => {
        const id = uniquePanelId('dup');
        const t = J('2025-03-10 10:01:00');
        await sut().write([makeReading(id, J('2025-03-10 10:00:00'), 100.0), makeReading(id, t, 100.5, 6, { reactiveEnergyKvarh: 7 })]);
        const replacement = makeSparseReading(id, t, 100.1, 7);
        await sut().write([replacement]);
        const rows = await store().readings(id, J('2025-03-10 00:00:00'), J('2025-03-11 00:00:00'));
        expect(rows).toHaveLength(2);
        expect(rows[1]).toEqual(replacement);
        expect((await store().latestReadings([id])).get(id)).toEqual(replacement);
        // Within one batch the later one wins too.
        const inBatch = makeReading(id, J('2025-03-10 10:02:00'), 100.2, 6);
        await sut().write([makeReading(id, J('2025-03-10 10:02:00'), 999, 6), inBatch]);
        expect((await store().latestReadings([id])).get(id)).toEqual(inBatch);
      });

      it('latestReadings: newest by meter time for many panels in one call, unknown panels absent', async () => {
        const ids = Array.from({ length: 25 }, (_, i) => uniquePanelId(`latest${i}`));
        const newest = new Map<string, Reading>();
        const batch: Reading[] = [];
        ids.forEach((id, i) => {
          const last = makeReading(id, J(`2025-03-10 10:0${i % 3}:30`), 200 + i, i);
          newest.set(id, last);
          batch.push(last, makeReading(id, J('2025-03-10 09:00:00'), 100 + i), makeReading(id, J('2025-03-10 09:30:00'), 150 + i));
        });
        // The newest are written first: "latest" means meter time, not arrival order.
        await sut().write(batch);
        const unknown = uniquePanelId('unknown');
        const latest = await store().latestReadings([...ids, unknown, ids[0]!]);
        expect(latest.size).toBe(ids.length);
        expect(latest.has(unknown)).toBe(false);
        for (const id of ids) expect(latest.get(id)).toEqual(newest.get(id));
        expect((await store().latestReadings([])).size).toBe(0);
      });

      it('readings: half-open [from, to), oldest first, limit', async () => {
        const id = uniquePanelId('range');
        const times = [0, 1, 2, 3, 4].map((m) => J(`2025-03-10 10:0${m}:00`));
        await sut().write(shuffled(times.map((t, i) => makeReading(id, t, 100 + i)), seededRandom(7)));
        const got = await store().readings(id, times[1]!, times[3]!);
        expect(got.map((r) => r.time)).toEqual([times[1], times[2]]);
        expect((await store().readings(id, times[0]!, J('2025-03-10 11:00:00'))).map((r) => r.energyKwh)).toEqual([100, 101, 102, 103, 104]);
        expect((await store().readings(id, times[1]!, J('2025-03-10 11:00:00'), 2)).map((r) => r.time)).toEqual([times[1], times[2]]);
        expect(await store().readings(id, times[2]!, times[2]!)).toEqual([]);
        expect(await store().readings(uniquePanelId('none'), times[0]!, times[4]!)).toEqual([]);
      });

      it('downsample: windows aligned to `from`, means of instantaneous values, last counter value, counts', async () => {
        const id = uniquePanelId('down');
        await sut().write([
          makeReading(id, J('2025-03-10 10:00:00'), 100.0, 2, { voltage: { l1: 220 }, powerFactor: 0.9 }),
          makeReading(id, J('2025-03-10 10:02:00'), 100.2, 4, { voltage: { l1: 230 }, powerFactor: null }),
          makeReading(id, J('2025-03-10 10:04:59'), 100.3, 6, { voltage: { l1: 240 }, powerFactor: 0.8 }),
          makeReading(id, J('2025-03-10 10:05:00'), 100.4, 10, { voltage: { l1: 200 } }),
          makeSparseReading(id, J('2025-03-10 10:07:00'), 100.6, 20),
          // 10:10-10:15 has no readings; 10:15 is outside [from, to).
          makeReading(id, J('2025-03-10 10:15:00'), 101.0, 1),
        ]);
        const windows = await store().downsample(id, J('2025-03-10 10:00:00'), J('2025-03-10 10:15:00'), 5 * MIN);
        expect(windows.map((w) => w.count)).toEqual([3, 2]);
        const [first, second] = windows.map((w) => w.reading) as [Reading, Reading];
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
        expect(shifted.map((w) => [w.reading.time, w.reading.energyKwh, w.count])).toEqual([
          [J('2025-03-10 10:01:00'), 100.4, 3],
          [J('2025-03-10 10:06:00'), 100.6, 1],
        ]);
      });

      it('panels: every panel seen, with first and last meter time, sorted by id', async () => {
        const prefix = uniquePanelId('list');
        const ids = [`${prefix}_C`, `${prefix}_A`, `${prefix}_B`];
        await sut().write([
          makeReading(ids[0]!, J('2025-03-10 10:05:00'), 1),
          makeReading(ids[1]!, J('2025-03-10 10:00:00'), 1),
          makeReading(ids[0]!, J('2025-03-10 10:01:00'), 1),
        ]);
        await sut().write([makeReading(ids[2]!, J('2025-03-10 11:00:00'), 1), makeReading(ids[0]!, J('2025-03-10 09:00:00'), 1)]);
        const all = await store().panels();
        expect(all.map((p) => p.id)).toEqual([...all.map((p) => p.id)].sort());
        expect(all.filter((p) => p.id.startsWith(prefix))).toEqual([
          { id: `${prefix}_A`, firstSeenAt: J('2025-03-10 10:00:00'), lastSeenAt: J('2025-03-10 10:00:00') },
          { id: `${prefix}_B`, firstSeenAt: J('2025-03-10 11:00:00'), lastSeenAt: J('2025-03-10 11:00:00') },
          { id: `${prefix}_C`, firstSeenAt: J('2025-03-10 09:00:00'), lastSeenAt: J('2025-03-10 10:05:00') },
        ]);
      });

      it('scan: every reading from a time on, oldest first, with the rule fields (NaN for null)', async () => {
        const id = uniquePanelId('scan');
        const readings = Array.from({ length: 300 }, (_, i) =>
          makeReading(id, new Date(J('2025-03-01 00:00:00').getTime() + i * 2 * HOUR), 100 + i, 1 + (i % 7), {
            powerFactor: i % 5 === 0 ? null : 0.9,
            reactiveEnergyKvarh: i % 2 === 0 ? 50 + i : null,
            apparentPowerKva: i % 3 === 0 ? null : 7,
          }),
        );
        await sut().write(shuffled(readings, seededRandom(3)));
        const all: CounterColumns[] = [];
        for await (const chunk of store().scan(id, Number.NEGATIVE_INFINITY)) all.push(chunk);
        const t = all.flatMap((c) => [...c.t]);
        expect(t).toEqual(readings.map((r) => r.time.getTime()));
        const pf = all.flatMap((c) => [...c.pf]);
        const kvarh = all.flatMap((c) => [...c.kvarh]);
        const kva = all.flatMap((c) => [...c.kva]);
        readings.forEach((r, i) => {
          expect(pf[i]).toEqual(r.powerFactor ?? Number.NaN);
          expect(kvarh[i]).toEqual(r.reactiveEnergyKvarh ?? Number.NaN);
          expect(kva[i]).toEqual(r.apparentPowerKva ?? Number.NaN);
        });
        const from = readings[200]!.time.getTime();
        expect((await scanned(store(), id, from)).map(([time, kwh, kw]) => [time, kwh, kw])).toEqual(
          readings.slice(200).map((r) => [r.time.getTime(), r.energyKwh, r.activePowerKw]),
        );
        expect(await scanned(store(), id, readings[299]!.time.getTime() + 1)).toEqual([]);
        expect(await scanned(store(), uniquePanelId('noscan'), 0)).toEqual([]);
      });

      it('ping answers', async () => {
        await expect(store().ping()).resolves.toBeUndefined();
      });
    });

    describeEnergy('Asia/Jakarta', sut);
    describeRandomHistories(sut);
    describeComparisonsAndEmissions(sut);
    describeOtherZones(sut);
  });
}

/** Every energy harness made over the store under test, closed before the store. */
const harnesses: Array<Promise<EnergyHarness>> = [];

/** The product's energy path over the store under test (test/support/energy-harness.ts: `buildCore`), built on first use. */
function energyOver(sut: () => StoreUnderTest, zone: string) {
  let harness: Promise<EnergyHarness> | undefined;
  const get = (): Promise<EnergyHarness> => {
    if (harness) return harness;
    harness = energyHarness({ store: sut().store, write: (readings) => sut().write(readings), zone });
    harnesses.push(harness);
    return harness;
  };
  return {
    write: async (readings: readonly Reading[]) => (await get()).write(readings),
    energy: async () => (await get()).energy,
    /** The product started again over the same store: its figures from the store alone. */
    restarted: async () => (await (await get()).restarted()).energy,
  };
}

function describeEnergy(zone: 'Asia/Jakarta', sut: () => StoreUnderTest): void {
  describe(`energy (${zone}, UTC+7)`, () => {
    const J = local(zone);
    const e = energyOver(sut, zone);

    async function write(id: string, points: ReadonlyArray<readonly [string, number, number]>): Promise<void> {
      await e.write(points.map(([time, kwh, kw]) => makeReading(id, J(time), kwh, kw)));
    }

    /** kWh of one local day (YYYY-MM-DD), as monthlySummary reports it (rounded to 3 decimals). */
    async function day(id: string, date: string): Promise<number> {
      const [year, month, dom] = date.split('-').map(Number) as [number, number, number];
      const summary = await (await e.energy()).monthlySummary(year, month, [id], id);
      return summary.days[dom - 1]!.energyKwh;
    }

    /** kWh in [from, to), as one history window (unrounded). */
    async function between(id: string, from: string, to: string): Promise<number> {
      const amounts = await (await e.energy()).windows(id, J(from).getTime(), J(to).getTime(), J(to).getTime() - J(from).getTime());
      return amounts.kwh(0);
    }

    describe('the table of docs/counting-rule.md (one reading a minute, 12 kW unless said)', () => {
      it('normal: 100.0, 100.1 counts 0.1', async () => {
        const id = uniquePanelId('normal');
        await write(id, [
          ['2025-03-10 10:00:00', 100.0, 12],
          ['2025-03-10 10:01:00', 100.1, 12],
        ]);
        expect(await day(id, '2025-03-10')).toBe(0.1);
        expect(await between(id, '2025-03-10 10:01:00', '2025-03-10 10:02:00')).toBeCloseTo(0.1, 9);
        expect(await between(id, '2025-03-10 10:00:00', '2025-03-10 10:01:00')).toBe(0);
      });

      it('local midnight: 23:59:30 100.0, 00:00:30 100.05 counts 0.05 on the new day', async () => {
        const id = uniquePanelId('midnight');
        await write(id, [
          ['2025-03-10 23:59:30', 100.0, 12],
          ['2025-03-11 00:00:30', 100.05, 12],
        ]);
        expect(await day(id, '2025-03-10')).toBe(0);
        expect(await day(id, '2025-03-11')).toBe(0.05);
      });

      it('reset: 500.0, 500.2, 0.0, 0.1, 0.3 counts 0.2, then 0, 0.1, 0.2 once 0.3 confirms: 0.5', async () => {
        const id = uniquePanelId('reset');
        await write(id, [
          ['2025-03-10 10:00:00', 500.0, 12],
          ['2025-03-10 10:01:00', 500.2, 12],
          ['2025-03-10 10:02:00', 0.0, 12],
          ['2025-03-10 10:03:00', 0.1, 12],
        ]);
        expect(await day(id, '2025-03-10')).toBe(0.2); // 0.0 and 0.1 are pending: nothing yet
        await write(id, [['2025-03-10 10:04:00', 0.3, 12]]);
        expect(await day(id, '2025-03-10')).toBe(0.5);
        expect(await between(id, '2025-03-10 10:03:00', '2025-03-10 10:04:00')).toBeCloseTo(0.1, 9);
      });

      it('dip: 500.0, 0.0, 500.2 counts 0.2', async () => {
        const id = uniquePanelId('dip');
        await write(id, [
          ['2025-03-10 10:00:00', 500.0, 12],
          ['2025-03-10 10:01:00', 0.0, 12],
          ['2025-03-10 10:02:00', 500.2, 12],
        ]);
        expect(await day(id, '2025-03-10')).toBe(0.2);
        expect(await between(id, '2025-03-10 10:01:00', '2025-03-10 10:02:00')).toBe(0);
      });

      it('spike: 500.0, 99999, 500.2 counts 0.2', async () => {
        const id = uniquePanelId('spike');
        await write(id, [
          ['2025-03-10 10:00:00', 500.0, 12],
          ['2025-03-10 10:01:00', 99_999, 12],
          ['2025-03-10 10:02:00', 500.2, 12],
        ]);
        expect(await day(id, '2025-03-10')).toBe(0.2);
      });

      it('two glitches in a row: 500.0, 0.0, 99999, 500.3 counts 0.3', async () => {
        const id = uniquePanelId('twoglitches');
        await write(id, [
          ['2025-03-10 10:00:00', 500.0, 12],
          ['2025-03-10 10:01:00', 0.0, 12],
          ['2025-03-10 10:02:00', 99_999, 12],
          ['2025-03-10 10:03:00', 500.3, 12],
        ]);
        expect(await day(id, '2025-03-10')).toBe(0.3);
      });

      it('replaced meter at a higher count: 500.0, 8000.0, 8000.1, 8000.2 counts 0, 0.1, 0.1', async () => {
        const id = uniquePanelId('newmeter');
        await write(id, [
          ['2025-03-10 10:00:00', 500.0, 12],
          ['2025-03-10 10:01:00', 8000.0, 12],
          ['2025-03-10 10:02:00', 8000.1, 12],
          ['2025-03-10 10:03:00', 8000.2, 12],
        ]);
        expect(await between(id, '2025-03-10 10:01:00', '2025-03-10 10:02:00')).toBe(0);
        expect(await between(id, '2025-03-10 10:02:00', '2025-03-10 10:03:00')).toBeCloseTo(0.1, 9);
        expect(await day(id, '2025-03-10')).toBe(0.2);
      });

      it('dip between sparse readings (20 kW, 5 h apart): 1000, 1050, 0, 1150, 1200 counts 200', async () => {
        const id = uniquePanelId('sparse');
        await write(id, [
          ['2025-03-10 00:10:00', 1000, 20],
          ['2025-03-10 05:10:00', 1050, 20],
          ['2025-03-10 10:10:00', 0, 20],
          ['2025-03-10 15:10:00', 1150, 20],
          ['2025-03-10 20:10:00', 1200, 20],
        ]);
        expect(await day(id, '2025-03-10')).toBe(200);
      });

      it('gap (5 kW): 10:00 100.0, 12:00 110.0 counts 10 at 12:00', async () => {
        const id = uniquePanelId('gap');
        await write(id, [
          ['2025-03-10 10:00:00', 100.0, 5],
          ['2025-03-10 12:00:00', 110.0, 5],
        ]);
        expect(await between(id, '2025-03-10 12:00:00', '2025-03-10 12:01:00')).toBeCloseTo(10, 9);
        expect(await between(id, '2025-03-10 10:00:00', '2025-03-10 12:00:00')).toBe(0);
      });

      it('duplicate: a reading written again counts once', async () => {
        const id = uniquePanelId('dupenergy');
        await write(id, [
          ['2025-03-10 10:00:00', 100.0, 6],
          ['2025-03-10 10:01:00', 100.1, 6],
        ]);
        await write(id, [['2025-03-10 10:01:00', 100.1, 6]]);
        await write(id, [
          ['2025-03-10 10:01:00', 100.1, 6],
          ['2025-03-10 10:01:00', 100.1, 6],
        ]);
        expect(await day(id, '2025-03-10')).toBe(0.1);
      });
    });

    describe('periods, gaps, late and corrected readings', () => {
      it('counts the first interval of a day from the last reading before midnight', async () => {
        const id = uniquePanelId('firstinterval');
        await write(id, [
          ['2025-03-10 23:58:00', 100.0, 6],
          ['2025-03-10 23:59:00', 100.1, 6],
          ['2025-03-11 00:01:00', 100.2, 6],
          ['2025-03-11 00:02:00', 100.3, 6],
        ]);
        expect(await day(id, '2025-03-11')).toBe(0.2);
      });

      it('a glitch right before midnight, and one right before the 1st of a month, count nothing', async () => {
        const id = uniquePanelId('glitchmidnight');
        await write(id, [
          ['2025-03-31 23:58:00', 500.0, 12],
          ['2025-03-31 23:59:30', 0.0, 12],
          ['2025-03-31 23:59:50', 99_999, 12],
          ['2025-04-01 00:01:00', 500.2, 12],
        ]);
        expect(await day(id, '2025-03-31')).toBe(0);
        expect(await day(id, '2025-04-01')).toBe(0.2);
        const april = await (await e.energy()).yearlySummary(2025, [id], id);
        expect(april.months[2]!.energyKwh).toBe(0);
        expect(april.months[3]!.energyKwh).toBe(0.2);
      });

      it('a new level confirmed after midnight adds its first steps to the day before', async () => {
        const id = uniquePanelId('confirmlate');
        await write(id, [
          ['2025-03-10 23:57:00', 500.0, 12],
          ['2025-03-10 23:58:00', 0.0, 12],
          ['2025-03-10 23:59:00', 0.1, 12],
        ]);
        expect(await day(id, '2025-03-10')).toBe(0);
        await write(id, [['2025-03-11 00:00:30', 0.3, 12]]);
        expect(await day(id, '2025-03-10')).toBe(0.1);
        expect(await day(id, '2025-03-11')).toBe(0.2);
      });

      it('bridges a week-long gap: the energy lands on the day of the first reading after it', async () => {
        const id = uniquePanelId('week');
        await write(id, [
          ['2025-03-01 22:00:00', 100.0, 2],
          ['2025-03-08 08:00:00', 150.0, 2], // 154 h × 2 kW × 10 ≥ 50
          ['2025-03-08 08:01:00', 150.01, 2],
        ]);
        for (const date of ['2025-03-01', '2025-03-02', '2025-03-07']) expect(await day(id, date)).toBe(0);
        expect(await day(id, '2025-03-08')).toBe(50.01);
      });

      it('a late, out-of-order reading is counted in the day its meter time belongs to, at once', async () => {
        const id = uniquePanelId('late');
        await write(id, [
          ['2025-03-10 23:58:00', 100.0, 3],
          ['2025-03-11 00:02:00', 100.4, 3],
        ]);
        expect(await day(id, '2025-03-10')).toBe(0);
        expect(await day(id, '2025-03-11')).toBe(0.4);
        await write(id, [['2025-03-10 23:59:30', 100.3, 3]]);
        expect(await day(id, '2025-03-10')).toBe(0.3);
        expect(await day(id, '2025-03-11')).toBe(0.1);
      });

      it('a corrected reading changes exactly the periods the new series changes', async () => {
        const id = uniquePanelId('corrected');
        await write(id, [
          ['2025-03-09 12:00:00', 100.0, 6],
          ['2025-03-10 12:00:00', 150.0, 6],
          ['2025-03-11 12:00:00', 200.0, 6],
        ]);
        expect([await day(id, '2025-03-10'), await day(id, '2025-03-11')]).toEqual([50, 50]);
        await write(id, [['2025-03-10 12:00:00', 160.0, 6]]);
        expect([await day(id, '2025-03-09'), await day(id, '2025-03-10'), await day(id, '2025-03-11')]).toEqual([0, 60, 40]);
      });

      it('31 December → 1 January, and a leap day', async () => {
        const id = uniquePanelId('newyear');
        await write(id, [
          ['2024-02-28 23:59:00', 100.0, 2],
          ['2024-02-29 12:00:00', 110.0, 2],
          ['2024-12-31 23:59:00', 200.0, 2],
          ['2025-01-01 00:01:00', 200.2, 2],
        ]);
        expect(await day(id, '2024-02-29')).toBe(10);
        const y2024 = await (await e.energy()).yearlySummary(2024, [id], id);
        expect(y2024.months[1]!.energyKwh).toBe(10);
        expect(y2024.months[11]!.energyKwh).toBe(90);
        expect((await (await e.energy()).yearlySummary(2025, [id], id)).total.energyKwh).toBe(0.2);
      });

      it('a building is the sum of its panels, and unknown panels add nothing', async () => {
        const [a, b] = [uniquePanelId('bldA'), uniquePanelId('bldB')];
        await write(a, [
          ['2025-03-10 10:00:00', 100.0, 6],
          ['2025-03-10 10:01:00', 100.1, 6],
        ]);
        await write(b, [
          ['2025-03-10 10:00:00', 500.0, 12],
          ['2025-03-10 10:01:00', 0.0, 12],
          ['2025-03-10 10:02:00', 500.2, 12],
        ]);
        const building = await (await e.energy()).monthlySummary(2025, 3, [a, b, uniquePanelId('bldX')], null);
        expect(building.days[9]!.energyKwh).toBe(0.3);
        expect(building.total.energyKwh).toBe(0.3);
      });

      it('after a restart (a new ledger from the store alone) every figure is the same', async () => {
        const id = uniquePanelId('restart');
        await write(id, [
          ['2025-03-10 23:57:00', 500.0, 12],
          ['2025-03-10 23:58:00', 0.0, 12],
          ['2025-03-10 23:59:00', 0.1, 12],
          ['2025-03-11 00:00:30', 0.3, 12],
          ['2025-03-12 10:00:00', 1.0, 12],
        ]);
        const again = await e.restarted();
        expect(await again.monthlySummary(2025, 3, [id], id)).toEqual(await (await e.energy()).monthlySummary(2025, 3, [id], id));
      });
    });
  });
}

function describeRandomHistories(sut: () => StoreUnderTest): void {
  describe('matches the independent reference on random histories (late, duplicate and corrected readings)', () => {
    const zone = 'Asia/Jakarta';
    const J = local(zone);
    const e = energyOver(sut, zone);

    for (const seed of [11, 12, 13]) {
      it(`seed ${seed}: every day, month, hour window and sub-hour window; and after a restart`, async () => {
        const random = seededRandom(seed);
        const ids = [0, 1, 2].map((i) => uniquePanelId(`prop${seed}_${i}`));
        const start = J('2025-01-28 20:00:00').getTime();
        const writes = new Map<string, Reading[]>();
        const all: Reading[] = [];
        for (const id of ids) {
          const readings = randomCounterSeries(random, { start, count: 400 }).map((s) => makeReading(id, s.time, s.energyKwh, s.activePowerKw));
          const panelWrites: Reading[] = [];
          for (const r of readings) {
            // Some readings first arrive with other values and are corrected later; some twice.
            if (random() < 0.05) panelWrites.push({ ...r, energyKwh: r.energyKwh + 1000 * random(), activePowerKw: 0.5 });
            panelWrites.push(r);
            if (random() < 0.05) panelWrites.push(r);
          }
          writes.set(id, panelWrites);
          all.push(...panelWrites);
        }
        // Arrival order: mostly in order per panel, with a share of late readings.
        const order = all.map((r, i) => ({ r, key: i + (random() < 0.15 ? -random() * 800 : 0) }));
        order.sort((a, b) => a.key - b.key);
        const arrival = order.map((x) => x.r);
        for (let i = 0; i < arrival.length; i += 37) await e.write(arrival.slice(i, i + 37));

        // What the store holds per panel: the last write of each time (arrival order decides).
        const finals = new Map(ids.map((id) => [id, finalSeries(arrival.filter((r) => r.panelId === id))]));
        const service = await e.energy();
        const restarted = await e.restarted();
        for (const id of ids) {
          const series = finals.get(id)!;
          const increases = referenceIncreases(series, RULE);
          const days = referenceDays(series, increases, zone);
          for (const [year, month] of [[2025, 1], [2025, 2], [2025, 3]] as const) {
            const summary = await service.monthlySummary(year, month, [id], id);
            expect(await restarted.monthlySummary(year, month, [id], id)).toEqual(summary);
            const first = dayNumberOf(year, month, 1);
            for (let d = 0; d < daysInMonth(year, month); d++) {
              const expected = days.get(isoDate(first + d)) ?? 0;
              expect(service.panelDay(id, first + d).kwh, `${id} ${isoDate(first + d)}`).toBeCloseTo(expected, 6);
            }
            const monthKwh = service.monthAmount([id], year, month).kwh;
            const monthStart = (m: number) => J(`${year}-${String(m).padStart(2, '0')}-01 00:00:00`).getTime();
            const monthRef = referenceEnergy(series, increases, monthStart(month), monthStart(month + 1));
            expect(monthKwh).toBeCloseTo(monthRef, 6);
          }
          // Hour-aligned windows (the ledger's hours) and arbitrary ones (a walk from the day's state).
          const hourly = await service.windows(id, J('2025-01-29 00:00:00').getTime(), J('2025-02-03 00:00:00').getTime(), 3 * HOUR);
          for (let w = 0; w < hourly.windows; w++) {
            const from = J('2025-01-29 00:00:00').getTime() + w * 3 * HOUR;
            expect(hourly.kwh(w), `${id} 3h window ${w}`).toBeCloseTo(referenceEnergy(series, increases, from, from + 3 * HOUR), 6);
          }
          for (let k = 0; k < 5; k++) {
            const from = start + Math.floor(random() * 6 * DAY);
            const every = (1 + Math.floor(random() * 90)) * MIN + Math.floor(random() * 59_000);
            const to = from + every * (1 + Math.floor(random() * 20));
            const windows = await service.windows(id, from, to, every);
            for (let w = 0; w < windows.windows; w++) {
              const a = from + w * every;
              expect(windows.kwh(w), `${id} window ${w} of ${every} ms`).toBeCloseTo(referenceEnergy(series, increases, a, Math.min(to, a + every)), 6);
            }
          }
        }
        // Building figures are the day-by-day sums of the panels.
        const building = await service.monthlySummary(2025, 2, ids, null);
        const perPanel = await Promise.all(ids.map((id) => service.monthlySummary(2025, 2, [id], id)));
        building.days.forEach((row, d) => {
          expect(row.energyKwh).toBeCloseTo(perPanel.reduce((sum, p) => sum + p.days[d]!.energyKwh, 0), 2);
        });
      });
    }
  });
}

function describeOtherZones(sut: () => StoreUnderTest): void {
  describe('energy in other zones', () => {
    it('Asia/Jayapura (WIT, UTC+9): days cut at 15:00 UTC', async () => {
      const e = energyOver(sut, 'Asia/Jayapura');
      const id = uniquePanelId('jayapura');
      const U = local('UTC');
      await e.write([
        makeReading(id, U('2025-03-10 14:58:00'), 100.0, 6),
        makeReading(id, U('2025-03-10 14:59:00'), 100.1, 6), // 23:59 in Jayapura
        makeReading(id, U('2025-03-10 15:01:00'), 100.3, 6), // 00:01 in Jayapura
      ]);
      const march = await (await e.energy()).monthlySummary(2025, 3, [id], id);
      expect(march.days[9]!.energyKwh).toBe(0.1);
      expect(march.days[10]!.energyKwh).toBe(0.2);
    });

    it('Asia/Makassar (WITA, UTC+8): the same readings fall on other days than in Jakarta', async () => {
      const makassar = energyOver(sut, 'Asia/Makassar');
      const id = uniquePanelId('makassar');
      const U = local('UTC');
      await makassar.write([
        makeReading(id, U('2025-03-10 15:30:00'), 100.0, 6),
        makeReading(id, U('2025-03-10 16:30:00'), 101.0, 6), // 00:30 WITA (next day), 23:30 WIB
      ]);
      expect((await (await makassar.energy()).monthlySummary(2025, 3, [id], id)).days[10]!.energyKwh).toBe(1);
    });

    it('Europe/Berlin (daylight saving): a 23-hour day is one day', async () => {
      const e = energyOver(sut, 'Europe/Berlin');
      const id = uniquePanelId('berlin');
      const B = local('Europe/Berlin');
      await e.write([
        makeReading(id, B('2025-03-29 23:59:00'), 100.0, 6),
        makeReading(id, B('2025-03-30 00:01:00'), 100.1, 6),
        makeReading(id, B('2025-03-30 23:59:00'), 102.0, 6),
        makeReading(id, B('2025-03-31 00:01:00'), 102.2, 6),
      ]);
      const march = await (await e.energy()).monthlySummary(2025, 3, [id], id);
      expect(march.days.slice(28, 31).map((d) => d.energyKwh)).toEqual([0, 2, 0.2]);
    });
  });
}
