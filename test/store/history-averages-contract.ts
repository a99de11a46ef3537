import { describe, expect, it } from 'vitest';
import type { HistoryPoint } from '../../src/models/usage.js';
import type { PhaseValues, Reading } from '../../src/models/reading.js';
import { round } from '../../src/services/rounding.js';
import { energyHarness, harnessPerSuite } from '../support/energy-harness.js';
import { local, makeReading, uniquePanelId } from '../support/readings.js';
import type { StoreUnderTest } from './contract.js';

const ZONE = 'Asia/Jakarta';
const J = local(ZONE);
const MIN = 60_000;
const HOUR = 3_600_000;

/** Every phase of a window's phase averages, read one by one (a window computes them when read). */
function phases(p: PhaseValues | null) {
  return p === null ? null : { l1: p.l1, l2: p.l2, l3: p.l3, average: p.average };
}

/** The figures of a history window that come from the store's averages. */
function shown(p: HistoryPoint) {
  return { start: new Date(p.start).toISOString(), readingCount: p.readingCount, activePowerKw: p.activePowerKw, voltage: phases(p.voltage), current: phases(p.current), powerFactor: p.powerFactor };
}

/**
 * History windows of one hour (docs/api.md: the hours kept from the store's answers) on the
 * store under test: each window equals the store's own one-hour averages, asked again it is the
 * same, and a late or a corrected reading changes it at once, here and through every page.
 */
export function describeHistoryAveragesContract(sut: () => StoreUnderTest): void {
  describe('history: hourly averages kept from the store', () => {
    const h = harnessPerSuite(() => energyHarness({ store: sut().store, write: (readings) => sut().write(readings), zone: ZONE }));

    /** Three hours of readings one a minute from 10:00 WIB, power and current varying. */
    function threeHours(id: string): Reading[] {
      return Array.from({ length: 180 }, (_, k) =>
        makeReading(id, new Date(J('2025-03-10 10:00:00').getTime() + k * MIN), 100 + k * 0.1, 3 + ((k * 7) % 11) / 3, {
          current: { l1: 8 + (k % 5) / 7, average: 9 + (k % 13) / 9 },
        }),
      );
    }

    const from = J('2025-03-10 09:00:00');
    const to = J('2025-03-10 14:00:00');
    const windows = async (id: string) => (await h().history.history(id, from, to, '1h', { first: 100, afterMs: null })).items.map(shown);

    /** What the store answers for the same hours, rounded as history rounds it. */
    async function fromStore(id: string) {
      const stored = await sut().store.downsample(id, from, to, HOUR);
      return Array.from({ length: 5 }, (_, i) => {
        const start = new Date(from.getTime() + i * HOUR);
        const w = stored.find((window) => window.reading.time.getTime() === start.getTime());
        const phases = (p: Reading['voltage'], d: number) => ({ l1: r(p.l1, d), l2: r(p.l2, d), l3: r(p.l3, d), average: r(p.average, d) });
        return {
          start: start.toISOString(),
          readingCount: w?.count ?? 0,
          activePowerKw: w ? round(w.reading.activePowerKw, 3) : null,
          voltage: w ? phases(w.reading.voltage, 2) : null,
          current: w ? phases(w.reading.current, 3) : null,
          powerFactor: w ? r(w.reading.powerFactor, 3) : null,
        };
      });
    }

    it('equals the store’s one-hour averages, and again when asked again', async () => {
      const id = uniquePanelId('hourly');
      await h().write(threeHours(id));
      const first = await windows(id);
      expect(first.map((w) => w.readingCount)).toEqual([0, 60, 60, 60, 0]);
      expect(first).toEqual(await fromStore(id));
      expect(await windows(id)).toEqual(first);
    });

    it('a late reading and a corrected reading change their hour at once', async () => {
      const id = uniquePanelId('hourlyLate');
      const readings = threeHours(id);
      await h().write(readings.filter((_, k) => k !== 70));
      const before = await windows(id);
      expect(before.map((w) => w.readingCount)).toEqual([0, 60, 59, 60, 0]);

      // The missing 11:10 arrives late, with a power far from its neighbours'.
      await h().write([{ ...readings[70]!, activePowerKw: 40 }]);
      const late = await windows(id);
      expect(late.map((w) => w.readingCount)).toEqual([0, 60, 60, 60, 0]);
      expect(late[2]!.activePowerKw).not.toBe(before[2]!.activePowerKw);
      expect(late).toEqual(await fromStore(id));

      // 10:30 corrected (same time, other values): the count stays, the averages move.
      await h().write([{ ...readings[30]!, activePowerKw: 50, powerFactor: 0.5, voltage: { ...readings[30]!.voltage, average: 250 } }]);
      const corrected = await windows(id);
      expect(corrected[1]!.readingCount).toBe(60);
      expect(corrected[1]!.activePowerKw).not.toBe(late[1]!.activePowerKw);
      expect(corrected[1]!.voltage!.average).not.toBe(late[1]!.voltage!.average);
      expect(corrected).toEqual(await fromStore(id));
      expect(corrected.slice(2)).toEqual(late.slice(2));
    });
  });
}

function r(value: number | null, decimals: number): number | null {
  return value === null ? null : round(value, decimals);
}
