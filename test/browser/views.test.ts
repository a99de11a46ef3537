import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { makeKey } from '../access/support.js';
import { axeViolations } from './axe.js';
import { NAMES, PANELS, seedBuilding, startBuildingApp } from './building.js';
import { untranslated } from './page-text.js';
import { browserSuite, openPage, screenshot, SIZES, type PageLang } from './support.js';

/**
 * Every view of the page, in both languages and at both sizes (1280×800 and 390×844): no text
 * the language's catalogue did not produce, no serious or critical accessibility violation
 * (axe-core), nothing wider than the screen, and a screenshot (test/browser/artifacts/).
 */

const LOADED = { timeout: 15_000 };
const LANGS: readonly PageLang[] = ['id', 'en'];
/** Four rounds of loading, axe and screenshots per test, on a shared 2-core machine. */
const ROUNDS = { timeout: 180_000 };

const suite = browserSuite();
const { disposers } = suite;

const startApp = (env: Record<string, string> = {}) => startBuildingApp(disposers, env);

/** Waits until every chart and table of the view has its answer, and unfolds the number tables. */
async function settle(page: Page): Promise<void> {
  await page.waitForFunction(() => document.querySelectorAll('[aria-busy="true"]').length === 0, undefined, LOADED);
  for (const summary of await page.locator('details.numbers > summary').all()) await summary.click();
}

interface Check {
  readonly untranslated: string[];
  readonly violations: Awaited<ReturnType<typeof axeViolations>>;
  readonly pageWidth: number;
}

async function check(page: Page, name: string, lang: PageLang, size: keyof typeof SIZES): Promise<Check> {
  await settle(page);
  expect(await page.evaluate(() => document.documentElement.lang)).toBe(lang);
  const result = {
    untranslated: await untranslated(page, [...NAMES, 'Asia/Jakarta']),
    violations: await axeViolations(page),
    pageWidth: await page.evaluate(() => document.documentElement.scrollWidth),
  };
  // The screen as it opens (the top), and the whole page with its tables unfolded.
  await page.evaluate(() => scrollTo(0, 0));
  await screenshot(page, `${name}-${lang}-${size}`);
  return result;
}

function expectClean(result: Check, size: keyof typeof SIZES): void {
  expect(result.untranslated).toEqual([]);
  expect(result.violations).toEqual([]);
  expect(result.pageWidth).toBeLessThanOrEqual(SIZES[size].width);
}

describe('every view, both languages, both sizes', () => {
  it('the dashboard and the monthly report', ROUNDS, async () => {
    const app = await startApp();
    const lastMonth = await seedBuilding(app);
    const report = `${app.baseUrl}/#/report/${lastMonth.toFormat('yyyy-MM')}`;
    for (const lang of LANGS) {
      for (const size of ['desktop', 'phone'] as const) {
        const { page, errors } = await openPage(suite.browser, `${app.baseUrl}/`, disposers, SIZES[size], { lang });
        await expect.poll(() => page.locator('article.card').count(), LOADED).toBe(PANELS.length);
        await page.getByTestId('yearly-chart').locator('canvas').waitFor(LOADED);
        expectClean(await check(page, 'dashboard', lang, size), size);

        await page.goto(report);
        await page.getByTestId('report-bill').waitFor(LOADED);
        await page.getByTestId('monthly-chart').locator('canvas').waitFor(LOADED);
        expectClean(await check(page, 'report', lang, size), size);
        expect(errors).toEqual([]);
      }
    }
  });

  it('the empty state before any panel reported', ROUNDS, async () => {
    const app = await startApp();
    for (const lang of LANGS) {
      for (const size of ['desktop', 'phone'] as const) {
        const { page, errors } = await openPage(suite.browser, `${app.baseUrl}/`, disposers, SIZES[size], { lang });
        await page.getByTestId('empty-state').waitFor(LOADED);
        expectClean(await check(page, 'empty', lang, size), size);
        expect(errors).toEqual([]);
      }
    }
  });

  it('the sign-in form', ROUNDS, async () => {
    const key = makeKey('lobby-screen', 'viewer');
    const app = await startApp({ AUTH: 'required', API_KEYS: key.entry });
    for (const lang of LANGS) {
      for (const size of ['desktop', 'phone'] as const) {
        const { page } = await openPage(suite.browser, `${app.baseUrl}/`, disposers, SIZES[size], { lang });
        await page.locator('[data-access="needs-key"]').waitFor(LOADED);
        expectClean(await check(page, 'sign-in', lang, size), size);
      }
    }
  });
});
