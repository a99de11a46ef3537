import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { en } from '../../web/src/i18n/en.js';
import { id } from '../../web/src/i18n/id.js';
import { seed } from '../support/seed.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { PANEL_NAMES, PANELS, seedBuilding } from './building.js';
import { attribute, browserSuite, card, field, openPage, PHONE, screenshot, text } from './support.js';

/** Figures that cannot be misread: they fit, they say what they are, and old values look old. */

const LOADED = { timeout: 15_000 };
const suite = browserSuite();
const { disposers } = suite;

async function startApp(env: Record<string, string> = {}): Promise<TestApp> {
  return disposers.use(await startTestApp({ PANEL_NAMES, ...env }), (app) => app.stop({ removeData: true }));
}

/** The widest figures a card will realistically show, in the page's own formats. */
const WIDEST: Readonly<Record<string, string>> = {
  kw: '9.999,999 kW',
  a: '9.999,999 A',
  v: '999,99 V',
  'today-kwh': '99.999,999 kWh',
  'today-cost': 'Rp\u00a0999.999.999,99',
};

/** Elements of the cards whose content is wider than their box or reaches past the card's edge. */
async function overflowing(page: Page): Promise<string[]> {
  return page.locator('article.card').evaluateAll((cards) =>
    cards.flatMap((card) => {
      const edge = card.getBoundingClientRect();
      return [card, ...Array.from(card.querySelectorAll('*'))].flatMap((element) => {
        const box = element.getBoundingClientRect();
        const name = `${card.getAttribute('data-panel-id')} ${element.tagName.toLowerCase()}[${element.getAttribute('data-field') ?? element.className}]`;
        const problems: string[] = [];
        // Inline boxes have no client width; their rectangle still has to stay inside the card.
        if (element.clientWidth > 0 && element.scrollWidth > element.clientWidth) problems.push(`${name}: scrollWidth ${element.scrollWidth} > clientWidth ${element.clientWidth}`);
        if (box.right > edge.right + 0.5 || box.left < edge.left - 0.5) problems.push(`${name}: outside the card`);
        return problems;
      });
    }),
  );
}

