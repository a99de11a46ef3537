import { DateTime } from 'luxon';
import { afterEach, describe, expect, it } from 'vitest';
import {
  DashboardDocument,
  MonthlySummaryDocument,
  PanelDetailDocument,
  TariffHistoryDocument,
  YearlySummaryDocument,
  type MonthlySummaryQuery,
} from '../generated/graphql.js';
import { httpData } from '../support/graphql-client.js';
import { disposer } from '../support/disposer.js';
import { clearOfMidnight, seed, startOfTodayWib, wib, type SeedReading } from '../support/seed.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/**
 * Energy and cost as the dashboard gets them: readings go in through the real ingest path with
 * explicit meter times (WIB wall clock unless a test sends ISO with an offset), numbers come out
 * of the real GraphQL server over HTTP.
 */

const disposers = disposer();
afterEach(() => disposers.run());

/** Stopped after the test; its data directory removed unless the test gave one (a restart). */
const start = (env: Record<string, string> = {}, dataDir?: string) => startTestApp(env, dataDir, { cleanup: disposers });

function monthly(api: TestApp, year: number, month: number, panelId?: string) {
  return httpData(api.httpUrl, MonthlySummaryDocument, { year, month, panelId: panelId ?? null }).then((d) => d.monthlySummary);
}

function yearly(api: TestApp, year: number, panelId?: string) {
  return httpData(api.httpUrl, YearlySummaryDocument, { year, panelId: panelId ?? null }).then((d) => d.yearlySummary);
}

type Summary = MonthlySummaryQuery['monthlySummary'];

function day(summary: Summary, date: string): { energyKwh: number; cost: { amount: string } } {
  const row = summary!.days.find((d) => d.date === date);
  if (!row) throw new Error(`no row for ${date} in ${summary!.year}-${summary!.month}`);
  return { energyKwh: row.energyKwh, cost: row.cost };
}

/** The days whose energy is not zero, as date → kWh. */
function nonZeroDays(summary: Summary): Record<string, number> {
  return Object.fromEntries(summary!.days.filter((d) => d.energyKwh !== 0).map((d) => [d.date, d.energyKwh]));
}

const R = (panelId: string, time: string, kwh: number, kw = 6): SeedReading => ({ panelId, time: wib(time), kwh, kw });

