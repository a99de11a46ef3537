import { createServer } from 'node:http';
import { describe, expect, it } from 'vitest';
import { httpData } from '../support/graphql-client.js';
import { freePort } from '../support/net.js';
import { connectMeter } from '../support/mqtt.js';
import { clearOfMidnight, publishReading, seed, startOfTodayWib } from '../support/seed.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { makeKey } from '../access/support.js';
import { id } from '../../web/src/i18n/id.js';
import { attribute, card, field, kwh, browserSuite, openPage, PHONE, rupiah, screenshot, text } from './support.js';

/** What the page shows, asked of the API the same way. */
const DASHBOARD = /* GraphQL */ `
  {
    overview { panelCount onlineCount offlineCount todayUsage { energyKwh cost { amount } } }
    panels { nodes { id name status latestReading { activePowerKw voltage { average } current { average } } todayUsage { energyKwh cost { amount } } } }
  }
`;
interface DashboardResult {
  overview: { panelCount: number; onlineCount: number; offlineCount: number; todayUsage: { energyKwh: number; cost: { amount: string } } };
  panels: {
    nodes: Array<{
      id: string;
      name: string;
      status: 'ONLINE' | 'OFFLINE';
      latestReading: { activePowerKw: number; voltage: { average: number | null }; current: { average: number | null } } | null;
      todayUsage: { energyKwh: number; cost: { amount: string } };
    }>;
  };
}

const PANELS = ['PANEL_A', 'PANEL_B', 'PANEL_C'] as const;
const PANEL_NAMES = 'PANEL_A=Lantai 1,PANEL_B=Lantai 2,PANEL_C=Basement';
/** For what the page loads and renders; the one timed check has its own limit. */
const LOADED = { timeout: 10_000 };

const suite = browserSuite();
const { disposers } = suite;

async function startApp(env: Record<string, string> = {}): Promise<TestApp> {
  return disposers.use(await startTestApp({ PANEL_NAMES, ...env }), (app) => app.stop({ removeData: true }));
}

/**
 * Each panel: a reading three hours before local midnight (the baseline of today) and one a
 * second ago, its counter `k * 12.345` kWh higher. Returns the time of the recent readings.
 */
async function seedToday(app: TestApp): Promise<Date> {
  const now = await clearOfMidnight();
  const midnight = startOfTodayWib(now).getTime();
  const recent = new Date(Math.floor(now.getTime() / 1000) * 1000 - 1_000);
  seed(
    app.app,
    PANELS.flatMap((panelId, k) => [
      { panelId, time: new Date(midnight - 3 * 3_600_000), kwh: 1_000 },
      {
        panelId,
        time: recent,
        kwh: Number((1_000 + (k + 1) * 12.345).toFixed(3)),
        kw: 6.5 + k,
        voltage: [229.5, 230.2, 231.0, 230.2] as const,
        current: [8.5, 9.0, 9.3, 8.9] as const,
      },
    ]),
  );
  return recent;
}

