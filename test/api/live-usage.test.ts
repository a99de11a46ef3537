import { afterEach, describe, expect, it } from 'vitest';
import { CurrentBillDocument, LiveOverviewDocument, LiveReadingsDocument, LiveTodayUsageDocument, MonthlyBillDocument } from '../generated/graphql.js';
import { httpData, liveSubscriptions, subscribe, wsClient } from '../support/graphql-client.js';
import { disposer } from '../support/disposer.js';
import { clearOfMidnight, seed, startOfTodayWib } from '../support/seed.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const disposers = disposer();
afterEach(() => disposers.run());

async function start(env: Record<string, string> = {}): Promise<TestApp> {
  const api = await startTestApp(env);
  return disposers.use(api, (a) => a.stop({ removeData: true }));
}

describe('live usage', () => {
  it("sends each panel's today at once, then pushes changes, coalesced per panel", async () => {
    const api = await start();
    const now = (await clearOfMidnight(30_000)).getTime();
    const midnight = startOfTodayWib(new Date(now)).getTime();
    seed(api.app, [
      { panelId: 'USE_A', time: new Date(midnight - 60_000), kwh: 100 },
      { panelId: 'USE_A', time: new Date(now - 20_000), kwh: 101.5 },
      { panelId: 'USE_B', time: new Date(now - 20_000), kwh: 50 },
    ]);
    const client = disposers.use(wsClient(api.wsUrl), (c) => c.dispose());
    const usage = disposers.use(subscribe(client, LiveTodayUsageDocument, {}), (s) => s.dispose());
    await usage.received(2);
    expect(usage.results.map((r) => [r.data?.todayUsage.panelId, r.data?.todayUsage.today.energyKwh, r.data?.todayUsage.today.cost.amount])).toEqual([
      ['USE_A', 1.5, '2250.00'],
      ['USE_B', 0, '0.00'],
    ]);

    // Five readings of A in a burst: at most one more message about A within the second, with
    // the newest figure; B is not touched.
    for (let i = 1; i <= 5; i++) seed(api.app, [{ panelId: 'USE_A', time: new Date(now - 20_000 + i * 1_000), kwh: 101.5 + i * 0.1, kw: 500 }]);
    await usage.received(3);
    expect(usage.results[2]?.data?.todayUsage).toMatchObject({ panelId: 'USE_A', today: { energyKwh: 2 } });
    // Its figure is the API's.
    const { overview } = (
      await httpData<{ site: { overview: { todayUsage: { energyKwh: number } } } }, Record<string, never>>(api.httpUrl, '{ site { overview { todayUsage { energyKwh } } } }', {})
    ).site;
    expect(overview.todayUsage.energyKwh).toBe(2);
    // And no further message from the burst: the next message about A carries a reading sent after
    // it (a stray message from the burst would come first, with the burst's figure).
    seed(api.app, [{ panelId: 'USE_A', time: new Date(now - 10_000), kwh: 102.1, kw: 500 }]);
    await usage.received(4);
    expect(usage.results[3]?.data?.todayUsage).toMatchObject({ panelId: 'USE_A', today: { energyKwh: 2.1 } });
    expect(usage.results).toHaveLength(4);
  });

  it('the overview and live readings start with the current state', async () => {
    const api = await start();
    const now = Date.now();
    seed(api.app, [{ panelId: 'OV_A', time: new Date(now - 5_000), kwh: 10 }]);
    const client = disposers.use(wsClient(api.wsUrl), (c) => c.dispose());
    const overview = disposers.use(subscribe(client, LiveOverviewDocument, {}), (s) => s.dispose());
    const readings = disposers.use(subscribe(client, LiveReadingsDocument, {}), (s) => s.dispose());
    expect((await overview.next()).data?.overview).toMatchObject({ panelCount: 1, onlineCount: 1 });
    expect((await readings.next()).data?.panelReading).toMatchObject({ panelId: 'OV_A', meterEnergyKwh: 10 });
    await expect.poll(() => liveSubscriptions(api.baseUrl)).toBe(2);

    seed(api.app, [{ panelId: 'OV_B', time: new Date(now - 1_000), kwh: 20 }]);
    expect((await overview.next()).data?.overview).toMatchObject({ panelCount: 2, onlineCount: 2 });
    // The reading already sent as current state is not sent twice; the new one is.
    expect((await readings.next()).data?.panelReading).toMatchObject({ panelId: 'OV_B', meterEnergyKwh: 20 });
  });
});

describe('bills over GraphQL', () => {
  it('answers the month bill and the month to date, with lines adding up to the total', async () => {
    const api = await start({ TARIFF_PLAN: 'time-of-use', TARIFF_LWBP_RP_PER_KWH: '1000', TARIFF_WBP_MULTIPLIER: '2', TARIFF_TAX_PERCENT: '10' });
    const wib = (text: string) => new Date(`${text}+07:00`);
    seed(api.app, [
      { panelId: 'BILL', time: wib('2025-03-10T16:00:00'), kwh: 100 },
      { panelId: 'BILL', time: wib('2025-03-10T16:30:00'), kwh: 105 }, // LWBP 5
      { panelId: 'BILL', time: wib('2025-03-10T18:00:00'), kwh: 115 }, // WBP 10
    ]);
    const { monthlyBill } = await httpData(api.httpUrl, MonthlyBillDocument, { year: 2025, month: 3, panelId: 'BILL' });
    // Typed lines: an energy line's rate is Rupiah per kWh, a tax line a percentage of its base.
    expect(monthlyBill.lines).toMatchObject([
      { __typename: 'EnergyChargeLine', kind: 'ENERGY', block: 'LWBP', quantityKwh: 5, rate: { amount: '1000.00' }, amount: { amount: '5000.00' } },
      { __typename: 'EnergyChargeLine', kind: 'ENERGY', block: 'WBP', quantityKwh: 10, rate: { amount: '2000.00' }, amount: { amount: '20000.00' } },
      { __typename: 'TaxLine', kind: 'TAX', base: { amount: '25000.00' }, ratePercent: 10, amount: { amount: '2500.00' } },
    ]);
    expect(monthlyBill).toMatchObject({ complete: true, subtotal: { amount: '25000.00' }, tax: { amount: '2500.00' }, total: { amount: '27500.00' }, reactiveEstimated: true }); // no kVArh counter: estimated
    const building = await httpData(api.httpUrl, MonthlyBillDocument, { year: 2025, month: 3 });
    expect(building.monthlyBill.total).toEqual({ amount: '27500.00' });
    const { currentBill } = await httpData(api.httpUrl, CurrentBillDocument, {});
    expect(currentBill.monthToDate.complete).toBe(false);
    expect(currentBill.elapsedFraction).toBeGreaterThan(0);
    const unknown = await fetch(api.httpUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ monthlyBill(year: 2025, month: 13) { total { amount } } }' }),
    });
    expect(((await unknown.json()) as { errors: Array<{ extensions: { code: string } }> }).errors[0]!.extensions.code).toBe('BAD_USER_INPUT');
  });
});
