import { DateTime } from 'luxon';
import type { Locator, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { httpData } from '../support/graphql-client.js';
import { clearOfMidnight, seed, SITE_TZ, startOfTodayWib, type SeedReading } from '../support/seed.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { attribute, kwh, browserSuite, openPage, rupiah, screenshot, tableRows, text } from './support.js';

const LOADED = { timeout: 10_000 };

const suite = browserSuite();
const { disposers } = suite;

async function startApp(): Promise<TestApp> {
  return disposers.use(await startTestApp({ PANEL_NAMES: 'PANEL_A=Lantai 1,PANEL_B=Lantai 2' }), (app) => app.stop({ removeData: true }));
}

/**
 * Days of last month (site calendar) with use between 10:00 and 11:00, a different amount per
 * day and panel, plus some use today, so both the default views and last month have numbers.
 */
async function seedMonths(app: TestApp): Promise<DateTime> {
  const now = await clearOfMidnight();
  const lastMonth = DateTime.fromJSDate(now, { zone: SITE_TZ }).minus({ months: 1 }).startOf('month');
  const readings: SeedReading[] = [];
  for (const [k, panelId] of ['PANEL_A', 'PANEL_B'].entries()) {
    let counter = 500 * (k + 1);
    for (const day of [2, 9, 17, 28]) {
      const at = lastMonth.set({ day, hour: 10 });
      readings.push({ panelId, time: at.toJSDate(), kwh: counter, kw: 20 });
      counter = Number((counter + day * 1.125 + k * 0.5).toFixed(3));
      readings.push({ panelId, time: at.plus({ hours: 1 }).toJSDate(), kwh: counter, kw: 20 });
    }
    readings.push({ panelId, time: new Date(startOfTodayWib(now).getTime() - 3_600_000), kwh: counter });
    readings.push({ panelId, time: new Date(Math.floor(now.getTime() / 1000) * 1000 - 1_000), kwh: counter + 3.5 + k });
  }
  seed(app.app, readings);
  return lastMonth;
}

interface Row {
  energyKwh: number;
  cost: { amount: string };
}
interface MonthlyResult {
  monthlySummary: { year: number; month: number; total: Row; days: Array<Row & { date: string }> };
}
interface YearlyResult {
  yearlySummary: { year: number; total: Row; months: Array<Row & { month: number }> };
}
const MONTHLY = `query ($year: Int!, $month: Int!, $panelId: ID) {
  monthlySummary(year: $year, month: $month, panelId: $panelId) { year month total { energyKwh cost { amount } } days { date energyKwh cost { amount } } }
}`;
const YEARLY = `query ($year: Int!, $panelId: ID) {
  yearlySummary(year: $year, panelId: $panelId) { year total { energyKwh cost { amount } } months { month energyKwh cost { amount } } }
}`;

/** Waits until `chart` shows the answer to what was picked, then returns its table. */
async function shown(chart: Locator, attributes: Record<string, string>) {
  for (const [name, value] of Object.entries(attributes)) await expect.poll(() => attribute(chart, name), LOADED).toBe(value);
  await expect.poll(() => attribute(chart, 'aria-busy'), LOADED).toBe('false');
  return tableRows(chart);
}

/** The cells of the table under a chart equal the API's rows, value for value, and read as such. */
function expectRows(rows: Awaited<ReturnType<typeof tableRows>>, api: Array<Row & { key: string | number }>): void {
  expect(rows.map((cells) => cells.map((cell) => cell.value))).toEqual(api.map((row) => [String(row.key), String(row.energyKwh), row.cost.amount]));
  expect(rows.map((cells) => [cells[1]?.text, cells[2]?.text].map((t) => t?.replace(/\s/g, ' ')))).toEqual(
    api.map((row) => [kwh(row.energyKwh), rupiah(row.cost)]),
  );
}

async function expectTotal(chart: Locator, total: Row): Promise<void> {
  expect(await attribute(chart.locator('[data-field="total-kwh"]'), 'data-value')).toBe(String(total.energyKwh));
  expect(await attribute(chart.locator('[data-field="total-cost"]'), 'data-value')).toBe(total.cost.amount);
  expect(await text(chart.locator('[data-field="total-cost"]'))).toBe(rupiah(total.cost));
}

/** What a chart's canvas plots (its data-bars or data-line): a number per label, null where nothing is drawn. */
async function plotted(chart: Locator, series: 'data-bars' | 'data-line'): Promise<Array<number | null>> {
  return JSON.parse((await attribute(chart.locator('canvas'), series)) ?? 'null') as Array<number | null>;
}

async function pick(page: Page, name: string, value: string): Promise<void> {
  await page.locator(`select[name="${name}"]`).selectOption(value);
}

describe('dashboard charts', () => {
  it('plot the monthly and yearly numbers of the API, for the building and for one panel', async () => {
    const app = await startApp();
    const lastMonth = await seedMonths(app);
    const today = DateTime.now().setZone(SITE_TZ);
    const { page, errors } = await openPage(suite.browser, `${app.baseUrl}/`, disposers);
    const monthly = page.getByTestId('monthly-chart');
    const yearly = page.getByTestId('yearly-chart');

    // The default views: this month and this year, the whole building. Days and months that have
    // not begun are neither plotted (a gap, not a zero) nor listed.
    let month = await httpData<MonthlyResult, object>(app.httpUrl, MONTHLY, { year: today.year, month: today.month });
    const todayIso = today.toISODate() ?? '';
    const daysSoFar = month.monthlySummary.days.filter((day) => day.date <= todayIso);
    expect(daysSoFar.length).toBe(today.day);
    expectRows(
      await shown(monthly, { 'data-year': String(today.year), 'data-month': String(today.month), 'data-panel-id': '' }),
      daysSoFar.map((day) => ({ ...day, key: day.date })),
    );
    expect(await plotted(monthly, 'data-line')).toEqual(month.monthlySummary.days.map((day) => (day.date <= todayIso ? Number(day.cost.amount) : null)));
    expect(await plotted(monthly, 'data-bars')).toEqual(month.monthlySummary.days.map((day) => (day.date <= todayIso ? day.energyKwh : null)));
    await expectTotal(monthly, month.monthlySummary.total);
    let year = await httpData<YearlyResult, object>(app.httpUrl, YEARLY, { year: today.year });
    expectRows(
      await shown(yearly, { 'data-year': String(today.year), 'data-panel-id': '' }),
      year.yearlySummary.months.filter((row) => row.month <= today.month).map((row) => ({ ...row, key: row.month })),
    );
    expect(await plotted(yearly, 'data-line')).toEqual(year.yearlySummary.months.map((row) => (row.month <= today.month ? Number(row.cost.amount) : null)));
    await expectTotal(yearly, year.yearlySummary.total);

    // Last month, where the seeded days are: 2nd, 9th, 17th and 28th, each with its own amount.
    await pick(page, 'month-year', String(lastMonth.year));
    await pick(page, 'month', String(lastMonth.month));
    month = await httpData<MonthlyResult, object>(app.httpUrl, MONTHLY, { year: lastMonth.year, month: lastMonth.month });
    const used = month.monthlySummary.days.filter((day) => day.energyKwh > 0).map((day) => Number(day.date.slice(8)));
    expect(used).toEqual([2, 9, 17, 28]);
    expectRows(
      await shown(monthly, { 'data-year': String(lastMonth.year), 'data-month': String(lastMonth.month) }),
      month.monthlySummary.days.map((day) => ({ ...day, key: day.date })),
    );
    await expectTotal(monthly, month.monthlySummary.total);
    await screenshot(monthly.locator('xpath=..'), 'monthly-chart');

    // One panel's numbers, in both charts.
    await pick(page, 'year', String(lastMonth.year));
    await pick(page, 'scope', 'PANEL_B');
    month = await httpData<MonthlyResult, object>(app.httpUrl, MONTHLY, { year: lastMonth.year, month: lastMonth.month, panelId: 'PANEL_B' });
    expectRows(
      await shown(monthly, { 'data-panel-id': 'PANEL_B' }),
      month.monthlySummary.days.map((day) => ({ ...day, key: day.date })),
    );
    await expectTotal(monthly, month.monthlySummary.total);
    year = await httpData<YearlyResult, object>(app.httpUrl, YEARLY, { year: lastMonth.year, panelId: 'PANEL_B' });
    expect(year.yearlySummary.months.find((row) => row.month === lastMonth.month)?.energyKwh).toBeGreaterThan(0);
    expectRows(
      await shown(yearly, { 'data-year': String(lastMonth.year), 'data-panel-id': 'PANEL_B' }),
      year.yearlySummary.months.map((row) => ({ ...row, key: row.month })),
    );
    await expectTotal(yearly, year.yearlySummary.total);
    await screenshot(yearly.locator('xpath=..'), 'yearly-chart');
    expect(errors).toEqual([]);
  });

  // Needs Panel.history (landing in the API).
  it("plot one panel's history for the picked range, window by window as the API counts it", async () => {
    const app = await startApp();
    const now = await clearOfMidnight();
    const midnight = startOfTodayWib(now).getTime();
    // Every 5 minutes from yesterday 20:00 until now, at 12 kW (1 kWh per 5 minutes).
    const start = midnight - 4 * 3_600_000;
    const readings: SeedReading[] = [];
    for (let t = start, k = 0; t < now.getTime() - 1_000; t += 300_000, k += 1) {
      readings.push({ panelId: 'PANEL_A', time: new Date(t), kwh: 100 + k, kw: 12 });
      readings.push({ panelId: 'PANEL_B', time: new Date(t), kwh: 200 + 2 * k, kw: 24 });
    }
    seed(app.app, readings);
    const { page, errors } = await openPage(suite.browser, `${app.baseUrl}/`, disposers);
    const history = page.getByTestId('history-chart');

    const expectHistory = async (panelId: string, every: string) => {
      const rows = await shown(history, { 'data-panel-id': panelId, 'data-every': every });
      const [from, to] = [await attribute(history, 'data-from'), await attribute(history, 'data-to')];
      const api = await httpData<
        { panel: { history: { nodes: Array<Record<string, number | string | { amount: string } | { average: number | null } | null>> } } },
        object
      >(
        app.httpUrl,
        `query ($id: ID!, $from: DateTime!, $to: DateTime!, $every: String!) {
          panel(id: $id) { history(from: $from, to: $to, every: $every) { nodes { start energyKwh cost { amount } activePowerKw voltage { average } current { average } powerFactor readingCount } } }
        }`,
        { id: panelId, from, to, every },
      );
      const fields = ['start', 'energyKwh', 'cost', 'activePowerKw', 'voltage', 'current', 'powerFactor', 'readingCount'];
      expect(rows.map((cells) => cells.map((cell) => cell.value))).toEqual(
        api.panel.history.nodes.map((point) => fields.map((name) => { const value = point[name]; return value === null || value === undefined ? null : typeof value !== 'object' ? String(value) : 'amount' in value ? value.amount : value.average === null ? null : String(value.average); })),
      );
      return api.panel.history.nodes;
    };

    // Today by default, per 15 minutes, from local midnight.
    const today = await expectHistory('PANEL_A', '15m');
    expect(Date.parse(String(await attribute(history, 'data-from')))).toBe(midnight);
    expect(today.length).toBeGreaterThan(0);
    await screenshot(page.locator('section.history'), 'history-chart');

    await pick(page, 'range', '7d');
    const week = await expectHistory('PANEL_A', '1h');
    expect(Date.parse(String(await attribute(history, 'data-from')))).toBe(midnight - 6 * 86_400_000);
    // The readings start yesterday at 20:00: the windows before are empty.
    expect(week.find((point) => Number(point.readingCount) > 0)?.start).toBe(new Date(start).toISOString());

    await pick(page, 'history-panel', 'PANEL_B');
    await expectHistory('PANEL_B', '1h');
    expect(errors).toEqual([]);
  });
});