describe('dashboard page', () => {
  it('loads with the seeded panels, showing exactly the API numbers, on a laptop and a phone', async () => {
    const app = await startApp();
    await seedToday(app);
    const { page, requests, errors } = await openPage(suite.browser, `${app.baseUrl}/`, disposers);

    const cardIds = () => page.locator('article.card').evaluateAll((cards) => cards.map((c) => c.getAttribute('data-panel-id')));
    await expect.poll(cardIds, LOADED).toEqual([...PANELS]);
    const api = await httpData<DashboardResult, Record<string, never>>(app.httpUrl, DASHBOARD);
    expect(api.panels.nodes.map((p) => p.todayUsage.energyKwh)).toEqual([12.345, 24.69, 37.035]);
    for (const panel of api.panels.nodes) {
      const shown = card(page, panel.id);
      expect(await attribute(shown, 'data-status')).toBe(panel.status);
      expect(await text(shown.getByRole('heading'))).toBe(panel.name);
      expect(await attribute(field(shown, 'kw'), 'data-value')).toBe(String(panel.latestReading?.activePowerKw));
      expect(await attribute(field(shown, 'a'), 'data-value')).toBe(String(panel.latestReading?.current.average));
      expect(await attribute(field(shown, 'v'), 'data-value')).toBe(String(panel.latestReading?.voltage.average));
      expect(await attribute(field(shown, 'today-kwh'), 'data-value')).toBe(String(panel.todayUsage.energyKwh));
      expect(await attribute(field(shown, 'today-cost'), 'data-value')).toBe(panel.todayUsage.cost.amount);
      expect(await text(field(shown, 'today-kwh'))).toBe(kwh(panel.todayUsage.energyKwh));
      expect(await text(field(shown, 'today-cost'))).toBe(rupiah(panel.todayUsage.cost));
    }
    // The seeded values, written out: Indonesian notation, the meter's precision.
    const first = card(page, 'PANEL_A');
    expect(await text(first.getByRole('heading'))).toBe('Lantai 1');
    // In Bahasa Indonesia, the page's default language.
    expect(await text(field(first, 'status'))).toBe(id.statusONLINE);
    expect(await text(field(first, 'kw'))).toBe('6,50 kW');
    expect(await text(field(first, 'a'))).toBe('8,90 A');
    expect(await text(field(first, 'v'))).toBe('230,2 V');
    expect(await text(field(first, 'today-kwh'))).toBe('12,345 kWh');

    const totals = page.getByTestId('building-totals');
    expect(await attribute(field(totals, 'today-kwh'), 'data-value')).toBe(String(api.overview.todayUsage.energyKwh));
    expect(await attribute(field(totals, 'today-cost'), 'data-value')).toBe(api.overview.todayUsage.cost.amount);
    expect(await text(field(totals, 'today-cost'))).toBe(rupiah(api.overview.todayUsage.cost));
    expect(await attribute(field(totals, 'panel-count'), 'data-value')).toBe(String(api.overview.panelCount));
    expect(await attribute(field(totals, 'online-count'), 'data-value')).toBe(String(api.overview.onlineCount));
    expect(await attribute(field(totals, 'offline-count'), 'data-value')).toBe(String(api.overview.offlineCount));

    // Nothing from the internet: every request and socket went to the product itself.
    await page.getByTestId('yearly-chart').locator('canvas').waitFor(LOADED);
    const origin = new URL(app.baseUrl);
    expect(requests.length).toBeGreaterThan(3);
    expect(requests.filter((url) => new URL(url).host !== origin.host)).toEqual([]);
    expect(requests).toContain(`ws://${origin.host}/graphql`);
    expect(errors).toEqual([]);
    await screenshot(page, 'dashboard-laptop');
    await screenshot(page.locator('section:has(#panels-title)'), 'cards');

    // A phone: one column of cards, nothing wider than the screen.
    const phone = await openPage(suite.browser, `${app.baseUrl}/`, disposers, PHONE);
    await expect.poll(cardIds.bind(null), LOADED).toEqual([...PANELS]);
    await expect.poll(() => attribute(card(phone.page, 'PANEL_C'), 'data-status'), LOADED).toBe('ONLINE');
    await phone.page.getByTestId('yearly-chart').locator('canvas').waitFor(LOADED);
    expect(await phone.page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
    const lefts = await Promise.all(PANELS.map(async (id) => (await card(phone.page, id).boundingBox())?.x));
    expect(new Set(lefts).size).toBe(1);
    expect(phone.errors).toEqual([]);
    await screenshot(phone.page, 'dashboard-phone');
  });

  it('updates a card within a second of a reading published over MQTT', async () => {
    const app = await startApp();
    const recent = await seedToday(app);
    const meter = await connectMeter(app.mqttUrl, disposers);
    const { page } = await openPage(suite.browser, `${app.baseUrl}/`, disposers);
    const shown = card(page, 'PANEL_B');
    await expect.poll(() => text(field(shown, 'kw')), LOADED).toBe('7,50 kW');

    // The first reading proves the live subscription is running (the query answered before it
    // was sent, so only the subscription can bring it); the second is timed. Same counter: only
    // the meter values change (a counter jump within 200 ms would be implausible).
    await publishReading(meter, { panelId: 'PANEL_B', time: new Date(recent.getTime() + 200), kwh: 1_024.69, kw: 8.25 });
    await expect.poll(() => text(field(shown, 'kw')), LOADED).toBe('8,25 kW');

    const publishedAt = Date.now();
    await publishReading(meter, {
      panelId: 'PANEL_B',
      time: new Date(recent.getTime() + 400),
      kwh: 1_024.69,
      kw: 11.75,
      voltage: [220.1, 221.2, 222.3, 221.2],
      current: [20.5, 21.5, 22.5, 21.5],
    });
    const withinASecond = () => ({ timeout: Math.max(1, 1_000 - (Date.now() - publishedAt)), interval: 20 });
    await expect.poll(() => text(field(shown, 'kw')), withinASecond()).toBe('11,75 kW');
    await expect.poll(() => text(field(shown, 'a')), withinASecond()).toBe('21,50 A');
    await expect.poll(() => text(field(shown, 'v')), withinASecond()).toBe('221,2 V');
    // The other cards did not change.
    expect(await text(field(card(page, 'PANEL_A'), 'kw'))).toBe('6,50 kW');
  });

  it('turns a panel that goes silent OFFLINE, and counts it in the building totals', async () => {
    const app = await startApp({ OFFLINE_AFTER: '3s' });
    // Silent for an hour: OFFLINE from the start.
    seed(app.app, [{ panelId: 'PANEL_A', time: new Date(Date.now() - 3_600_000), kwh: 100 }]);
    const meter = await connectMeter(app.mqttUrl, disposers);
    const { page } = await openPage(suite.browser, `${app.baseUrl}/`, disposers);
    const shown = card(page, 'PANEL_A');
    const totals = page.getByTestId('building-totals');
    await expect.poll(() => attribute(shown, 'data-status'), LOADED).toBe('OFFLINE');
    expect(await attribute(field(totals, 'offline-count'), 'data-value')).toBe('1');

    // A reading brings it ONLINE; three seconds of silence later the server's timer says OFFLINE.
    await publishReading(meter, { panelId: 'PANEL_A', time: new Date(Math.floor(Date.now() / 1000) * 1000), kwh: 100.001 });
    await expect.poll(() => attribute(shown, 'data-status'), { timeout: 2_500 }).toBe('ONLINE');
    expect(await text(field(shown, 'status'))).toBe(id.statusONLINE);
    await expect.poll(() => attribute(field(totals, 'online-count'), 'data-value'), { timeout: 2_500 }).toBe('1');
    await screenshot(shown, 'card-online');

    // Generous: on a loaded machine the page's socket may be reconnecting when the timer fires.
    await expect.poll(() => attribute(shown, 'data-status'), { timeout: 30_000 }).toBe('OFFLINE');
    expect(await text(field(shown, 'status'))).toBe(id.statusOFFLINE);
    await expect.poll(() => attribute(field(totals, 'offline-count'), 'data-value'), LOADED).toBe('1');
    expect(await attribute(field(totals, 'online-count'), 'data-value')).toBe('0');
    await screenshot(shown, 'card-offline');
  });

  it('reconnects after the server restarts and shows what happened meanwhile', async () => {
    const port = String(await freePort());
    let app = await startTestApp({ PANEL_NAMES, PORT: port });
    disposers.add(() => app.stop({ removeData: true }));
    const recent = await seedToday(app);
    const { page } = await openPage(suite.browser, `${app.baseUrl}/`, disposers);
    const badge = page.locator('.live-badge');
    await expect.poll(() => attribute(badge, 'data-state'), LOADED).toBe('live');
    await expect.poll(() => text(field(card(page, 'PANEL_A'), 'kw')), LOADED).toBe('6,50 kW');

    await app.stop();
    await expect.poll(() => attribute(badge, 'data-state'), LOADED).not.toBe('live');
    // Same port and data; a reading arrives while the page is not connected: no live event
    // carries it to the page, only the query asked again after the reconnection.
    app = await startTestApp({ PANEL_NAMES, PORT: port }, app.dataDir);
    seed(app.app, [{ panelId: 'PANEL_A', time: new Date(recent.getTime() + 500), kwh: 1_012.345, kw: 9.75 }]);
    await expect.poll(() => attribute(badge, 'data-state'), { timeout: 15_000 }).toBe('live');
    await expect.poll(() => text(field(card(page, 'PANEL_A'), 'kw')), LOADED).toBe('9,75 kW');
  });

  // Needs the todayUsage and overview subscriptions (landing in the API): the page shows pushed
  // totals, not the re-fetch it falls back to without them.
  it("pushes today's usage to the card and the building totals as readings arrive", async () => {
    const app = await startApp();
    await seedToday(app);
    const meter = await connectMeter(app.mqttUrl, disposers);
    const { page } = await openPage(suite.browser, `${app.baseUrl}/`, disposers);
    const shown = card(page, 'PANEL_C');
    await expect.poll(() => text(field(shown, 'today-kwh')), LOADED).toBe('37,035 kWh');

    // Now is at least a second after the seeded reading: 5 Wh at 8.5 kW is a plausible step.
    await publishReading(meter, { panelId: 'PANEL_C', time: new Date(Math.floor(Date.now() / 1000) * 1000), kwh: 1_037.04, kw: 8.5 });
    const api = await httpData<DashboardResult, Record<string, never>>(app.httpUrl, DASHBOARD);
    const panel = api.panels.nodes.find((p) => p.id === 'PANEL_C');
    expect(panel?.todayUsage.energyKwh).toBe(37.04);
    // At most one push per second per panel: the update may wait for the previous one.
    await expect.poll(() => text(field(shown, 'today-kwh')), { timeout: 2_000 }).toBe('37,040 kWh');
    expect(await attribute(field(shown, 'today-cost'), 'data-value')).toBe(panel?.todayUsage.cost.amount);
    const totals = page.getByTestId('building-totals');
    await expect.poll(() => attribute(field(totals, 'today-kwh'), 'data-value'), { timeout: 2_000 }).toBe(String(api.overview.todayUsage.energyKwh));
    expect(await page.getByTestId('live-totals-fallback').count()).toBe(0);
  });

  // Only the pushed totals carry the blocks (LiveOverview in operations/live-usage.graphql).
  it("splits the building's day by tariff block on a time-of-use plan", async () => {
    const app = await startApp({ TARIFF_PLAN: 'time-of-use', TARIFF_LWBP_RP_PER_KWH: '1000' });
    await seedToday(app);
    const { page } = await openPage(suite.browser, `${app.baseUrl}/`, disposers);
    type Blocks = { site: { overview: { todayUsage: { blocks: Array<{ block: string; energyKwh: number; cost: { amount: string } }> } } } };
    const { overview } = (await httpData<Blocks, Record<string, never>>(app.httpUrl, '{ site { overview { todayUsage { blocks { block energyKwh cost { amount } } } } } }')).site;
    const names: Record<string, string> = { LWBP: id.blockLWBP, WBP: id.blockWBP };
    const shown = page.getByTestId('building-totals').locator('li[data-block]');
    await expect
      .poll(() => text(shown), LOADED)
      .toBe(overview.todayUsage.blocks.map((b) => `${names[b.block]}: ${kwh(b.energyKwh)} · ${rupiah(b.cost)} (${id.taxExcluded})`).join(' | '));
    expect(overview.todayUsage.blocks.map((b) => b.block)).toEqual(['LWBP', 'WBP']);
  });

  // Needs currentBill (landing in the API).
  it("shows this month's bill and its projection from the API in the header", async () => {
    const app = await startApp();
    await seedToday(app);
    const { page } = await openPage(suite.browser, `${app.baseUrl}/`, disposers);
    const bill = page.getByTestId('bill');
    await bill.waitFor(LOADED);
    // The projection moves with the clock (by the minute): ask the API right after the page did.
    const api = await httpData<
      { currentBill: { monthToDate: { energyKwh: number; total: { amount: string } }; projectedTotal: { amount: string }; projectedEnergyKwh: number } },
      Record<string, never>
    >(app.httpUrl, '{ currentBill { monthToDate { energyKwh total { amount } } projectedTotal { amount } projectedEnergyKwh } }');
    expect(await attribute(field(bill, 'bill-total'), 'data-value')).toBe(api.currentBill.monthToDate.total.amount);
    expect(await text(field(bill, 'bill-total'))).toBe(rupiah(api.currentBill.monthToDate.total));
    expect(await attribute(field(bill, 'bill-kwh'), 'data-value')).toBe(String(api.currentBill.monthToDate.energyKwh));
    expect(await attribute(field(bill, 'bill-projected'), 'data-value')).toBe(api.currentBill.projectedTotal.amount);
    expect(await attribute(field(bill, 'bill-projected-kwh'), 'data-value')).toBe(String(api.currentBill.projectedEnergyKwh));
    await screenshot(page.locator('header.top'), 'header-bill');
  });

  it('asks for an API key when access control is on, says when one is refused, and keeps a good one for the tab', async () => {
    const key = makeKey('lobby-screen', 'viewer');
    const app = await startApp({ AUTH: 'required', API_KEYS: key.entry });
    await seedToday(app);
    const { page } = await openPage(suite.browser, `${app.baseUrl}/`, disposers);
    await page.locator('[data-access="needs-key"]').waitFor(LOADED);
    await screenshot(page, 'sign-in');

    const signIn = async (secret: string) => {
      await page.locator('input[name="api-key"]').fill(secret);
      await page.locator('form button[type="submit"]').click();
    };
    await signIn('emk_not-the-key');
    await page.locator('[data-access="refused"]').waitFor(LOADED);
    expect(await page.locator('.live-badge').count()).toBe(0);

    await signIn(key.key);
    await page.locator('.live-badge[data-state="live"]').waitFor(LOADED);
    await card(page, 'PANEL_A').waitFor(LOADED);
    expect(await page.evaluate(() => sessionStorage.getItem('energy-dashboard.api-key'))).toBe(key.key);
    // Reloaded, the tab still has its key: straight to the dashboard.
    await page.reload();
    await page.locator('.live-badge[data-state="live"]').waitFor(LOADED);
    expect(await page.locator('[data-access]').count()).toBe(0);
  });

  it('works from a page on another origin only when CORS_ORIGINS lists it', async () => {
    const key = makeKey('kiosk', 'viewer');
    // A page on its own loopback server (another origin: another port) that calls the API.
    const pages = createServer((req, res) => {
      const api = new URL(req.url ?? '/', 'http://x').searchParams.get('api') ?? '';
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(`<!doctype html><title>kiosk</title><body><script type="module">
        const api = ${JSON.stringify(api)};
        const show = (name, value) => document.body.setAttribute('data-' + name, value);
        fetch(api, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer ${key.key}' }, body: JSON.stringify({ query: '{ panels { nodes { id } } }' }) })
          .then((r) => r.json()).then((body) => show('http', body.data.panels.nodes.map((p) => p.id).join(','))).catch(() => show('http', 'failed'));
        const socket = new WebSocket(api.replace('http', 'ws'), 'graphql-transport-ws');
        socket.onopen = () => show('ws', 'open');
        socket.onerror = () => show('ws', 'failed');
      </script></body>`);
    });
    await new Promise<void>((resolve) => pages.listen(0, '127.0.0.1', resolve));
    disposers.add(() => new Promise<void>((resolve) => pages.close(() => resolve())));
    const address = pages.address();
    const pageOrigin = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;

    const listed = await startApp({ AUTH: 'required', API_KEYS: key.entry, CORS_ORIGINS: `https://dash.example.co.id,${pageOrigin}` });
    const unlisted = await startApp({ AUTH: 'required', API_KEYS: key.entry, CORS_ORIGINS: 'https://dash.example.co.id' });
    await seedToday(listed);
    await seedToday(unlisted);
    const outcome = async (app: TestApp) => {
      const { page } = await openPage(suite.browser, `${pageOrigin}/?api=${encodeURIComponent(app.httpUrl)}`, disposers);
      await page.waitForFunction(() => document.body?.hasAttribute('data-http') && document.body.hasAttribute('data-ws'), undefined, LOADED);
      return { http: await page.locator('body').getAttribute('data-http'), ws: await page.locator('body').getAttribute('data-ws') };
    };
    expect(await outcome(listed)).toEqual({ http: PANELS.join(','), ws: 'open' });
    expect(await outcome(unlisted)).toEqual({ http: 'failed', ws: 'failed' });
  });
});
