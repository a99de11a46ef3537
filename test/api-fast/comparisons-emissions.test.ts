import { DateTime } from 'luxon';
import { afterEach, describe, expect, it } from 'vitest';
import { disposer } from '../support/disposer.js';
import { startInProcessApi } from '../support/in-process.js';
import { seed, wib, type SeedReading } from '../support/seed.js';

/**
 * Comparisons and CO₂ through the product's schema (issue 25, points 1 and 4): the admin mutation
 * and query of the emission factor's versions, their place in the admin record, and the figures
 * on summaries and bills. The arithmetic against an independent reference on random histories is
 * in test/store/comparisons-and-emissions.ts (every store).
 */

const cleanup = disposer();
afterEach(() => cleanup.run());

const R = (panelId: string, time: string, kwh: number, kw = 6): SeedReading => ({ panelId, time: wib(time), kwh, kw });

interface FactorView {
  effectiveFrom: string;
  tonnesCo2ePerMwh: number;
  source: string;
  recordedBy: string;
}
const FACTOR = 'effectiveFrom tonnesCo2ePerMwh source recordedBy';
const SPAN = 'from to energyKwh cost { amount } co2eKg';
const COMPARISON = `comparison { soFar current { ${SPAN} } previousPeriod { ${SPAN} shortened change { energyKwh cost { amount } co2eKg energyPercent costPercent } } samePeriodLastYear { ${SPAN} shortened change { energyKwh cost { amount } co2eKg energyPercent costPercent } } }`;

interface Span {
  from: string;
  to: string;
  energyKwh: number;
  cost: { amount: string };
  co2eKg: number;
}
interface Compared extends Span {
  shortened: boolean;
  change: { energyKwh: number; cost: { amount: string }; co2eKg: number; energyPercent: number | null; costPercent: number | null };
}
interface Comparison {
  soFar: boolean;
  current: Span;
  previousPeriod: Compared;
  samePeriodLastYear: Compared;
}

const tomorrow = () => DateTime.now().setZone('Asia/Jakarta').plus({ days: 1 }).toISODate()!;
const today = () => DateTime.now().setZone('Asia/Jakarta').toISODate()!;

describe('the grid emission factor', () => {
  it('is 0.814 t CO₂e/MWh (JAMALI, second BUR) until an admin records a version from tomorrow on, kept in the admin record', async () => {
    const api = await startInProcessApi(cleanup);
    const before = await api.data<{ site: { emissionFactors: { current: FactorView; versions: FactorView[] } } }, object>(
      `{ site { emissionFactors { current { ${FACTOR} } versions { ${FACTOR} } } } }`,
    );
    expect(before.site.emissionFactors.current).toEqual({
      effectiveFrom: '2000-01-01',
      tonnesCo2ePerMwh: 0.814,
      source: expect.stringMatching(/JAMALI.*second Biennial Update Report/),
      recordedBy: 'default',
    });
    expect(before.site.emissionFactors.versions).toHaveLength(1);

    const set = `mutation ($from: Date!, $f: Float!, $source: String!) { setEmissionFactor(effectiveFrom: $from, tonnesCo2ePerMwh: $f, source: $source) { ${FACTOR} } }`;
    // Today would change emissions already reported: refused, with its reason.
    const refused = await api.request(set, { from: today(), f: 0.77, source: 'PLN sustainability report 2025' });
    expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'EMISSION_FACTOR_DATE_TOO_EARLY' });
    const outOfRange = await api.request(set, { from: tomorrow(), f: 7, source: 'a typo' });
    expect(outOfRange.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'INVALID_CHANGE' });
    const noSource = await api.request(set, { from: tomorrow(), f: 0.77, source: '  ' });
    expect(noSource.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'INVALID_CHANGE' });

    const recorded = await api.data<{ setEmissionFactor: FactorView }, object>(set, { from: tomorrow(), f: 0.77, source: 'PLN sustainability report 2025' });
    expect(recorded.setEmissionFactor).toEqual({ effectiveFrom: tomorrow(), tonnesCo2ePerMwh: 0.77, source: 'PLN sustainability report 2025', recordedBy: 'test' });

    const after = await api.data<{ site: { emissionFactors: { current: FactorView; versions: FactorView[] } } }, object>(
      `{ site { emissionFactors { current { ${FACTOR} } versions { ${FACTOR} } } } }`,
    );
    expect(after.site.emissionFactors.current.tonnesCo2ePerMwh).toBe(0.814);
    expect(after.site.emissionFactors.versions.map((v) => [v.effectiveFrom, v.tonnesCo2ePerMwh])).toEqual([
      ['2000-01-01', 0.814],
      [tomorrow(), 0.77],
    ]);
    const { adminChanges } = await api.data<{ adminChanges: { nodes: Array<{ kind: string; actor: string; change: string }> } }, object>(
      '{ adminChanges(first: 5) { nodes { kind actor change } } }',
    );
    expect(adminChanges.nodes[0]).toMatchObject({ kind: 'EMISSION_FACTOR', actor: 'test' });
    expect(JSON.parse(adminChanges.nodes[0]!.change)).toEqual({ kind: 'emission.factor', effectiveFrom: tomorrow(), tonnesCo2ePerMwh: 0.77, source: 'PLN sustainability report 2025' });
  });
});

