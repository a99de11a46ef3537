import type { MqttClient } from 'mqtt';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { bearer, makeKey, type TestKey } from '../access/support.js';
import { httpData } from '../support/graphql-client.js';
import { seed, type SeedReading } from '../support/seed.js';
import { connectMeter, meterPayload } from '../support/mqtt.js';
import { axeViolations } from './axe.js';
import { NAMES, startBuildingApp } from './building.js';
import type { TestApp } from '../support/test-app.js';
import { untranslated } from './page-text.js';
import { attribute, browserSuite, card, field, openPage, screenshot, SIZES, text, type PageLang } from './support.js';

/**
 * The alarm list (docs/alarms.md "Page"): the real product, real readings over MQTT raising
 * alarms, real Chromium. An operator's key sees an alarm arrive live, follows the card's and the
 * badge's links to it, acknowledges it with a note (the page and the API agree), and reads a
 * panel's history; a viewer's key is told why it cannot acknowledge; budgets show as progress.
 */
const LOADED = { timeout: 30_000 };
const suite = browserSuite();
const { disposers } = suite;

const operator = makeKey('ops-desk', 'operator');
const viewer = makeKey('lobby-screen', 'viewer');
const admin = makeKey('site-admin', 'admin');
const NOTE = 'teknisi dipanggil';
/** Words the page shows that the API gave (panel names, key names, the note typed). */
const GIVEN = [...NAMES, 'Asia/Jakarta', 'key:ops-desk', NOTE];
/** Every opened page's uncaught exceptions and console errors: none by the end. */
const pageErrors: string[][] = [];

const ROW_TEXT: Record<PageLang, { state: string; ackedState: string; value: string }> = {
  id: { state: 'Aktif, belum diakui', ackedState: 'Aktif, sudah diakui', value: '240,0 V (batas 231,0 V)' },
  en: { state: 'Active, not acknowledged', ackedState: 'Active, acknowledged', value: '240,0 V (threshold 231,0 V)' },
};

/** Minute readings ending a second ago at these phase voltages, oldest first. */
async function publishVolts(meter: MqttClient, panelId: string, volts: readonly number[]): Promise<void> {
  const end = Math.floor(Date.now() / 1000) * 1000 - 1000;
  for (const [i, v] of volts.entries()) {
    const time = new Date(end - (volts.length - 1 - i) * 60_000);
    await meter.publishAsync(`DATA/PM/${panelId}`, meterPayload({ kWh: String(1000 + i * 0.1), kw: '6', v: [v, v, v, v], time }), { qos: 1 });
  }
}

/** The page as the holder of `key` (kept for the tab, as the sign-in form keeps it), at `hash`. */
async function pageAs(baseUrl: string, key: TestKey, hash: string, lang: PageLang, size: { width: number; height: number } = SIZES.desktop): Promise<Page> {
  const { page, errors } = await openPage(suite.browser, `${baseUrl}/`, disposers, size, { lang });
  pageErrors.push(errors);
  await page.evaluate((secret) => sessionStorage.setItem('energy-dashboard.api-key', secret), key.key);
  await page.goto(`${baseUrl}/${hash}`);
  await page.reload();
  return page;
}

function row(page: Page, scope: 'open-alarms' | 'alarm-history', panelId: string) {
  return page.getByTestId(scope).locator(`li.alarm-row[data-panel-id="${panelId}"]`);
}

async function checkView(page: Page, name: string): Promise<void> {
  expect(await untranslated(page, GIVEN)).toEqual([]);
  expect(await axeViolations(page)).toEqual([]);
  await screenshot(page, name);
}

