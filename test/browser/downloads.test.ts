import { readFile } from 'node:fs/promises';
import type { Locator, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { MonthlyBillDocument, MonthlySummaryDocument, PanelHistoryDocument } from '../generated/graphql.js';
import { parseCsv } from '../export/csv.js';
import { httpData } from '../support/graphql-client.js';
import { seedBuilding, startBuildingApp } from './building.js';
import { attribute, browserSuite, openPage } from './support.js';

/**
 * The page's CSV downloads (issue 25 point 5): each button asks createExportLink for a signed
 * link and follows it, and the browser saves the server's attachment. Real product, readings
 * through the real ingest path, real Chromium; the files are compared with the API's answers.
 */

const LOADED = { timeout: 15_000 };
const suite = browserSuite();
const { disposers } = suite;

/** The file one of a group's buttons downloads, with the link the page followed. */
async function download(page: Page, group: Locator, format: 'CSV' | 'EXCEL_ID'): Promise<{ text: string; url: string; name: string }> {
  const [file] = await Promise.all([page.waitForEvent('download', LOADED), group.locator(`button[data-format="${format}"]`).click()]);
  const path = await file.path();
  return { text: await readFile(path, 'utf8'), url: file.url(), name: file.suggestedFilename() };
}

/** Rows as objects by the header's column names. */
function records(text: string, separator = ','): Array<Record<string, string>> {
  const [header, ...rows] = parseCsv(text, separator);
  return rows.map((row) => Object.fromEntries((header ?? []).map((name, index) => [name, row[index] ?? ''])));
}

describe('CSV downloads on the page', () => {
  it('the month chart, the history chart and the report download files with the API figures; the signed link expires', { timeout: 120_000 }, async () => {
    const app = await startBuildingApp(disposers, { EXPORT_LINK_TTL: '3s' });
    const lastMonth = await seedBuilding(app);
    const { page } = await openPage(suite.browser, `${app.baseUrl}/`, disposers, undefined, { lang: 'en' });
    await page.locator('select[name="month"]').selectOption(String(lastMonth.month));
    await page.locator('select[name="month-year"]').selectOption(String(lastMonth.year));
    await expect.poll(() => attribute(page.getByTestId('monthly-chart'), 'data-month'), LOADED).toBe(String(lastMonth.month));

    // The month's days, plain CSV: every day of the month as monthlySummary answers it.
    const daily = await download(page, page.getByTestId('download-daily').first(), 'CSV');
    expect(daily.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/export\/daily\.csv\?link=/);
    const summary = (await httpData(app.httpUrl, MonthlySummaryDocument, { year: lastMonth.year, month: lastMonth.month, panelId: null })).monthlySummary;
    // The file's numbers carry no trailing zeros (0, not 0.00): compared as numbers.
    expect(records(daily.text).map((row) => [row.date, Number(row.energy_kwh), Number(row.cost_idr)])).toEqual(
      summary.days.map((day) => [day.date, day.energyKwh, Number(day.cost.amount)]),
    );
    expect(summary.days.some((day) => day.energyKwh > 0)).toBe(true);

    // The link reads as the caller only until it expires (EXPORT_LINK_TTL 3 s here; JWT times are whole seconds).
    await new Promise((resolve) => setTimeout(resolve, 4_500));
    const expired = await fetch(daily.url);
    expect(expired.status).toBe(401);

    // Today's history of the first panel: the windows the chart shows.
    const historyChart = page.getByTestId('history-chart');
    await expect.poll(() => attribute(historyChart, 'aria-busy'), LOADED).toBe('false');
    const range = { from: await attribute(historyChart, 'data-from'), to: await attribute(historyChart, 'data-to'), every: await attribute(historyChart, 'data-every') };
    const history = await download(page, page.getByTestId('download-history'), 'CSV');
    const points = (await httpData(app.httpUrl, PanelHistoryDocument, { id: 'PANEL_A', from: range.from ?? '', to: range.to ?? '', every: range.every ?? '' })).panel.history!.nodes;
    expect(records(history.text).map((row) => [Date.parse(row.start ?? ''), Number(row.energy_kwh)])).toEqual(
      points.map((point) => [Date.parse(point.start), point.energyKwh]),
    );

    // The monthly report's bill lines for Excel with Indonesian settings: BOM, ';' and ',' decimals.
    await page.goto(`${app.baseUrl}/#/report/${lastMonth.toFormat('yyyy-MM')}`);
    const lines = await download(page, page.getByTestId('download-bill_lines'), 'EXCEL_ID');
    expect(lines.text.startsWith('\uFEFF')).toBe(true);
    const bill = (await httpData(app.httpUrl, MonthlyBillDocument, { year: lastMonth.year, month: lastMonth.month, panelId: null })).monthlyBill;
    const decimal = (cell: string | undefined) => Number((cell ?? '').replace(',', '.'));
    expect(records(lines.text.slice(1), ';').map((row) => [row.line, decimal(row.amount_idr)])).toEqual(bill.lines.map((line) => [line.kind, Number(line.amount.amount)]));
    expect(bill.lines.length).toBeGreaterThan(1);
  });
});
