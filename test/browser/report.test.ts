import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { makeKey, bearer } from '../access/support.js';
import { MonthlyBillDocument, type MonthlyBillQuery } from '../generated/graphql.js';
import { httpData } from '../support/graphql-client.js';
import { seedBuilding, startBuildingApp } from './building.js';
import { ARTIFACTS, attribute, browserSuite, kwh, normalized, openPage, rupiah, screenshot, text } from './support.js';

const LOADED = { timeout: 15_000 };

const suite = browserSuite();
const { disposers } = suite;

const startApp = (env: Record<string, string> = {}) => startBuildingApp(disposers, env);

type Bill = NonNullable<MonthlyBillQuery['monthlyBill']>;

/** Waits until the report shows the picked month and scope with its bill and chart. */
async function reportShown(page: Page, year: number, month: number, panelId: string | null): Promise<void> {
  const report = page.getByTestId('report');
  await expect.poll(() => attribute(report, 'data-panel-id'), LOADED).toBe(panelId ?? '');
  await expect.poll(() => attribute(report, 'data-month'), LOADED).toBe(String(month));
  await expect.poll(() => attribute(report, 'data-year'), LOADED).toBe(String(year));
  await expect.poll(() => attribute(report, 'aria-busy'), LOADED).toBe('false');
  await page.getByTestId('monthly-chart').locator('canvas').waitFor(LOADED);
  await page.waitForFunction(() => document.querySelectorAll('[aria-busy="true"]').length === 0, undefined, LOADED);
}

/** The bill as the report shows it: each line's quantity, rate and amount (data-value), and the totals. */
async function shownBill(page: Page) {
  const bill = page.getByTestId('report-bill');
  const lines = await bill.locator('tbody tr[data-kind]').evaluateAll((rows) =>
    rows.map((row) => ({
      kind: row.getAttribute('data-kind'),
      block: row.getAttribute('data-block'),
      values: Array.from(row.querySelectorAll('td'), (cell) => Number(cell.getAttribute('data-value'))),
    })),
  );
  const total = async (name: string) => Number(await attribute(bill.locator(`[data-field="${name}"]`), 'data-value'));
  return { lines, subtotal: await total('bill-subtotal'), tax: await total('bill-tax'), total: await total('bill-total') };
}

/** A typed bill line as [quantity, rate, amount] numbers: a tax's base and percentage in place of quantity and rate. */
function lineValues(line: Bill['lines'][number]): [number, number, number] {
  const amount = Number(line.amount.amount);
  switch (line.__typename) {
    case 'EnergyChargeLine':
    case 'MinimumChargeLine':
      return [line.quantityKwh, Number(line.rate.amount), amount];
    case 'ReactiveChargeLine':
      return [line.quantityKvarh, Number(line.rate.amount), amount];
    case 'TaxLine':
      return [Number(line.base.amount), line.ratePercent, amount];
  }
}

function expectBill(shown: Awaited<ReturnType<typeof shownBill>>, api: Bill): void {
  expect(shown.lines).toEqual(
    api.lines.map((line) => ({ kind: line.kind, block: line.__typename === 'EnergyChargeLine' ? line.block : null, values: lineValues(line) })),
  );
  expect({ subtotal: shown.subtotal, tax: shown.tax, total: shown.total }).toEqual({
    subtotal: Number(api.subtotal.amount),
    tax: Number(api.tax.amount),
    total: Number(api.total.amount),
  });
}

/** Prints the page as Chromium's "Save as PDF" does (print media, A4 from the page's CSS) and reads it back with poppler. */
async function printToPdf(page: Page, name: string): Promise<{ pages: number; text: string }> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const path = `${ARTIFACTS}${name}.pdf`;
  writeFileSync(path, await page.pdf({ preferCSSPageSize: true, printBackground: true }));
  const info = execFileSync('pdfinfo', [path], { encoding: 'utf8' });
  const pages = Number(/^Pages:\s+(\d+)/m.exec(info)?.[1]);
  const size = /^Page size:\s+([\d.]+) x ([\d.]+) pts/m.exec(info);
  // A4 is 595 × 842 pt.
  expect([Math.round(Number(size?.[1])), Math.round(Number(size?.[2]))]).toEqual([595, 842]);
  return { pages, text: normalized(execFileSync('pdftotext', ['-layout', path, '-'], { encoding: 'utf8' })) };
}