describe('the alarm list', () => {
  it('an operator sees an alarm arrive live, acknowledges it with a note, and reads a panel history; a viewer may not acknowledge', { timeout: 180_000 }, async () => {
    const app = await startBuildingApp(disposers, { AUTH: 'required', API_KEYS: [operator.entry, viewer.entry, admin.entry].join(',') });
    const meter = await connectMeter(app.mqttUrl, disposers);
    await httpData(app.httpUrl, 'mutation { setBudget(input: { kwh: 5000 }) { userErrors { code } } }', {}, bearer(admin.key));
    // PANEL_B: out of band for 6 minutes, then inside the margin for 6 (raised and cleared: its history).
    await publishVolts(meter, 'PANEL_B', [...Array<number>(7).fill(240), ...Array<number>(7).fill(225)]);

    // The operator's list is open before PANEL_A's alarm exists: it arrives live (alarmChanged).
    const page = await pageAs(app.baseUrl, operator, '#/alarms', 'id');
    await page.getByTestId('alarm-list').waitFor(LOADED);
    await expect.poll(() => row(page, 'alarm-history', 'PANEL_B').count(), LOADED).toBe(1);
    expect(await row(page, 'open-alarms', 'PANEL_A').count()).toBe(0);
    await publishVolts(meter, 'PANEL_A', Array<number>(10).fill(240));
    const openA = row(page, 'open-alarms', 'PANEL_A');
    await expect.poll(() => attribute(openA, 'data-state'), LOADED).toBe('ACTIVE_UNACK');
    expect(await text(field(openA, 'severity'))).toBe('Mayor');
    expect(await text(field(openA, 'type'))).toBe('Tegangan di luar rentang');
    // The panel's name: asked for again on the change (the panel was first seen after the page loaded).
    await expect.poll(() => text(field(openA, 'panel')), LOADED).toBe('Lantai 1');
    expect(await text(field(openA, 'value'))).toBe(ROW_TEXT.id.value);
    expect(await text(field(openA, 'state'))).toBe(ROW_TEXT.id.state);
    const alarmId = (await attribute(openA, 'data-alarm-id'))!;
    await checkView(page, 'alarm-list-id-desktop');

    // The dashboard's card and badge lead to the list.
    await page.goto(`${app.baseUrl}/#/`);
    const onCard = field(card(page, 'PANEL_A'), 'alarm');
    await expect.poll(() => text(onCard), LOADED).toBe('Alarm Mayor: Tegangan di luar rentang');
    await expect.poll(() => page.getByTestId('budgets').locator('[data-budget="building"] progress').count(), LOADED).toBe(1);
    await screenshot(page.getByTestId('budgets'), 'alarm-budgets-progress');
    await onCard.locator('a').click();
    await expect.poll(() => page.evaluate(() => location.hash)).toBe('#/alarms/PANEL_A');
    await expect.poll(() => attribute(row(page, 'open-alarms', 'PANEL_A'), 'data-alarm-id'), LOADED).toBe(alarmId);
    expect(await row(page, 'alarm-history', 'PANEL_B').count()).toBe(0);
    await page.goto(`${app.baseUrl}/#/`);
    await page.getByTestId('alarm-badge-link').click();
    await expect.poll(() => page.evaluate(() => location.hash)).toBe('#/alarms');

    // Acknowledged with a note: the page shows it (the API's answer, then alarmChanged), and so does the API.
    const shown = row(page, 'open-alarms', 'PANEL_A');
    await shown.locator('input[name="note"]').waitFor(LOADED);
    await shown.locator('input[name="note"]').fill(NOTE);
    await shown.locator('button[type="submit"]').click();
    await expect.poll(() => attribute(shown, 'data-state'), LOADED).toBe('ACTIVE_ACK');
    expect(await text(field(shown, 'state'))).toBe(ROW_TEXT.id.ackedState);
    expect(await text(field(shown, 'acknowledged'))).toContain(`key:ops-desk`);
    expect(await text(field(shown, 'acknowledged'))).toContain(NOTE);
    expect(await shown.getByTestId('acknowledge').count()).toBe(0);
    const api = await httpData<{ alarm: { state: string; note: string; acknowledgedBy: string } }, { id: string }>(
      app.httpUrl,
      'query($id: ID!) { alarm(id: $id) { state note acknowledgedBy } }',
      { id: alarmId },
      bearer(viewer.key),
    );
    expect(api.alarm).toEqual({ state: 'ACTIVE_ACK', note: NOTE, acknowledgedBy: 'key:ops-desk' });
    await checkView(page, 'alarm-list-id-acknowledged');

    await checkViewer(app.baseUrl);
    await checkHistoryPaging(app);
    await checkEnglishPhoneAndPrint(app.baseUrl);
    expect(pageErrors.flat()).toEqual([]);
  });
});

