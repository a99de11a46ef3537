import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/config/logger.js';
import type { Reading } from '../../src/models/reading.js';
import { tariffPlanSchema } from '../../src/models/tariff-plan.js';
import { ComparisonService } from '../../src/services/comparisons/comparison-service.js';
import { EmissionSchedule } from '../../src/services/emissions/emission-schedule.js';
import type { CountingRuleParams } from '../../src/services/energy/counting-rule.js';
import { EnergyLedger } from '../../src/services/energy/energy-ledger.js';
import { EnergyService } from '../../src/services/energy/energy-service.js';
import { TariffSchedule } from '../../src/services/tariffs/tariff-schedule.js';
import { LocalTime, parseIsoDate } from '../../src/time/local-time.js';
import { randomCounterSeries } from '../support/counter-series.js';
import { makeReading, seededRandom, shuffled, uniquePanelId } from '../support/readings.js';
import { finalSeries, referenceIncreases } from '../support/reference-rule.js';
import type { StoreUnderTest } from './contract.js';

/**
 * Comparisons and CO₂ (issue 25, points 1 and 4) over the store under test, against an independent
 * reference: the rule's increases from test/support/reference-rule.ts, spans and days computed with
 * luxon, prices and factors looked up by date string. Random histories over two years, written
 * partly late, on every store (SQLite, InfluxDB, InfluxDB + journal).
 */

const ZONE = 'Asia/Jakarta';
const RULE: CountingRuleParams = { maxPowerRatio: 10, minPowerKw: 1, confirmReadings: 3 };
/** Flat 1,000 Rp/kWh until 2025-03-10, then 1,500: a span can cross a plan change. */
const PLAN_CHANGE = '2025-03-10';
/** The built-in 0.814 kg/kWh, then 0.5 from 2025-03-15 (a span can cross a factor change). */
const FACTOR_CHANGE = '2025-03-15';

const rateOn = (date: string) => (date < PLAN_CHANGE ? 1000 : 1500);
const factorOn = (date: string) => (date < FACTOR_CHANGE ? 0.814 : 0.5);

function services(store: StoreUnderTest['store'], ledger: EnergyLedger, now: number) {
  const time = new LocalTime(ZONE);
  const plan = (rate: number) => tariffPlanSchema.parse({ pricing: { kind: 'flat', ratePerKwh: rate } });
  const tariffs = new TariffSchedule([
    { effectiveFrom: Number.NEGATIVE_INFINITY, plan: plan(1000), recordedAt: new Date(0), recordedBy: 'test' },
    { effectiveFrom: parseIsoDate(PLAN_CHANGE)!, plan: plan(1500), recordedAt: new Date(1), recordedBy: 'test' },
  ]);
  const emissions = new EmissionSchedule([
    { effectiveFrom: parseIsoDate(FACTOR_CHANGE)!, kgPerKwh: 0.5, source: 'test factor', recordedAt: new Date(1), recordedBy: 'test' },
  ]);
  const energy = new EnergyService({ ledger, tariffs: () => tariffs, emissions: () => emissions, time, source: store, now: () => now });
  return { energy, comparisons: new ComparisonService({ energy, ledger, tariffs: () => tariffs, emissions: () => emissions, time, now: () => now }) };
}

/** kWh, Rp and kg CO₂e of the readings in [from, to), by the reference. */
interface Expected {
  kwh: number;
  cost: number;
  co2: number;
}