describe('figures that cannot be misread', () => {
  it('cards fit the widest realistic figures at every screen width from 320 to 1920 px, in both languages', async () => {
    const app = await startApp();
    await seedBuilding(app);
    for (const lang of ['id', 'en'] as const) {
      const { page } = await openPage(suite.browser, `${app.baseUrl}/`, disposers, { width: 1280, height: 800 }, { lang });
      await expect.poll(() => page.locator('article.card').count(), LOADED).toBe(PANELS.length);
      // The live figures as they are now, then the widest ones written into the same places.
      for (const width of [320, 390, 768, 1024, 1280, 1920]) {
        await page.setViewportSize({ width, height: 800 });
        expect(await overflowing(page)).toEqual([]);
      }
      await page.evaluate((widest) => {
        for (const [name, value] of Object.entries(widest)) document.querySelectorAll(`article.card [data-field="${name}"]`).forEach((element) => (element.textContent = value));
      }, WIDEST);
      expect(await text(field(card(page, 'PANEL_A'), 'today-cost'))).toBe('Rp 999.999.999,99');
      for (const width of [320, 360, 390, 414, 768, 1024, 1280, 1440, 1920]) {
        await page.setViewportSize({ width, height: 800 });
        expect({ width, overflowing: await overflowing(page) }).toEqual({ width, overflowing: [] });
        // The charts follow the new width a frame later (Chart.js watches their boxes).
        await expect.poll(() => page.evaluate(() => document.documentElement.scrollWidth), LOADED).toBeLessThanOrEqual(width);
        // The cards share the first row: no empty column beside them (three cards, four columns' room).
        const gap = await page.locator('.cards').evaluate((grid) => {
          const cards = Array.from(grid.children, (child) => child.getBoundingClientRect());
          const top = cards[0]?.top ?? 0;
          const rowEnd = Math.max(...cards.filter((box) => Math.abs(box.top - top) < 1).map((box) => box.right));
          return grid.getBoundingClientRect().right - rowEnd;
        });
        expect(gap).toBeLessThan(1);
        if (width === 1280) await screenshot(page.locator('section:has(#panels-title)'), `cards-widest-${lang}`);
      }
    }
  });

  it('on a phone, the history table scrolls inside its own box and the page never sideways', async () => {
    const app = await startApp();
    await seedBuilding(app);
    const { page } = await openPage(suite.browser, `${app.baseUrl}/`, disposers, PHONE);
    const history = page.getByTestId('history-chart');
    await history.locator('canvas').waitFor(LOADED);
    await history.locator('details.numbers > summary').click();
    const box = history.locator('.table-scroll');
    // The table is wider than the phone, and its box scrolls rather than the page.
    expect(await box.evaluate((element) => element.scrollWidth)).toBeGreaterThan(PHONE.width);
    expect(await box.evaluate((element) => element.clientWidth)).toBeLessThan(PHONE.width);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
  });

  it('shows an OFFLINE panel\'s last power, current and voltage dimmed, as last known, with their age', async () => {
    const app = await startApp({ OFFLINE_AFTER: '1m' });
    const now = Date.now();
    seed(app.app, [
      { panelId: 'PANEL_A', time: new Date(now - 2 * 3_600_000 - 60_000), kwh: 100, kw: 4.25 },
      { panelId: 'PANEL_B', time: new Date(Math.floor(now / 1000) * 1000 - 1_000), kwh: 100, kw: 5.5 },
    ]);
    for (const [lang, messages] of [['id', id], ['en', en]] as const) {
      const { page } = await openPage(suite.browser, `${app.baseUrl}/`, disposers, { width: 1280, height: 800 }, { lang });
      const offline = card(page, 'PANEL_A');
      const online = card(page, 'PANEL_B');
      await expect.poll(() => attribute(offline, 'data-status'), LOADED).toBe('OFFLINE');
      await expect.poll(() => attribute(online, 'data-status'), LOADED).toBe('ONLINE');
      expect(await text(field(offline, 'last-known'))).toBe(messages.lastKnown.replace('{age}', messages.ageHours.replace('{n}', '2')));
      expect(await text(field(offline, 'kw'))).toBe('4,25 kW');
      expect(await field(online, 'last-known').count()).toBe(0);
      const look = (scope: typeof offline) =>
        field(scope, 'kw').evaluate((element) => {
          const style = getComputedStyle(element);
          return { color: style.color, fontWeight: style.fontWeight };
        });
      const [dim, live] = [await look(offline), await look(online)];
      expect(dim.color).not.toBe(live.color);
      expect(Number(dim.fontWeight)).toBeLessThan(Number(live.fontWeight));
      await screenshot(page.locator('section:has(#panels-title)'), `cards-offline-${lang}`);
    }
  });

  it('says on every amount whether tax is in it, and writes ONLINE with at least 4.5:1 contrast', async () => {
    const app = await startApp();
    await seedBuilding(app);
    const { page } = await openPage(suite.browser, `${app.baseUrl}/`, disposers);
    await page.getByTestId('bill').waitFor(LOADED);
    await page.getByTestId('monthly-chart').locator('canvas').waitFor(LOADED);
    await page.getByTestId('yearly-chart').locator('canvas').waitFor(LOADED);
    // Each Rupiah amount outside the tables names its tax beside it (the tables name it in the column header).
    const amounts = await page.locator('[data-field$="cost"], [data-field^="bill-total"], [data-field="bill-projected"]').evaluateAll((elements) =>
      elements.map((element) => {
        const holder = element.closest('div, figcaption, dl');
        return { field: element.getAttribute('data-field'), tax: holder?.querySelector('[data-tax]')?.getAttribute('data-tax') ?? null };
      }),
    );
    expect(amounts).toEqual([
      { field: 'bill-total', tax: 'included' },
      { field: 'bill-projected', tax: 'included' },
      { field: 'today-cost', tax: 'excluded' },
      ...PANELS.map(() => ({ field: 'today-cost', tax: 'excluded' })),
      { field: 'total-cost', tax: 'excluded' },
      { field: 'total-cost', tax: 'excluded' },
    ]);
    expect(await text(page.getByTestId('bill').locator('[data-tax]').first())).toBe(`(${id.taxIncluded})`);
    expect(await text(page.getByTestId('monthly-chart').locator('figcaption [data-tax]'))).toBe(`(${id.taxExcluded})`);
    // The history chart's table arrives after the period charts' tables; wait for all three.
    const costHeaders = async () => (await page.locator('.table-scroll th').allTextContents()).filter((header) => header.startsWith(id.cost));
    await expect.poll(async () => (await costHeaders()).length, LOADED).toBe(3);
    expect(await costHeaders()).toEqual([`${id.cost} (${id.taxExcluded})`, `${id.cost} (${id.taxExcluded})`, `${id.cost} (${id.taxExcluded})`]);

    const contrast = await field(card(page, 'PANEL_A'), 'status').evaluate((element) => {
      const rgb = (color: string) => (color.match(/\d+(\.\d+)?/g) ?? []).slice(0, 3).map(Number);
      const luminance = (color: string) => {
        const [r = 0, g = 0, b = 0] = rgb(color).map((v) => v / 255).map((v) => (v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4));
        return 0.2126 * r + 0.7152 * g + 0.0722 * b;
      };
      const background = getComputedStyle(element.closest('article') ?? element).backgroundColor;
      const [light, dark] = [luminance(getComputedStyle(element).color), luminance(background)].sort((x, y) => y - x);
      return ((light ?? 0) + 0.05) / ((dark ?? 0) + 0.05);
    });
    expect(await attribute(card(page, 'PANEL_A'), 'data-status')).toBe('ONLINE');
    expect(contrast).toBeGreaterThanOrEqual(4.5);
  });

  it('before any panel reported, shows one empty state saying how to connect a meter and how to backfill', async () => {
    const app = await startApp();
    const { page, errors } = await openPage(suite.browser, `${app.baseUrl}/`, disposers);
    const empty = page.getByTestId('empty-state');
    await empty.waitFor(LOADED);
    expect(await text(empty.locator('h2'))).toBe(id.emptyTitle);
    expect(await text(page.getByTestId('backfill-command'))).toBe('npm run simulate -- --backfill 30d');
    expect(await text(empty)).toContain('DATA/PM/<PANEL_ID>');
    // Nothing else under it: no cards, charts, history or pickers (only the language switch).
    expect(await page.locator('main canvas, main figure, article.card, main select').count()).toBe(0);
    expect(await page.locator('select').evaluateAll((all) => all.map((s) => s.getAttribute('name')))).toEqual(['lang']);
    expect(errors).toEqual([]);

    // The first reading replaces it with the dashboard.
    seed(app.app, [{ panelId: 'PANEL_A', time: new Date(Math.floor(Date.now() / 1000) * 1000 - 1_000), kwh: 10 }]);
    await card(page, 'PANEL_A').waitFor(LOADED);
    expect(await empty.count()).toBe(0);
  });
});