describe('days are local days in Asia/Jakarta', () => {
  it('counts an increase in the WIB day of its later reading, not the UTC day', async () => {
    const api = await start();
    seed(api.app, [
      // The midnight case of docs/counting-rule.md, on the meter's WIB wall clock.
      R('MIDNIGHT', '2025-03-10 23:59:30', 100.0, 3),
      R('MIDNIGHT', '2025-03-11 00:00:30', 100.05, 3),
      // The same instants sent as UTC by a firmware that writes ISO-8601 with Z: 16:59:30Z is
      // 23:59:30 WIB on the 10th, 17:00:30Z is 00:00:30 WIB on the 11th (both the 10th in UTC).
      { panelId: 'UTC_METER', time: '2025-03-10T16:00:00Z', kwh: 200.0, kw: 3 },
      { panelId: 'UTC_METER', time: '2025-03-10T16:59:30Z', kwh: 200.04, kw: 3 },
      { panelId: 'UTC_METER', time: '2025-03-10T17:00:30Z', kwh: 200.1, kw: 3 },
    ]);

    const midnight = await monthly(api, 2025, 3, 'MIDNIGHT');
    expect(nonZeroDays(midnight)).toEqual({ '2025-03-11': 0.05 });
    expect(day(midnight, '2025-03-11')).toEqual({ energyKwh: 0.05, cost: { amount: '75.00' } });
    expect(midnight.total).toEqual({ energyKwh: 0.05, cost: { amount: '75.00' } });

    const utc = await monthly(api, 2025, 3, 'UTC_METER');
    expect(nonZeroDays(utc)).toEqual({ '2025-03-10': 0.04, '2025-03-11': 0.06 });
    expect(utc.total).toEqual({ energyKwh: 0.1, cost: { amount: '150.00' } });
  });

  it('puts Dec 31 → Jan 1 WIB in the right month and year, and Jan 31 → Feb 1 in the right month', async () => {
    const api = await start();
    seed(api.app, [
      R('EDGE', '2025-12-31 23:58:00', 99.9),
      R('EDGE', '2025-12-31 23:59:00', 100.0), // 0.1 on Dec 31
      R('EDGE', '2026-01-01 00:01:00', 100.1), // 2025-12-31T17:01Z: still 2025 in UTC, 2026 in WIB
      R('EDGE', '2026-01-31 23:59:30', 100.2),
      R('EDGE', '2026-02-01 00:00:30', 100.25),
    ]);

    const y2025 = await yearly(api, 2025, 'EDGE');
    expect(y2025.months.map((m) => m.energyKwh)).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0.1]);
    expect(y2025.total).toEqual({ energyKwh: 0.1, cost: { amount: '150.00' } });

    const y2026 = await yearly(api, 2026, 'EDGE');
    expect(y2026.months.slice(0, 3).map((m) => m.energyKwh)).toEqual([0.2, 0.05, 0]);
    expect(y2026.total).toEqual({ energyKwh: 0.25, cost: { amount: '375.00' } });

    expect(nonZeroDays(await monthly(api, 2025, 12, 'EDGE'))).toEqual({ '2025-12-31': 0.1 });
    expect(nonZeroDays(await monthly(api, 2026, 1, 'EDGE'))).toEqual({ '2026-01-01': 0.1, '2026-01-31': 0.1 });
    expect(nonZeroDays(await monthly(api, 2026, 2, 'EDGE'))).toEqual({ '2026-02-01': 0.05 });
  });

  it('has a row for every day of the month and every month of the year, zero without data', async () => {
    const api = await start();
    seed(api.app, [R('ONE', '2024-02-29 10:00:00', 100), R('ONE', '2024-02-29 10:01:00', 100.1)]);

    const leap = await monthly(api, 2024, 2, 'ONE');
    expect(leap.days.map((d) => d.date)).toEqual(Array.from({ length: 29 }, (_, i) => `2024-02-${String(i + 1).padStart(2, '0')}`));
    expect(nonZeroDays(leap)).toEqual({ '2024-02-29': 0.1 });
    expect(leap.days.filter((d) => d.date !== '2024-02-29').every((d) => d.energyKwh === 0 && d.cost.amount === '0.00')).toBe(true);

    const building = await monthly(api, 2025, 2);
    expect(building.panelId).toBeNull();
    expect(building.days).toHaveLength(28);
    expect(building.total).toEqual({ energyKwh: 0, cost: { amount: '0.00' } });

    const year = await yearly(api, 2031, 'ONE');
    expect(year.months.map((m) => m.month)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(year.months.every((m) => m.energyKwh === 0 && m.cost.amount === '0.00')).toBe(true);
    expect((await monthly(api, 2025, 4, 'ONE')).days).toHaveLength(30);
  });
});

