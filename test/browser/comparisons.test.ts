import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { en } from '../../web/src/i18n/en.js';
import { id } from '../../web/src/i18n/id.js';
import { seed, wib } from '../support/seed.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { axeViolations } from './axe.js';
import { browserSuite, normalized, openPage, text } from './support.js';

/**
 * The change next to each total (issue 25, point 1): an arrow and a signed percentage, the same in
 * words for screen readers, in both languages, and no accessibility violations.
 */

const LOADED = { timeout: 15_000 };
const suite = browserSuite();
const { disposers } = suite;

async function startApp(): Promise<TestApp> {
  return disposers.use(await startTestApp({}), (app) => app.stop({ removeData: true }));
}

describe('comparisons on the page', () => {
  it('shows last month against the month before: ▲ +100 %, "up 100 percent from 1,000 kWh", and no base a year earlier', { timeout: 90_000 }, async () => {
    const app = await startApp();
    const now = DateTime.now().setZone('Asia/Jakarta');
    const last = now.minus({ months: 1 });
    const before = now.minus({ months: 2 });
    const at = (month: DateTime, time: string) => wib(`${month.toFormat('yyyy-MM')}-10 ${time}`);
    seed(app.app, [
      { panelId: 'CMP_PAGE', time: at(before, '10:00:00'), kwh: 100, kw: 6 },
      { panelId: 'CMP_PAGE', time: at(before, '11:00:00'), kwh: 101, kw: 6 },
      { panelId: 'CMP_PAGE', time: at(last, '10:00:00'), kwh: 101, kw: 6 },
      { panelId: 'CMP_PAGE', time: at(last, '11:00:00'), kwh: 103, kw: 6 },
    ]);
    for (const [lang, catalogue] of [['id', id], ['en', en]] as const) {
      const { page } = await openPage(suite.browser, `${app.baseUrl}/`, disposers, undefined, { lang });
      const line = page.getByTestId('comparison-month');
      await expect.poll(() => line.count(), LOADED).toBe(1);
      await page.locator('select[name="month"]').selectOption(String(last.month));
      await page.locator('select[name="month-year"]').selectOption(String(last.year));
      const previous = line.locator('[data-field="change-previous"]');
      await expect.poll(() => previous.getAttribute('data-value'), LOADED).toBe('100');
      expect(await previous.getAttribute('data-direction')).toBe('up');
      // Seen: the arrow and the sign (not colour alone); heard: the same in words.
      expect(normalized(await text(previous.locator('[aria-hidden="true"]')))).toBe('▲ +100 %');
      expect(normalized(await text(previous.locator('.sr-only')))).toBe(catalogue.changeUp.replace('{percent}', '100').replace('{kwh}', '1,000 kWh'));
      expect(normalized(await text(previous))).toContain(catalogue.vsPreviousMonth);
      const lastYear = line.locator('[data-field="change-last-year"]');
      expect(normalized(await text(lastYear))).toBe(`${catalogue.vsSameMonthLastYear}: ${catalogue.changeNoBase}`);
      // 2 kWh at the default 0.814 kg CO₂e/kWh.
      expect(await line.locator('[data-field="co2e-kg"]').getAttribute('data-value')).toBe('1.628');
      expect(await axeViolations(page)).toEqual([]);
    }
  });
});
