import { DateTime } from 'luxon';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { en } from '../../web/src/i18n/en.js';
import { id } from '../../web/src/i18n/id.js';
import { LoadProfileDocument, PeakDemandDocument } from '../generated/graphql.js';
import { httpData } from '../support/graphql-client.js';
import { seed, SITE_TZ, type SeedReading } from '../support/seed.js';
import { axeViolations } from './axe.js';
import { startBuildingApp } from './building.js';
import { attribute, browserSuite, openPage, screenshot, tableRows, text } from './support.js';

/**
 * The demand view (issue 25 points 2 and 3): peak demand per day of a month and per month of a
 * year, and the month's load profile, showing the API's numbers, in both languages, axe-clean,
 * and printable (the pickers are not printed, the figures are).
 */

const LOADED = { timeout: 15_000 };
const suite = browserSuite();
const { disposers } = suite;

/** kWh a panel uses per minute at a local hour: low at night, high in operating hours. */
const perMinute = (hour: number, panel: number) => (hour < 5 ? 0.05 : hour >= 8 && hour < 17 ? 0.3 : 0.1) * (panel + 1);

/** Two panels reporting every minute through two whole days of a month (a Wednesday-like working day and the next). */
function dayOfReadings(first: DateTime): SeedReading[] {
  const readings: SeedReading[] = [];
  for (const [k, panelId] of ['PANEL_A', 'PANEL_B'].entries()) {
    let counter = 1000 * (k + 1);
    for (let minute = 0; minute <= 2 * 1440; minute++) {
      const at = first.plus({ minutes: minute });
      readings.push({ panelId, time: at.toJSDate(), kwh: Number(counter.toFixed(3)), kw: perMinute(at.hour, k) * 60 });
      counter += perMinute(at.hour, k);
    }
  }
  return readings;
}

async function settled(page: Page): Promise<void> {
  await page.waitForFunction(() => document.querySelectorAll('[aria-busy="true"]').length === 0, undefined, LOADED);
}

describe('the demand view', () => {
  it("shows the API's peak demand and load profile, in Indonesian and English, axe-clean and printable", { timeout: 120_000 }, async () => {
    const app = await startBuildingApp(disposers);
    const month = DateTime.now().setZone(SITE_TZ).minus({ months: 1 }).startOf('month');
    seed(app.app, dayOfReadings(month.set({ day: 9 })));
    const variables = { year: month.year, month: month.month, panelId: null };
    const peak = (await httpData(app.httpUrl, PeakDemandDocument, variables)).peakDemand;
    const year = (await httpData(app.httpUrl, PeakDemandDocument, { year: month.year, panelId: null })).peakDemand;
    const profile = (await httpData(app.httpUrl, LoadProfileDocument, { from: month.toISODate() ?? '', to: month.endOf('month').toISODate() ?? '', panelId: null })).loadProfile;
    expect(peak.peak).not.toBeNull();
    expect(profile.baseLoadKw).not.toBeNull();

    for (const [lang, catalogue] of [['id', id], ['en', en]] as const) {
      const { page, errors } = await openPage(suite.browser, `${app.baseUrl}/#/demand`, disposers, undefined, { lang });
      await page.locator('select[name="demand-month"]').selectOption(String(month.month));
      await page.locator('select[name="demand-year"]').selectOption(String(month.year));
      const monthly = page.getByTestId('peak-month');
      await expect.poll(() => attribute(monthly.locator('[data-field="peak-kw"]'), 'data-start'), LOADED).toBe(peak.peak?.start);
      await settled(page);
      expect(Number(await attribute(monthly.locator('[data-field="peak-kw"]'), 'data-value'))).toBe(peak.peak?.kw);
      expect(Number(await attribute(monthly.locator('[data-field="peak-kva"]'), 'data-value'))).toBe(peak.apparentPeak?.kva);
      expect(Number(await attribute(monthly.locator('[data-field="windows-complete"]'), 'data-value'))).toBe(peak.windowsComplete);
      // One row per day with a peak: its kW, window start, kVA and complete windows, as the API's parts.
      const days = peak.parts.filter((part) => part.peak !== null);
      expect(await tableRows(monthly)).toEqual(
        days.map((part) => [
          expect.objectContaining({ value: String(part.peak?.kw) }),
          expect.objectContaining({ value: part.peak?.start }),
          expect.objectContaining({ value: String(part.peak?.kva) }),
          expect.objectContaining({ value: String(part.windowsComplete) }),
        ]),
      );
      expect(Number(await attribute(page.getByTestId('peak-year').locator('[data-field="peak-kw"]'), 'data-value'))).toBe(year.peak?.kw);
      // The building's peak is said to be coincident.
      expect(await text(page.locator('[data-field="demand-scope"]'))).toBe(catalogue.demandScopeBuilding);

      const shown = page.getByTestId('load-profile');
      expect(Number(await attribute(shown.locator('[data-field="base-load-kw"]'), 'data-value'))).toBe(profile.baseLoadKw);
      expect(Number(await attribute(shown.locator('[data-field="outside-kwh"]'), 'data-value'))).toBe(profile.outsideHours.energyKwh);
      expect(await attribute(shown.locator('[data-field="outside-kwh"]'), 'data-cost')).toBe(profile.outsideHours.cost.amount);
      expect(Number(await attribute(shown.locator('[data-field="outside-share"]'), 'data-value'))).toBe(profile.outsideShare);
      expect(Number(await attribute(shown.locator('[data-field="total-kwh"]'), 'data-value'))).toBe(profile.total.energyKwh);
      const hours = profile.weekdays.map((hour, k) => [String(hour.hour), hour.averageKw, profile.weekendsAndHolidays[k]?.averageKw ?? null]);
      expect((await tableRows(shown)).map((row) => row.map((cell) => cell.value))).toEqual(
        hours.map(([hour, weekday, weekend]) => [hour, weekday === null ? null : String(weekday), weekend === null ? null : String(weekend)]),
      );
      expect(await axeViolations(page)).toEqual([]);
      expect(errors).toEqual([]);
      await screenshot(page, `demand-${lang}`);

      // On paper: the figures, not the pickers.
      await page.emulateMedia({ media: 'print' });
      expect(await page.locator('.report-controls').isVisible()).toBe(false);
      expect(await shown.locator('table').isVisible()).toBe(true);
      expect(await monthly.locator('table').isVisible()).toBe(true);
      await page.emulateMedia({ media: 'screen' });

      // One panel: its own peak and profile, as the API answers for that panel.
      const panelPeak = (await httpData(app.httpUrl, PeakDemandDocument, { ...variables, panelId: 'PANEL_B' })).peakDemand;
      const panelProfile = (await httpData(app.httpUrl, LoadProfileDocument, { from: month.toISODate() ?? '', to: month.endOf('month').toISODate() ?? '', panelId: 'PANEL_B' })).loadProfile;
      await page.locator('select[name="demand-scope"]').selectOption('PANEL_B');
      await expect.poll(() => attribute(monthly.locator('[data-field="peak-kw"]'), 'data-value'), LOADED).toBe(String(panelPeak.peak?.kw));
      await settled(page);
      expect(await attribute(monthly.locator('[data-field="peak-kw"]'), 'data-start')).toBe(panelPeak.peak?.start);
      expect(Number(await attribute(shown.locator('[data-field="base-load-kw"]'), 'data-value'))).toBe(panelProfile.baseLoadKw);
      expect(panelPeak.peak?.kw).toBeLessThan(peak.peak?.kw ?? 0);
    }
  });
});
