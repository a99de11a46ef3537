import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { parseOperatingHours, type OperatingHours } from '../../src/config/operating-hours.js';
import type { Reading } from '../../src/models/reading.js';
import { BuildingQuarters } from '../../src/services/demand/building-quarters.js';
import { DemandService } from '../../src/services/demand/demand-service.js';
import { LoadProfileService } from '../../src/services/load-profile/load-profile-service.js';
import { tariffPlanSchema } from '../../src/models/tariff-plan.js';
import { TariffSchedule } from '../../src/services/tariffs/tariff-schedule.js';
import { DEFAULT_RULE as RULE, energyHarness, harnessPerSuite } from '../support/energy-harness.js';
import { local, makeReading, seededRandom, shuffled, uniquePanelId } from '../support/readings.js';
import { finalSeries, referenceIncreases } from '../support/reference-rule.js';
import type { StoreUnderTest } from './contract.js';

const ZONE = 'Asia/Jakarta';
const J = local(ZONE);
const MIN = 60_000;
const QUARTER = 15 * MIN;
const HOURS = parseOperatingHours('Mon-Fri 08:00-17:00') as OperatingHours;
const HOLIDAY = '2025-03-04';
/** The harness's default plan: flat Rp 1,000/kWh. */
const FLAT_1000 = new TariffSchedule([
  { effectiveFrom: Number.NEGATIVE_INFINITY, plan: tariffPlanSchema.parse({ pricing: { kind: 'flat', ratePerKwh: 1000 } }), recordedAt: new Date(0), recordedBy: 'test' },
]);

/** A counted step of one panel, as the reference sees it. */
interface Step {
  readonly t: number;
  readonly from: number;
  readonly kwh: number;
  readonly kvarh: number;
}

/**
 * Peak demand and the load profile (docs/demand.md, docs/load-profile.md) on the store under test,
 * against a plain reference written from the docs: steps from the reference counting rule, local
 * quarter hours, days and hours from luxon, the building's windows added up before the peak.
 */