/** A viewer's key: the cleared alarm of PANEL_B can be read, not acknowledged, and the page says why. */
async function checkViewer(baseUrl: string): Promise<void> {
  const page = await pageAs(baseUrl, viewer, '#/alarms/PANEL_B', 'id');
  const cleared = row(page, 'alarm-history', 'PANEL_B');
  await expect.poll(() => attribute(cleared, 'data-state'), LOADED).toBe('CLEARED_UNACK');
  const button = cleared.locator('button[type="submit"]');
  expect(await button.isDisabled()).toBe(true);
  expect(await attribute(button, 'aria-describedby')).toBe('ack-refused');
  expect(await text(page.locator('#ack-refused'))).toBe('Mengakui alarm perlu kunci dengan peran operator atau admin; peran kunci Anda: viewer');
  expect(await cleared.locator('input[name="note"]').count()).toBe(0);
  await checkView(page, 'alarm-list-id-viewer');
  // Acknowledged elsewhere (an operator through the API): the viewer's page follows alarmChanged.
  const id = (await attribute(cleared, 'data-alarm-id'))!;
  await httpData(`${baseUrl}/graphql`, 'mutation($id: ID!) { acknowledgeAlarm(input: { id: $id }) { userErrors { code } } }', { id }, bearer(operator.key));
  await expect.poll(() => attribute(cleared, 'data-state'), LOADED).toBe('CLEARED_ACK');
  expect(await text(field(cleared, 'state'))).toBe('Pulih, sudah diakui');
  expect(await cleared.getByTestId('acknowledge').count()).toBe(0);
}

/** English at phone width (nothing wider than the screen), and printed: the forms and pickers left out. */
async function checkEnglishPhoneAndPrint(baseUrl: string): Promise<void> {
  const page = await pageAs(baseUrl, operator, '#/alarms', 'en', SIZES.phone);
  const openA = row(page, 'open-alarms', 'PANEL_A');
  await expect.poll(() => text(field(openA, 'state')), LOADED).toBe(ROW_TEXT.en.ackedState);
  expect(await text(field(openA, 'value'))).toBe(ROW_TEXT.en.value);
  await expect.poll(() => text(field(row(page, 'alarm-history', 'PANEL_B'), 'state')), LOADED).toBe('Cleared, acknowledged');
  expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
  await checkView(page, 'alarm-list-en-phone');
  await page.emulateMedia({ media: 'print' });
  expect(await page.getByTestId('acknowledge').first().isVisible()).toBe(false);
  expect(await page.locator('select[name="alarm-panel"]').isVisible()).toBe(false);
  expect(await openA.isVisible()).toBe(true);
  await screenshot(page, 'alarm-list-en-print');
}

/**
 * More cleared alarms than a page holds (20): PANEL_C out of band and back 21 times. The history
 * shows the newest 20, "Load more" the 21st by the connection's cursor, in the API's order.
 */
async function checkHistoryPaging(app: TestApp): Promise<void> {
  const cycles = 21;
  const start = Date.now() - (cycles * 14 + 1) * 60_000;
  const readings: SeedReading[] = Array.from({ length: cycles * 14 }, (_, i) => {
    const v = i % 14 < 7 ? 240 : 225;
    return { panelId: 'PANEL_C', time: new Date(start + i * 60_000), kwh: 2000 + i * 0.1, voltage: [v, v, v, v] };
  });
  seed(app.app, readings);
  const api = await httpData<{ alarms: { totalCount: number; edges: Array<{ node: { id: string } }> } }, unknown>(
    app.httpUrl,
    '{ alarms(filter: { panelId: "PANEL_C", open: false }, first: 100) { totalCount edges { node { id } } } }',
    {},
    bearer(operator.key),
  );
  expect(api.alarms.totalCount).toBe(cycles);
  const page = await pageAs(app.baseUrl, operator, '#/alarms/PANEL_C', 'en');
  const rows = page.getByTestId('alarm-history').locator('li.alarm-row');
  const ids = () => rows.evaluateAll((items) => items.map((item) => item.getAttribute('data-alarm-id')));
  await expect.poll(() => rows.count(), LOADED).toBe(20);
  expect(await ids()).toEqual(api.alarms.edges.slice(0, 20).map((edge) => edge.node.id));
  await page.getByTestId('history-more').click();
  await expect.poll(() => rows.count(), LOADED).toBe(cycles);
  expect(await ids()).toEqual(api.alarms.edges.map((edge) => edge.node.id));
  expect(await page.getByTestId('history-more').count()).toBe(0);
  expect(await text(page.locator('#alarm-history-title small'))).toBe(`${cycles} of ${cycles}`);
}
