import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { disposer, type Disposer } from '../support/disposer.js';

/** Screenshots of every view, kept by each run (git-ignored). */
export const ARTIFACTS = fileURLToPath(new URL('./artifacts/', import.meta.url));

export const LAPTOP = { width: 1280, height: 900 } as const;
export const PHONE = { width: 390, height: 844 } as const;
/** The sizes every view is checked at (accessibility, language, screenshots). */
export const DESKTOP = { width: 1280, height: 800 } as const;
export const SIZES = { desktop: DESKTOP, phone: PHONE } as const;

/** The page's languages (web/src/i18n/): Indonesian unless English was picked. */
export type PageLang = 'id' | 'en';

/**
 * Debian's Chromium, headless, with nothing that reaches the internet (no component updates,
 * sync, QUIC or background networking): the machine is offline and the page must not need it.
 */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-sync',
      '--disable-quic',
    ],
  });
}

/** A page in a fresh browser context (no shared storage, cookies or cache between tests). */
export interface OpenedPage {
  readonly page: Page;
  /** Every URL the page requested or opened a WebSocket to, in order. */
  readonly requests: string[];
  /** Uncaught exceptions and console errors (a CSP violation is one), not failed requests. */
  readonly errors: string[];
}

export async function openPage(
  browser: Browser,
  url: string,
  disposers: Disposer,
  viewport: { readonly width: number; readonly height: number } = LAPTOP,
  options: { readonly lang?: PageLang } = {},
): Promise<OpenedPage> {
  // Reduced motion: the charts draw without animation, so screenshots show them complete.
  const context = await browser.newContext({ viewport, reducedMotion: 'reduce', deviceScaleFactor: 1 });
  disposers.add(() => context.close());
  if (options.lang) {
    // As if the switch had been used before: kept when the page changes it (and reloads).
    await context.addInitScript((lang) => {
      if (!localStorage.getItem('energy-dashboard.lang')) localStorage.setItem('energy-dashboard.lang', lang);
    }, options.lang);
  }
  const page = await context.newPage();
  const requests: string[] = [];
  const errors: string[] = [];
  page.on('request', (request) => requests.push(request.url()));
  page.on('websocket', (socket) => requests.push(socket.url()));
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    // A GraphQL error answered with HTTP 4xx is logged by Chromium as a failed resource; the
    // widget shows it in place, and tests check the widgets.
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) errors.push(message.text());
  });
  await page.goto(url);
  return { page, requests, errors };
}

/**
 * Saves a screenshot as artifacts/<name>.png: of one part of the page, or of a page as the
 * screen shows it (its viewport) and, as <name>-full.png, from top to bottom.
 */
export async function screenshot(target: Page | Locator, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const path = `${ARTIFACTS}${name}.png`;
  if ('goto' in target) {
    await target.screenshot({ path });
    await target.screenshot({ path: `${ARTIFACTS}${name}-full.png`, fullPage: true });
  } else {
    await target.screenshot({ path });
  }
}

/** The card of one panel. */
export function card(page: Page, panelId: string): Locator {
  return page.locator(`article.card[data-panel-id="${panelId}"]`);
}

/** One figure of a card or of the building totals, by its data-field. */
export function field(scope: Locator, name: string): Locator {
  return scope.locator(`[data-field="${name}"]`);
}

/**
 * The text of what `locator` matches now, whitespace normalized (NBSP too): for `expect.poll`,
 * so it never blocks waiting for an element (vitest's expect has no Playwright matchers).
 */
export async function text(locator: Locator): Promise<string> {
  return normalized((await locator.allTextContents()).join(' | '));
}

/** An attribute of the first element `locator` matches now; null when there is none. */
export async function attribute(locator: Locator, name: string): Promise<string | null> {
  const values = await locator.evaluateAll((elements, attr) => elements.map((element) => element.getAttribute(attr)), name);
  return values[0] ?? null;
}

/** The rows of a chart's number table: each cell's exact value (data-value) and its text. */
export async function tableRows(chart: Locator): Promise<Array<Array<{ value: string | null; text: string }>>> {
  return chart.locator('tbody tr').evaluateAll((rows) =>
    rows.map((row) => Array.from(row.querySelectorAll('td'), (cell) => ({ value: cell.getAttribute('data-value'), text: cell.textContent ?? '' }))),
  );
}

/** Rupiah as the page writes it (id-ID, two decimals), whitespace normalized like Playwright's. */
export function rupiah(value: number | { readonly amount: string }): string {
  return new Intl.NumberFormat('id-ID', { style: 'currency', currency: 'IDR', minimumFractionDigits: 2, maximumFractionDigits: 2 })
    .format(typeof value === 'number' ? value : Number(value.amount))
    .replace(/\s/g, ' ');
}

/** kWh as the page writes it: id-ID, three decimals. */
export function kwh(value: number): string {
  return `${new Intl.NumberFormat('id-ID', { minimumFractionDigits: 3, maximumFractionDigits: 3 }).format(value)} kWh`;
}

/** Whitespace as Playwright compares it (NBSP and narrow NBSP are spaces). */
export function normalized(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** What every browser test file sets up: one Chromium for the file, and a disposer run after each test. */
export function browserSuite(): { readonly browser: Browser; readonly disposers: Disposer } {
  let browser: Browser | undefined;
  const disposers = disposer();
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(() => browser?.close());
  afterEach(() => disposers.run());
  return {
    get browser() {
      if (!browser) throw new Error('the browser is launched in beforeAll');
      return browser;
    },
    disposers,
  };
}