export function describeComparisonsAndEmissions(sut: () => StoreUnderTest): void {
  describe('comparisons and emissions match the independent reference (random histories over two years)', () => {
    const wall = (text: string) => DateTime.fromFormat(text, 'yyyy-MM-dd HH:mm', { zone: ZONE }).toMillis();
    const random = seededRandom(25);
    const ids = [0, 1].map((i) => uniquePanelId(`cmp${i}`));
    // Stretches of up to about ten days, around the month and year boundaries the cases compare and
    // just before the hours the so-far spans end at (so an hour too many or too few shows).
    const starts = [
      '2024-02-24 03:00', '2024-03-10 07:00', '2024-03-24 05:00', '2024-03-26 18:00', '2024-03-30 12:00',
      '2025-01-24 01:00', '2025-02-10 07:00', '2025-02-22 07:00', '2025-03-04 02:00', '2025-03-10 07:00',
      '2025-03-24 04:00', '2025-03-26 18:00', '2025-03-30 12:00',
    ].map(wall);
    const finals = new Map<string, Reading[]>();
    let written = false;
    let ledger: EnergyLedger | undefined;

    async function prepared(): Promise<EnergyLedger> {
      if (written && ledger) return ledger;
      const time = new LocalTime(ZONE);
      ledger = new EnergyLedger({ rule: RULE, time, source: sut().store, logger: silentLogger });
      const all: Reading[] = [];
      for (const id of ids) {
        const readings: Reading[] = [];
        starts.forEach((start, i) => {
          const end = starts[i + 1] ?? Number.POSITIVE_INFINITY;
          for (const s of randomCounterSeries(random, { start, count: 300 })) {
            if (s.time.getTime() < end) readings.push(makeReading(id, s.time, s.energyKwh, s.activePowerKw));
          }
        });
        finals.set(id, finalSeries(readings));
        all.push(...readings);
      }
      // A share arrives late (shuffled within batches), as meters' buffers deliver.
      for (let i = 0; i < all.length; i += 200) {
        const batch = shuffled(all.slice(i, i + 200), random);
        await sut().write(batch);
        for (const r of batch) ledger.applyStored(r);
      }
      await ledger.settled(ids);
      written = true;
      return ledger;
    }

    function expected(panels: readonly string[], from: number, to: number): Expected {
      const out = { kwh: 0, cost: 0, co2: 0 };
      for (const id of panels) {
        const series = finals.get(id)!;
        const increases = referenceIncreases(series, RULE);
        series.forEach((reading, i) => {
          const t = reading.time.getTime();
          if (t < from || t >= to) return;
          const date = DateTime.fromMillis(t, { zone: ZONE }).toISODate()!;
          out.kwh += increases[i]!;
          out.cost += increases[i]! * rateOn(date);
          out.co2 += increases[i]! * factorOn(date);
        });
      }
      return out;
    }

    function expectSpan(span: { from: Date; to: Date; energyKwh: number; cost: number; co2eKg: number }, from: string, to: string, panels: readonly string[], label: string) {
      expect([span.from.getTime(), span.to.getTime()], `${label}: span`).toEqual([wall(from), wall(to)]);
      const e = expected(panels, wall(from), wall(to));
      expect(span.energyKwh, `${label}: kWh`).toBeCloseTo(e.kwh, 2);
      expect(span.cost, `${label}: Rp`).toBeCloseTo(e.cost, 0);
      expect(span.co2eKg, `${label}: kg CO₂e`).toBeCloseTo(e.co2, 2);
      return e;
    }

    const cases = [
      {
        name: 'a whole month (ended): March 2025 against February 2025 and March 2024',
        now: '2025-06-02 10:30',
        run: (c: ComparisonService, p: readonly string[]) => c.month(2025, 3, p),
        soFar: false,
        current: ['2025-03-01 00:00', '2025-04-01 00:00'],
        previous: ['2025-02-01 00:00', '2025-03-01 00:00', false],
        lastYear: ['2024-03-01 00:00', '2024-04-01 00:00', false],
      },
      {
        name: 'so far on 10 March 09:40: the first 9 days and 9 hours of each month',
        now: '2025-03-10 09:40',
        run: (c: ComparisonService, p: readonly string[]) => c.month(2025, 3, p),
        soFar: true,
        current: ['2025-03-01 00:00', '2025-03-10 09:00'],
        previous: ['2025-02-01 00:00', '2025-02-10 09:00', false],
        lastYear: ['2024-03-01 00:00', '2024-03-10 09:00', false],
      },
      {
        name: 'so far on 30 March 14:25: February runs out first and is used whole',
        now: '2025-03-30 14:25',
        run: (c: ComparisonService, p: readonly string[]) => c.month(2025, 3, p),
        soFar: true,
        current: ['2025-03-01 00:00', '2025-03-30 14:00'],
        previous: ['2025-02-01 00:00', '2025-03-01 00:00', true],
        lastYear: ['2024-03-01 00:00', '2024-03-30 14:00', false],
      },
      {
        name: 'a year so far on 26 March 2025 20:10 against 2024 to the same date and hour',
        now: '2025-03-26 20:10',
        run: (c: ComparisonService, p: readonly string[]) => c.year(2025, p),
        soFar: true,
        current: ['2025-01-01 00:00', '2025-03-26 20:00'],
        previous: ['2024-01-01 00:00', '2024-03-26 20:00', false],
        lastYear: ['2024-01-01 00:00', '2024-03-26 20:00', false],
      },
      {
        name: 'a year so far on 29 February 2024: 2023 has no 29 February, its whole February is used (and it used nothing: % null)',
        now: '2024-02-29 10:30',
        run: (c: ComparisonService, p: readonly string[]) => c.year(2024, p),
        soFar: true,
        current: ['2024-01-01 00:00', '2024-02-29 10:00'],
        previous: ['2023-01-01 00:00', '2023-03-01 00:00', true],
        lastYear: ['2023-01-01 00:00', '2023-03-01 00:00', true],
      },
    ] as const;

    for (const c of cases) {
      it(c.name, async () => {
        const { comparisons, energy } = services(sut().store, await prepared(), wall(c.now));
        for (const panels of [[ids[0]!], [ids[1]!], ids]) {
          const label = panels.length === 1 ? panels[0]! : 'building';
          const result = await c.run(comparisons, panels);
          expect(result.soFar, label).toBe(c.soFar);
          const now = expectSpan(result.current, c.current[0], c.current[1], panels, `${label} current`);
          expect(now.kwh, 'the random history has energy in the compared span').toBeGreaterThan(0);
          for (const [key, spec] of [['previousPeriod', c.previous], ['samePeriodLastYear', c.lastYear]] as const) {
            const base = result[key];
            const e = expectSpan(base, spec[0], spec[1], panels, `${label} ${key}`);
            expect(base.shortened, `${label} ${key} shortened`).toBe(spec[2]);
            // The change is this period's shown figures less the base's, its percentages of the base's.
            expect(base.change.energyKwh).toBeCloseTo(result.current.energyKwh - base.energyKwh, 3);
            expect(base.change.cost).toBeCloseTo(result.current.cost - base.cost, 2);
            expect(base.change.co2eKg).toBeCloseTo(result.current.co2eKg - base.co2eKg, 3);
            if (e.kwh === 0) expect(base.change.energyPercent).toBeNull();
            else expect(base.change.energyPercent!).toBeCloseTo(((now.kwh - e.kwh) / e.kwh) * 100, 0);
            if (e.cost === 0) expect(base.change.costPercent).toBeNull();
            else expect(base.change.costPercent!).toBeCloseTo(((now.cost - e.cost) / e.cost) * 100, 0);
          }
          // A whole month's comparison is the summary's own total.
          if (!c.soFar) {
            const summary = await energy.monthlySummary(2025, 3, panels, null);
            expect([result.current.energyKwh, result.current.cost, result.current.co2eKg]).toEqual([
              summary.total.energyKwh,
              summary.total.cost,
              summary.total.emissions!.co2eKg,
            ]);
          }
        }
      });
    }

    it("emissions of every day, month and year: each day's kWh × that day's factor, and the factors used", async () => {
      const { energy } = services(sut().store, await prepared(), wall('2025-06-02 10:30'));
      for (const panels of [[ids[0]!], ids]) {
        const march = await energy.monthlySummary(2025, 3, panels, null);
        for (const day of march.days) {
          const from = wall(`${day.date} 00:00`);
          const to = DateTime.fromMillis(from, { zone: ZONE }).plus({ days: 1 }).toMillis();
          expect(day.emissions!.co2eKg, day.date).toBeCloseTo(expected(panels, from, to).co2, 2);
          expect(day.emissions!.factors.map((f) => f.tonnesCo2ePerMwh), day.date).toEqual([factorOn(day.date)]);
        }
        // March spans the factor change: both versions, oldest first, with their sources.
        expect(march.total.emissions!.factors.map((f) => [f.effectiveFrom, f.tonnesCo2ePerMwh, f.source])).toEqual([
          ['2000-01-01', 0.814, expect.stringContaining('Biennial Update Report')],
          [FACTOR_CHANGE, 0.5, 'test factor'],
        ]);
        expect(march.total.emissions!.co2eKg).toBeCloseTo(expected(panels, wall('2025-03-01 00:00'), wall('2025-04-01 00:00')).co2, 2);
        const year = await energy.yearlySummary(2025, panels, null);
        expect(year.total.emissions!.co2eKg).toBeCloseTo(expected(panels, wall('2025-01-01 00:00'), wall('2026-01-01 00:00')).co2, 2);
        expect(year.months[1]!.emissions!.factors.map((f) => f.tonnesCo2ePerMwh)).toEqual([0.814]);
        expect(year.months[1]!.emissions!.co2eKg).toBeCloseTo(expected(panels, wall('2025-02-01 00:00'), wall('2025-03-01 00:00')).co2, 2);
      }
    });
  });
}
