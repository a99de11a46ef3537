import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { en } from '../../web/src/i18n/en.js';
import { id } from '../../web/src/i18n/id.js';
import { SITE_TZ } from '../support/seed.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { NAMES, PANEL_NAMES, PANELS, seedBuilding } from './building.js';
import { untranslated } from './page-text.js';
import { attribute, browserSuite, card, field, openPage, text } from './support.js';

/** Bahasa Indonesia by default, English on a switch that is remembered; nothing left in the other language. */

const LOADED = { timeout: 15_000 };
const suite = browserSuite();
const { disposers } = suite;

async function startApp(): Promise<TestApp> {
  return disposers.use(await startTestApp({ PANEL_NAMES }), (app) => app.stop({ removeData: true }));
}

const ALLOWED = [...NAMES, SITE_TZ];

/** Today on the site's calendar, written as the page writes the building's day in `locale`. */
const longToday = (locale: string) =>
  new Intl.DateTimeFormat(locale, { timeZone: SITE_TZ, weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' }).format(Date.now());

async function loaded(page: Page): Promise<void> {
  await expect.poll(() => page.locator('article.card').count(), LOADED).toBe(PANELS.length);
  await page.getByTestId('yearly-chart').locator('canvas').waitFor(LOADED);
  await page.waitForFunction(() => document.querySelectorAll('[aria-busy="true"]').length === 0, undefined, LOADED);
  for (const summary of await page.locator('details.numbers > summary').all()) await summary.click();
}

describe('language', () => {
  it('speaks Bahasa Indonesia by default and English once switched, remembered across reloads', async () => {
    const app = await startApp();
    await seedBuilding(app);
    const { page, errors } = await openPage(suite.browser, `${app.baseUrl}/`, disposers);
    await loaded(page);
    expect(await page.evaluate(() => [document.documentElement.lang, document.title])).toEqual(['id', id.appTitle]);
    const totals = page.getByTestId('building-totals');
    // "Jumat, 4 Desember 2026": the weekday, day, month and year in Indonesian.
    expect(await text(field(totals, 'today-date'))).toBe(longToday('id-ID'));
    expect(await text(field(totals, 'today-date'))).toMatch(/^(Senin|Selasa|Rabu|Kamis|Jumat|Sabtu|Minggu), \d{1,2} (Januari|Februari|Maret|April|Mei|Juni|Juli|Agustus|September|Oktober|November|Desember) \d{4}$/);
    expect(await text(field(card(page, 'PANEL_A'), 'status'))).toBe(id.statusONLINE);
    expect(await untranslated(page, ALLOWED)).toEqual([]);

    await page.locator('select[name="lang"]').selectOption('en');
    await expect.poll(() => page.evaluate(() => document.documentElement.lang), LOADED).toBe('en');
    expect(await page.evaluate(() => document.title)).toBe(en.appTitle);
    expect(await text(field(totals, 'today-date'))).toBe(longToday('en-GB'));
    expect(await text(field(card(page, 'PANEL_A'), 'status'))).toBe(en.statusONLINE);
    // Numbers keep the Indonesian notation in English too.
    expect(await text(field(card(page, 'PANEL_A'), 'kw'))).toBe('6,50 kW');
    await loaded(page);
    expect(await untranslated(page, ALLOWED)).toEqual([]);

    await page.reload();
    await loaded(page);
    expect(await page.evaluate(() => [document.documentElement.lang, localStorage.getItem('energy-dashboard.lang')])).toEqual(['en', 'en']);
    await page.locator('select[name="lang"]').selectOption('id');
    await expect.poll(() => page.evaluate(() => document.documentElement.lang), LOADED).toBe('id');
    expect(errors).toEqual([]);
  });

  it('finds a string left untranslated (the check can fail)', async () => {
    const app = await startApp();
    await seedBuilding(app);
    for (const [lang, stray] of [
      ['id', 'Cost today'],
      ['en', 'Biaya hari ini'],
    ] as const) {
      const { page } = await openPage(suite.browser, `${app.baseUrl}/`, disposers, undefined, { lang });
      await loaded(page);
      expect(await untranslated(page, ALLOWED)).toEqual([]);
      await page.evaluate((words) => {
        const note = document.createElement('p');
        note.textContent = `${words}: Rp 1.000,00`;
        document.querySelector('main')?.append(note);
        document.querySelector('canvas')?.setAttribute('aria-label', words);
      }, stray);
      const found = await untranslated(page, ALLOWED);
      expect(found).toHaveLength(2);
      expect(found[0]).toContain(JSON.stringify(`${stray}: Rp 1.000,00`));
    }
  });

  it('words errors in the chosen language, quoting the API\'s own message as English', async () => {
    const app = await startApp();
    await seedBuilding(app);
    const { page } = await openPage(suite.browser, `${app.baseUrl}/#/report/2026-01/NO_SUCH_PANEL`, disposers);
    const error = page.locator('.widget-error').first();
    await error.waitFor(LOADED);
    expect(await attribute(error, 'data-error-code')).toBe('BAD_USER_INPUT');
    expect(await text(error)).toMatch(new RegExp(`^${id.reportWhat} tidak tersedia: ${id.errorServer} .*NO_SUCH_PANEL`));
    expect(await attribute(error.locator('q'), 'lang')).toBe('en');
    expect(await untranslated(page, [...ALLOWED, 'NO_SUCH_PANEL'])).toEqual([]);

    // The API gone: the page's own words, in Indonesian.
    await app.stop();
    await page.locator('select[name="report-month"]').selectOption('2');
    await expect.poll(() => attribute(page.locator('.widget-error').first(), 'data-error-code'), LOADED).toBe('UNREACHABLE');
    expect(await text(page.locator('.widget-error').first())).toBe(`${id.reportWhat} tidak tersedia: ${id.errorUnreachable}`);
  });
});
