import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { disposer } from '../support/disposer.js';
import { httpData, httpRequest, subscribe, wsClient, type LiveOperation } from '../support/graphql-client.js';
import { clearOfMidnight, seed, startOfTodayWib } from '../support/seed.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { bearer, makeKey, startIdentityProvider, type IdentityProvider } from './support.js';

/**
 * A key limited to some panels (a tenant's floors) sees only those: in lists, the overview, every
 * summary and bill of the building (which is then the tenant's building), history, and every
 * subscription, including one that shares its stream with a caller who sees more.
 */

const TENANT = makeKey('tenant-floors-1-2', 'viewer', ['PANEL_A', 'PANEL_B']);
const ADMIN = makeKey('ops-admin', 'admin');
const PANELS = ['PANEL_A', 'PANEL_B', 'PANEL_C'] as const;

const disposers = disposer();
let app: TestApp;
let idp: IdentityProvider;
let month: { year: number; month: number };

beforeAll(async () => {
  idp = await startIdentityProvider(disposers);
  app = await startTestApp({ AUTH: 'required', API_KEYS: `${TENANT.entry},${ADMIN.entry}`, ...idp.env }, undefined, { cleanup: disposers });
  const now = await clearOfMidnight();
  const midnight = startOfTodayWib(now).getTime();
  seed(
    app.app,
    PANELS.flatMap((panelId, k) => [
      { panelId, time: new Date(midnight - 3 * 3_600_000), kwh: 1_000 },
      { panelId, time: new Date(now.getTime() - 2_000), kwh: 1_000 + (k + 1) * 10, kw: 5 },
    ]),
  );
  const { currentBill } = await httpData<{ currentBill: { monthToDate: { year: number; month: number } } }, Record<string, never>>(
    app.httpUrl,
    '{ currentBill { monthToDate { year month } } }',
    {},
    bearer(ADMIN.key),
  );
  month = currentBill.monthToDate;
});
afterAll(() => disposers.run());

const asTenant = <T>(query: string) => httpData<T, Record<string, never>>(app.httpUrl, query, {}, bearer(TENANT.key));
/** Another tenant's panel is refused exactly like one that does not exist: nothing tells them apart. */
async function expectUnknownPanel(query: string): Promise<void> {
  const result = await httpRequest(app.httpUrl, query, {}, bearer(TENANT.key));
  expect(result.data).toEqual({ panel: null });
  expect(result.errors?.[0]).toMatchObject({ message: 'unknown panel "PANEL_C"', extensions: { code: 'BAD_USER_INPUT', reason: 'UNKNOWN_PANEL' } });
}
const asAdmin = <T>(query: string) => httpData<T, Record<string, never>>(app.httpUrl, query, {}, bearer(ADMIN.key));

interface Energy {
  energyKwh: number;
}