describe('the counter rule through the API', () => {
  it('survives a meter reset, a dip, a gap and a duplicate', async () => {
    const api = await start();
    seed(api.app, [
      // Reset: 500.0, 500.2, 0.0, 0.1, 0.3 one a minute at 12 kW → 0.2 + 0 + 0.1 + 0.2.
      ...[500.0, 500.2, 0.0, 0.1, 0.3].map((kwh, k) => R('RESET', `2025-04-05 10:0${k}:00`, kwh, 12)),
      // Dip: a single 0 between 500.0 and 500.2 is a glitch.
      ...[500.0, 0.0, 500.2].map((kwh, k) => R('DIP', `2025-04-05 10:0${k}:00`, kwh, 12)),
      // Gap of two hours: 10 kWh at 5 kW is plausible (up to 100), counted at 12:00.
      R('GAP', '2025-04-05 10:00:00', 100.0, 5),
      R('GAP', '2025-04-05 12:00:00', 110.0, 5),
      // A gap over a whole day: the energy lands on the day of the first reading after it.
      R('GAP', '2025-04-07 20:00:00', 110.0, 5),
      R('GAP', '2025-04-09 08:00:00', 150.0, 5),
      // Duplicate: 10:01 written twice counts once.
      R('DUP', '2025-04-05 10:00:00', 100.0),
      R('DUP', '2025-04-05 10:01:00', 100.1),
      R('DUP', '2025-04-05 10:01:00', 100.1),
      R('DUP', '2025-04-05 10:02:00', 100.2),
    ]);

    expect(nonZeroDays(await monthly(api, 2025, 4, 'RESET'))).toEqual({ '2025-04-05': 0.5 });
    expect(nonZeroDays(await monthly(api, 2025, 4, 'DIP'))).toEqual({ '2025-04-05': 0.2 });
    const gap = await monthly(api, 2025, 4, 'GAP');
    expect(nonZeroDays(gap)).toEqual({ '2025-04-05': 10, '2025-04-09': 40 });
    expect(gap.total).toEqual({ energyKwh: 50, cost: { amount: '75000.00' } });
    expect(nonZeroDays(await monthly(api, 2025, 4, 'DUP'))).toEqual({ '2025-04-05': 0.2 });
  });

  it('recounts the days around a late reading, even after they were summarised (cache invalidated)', async () => {
    const api = await start();
    seed(api.app, [R('LATE', '2025-05-20 23:58:00', 100.0), R('LATE', '2025-05-21 00:02:00', 100.4)]);
    expect(nonZeroDays(await monthly(api, 2025, 5, 'LATE'))).toEqual({ '2025-05-21': 0.4 });
    expect((await yearly(api, 2025, 'LATE')).months[4]?.energyKwh).toBe(0.4);

    // Arrives after the newer one: its meter time puts 0.3 on the 20th and leaves 0.1 on the 21st.
    seed(api.app, [R('LATE', '2025-05-20 23:59:59', 100.3)]);
    const after = await monthly(api, 2025, 5, 'LATE');
    expect(nonZeroDays(after)).toEqual({ '2025-05-20': 0.3, '2025-05-21': 0.1 });
    expect(after.total).toEqual({ energyKwh: 0.4, cost: { amount: '600.00' } });

    // Older than everything: becomes the baseline of the reading 36 h later (a plausible gap).
    seed(api.app, [R('LATE', '2025-05-19 12:00:00', 99.0)]);
    expect(nonZeroDays(await monthly(api, 2025, 5, 'LATE'))).toEqual({ '2025-05-20': 1.3, '2025-05-21': 0.1 });
    expect((await yearly(api, 2025, 'LATE')).total).toEqual({ energyKwh: 1.4, cost: { amount: '2100.00' } });

    // A late reading never becomes the panel's latest.
    const detail = await httpData(api.httpUrl, PanelDetailDocument, {
      id: 'LATE',
      from: '2025-05-19T00:00:00+07:00',
      to: '2025-05-22T00:00:00+07:00',
    });
    expect(detail.panel?.latestReading?.time).toBe(wib('2025-05-21 00:02:00').toISOString());
    expect(detail.panel?.readings!.nodes.map((r) => r.meterEnergyKwh)).toEqual([99.0, 100.0, 100.3, 100.4]);
  });
});

