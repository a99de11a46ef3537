import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DashboardDocument } from '../generated/graphql.js';
import { httpRequest, source, type GraphqlResult } from '../support/graphql-client.js';
import { seed } from '../support/seed.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/**
 * One failure does not blank the page (docs/api.md, errors): the dashboard query with one failing
 * field answers every other field, the failing one null with its error's path and reason. And an
 * unknown panel in a query is null with UNKNOWN_PANEL at its path, like an unknown panel's figures.
 */

let api: TestApp;

beforeAll(async () => {
  api = await startTestApp();
  const now = Date.now();
  seed(api.app, [
    { panelId: 'PART_A', time: new Date(now - 120_000), kwh: 10 },
    { panelId: 'PART_A', time: new Date(now - 60_000), kwh: 10.5 },
    { panelId: 'PART_B', time: new Date(now - 60_000), kwh: 3 },
  ]);
});
afterAll(async () => {
  await api.stop({ removeData: true });
});

/** The dashboard query (operations/dashboard.graphql) with `extra` added to its root selection. */
function dashboardWith(extra: string): string {
  const text = source(DashboardDocument);
  const at = text.indexOf('{') + 1;
  return `${text.slice(0, at)}\n  ${extra}${text.slice(at)}`;
}

type Data = Record<string, unknown>;

/** The dashboard's own fields answered in full, as the same query without the failing field answers them. */
async function expectDashboardIntact(result: GraphqlResult<Data>): Promise<void> {
  const alone = await httpRequest<Data, Record<string, never>>(api.httpUrl, DashboardDocument, {});
  expect(alone.errors).toBeUndefined();
  const { site, panels } = result.data ?? {};
  expect({ site, panels }).toEqual(alone.data);
  expect((panels as { nodes: Array<{ id: string }> }).nodes.map((p) => p.id)).toEqual(['PART_A', 'PART_B']);
}

describe('one failing field stays local', () => {
  it("an unknown panel's bill: null at its path with UNKNOWN_PANEL, the dashboard answered", async () => {
    const result = await httpRequest<Data, Record<string, never>>(
      api.httpUrl,
      dashboardWith('monthlyBill(year: 2026, month: 3, panelId: "NO_SUCH_PANEL") { energyKwh }'),
      {},
    );
    expect(result.data?.monthlyBill).toBeNull();
    expect(result.errors).toHaveLength(1);
    expect(result.errors?.[0]).toMatchObject({
      message: 'unknown panel "NO_SUCH_PANEL"',
      path: ['monthlyBill'],
      extensions: { code: 'BAD_USER_INPUT', reason: 'UNKNOWN_PANEL' },
    });
    await expectDashboardIntact(result);
  });

  it("a computed field of one panel: that panel's history null at its path, the panel and the dashboard answered", async () => {
    const to = new Date();
    const from = new Date(to.getTime() - 2 * 3_600_000);
    const result = await httpRequest<Data, Record<string, never>>(
      api.httpUrl,
      dashboardWith(`panel(id: "PART_A") { id name history(from: "${from.toISOString()}", to: "${to.toISOString()}", every: "1s", first: 5001) { nodes { start } } }`),
      {},
    );
    expect(result.data?.panel).toEqual({ id: 'PART_A', name: 'Part A', history: null });
    expect(result.errors).toHaveLength(1);
    expect(result.errors?.[0]).toMatchObject({
      path: ['panel', 'history'],
      extensions: { code: 'BAD_USER_INPUT', reason: 'LIMIT_OUT_OF_RANGE', maximum: 5000 },
    });
    await expectDashboardIntact(result);
  });
});

describe('an unknown panel', () => {
  it('a query: null with UNKNOWN_PANEL at its path', async () => {
    const result = await httpRequest(api.httpUrl, '{ panel(id: "NO_SUCH_PANEL") { id } panels { nodes { id } } }', {});
    expect(result.data).toEqual({ panel: null, panels: { nodes: [{ id: 'PART_A' }, { id: 'PART_B' }] } });
    expect(result.errors).toHaveLength(1);
    expect(result.errors?.[0]).toMatchObject({ path: ['panel'], extensions: { code: 'BAD_USER_INPUT', reason: 'UNKNOWN_PANEL', panelId: 'NO_SUCH_PANEL' } });
  });
});
