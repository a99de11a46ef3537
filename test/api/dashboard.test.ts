import { afterEach, describe, expect, it, vi } from 'vitest';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { DashboardDocument, PanelDetailDocument } from '../generated/graphql.js';
import { httpData } from '../support/graphql-client.js';
import { disposer } from '../support/disposer.js';
import { clearOfMidnight, seed, startOfTodayWib, type SeedReading } from '../support/seed.js';
import { startTestApp } from '../support/test-app.js';

/**
 * The dashboard's main query is answered from memory (live state and the energy ledger): no store
 * round trip for 3 panels or for 30. The real store's query methods are counted where they live
 * (the SqliteStore class), so the app under test is the product exactly as it runs.
 */

const QUERY_METHODS = ['scan', 'latestReadings', 'readings', 'downsample', 'panels'] as const;

const disposers = disposer();
afterEach(() => disposers.run());

function countStoreCalls(): { total(): number; byMethod(): Record<string, number>; reset(): void } {
  const spies = QUERY_METHODS.map((method) => vi.spyOn(SqliteStore.prototype, method));
  disposers.add(() => spies.forEach((spy) => spy.mockRestore()));
  return {
    total: () => spies.reduce((sum, spy) => sum + spy.mock.calls.length, 0),
    byMethod: () => Object.fromEntries(QUERY_METHODS.map((method, i) => [method, spies[i]!.mock.calls.length])),
    reset: () => spies.forEach((spy) => spy.mockClear()),
  };
}

/** Round trips of a cold and then a warm dashboard query over `panelCount` panels with data today. */
async function dashboardRoundTrips(panelCount: number) {
  const calls = countStoreCalls();
  const api = disposers.use(await startTestApp(), (a) => a.stop({ removeData: true }));
  const now = (await clearOfMidnight()).getTime();
  const midnight = startOfTodayWib(new Date(now)).getTime();
  const ids = Array.from({ length: panelCount }, (_, k) => `BATCH_${String(k).padStart(2, '0')}`);
  const readings: SeedReading[] = ids.flatMap((panelId, k) => [
    { panelId, time: new Date(midnight - 60_000), kwh: 100 },
    { panelId, time: new Date(now - 1_000), kwh: 100 + (k + 1) / 100 },
  ]);
  seed(api.app, readings);

  calls.reset();
  const cold = await httpData(api.httpUrl, DashboardDocument, {});
  const coldCalls = calls.byMethod();
  calls.reset();
  const warm = await httpData(api.httpUrl, DashboardDocument, {});
  const warmCalls = calls.byMethod();

  // The answers are right, not just cheap.
  expect(cold.panels.nodes.map((p) => p.id)).toEqual(ids);
  expect(cold.panels.nodes.map((p) => p.todayUsage!.energyKwh)).toEqual(ids.map((_, k) => (k + 1) / 100));
  expect(cold.panels.nodes.every((p) => p.status === 'ONLINE' && p.latestReading !== null)).toBe(true);
  const expectedTotal = Math.round(((panelCount * (panelCount + 1)) / 2 / 100) * 1000) / 1000;
  expect(cold.site.overview).toMatchObject({ panelCount, onlineCount: panelCount, offlineCount: 0, todayUsage: { energyKwh: expectedTotal } });
  expect(warm).toEqual(cold);
  return { cold: coldCalls, warm: warmCalls };
}

describe('dashboard query cost', () => {
  it('makes no store round trip, for 3 panels as for 30', async () => {
    const three = await dashboardRoundTrips(3);
    await disposers.run();
    const thirty = await dashboardRoundTrips(30);
    const none = { scan: 0, latestReadings: 0, readings: 0, downsample: 0, panels: 0 };
    expect(three).toEqual({ cold: none, warm: none });
    expect(thirty).toEqual(three);
  });

  it('a panel detail reads the store only for its history window', async () => {
    const calls = countStoreCalls();
    const api = disposers.use(await startTestApp(), (a) => a.stop({ removeData: true }));
    seed(api.app, [{ panelId: 'ONE', time: new Date(Date.now() - 1_000), kwh: 1 }]);
    calls.reset();
    const { panel } = await httpData(api.httpUrl, PanelDetailDocument, {
      id: 'ONE',
      from: new Date(Date.now() - 3_600_000).toISOString(),
      to: new Date(Date.now() + 60_000).toISOString(),
      every: '1m',
    });
    expect(panel?.readings?.nodes).toHaveLength(1);
    expect(calls.byMethod()).toEqual({ scan: 0, latestReadings: 0, readings: 0, downsample: 1, panels: 0 });
  });
});