describe('monthly report', () => {
  it("shows a month's bill with its lines and the daily chart, and prints to two A4 pages with the totals", async () => {
    const app = await startApp();
    const lastMonth = await seedBuilding(app);
    const { year, month } = lastMonth;
    const { page, errors } = await openPage(suite.browser, `${app.baseUrl}/`, disposers);
    // From the dashboard's header, then the month picked in the report.
    await page.getByTestId('report-link').click();
    await page.locator('select[name="report-year"]').selectOption(String(year));
    await page.locator('select[name="report-month"]').selectOption(String(month));
    await reportShown(page, year, month, null);
    expect(new URL(page.url()).hash).toBe(`#/report/${lastMonth.toFormat('yyyy-MM')}`);

    const { monthlyBill: api } = await httpData(app.httpUrl, MonthlyBillDocument, { year, month });
    expect(api.complete).toBe(true);
    expect(api.lines.map((line) => line.kind)).toEqual(['ENERGY', 'ENERGY', 'TAX']);
    expectBill(await shownBill(page), api);
    // Every line reads as quantity × rate = amount (the tax as base × percent / 100, shown as 3 %).
    for (const line of api.lines) {
      const [quantity, rate, amount] = lineValues(line);
      expect(line.__typename === 'TaxLine' ? (quantity * rate) / 100 : quantity * rate).toBeCloseTo(amount, 1);
    }
    const taxRow = page.getByTestId('report-bill').locator('tr[data-kind="TAX"]');
    expect(await text(taxRow.locator('td').nth(1))).toBe('3 %');
    expect(await text(taxRow.locator('td').nth(0))).toBe(rupiah(lineValues(api.lines[2]!)[0]));
    expect(await text(page.locator('[data-field="bill-total"]'))).toBe(rupiah(api.total));
    expect(await text(page.locator('[data-field="report-scope"]'))).toBe('Seluruh gedung: Lantai 1, Lantai 2, Basement');
    // The daily figures under the chart: every day of the month, as the API counts them.
    const daily = page.getByTestId('monthly-chart');
    expect(await daily.locator('tbody tr').count()).toBe(lastMonth.daysInMonth);
    expect(await attribute(daily.locator('[data-field="total-cost"]'), 'data-value')).toBe(api.subtotal.amount);
    await screenshot(page, 'report-building');

    const pdf = await printToPdf(page, 'report-building');
    // Sheet 1: the bill, the month's figures and the chart; sheet 2: the figures per day.
    expect(pdf.pages).toBe(2);
    for (const figure of [rupiah(api.subtotal), rupiah(api.tax), rupiah(api.total), kwh(api.energyKwh)]) expect(pdf.text).toContain(figure);
    expect(pdf.text).toContain('Total (termasuk pajak)');
    expect(pdf.text).toContain('Subtotal (belum termasuk pajak)');
    // The screen's tools are not printed.
    expect(pdf.text).not.toContain('Cetak atau simpan sebagai PDF');
    expect(errors).toEqual([]);
  });

  it("gives a tenant's key limited to one panel the report of that panel only", async () => {
    const tenant = makeKey('tenant-floor-2', 'viewer', ['PANEL_B']);
    const app = await startApp({ AUTH: 'required', API_KEYS: tenant.entry });
    const lastMonth = await seedBuilding(app);
    const { year, month } = lastMonth;
    const { page, errors } = await openPage(suite.browser, `${app.baseUrl}/#/report/${lastMonth.toFormat('yyyy-MM')}/PANEL_B`, disposers);
    await page.locator('input[name="api-key"]').fill(tenant.key);
    await page.locator('form button[type="submit"]').click();
    await reportShown(page, year, month, 'PANEL_B');

    const { monthlyBill: api } = await httpData(app.httpUrl, MonthlyBillDocument, { year, month, panelId: 'PANEL_B' }, bearer(tenant.key));
    expectBill(await shownBill(page), api);
    expect(await text(page.locator('[data-field="report-scope"]'))).toBe('Panel Lantai 2 (PANEL_B)');
    // Its picker offers only what the key may see: its panel, and "the building" made of it.
    const options = await page.locator('select[name="report-scope"] option').evaluateAll((all) => all.map((o) => o.getAttribute('value')));
    expect(options).toEqual(['', 'PANEL_B']);

    const pdf = await printToPdf(page, 'report-tenant');
    expect(pdf.pages).toBe(2);
    for (const figure of [rupiah(api.subtotal), rupiah(api.total), kwh(api.energyKwh)]) expect(pdf.text).toContain(figure);
    expect(pdf.text).toContain('Lantai 2 (PANEL_B)');
    expect(pdf.text).not.toContain('Lantai 1');
    expect(errors).toEqual([]);
  });
});