export function describeInsightsContract(sut: () => StoreUnderTest): void {
  describe('peak demand and load profile (Asia/Jakarta)', () => {
    const h = harnessPerSuite(() => energyHarness({ store: sut().store, write: (readings) => sut().write(readings), zone: ZONE }));

    /** Three panels over 1-4 March 2025 (Sat, Sun, Mon, Tue holiday), readings about a minute apart with gaps; the third starts on the 2nd. */
    function randomBuilding(seed: number): { ids: string[]; readings: Reading[] } {
      const random = seededRandom(seed);
      const ids = [uniquePanelId('demA'), uniquePanelId('demB'), uniquePanelId('demC')];
      const readings: Reading[] = [];
      ids.forEach((id, p) => {
        let t = (p === 2 ? J('2025-03-02 06:00:00') : J('2025-03-01 00:00:00')).getTime() + Math.floor(random() * 30_000);
        const end = J('2025-03-05 00:00:00').getTime();
        let kwh = 1000 * (p + 1);
        while (t < end) {
          const hour = DateTime.fromMillis(t, { zone: ZONE }).hour;
          const kw = (hour >= 8 && hour < 17 ? 20 : 4) * (0.5 + random()) * (p + 1);
          const pf = 0.75 + random() * 0.24;
          readings.push(makeReading(id, new Date(t), Number(kwh.toFixed(4)), Number(kw.toFixed(3)), { powerFactor: Number(pf.toFixed(3)) }));
          // Now and then a gap of 20-120 minutes; otherwise 45-75 s.
          const step = random() < 0.004 ? (20 + Math.floor(random() * 100)) * MIN : 45_000 + Math.floor(random() * 30_000);
          kwh += (kw * step) / 3_600_000;
          t += step;
        }
      });
      return { ids, readings };
    }

    function reference(readings: readonly Reading[], ids: readonly string[]): Map<string, Step[]> {
      const steps = new Map<string, Step[]>();
      for (const id of ids) {
        const series = finalSeries(readings.filter((r) => r.panelId === id));
        const increases = referenceIncreases(series, RULE);
        const list: Step[] = [];
        series.forEach((r, i) => {
          if (i === 0) return;
          // Every step of these series is plausible: each counts from the reading before it.
          expect(increases[i]).toBeCloseTo(r.energyKwh - series[i - 1]!.energyKwh, 9);
          const kwh = increases[i]!;
          const pf = (Math.abs(series[i - 1]!.powerFactor!) + Math.abs(r.powerFactor!)) / 2;
          list.push({ t: r.time.getTime(), from: series[i - 1]!.time.getTime(), kwh, kvarh: kwh * Math.tan(Math.acos(pf)) });
        });
        steps.set(id, list);
      }
      return steps;
    }

    /** Window start (ms) → per panel [kWh, kVArh, span ms]. */
    function windows(steps: Map<string, Step[]>, ids: readonly string[], from: number, to: number): Map<number, number[][]> {
      const out = new Map<number, number[][]>();
      ids.forEach((id, p) => {
        for (const step of steps.get(id)!) {
          if (step.t < from || step.t >= to) continue;
          const wall = DateTime.fromMillis(step.t, { zone: ZONE });
          const start = wall.set({ minute: wall.minute - (wall.minute % 15), second: 0, millisecond: 0 }).toMillis();
          let row = out.get(start);
          if (!row) out.set(start, (row = ids.map(() => [0, 0, 0])));
          row[p]![0]! += step.kwh;
          row[p]![1]! += step.kvarh;
          row[p]![2]! += step.t - step.from;
        }
      });
      return out;
    }

    function buildingWindow(row: number[][], needed: ReadonlySet<number>): { kw: number; kva: number; complete: boolean } {
      let kw = 0;
      let kvar = 0;
      let complete = true;
      row.forEach(([kwh, kvarh, span], p) => {
        if (span! > 0) {
          kw += kwh! / (span! / 3_600_000);
          kvar += kvarh! / (span! / 3_600_000);
        }
        if (needed.has(p) && !(Math.abs(span! - QUARTER) <= MIN)) complete = false;
      });
      return { kw, kva: Math.hypot(kw, kvar), complete };
    }

    it('peak demand per day and month, per panel and for the building (coincident), matches the reference on random data', async () => {
      const { ids, readings } = randomBuilding(2501);
      await h().write(shuffled(readings, seededRandom(7)).slice(0, 200));
      await h().write(readings);
      const service = new DemandService({ energy: h().energy, quarters: new BuildingQuarters(h().ledger), time: h().time });
      const steps = reference(readings, ids);
      const monthFrom = J('2025-03-01 00:00:00').getTime();
      const monthTo = J('2025-04-01 00:00:00').getTime();
      for (const set of [ids, [ids[2]!]]) {
        const month = await service.peakDemand(set, set.length === 1 ? set[0]! : null, 2025, 3);
        expect(month.windowsExpected).toBe(31 * 96);
        expect(month.parts).toHaveLength(31);
        const periods: Array<[number, number, (typeof month)]> = [[monthFrom, monthTo, month]];
        for (let d = 0; d < 5; d++) periods.push([monthFrom + d * 86_400_000, monthFrom + (d + 1) * 86_400_000, month.parts[d]!]);
        for (const [from, to, answer] of periods) {
          const byWindow = windows(steps, set, from, to);
          const needed = new Set(set.map((_, p) => p).filter((p) => [...byWindow.values()].some((row) => row[p]![2]! > 0)));
          let best: { start: number; kw: number; kva: number; complete: boolean } | null = null;
          let complete = 0;
          for (const [start, row] of byWindow) {
            const w = buildingWindow(row, needed);
            if (w.complete) complete++;
            if (best === null || w.kw > best.kw || (w.kw === best.kw && start < best.start)) best = { start, ...w };
          }
          expect(answer.windowsMeasured).toBe(byWindow.size);
          expect(answer.windowsComplete).toBe(complete);
          if (best === null) {
            expect(answer.peak).toBeNull();
            continue;
          }
          expect(answer.peak!.start.getTime()).toBe(best.start);
          expect(answer.peak!.kw).toBeCloseTo(best.kw, 2);
          expect(answer.peak!.kva).toBeCloseTo(best.kva, 2);
          expect(answer.peak!.complete).toBe(best.complete);
        }
      }
      // The building's peak is coincident: at most the sum of the panels' own peaks, here less.
      const building = await service.peakDemand(ids, null, 2025, 3);
      const own = await Promise.all(ids.map((id) => service.peakDemand([id], id, 2025, 3)));
      expect(building.peak!.kw).toBeLessThan(own.reduce((sum, panel) => sum + panel.peak!.kw, 0));
    });

    it('load profile: hours of day by kind of day, base load, energy and cost outside operating hours match the reference', async () => {
      const { ids, readings } = randomBuilding(2502);
      await h().write(readings);
      const service = new LoadProfileService({
        ledger: h().ledger,
        energy: h().energy,
        quarters: new BuildingQuarters(h().ledger),
        tariffs: () => FLAT_1000,
        time: h().time,
        operatingHours: HOURS,
        holidays: () => new Set([HOLIDAY]),
      });
      const profile = await service.profile(ids, null, '2025-03-01', '2025-03-31');
      const steps = reference(readings, ids);
      let total = 0;
      let outside = 0;
      const sums = { weekdays: new Array<number>(24).fill(0), other: new Array<number>(24).fill(0) };
      const days = { weekdays: new Set<string>(), other: new Set<string>() };
      for (const list of steps.values()) {
        for (const step of list) {
          const wall = DateTime.fromMillis(step.t, { zone: ZONE });
          const date = wall.toISODate()!;
          const working = date !== HOLIDAY && wall.weekday <= 5;
          total += step.kwh;
          if (!working || wall.hour < 8 || wall.hour >= 17) outside += step.kwh;
          sums[working ? 'weekdays' : 'other'][wall.hour]! += step.kwh;
        }
      }
      for (const r of readings) {
        const wall = DateTime.fromJSDate(r.time, { zone: ZONE });
        days[wall.toISODate() !== HOLIDAY && wall.weekday <= 5 ? 'weekdays' : 'other'].add(wall.toISODate()!);
      }
      expect(profile.holidays).toEqual([HOLIDAY]);
      expect(profile.total.energyKwh).toBeCloseTo(total, 2);
      expect(profile.total.cost).toBeCloseTo(total * 1000, 0);
      expect(profile.outsideHours.energyKwh).toBeCloseTo(outside, 2);
      expect(profile.outsideHours.cost).toBeCloseTo(outside * 1000, 0);
      expect(profile.outsideShare).toBeCloseTo(outside / total, 3);
      for (const kind of ['weekdays', 'other'] as const) {
        const shown = kind === 'weekdays' ? profile.weekdays : profile.weekendsAndHolidays;
        expect(shown.map((hour) => hour.days)).toEqual(new Array(24).fill(days[kind].size));
        shown.forEach((hour, h) => expect(hour.averageKw).toBeCloseTo(sums[kind][h]! / days[kind].size, 2));
      }
      // Base load: the 10th percentile (nearest rank) of the complete building windows 00:00-05:00.
      const byWindow = windows(steps, ids, J('2025-03-01 00:00:00').getTime(), J('2025-04-01 00:00:00').getTime());
      const needed = new Set([0, 1, 2]);
      const night = [...byWindow]
        .filter(([start]) => DateTime.fromMillis(start, { zone: ZONE }).hour < 5)
        .map(([, row]) => buildingWindow(row, needed))
        .filter((w) => w.complete)
        .map((w) => w.kw)
        .sort((a, b) => a - b);
      expect(profile.baseLoadWindows).toBe(night.length);
      expect(profile.baseLoadKw).toBeCloseTo(night[Math.ceil(0.1 * night.length) - 1]!, 2);
    });

    it('keeps no stale day: a late and a corrected reading change the load profile, peak demand and monthly summary at once', async () => {
      const { ids, readings } = randomBuilding(2503);
      // A whole day of the first panel is missing at first: its readings arrive late.
      const lateDay = readings.filter((r) => r.panelId === ids[0] && r.time >= J('2025-03-03 00:00:00') && r.time < J('2025-03-04 00:00:00'));
      const late = new Set(lateDay);
      await h().write(readings.filter((r) => !late.has(r)));
      const quarters = new BuildingQuarters(h().ledger);
      const deps = { ledger: h().ledger, energy: h().energy, quarters, tariffs: () => FLAT_1000, time: h().time, operatingHours: HOURS, holidays: () => new Set([HOLIDAY]) };
      const kept = { profile: new LoadProfileService(deps), demand: new DemandService({ energy: h().energy, quarters, time: h().time }) };
      /** What services made afresh (nothing kept) answer now. */
      const fresh = () => {
        const q = new BuildingQuarters(h().ledger);
        return { profile: new LoadProfileService({ ...deps, quarters: q }), demand: new DemandService({ energy: h().energy, quarters: q, time: h().time }) };
      };
      const answers = async (s: typeof kept) => ({
        profile: await s.profile.profile(ids, null, '2025-03-01', '2025-03-31'),
        demand: await s.demand.peakDemand(ids, null, 2025, 3),
        month: await h().energy.monthlySummary(2025, 3, ids, null),
      });
      const before = await answers(kept);
      await h().write(lateDay);
      const afterLate = await answers(kept);
      expect(afterLate).toEqual(await answers(fresh()));
      expect(afterLate.month.days[2]!.energyKwh).toBeGreaterThan(before.month.days[2]!.energyKwh);
      // The month's total stays (the gap's increase was counted at the next reading), its hours and windows move.
      expect(afterLate.profile.weekdays).not.toEqual(before.profile.weekdays);
      expect(afterLate.demand).not.toEqual(before.demand);
      // A corrected reading (the same time, another counter): the day's last, 0.05 kWh higher, so
      // the day counts 0.05 kWh more (the next day less).
      const last = lateDay.at(-1)!;
      await h().write([{ ...last, energyKwh: last.energyKwh + 0.05 }]);
      const afterCorrection = await answers(kept);
      expect(afterCorrection).toEqual(await answers(fresh()));
      expect(afterCorrection.month.days[2]!.energyKwh).not.toBe(afterLate.month.days[2]!.energyKwh);
    });
  });
}