describe('money and totals', () => {
  it('sums the building from the panels per day and in total, rounding only the output', async () => {
    const api = await start();
    // Noon readings on June 1-11. A rises 0.001404 kWh a day (rounds to 0.001; cost 2.106 → 2.11),
    // B 1.2345678 kWh a day, C 0.0004 kWh a day (rounds to 0.000).
    const rises = { A: 0.001404, B: 1.2345678, C: 0.0004 };
    for (const [panelId, rise] of Object.entries(rises)) {
      seed(
        api.app,
        Array.from({ length: 11 }, (_, k) => ({
          panelId,
          time: wib(`2025-06-${String(k + 1).padStart(2, '0')} 12:00:00`),
          kwh: Number((100 + k * rise).toFixed(7)),
          kw: 1,
        })),
      );
    }
    const [a, b, c, building] = await Promise.all([monthly(api, 2025, 6, 'A'), monthly(api, 2025, 6, 'B'), monthly(api, 2025, 6, 'C'), monthly(api, 2025, 6)]);

    // Rounded per day, but the total is the rounded sum of unrounded days: 10 × 0.001404.
    expect(day(a, '2025-06-05')).toEqual({ energyKwh: 0.001, cost: { amount: '2.11' } });
    expect(a.total).toEqual({ energyKwh: 0.014, cost: { amount: '21.06' } }); // not 0.010 and 21.10
    expect(day(c, '2025-06-05')).toEqual({ energyKwh: 0, cost: { amount: '0.60' } });
    expect(c.total).toEqual({ energyKwh: 0.004, cost: { amount: '6.00' } });
    expect(b.total).toEqual({ energyKwh: 12.346, cost: { amount: '18518.52' } });

    // The building: each day is A + B + C before rounding (0.001404 + 1.2345678 + 0.0004).
    expect(building.panelId).toBeNull();
    expect(day(building, '2025-06-01')).toEqual({ energyKwh: 0, cost: { amount: '0.00' } });
    for (const d of building.days.slice(1, 11)) {
      expect({ date: d.date, energyKwh: d.energyKwh, cost: d.cost }).toEqual({ date: d.date, energyKwh: 1.236, cost: { amount: '1854.56' } });
    }
    for (const [i, d] of building.days.entries()) {
      const sum = [a, b, c].reduce((acc, s) => acc + (s.days[i]?.energyKwh ?? 0), 0);
      expect(Math.abs(d.energyKwh - sum)).toBeLessThanOrEqual(0.0015); // equal up to the panels' rounding
    }
    // 10 × 1.2363718 kWh × 1500 = 18545.577 (the sum of the rounded days would be 18545.60).
    expect(building.total).toEqual({ energyKwh: 12.364, cost: { amount: '18545.58' } });

    const buildingYear = await yearly(api, 2025);
    expect(buildingYear.months[5]).toEqual({ month: 6, energyKwh: 12.364, cost: { amount: '18545.58' } });
    expect(buildingYear.total).toEqual(building.total);
  });

  it('prices energy at TARIFF_RP_PER_KWH', async () => {
    const api = await start({ TARIFF_RP_PER_KWH: '1444.70' });
    seed(api.app, [R('B2', '2025-07-01 08:00:00', 1000, 12), R('B2', '2025-07-01 09:00:00', 1002.5, 12)]);
    const summary = await monthly(api, 2025, 7, 'B2');
    expect(day(summary, '2025-07-01')).toEqual({ energyKwh: 2.5, cost: { amount: '3611.75' } });
    const tariff = (await httpData(api.httpUrl, TariffHistoryDocument, {})).site.tariff;
    expect(tariff).toMatchObject({ ratePerKwh: { amount: '1444.70' }, currency: 'IDR', timezone: 'Asia/Jakarta' });
  });

  it('keeps past days at the old price after a tariff change, across restarts on the same DATA_DIR', async () => {
    const first = await start();
    const dataDir = first.dataDir;
    seed(first.app, [
      R('TARIFF', '2025-06-10 10:00:00', 100, 12),
      R('TARIFF', '2025-06-10 11:00:00', 110, 12),
      // Today's meter (a separate panel: after the June readings, any rise would bridge the gap).
      { panelId: 'TARIFF_NOW', time: new Date(Date.now() - 60_000), kwh: 200 },
    ]);
    expect((await monthly(first, 2025, 6, 'TARIFF')).total).toEqual({ energyKwh: 10, cost: { amount: '15000.00' } });
    await first.stop();

    const second = await start({ TARIFF_RP_PER_KWH: '2000' }, dataDir);
    const tariff = (await httpData(second.httpUrl, TariffHistoryDocument, {})).site.tariff!;
    // A changed configuration is a new version from tomorrow: nothing already used is repriced.
    const tomorrow = DateTime.now().setZone('Asia/Jakarta').plus({ days: 1 }).toISODate();
    expect(tariff.versions.map((v) => [v.effectiveFrom, v.blocks[0]!.ratePerKwh.amount, v.recordedBy])).toEqual([
      ['2000-01-01', '1500.00', 'configuration'],
      [tomorrow, '2000.00', 'configuration'],
    ]);
    expect(tariff.ratePerKwh).toEqual({ amount: '1500.00' });

    expect((await monthly(second, 2025, 6, 'TARIFF')).total).toEqual({ energyKwh: 10, cost: { amount: '15000.00' } });
    expect((await yearly(second, 2025, 'TARIFF')).total).toEqual({ energyKwh: 10, cost: { amount: '15000.00' } });
    seed(second.app, [{ panelId: 'TARIFF_NOW', time: new Date(), kwh: 200.1 }]);
    const { panels } = await httpData(second.httpUrl, DashboardDocument, {});
    expect(panels.nodes.find((p) => p.id === 'TARIFF_NOW')?.todayUsage).toEqual({ energyKwh: 0.1, cost: { amount: '150.00' } });
    await second.stop();

    // The same configuration again is no change: the versions stay as they are.
    const third = await start({ TARIFF_RP_PER_KWH: '2000' }, dataDir);
    const again = await httpData(third.httpUrl, TariffHistoryDocument, {});
    expect(again.site.tariff?.versions).toEqual(tariff.versions);
    expect((await monthly(third, 2025, 6, 'TARIFF')).total.cost).toEqual({ amount: '15000.00' });
  });
});