describe('a key limited to PANEL_A and PANEL_B', () => {
  it('lists only its panels and finds no other', async () => {
    expect(await asTenant('{ panels { nodes { id } } }')).toEqual({ panels: { nodes: [{ id: 'PANEL_A' }, { id: 'PANEL_B' }] } });
    await expectUnknownPanel('{ panel(id: "PANEL_C") { id } }');
    expect(await asAdmin('{ panels { nodes { id } } }')).toEqual({ panels: { nodes: PANELS.map((id) => ({ id })) } });
  });

  it("counts only its panels in the overview, summaries and bills, and is refused another panel's", async () => {
    const perPanel = await asAdmin<{ panels: { nodes: Array<{ id: string; todayUsage: Energy }> } }>('{ panels { nodes { id todayUsage { energyKwh } } } }');
    const kwh = Object.fromEntries(perPanel.panels.nodes.map((panel) => [panel.id, panel.todayUsage.energyKwh]));
    expect(kwh.PANEL_C).toBeGreaterThan(0);
    const tenantKwh = Number((kwh.PANEL_A! + kwh.PANEL_B!).toFixed(3));

    const { overview } = await asTenant<{ overview: { panelCount: number; todayUsage: Energy } }>('{ overview { panelCount todayUsage { energyKwh } } }');
    expect(overview).toEqual({ panelCount: 2, todayUsage: { energyKwh: tenantKwh } });

    const { year, month: m } = month;
    const summaries = await asTenant<{ monthlySummary: { total: Energy }; yearlySummary: { total: Energy }; monthlyBill: Energy; currentBill: { monthToDate: Energy } }>(
      `{ monthlySummary(year: ${year}, month: ${m}) { total { energyKwh } }
         yearlySummary(year: ${year}) { total { energyKwh } }
         monthlyBill(year: ${year}, month: ${m}) { energyKwh }
         currentBill { monthToDate { energyKwh } } }`,
    );
    // Readings three hours before midnight may fall in the previous month on the 1st: today's
    // energy is inside the month either way.
    expect(summaries.monthlySummary.total.energyKwh).toBe(tenantKwh);
    expect(summaries.yearlySummary.total.energyKwh).toBe(tenantKwh);
    expect(summaries.monthlyBill.energyKwh).toBe(tenantKwh);
    expect(summaries.currentBill.monthToDate.energyKwh).toBe(tenantKwh);

    for (const query of [
      `{ monthlySummary(year: ${year}, month: ${m}, panelId: "PANEL_C") { total { energyKwh } } }`,
      `{ yearlySummary(year: ${year}, panelId: "PANEL_C") { total { energyKwh } } }`,
      `{ monthlyBill(year: ${year}, month: ${m}, panelId: "PANEL_C") { energyKwh } }`,
      '{ currentBill(panelId: "PANEL_C") { projectedTotal { amount } } }',
    ]) {
      const result = await httpRequest(app.httpUrl, query, {}, bearer(TENANT.key));
      expect(result.errors?.[0], query).toMatchObject({ message: 'unknown panel "PANEL_C"', extensions: { code: 'BAD_USER_INPUT', reason: 'UNKNOWN_PANEL' } });
    }
  });

  it('limits a JWT by its panels claim the same way', async () => {
    const token = await idp.sign({ sub: 'basement-tenant', role: 'viewer', panels: ['PANEL_C'] });
    const seen = await httpData<{ panels: { nodes: Array<{ id: string }> }; overview: { panelCount: number } }, Record<string, never>>(
      app.httpUrl,
      '{ panels { nodes { id } } overview { panelCount } }',
      {},
      bearer(token),
    );
    expect(seen).toEqual({ panels: { nodes: [{ id: 'PANEL_C' }] }, overview: { panelCount: 1 } });
  });

  it('reads history of its panels only', async () => {
    const to = new Date().toISOString();
    const from = new Date(Date.now() - 6 * 3_600_000).toISOString();
    const history = (id: string) => `{ panel(id: "${id}") { history(from: "${from}", to: "${to}", every: "1h") { nodes { energyKwh } } } }`;
    const own = await asTenant<{ panel: { history: { nodes: Energy[] } } | null }>(history('PANEL_A'));
    expect(own.panel?.history.nodes.length).toBeGreaterThan(0);
    await expectUnknownPanel(history('PANEL_C'));
  });

  it('gets only its panels from every subscription, even sharing a stream with a caller who sees more', async () => {
    const tenant = wsClient(app.wsUrl, { authorization: `Bearer ${TENANT.key}` });
    const admin = wsClient(app.wsUrl, { authorization: `Bearer ${ADMIN.key}` });
    disposers.add(() => tenant.dispose());
    disposers.add(() => admin.dispose());
    const live = <T>(client: typeof tenant, query: string): LiveOperation<T> => {
      const operation = subscribe<T, Record<string, never>>(client, query);
      disposers.add(() => operation.dispose());
      return operation;
    };
    const READINGS = 'subscription { panelReading { panelId } }';
    type ReadingEvent = { panelReading: { panelId: string } };
    const tenantReadings = live<ReadingEvent>(tenant, READINGS);
    const adminReadings = live<ReadingEvent>(admin, READINGS);
    const tenantAskingForC = live<ReadingEvent>(tenant, 'subscription { panelReading(panelId: "PANEL_C") { panelId } }');
    const overview = live<{ overview: { panelCount: number } }>(tenant, 'subscription { overview { panelCount } }');
    const usage = live<{ todayUsage: { panelId: string } }>(tenant, 'subscription { todayUsage { panelId } }');
    const statuses = live<{ panelStatusChanged: { panelId: string } }>(tenant, 'subscription { panelStatusChanged { panelId } }');

    const ids = async <T>(operation: LiveOperation<T>, count: number, pick: (data: T) => string) => {
      const seen: string[] = [];
      for (let k = 0; k < count; k++) seen.push(pick((await operation.next(5_000)).data!));
      return seen.sort();
    };
    // What each sends at once: the current state of the caller's panels.
    expect(await ids(tenantReadings, 2, (d) => d.panelReading.panelId)).toEqual(['PANEL_A', 'PANEL_B']);
    expect(await ids(adminReadings, 3, (d) => d.panelReading.panelId)).toEqual(['PANEL_A', 'PANEL_B', 'PANEL_C']);
    expect((await overview.next(5_000)).data).toEqual({ overview: { panelCount: 2 } });
    expect(await ids(usage, 2, (d) => d.todayUsage.panelId)).toEqual(['PANEL_A', 'PANEL_B']);
    expect(await ids(statuses, 2, (d) => d.panelStatusChanged.panelId)).toEqual(['PANEL_A', 'PANEL_B']);

    // New readings of C, then of A: events arrive in order, so A's coming first means C's was withheld.
    const now = Date.now();
    seed(app.app, [
      { panelId: 'PANEL_C', time: new Date(now - 1_000), kwh: 1_031 },
      { panelId: 'PANEL_A', time: new Date(now - 500), kwh: 1_011 },
    ]);
    expect((await adminReadings.next(5_000)).data).toEqual({ panelReading: { panelId: 'PANEL_C' } });
    expect((await adminReadings.next(5_000)).data).toEqual({ panelReading: { panelId: 'PANEL_A' } });
    expect((await tenantReadings.next(5_000)).data).toEqual({ panelReading: { panelId: 'PANEL_A' } });
    expect((await usage.next(5_000)).data).toEqual({ todayUsage: { panelId: 'PANEL_A' } });
    // The stream of a panel out of scope stays silent: nothing at once, nothing when C reads.
    expect(tenantAskingForC.results).toEqual([]);
    expect(tenantAskingForC.errors).toBeNull();
  });
});