describe('comparisons and emissions on summaries and bills', () => {
  it('a month against the month before and the same month last year, per panel and for the building, with kg CO₂e', async () => {
    const api = await startInProcessApi(cleanup, { TARIFF_RATE_PER_KWH: '1500' });
    seed(api, [
      // March 2024: 4 kWh on A.
      R('CMP_A', '2024-03-05 10:00:00', 100, 6),
      R('CMP_A', '2024-03-05 11:00:00', 104, 6),
      // February 2025: 2 kWh on A, 1 on B (the counter where it stopped: a long gap counts nothing).
      R('CMP_A', '2025-02-10 10:00:00', 104, 6),
      R('CMP_A', '2025-02-10 11:00:00', 106, 6),
      R('CMP_B', '2025-02-10 10:00:00', 50, 6),
      R('CMP_B', '2025-02-10 11:00:00', 51, 6),
      // March 2025: 5 kWh on A, nothing on B.
      R('CMP_A', '2025-03-20 10:00:00', 106, 6),
      R('CMP_A', '2025-03-20 11:00:00', 111, 6),
    ]);
    type Answer = { monthlySummary: { total: { energyKwh: number; emissions: { co2eKg: number; factors: Array<{ tonnesCo2ePerMwh: number }> } }; comparison: Comparison } };
    const query = `query ($panelId: ID) { monthlySummary(year: 2025, month: 3, panelId: $panelId) { total { energyKwh emissions { co2eKg factors { tonnesCo2ePerMwh } } } ${COMPARISON} } }`;
    const a = (await api.data<Answer, object>(query, { panelId: 'CMP_A' })).monthlySummary;
    expect(a.total.emissions).toEqual({ co2eKg: 4.07, factors: [{ tonnesCo2ePerMwh: 0.814 }] });
    expect(a.comparison.soFar).toBe(false);
    expect(a.comparison.current).toEqual({
      from: wib('2025-03-01 00:00:00').toISOString(),
      to: wib('2025-04-01 00:00:00').toISOString(),
      energyKwh: 5,
      cost: { amount: '7500.00' },
      co2eKg: 4.07,
    });
    expect(a.comparison.previousPeriod).toEqual({
      from: wib('2025-02-01 00:00:00').toISOString(),
      to: wib('2025-03-01 00:00:00').toISOString(),
      energyKwh: 2,
      cost: { amount: '3000.00' },
      co2eKg: 1.628,
      shortened: false,
      change: { energyKwh: 3, cost: { amount: '4500.00' }, co2eKg: 2.442, energyPercent: 150, costPercent: 150 },
    });
    expect(a.comparison.samePeriodLastYear).toMatchObject({
      from: wib('2024-03-01 00:00:00').toISOString(),
      energyKwh: 4,
      change: { energyKwh: 1, cost: { amount: '1500.00' }, energyPercent: 25, costPercent: 25 },
    });

    // B used nothing in March: -100 %; nothing a year before: no percentage of nothing.
    const b = (await api.data<Answer, object>(query, { panelId: 'CMP_B' })).monthlySummary.comparison;
    expect(b.previousPeriod.change).toEqual({ energyKwh: -1, cost: { amount: '-1500.00' }, co2eKg: -0.814, energyPercent: -100, costPercent: -100 });
    expect(b.samePeriodLastYear.change).toMatchObject({ energyKwh: 0, energyPercent: null, costPercent: null });

    // The building: the sum of its panels.
    const building = (await api.data<Answer, object>(query, { panelId: null })).monthlySummary.comparison;
    expect([building.current.energyKwh, building.previousPeriod.energyKwh, building.samePeriodLastYear.energyKwh]).toEqual([5, 3, 4]);
    expect(building.previousPeriod.change.energyPercent).toBe(66.7);

    // The year: 2025 against 2024 (both bases are the year before).
    type Year = { yearlySummary: { total: { emissions: { co2eKg: number } }; months: Array<{ emissions: { co2eKg: number } }>; comparison: Comparison } };
    const year = (await api.data<Year, object>(`{ yearlySummary(year: 2025) { total { emissions { co2eKg } } months { emissions { co2eKg } } ${COMPARISON} } }`)).yearlySummary;
    expect(year.total.emissions.co2eKg).toBe(6.512);
    expect(year.months.slice(1, 3).map((m) => m.emissions.co2eKg)).toEqual([2.442, 4.07]);
    expect(year.comparison.previousPeriod).toEqual(year.comparison.samePeriodLastYear);
    expect(year.comparison.previousPeriod.change).toMatchObject({ energyKwh: 4, energyPercent: 100 });

    // The bill: its month's emissions, and the energy charge against the bases.
    type BillAnswer = { monthlyBill: { energyKwh: number; emissions: { co2eKg: number }; comparison: Comparison } };
    const bill = (await api.data<BillAnswer, object>(`{ monthlyBill(year: 2025, month: 3, panelId: "CMP_A") { energyKwh emissions { co2eKg } ${COMPARISON} } }`)).monthlyBill;
    expect(bill.emissions.co2eKg).toBe(4.07);
    expect(bill.comparison).toEqual(a.comparison);
  });
});