describe("today's usage", () => {
  it('runs from local midnight (Asia/Jakarta) to now, per panel and for the building', async () => {
    const api = await start();
    const now = (await clearOfMidnight()).getTime();
    const midnight = startOfTodayWib(new Date(now)).getTime();
    const earlyToday = Math.min(midnight + 30_000, now - 1_000);
    seed(api.app, [
      // Yesterday's reading is TODAY_A's baseline; its increases after midnight are today's.
      { panelId: 'TODAY_A', time: new Date(midnight - 30_000), kwh: 100.0 },
      { panelId: 'TODAY_A', time: new Date(earlyToday), kwh: 100.05 },
      { panelId: 'TODAY_A', time: new Date(now), kwh: 100.15, kw: 60 }, // plausible even 1 s after the last
      // TODAY_B used energy only before local midnight.
      { panelId: 'TODAY_B', time: new Date(midnight - 90_000), kwh: 50.0 },
      { panelId: 'TODAY_B', time: new Date(midnight - 30_000), kwh: 50.5 },
    ]);

    const dashboard = await httpData(api.httpUrl, DashboardDocument, {});
    expect(dashboard.panels.nodes.map((p) => [p.id, p.todayUsage!.energyKwh, p.todayUsage!.cost.amount])).toEqual([
      ['TODAY_A', 0.15, '225.00'],
      ['TODAY_B', 0, '0.00'],
    ]);
    expect(dashboard.site.overview?.todayUsage).toEqual({ energyKwh: 0.15, cost: { amount: '225.00' } });
    expect(dashboard.site.overview?.panelCount).toBe(2);
    expect(dashboard.panels.nodes[0]).toMatchObject({ status: 'ONLINE', lastSeenAt: new Date(now).toISOString() });
    expect(dashboard.site.tariff).toMatchObject({ ratePerKwh: { amount: '1500.00' }, currency: 'IDR', timezone: 'Asia/Jakarta' });

    // Another reading a second later: today's figures move at once (0.01 kWh in 1 s at 60 kW is plausible).
    seed(api.app, [{ panelId: 'TODAY_A', time: new Date(now + 1_000), kwh: 100.16, kw: 60 }]);
    const later = await httpData(api.httpUrl, DashboardDocument, {});
    expect(later.site.overview?.todayUsage).toEqual({ energyKwh: 0.16, cost: { amount: '240.00' } });
  });
});
