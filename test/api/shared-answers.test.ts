import { readFileSync } from 'node:fs';
import { buildSchema, print } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cardFieldCoordinates } from '../../src/graphql/card-fields.js';
import { KeptAnswers, type SharedAnswer } from '../../src/http/shared-answers.js';
import type { CardsStamp } from '../../src/services/panel-service.js';
import { DashboardDocument, type DashboardQuery } from '../generated/graphql.js';
import { bearer, makeKey } from '../access/support.js';
import { disposer } from '../support/disposer.js';
import { httpData, httpRequest, wsClient, wsRequest, type Answered } from '../support/graphql-client.js';
import { clearOfMidnight, seed, startOfTodayWib, type SeedReading } from '../support/seed.js';
import { metricValue, startTestApp, type TestApp } from '../support/test-app.js';

/**
 * Panel-card operations (the dashboard's main query) are answered once per stamp and shared by
 * callers with the same role and panels (src/http/shared-answers.ts). What must hold: every
 * answer equals one made afresh at that moment, whatever changed before it (readings, late ones,
 * renames, hidden panels, tariff changes, a panel going OFFLINE by the clock alone), and a caller
 * never gets an answer made for other panels or another role.
 *
 * "Afresh": the same operation with `caller { name }` added, which is never shared (not a card
 * field), so it is executed every time; its other fields are the reference.
 */

const ADMIN = makeKey('ops', 'admin');
const LOBBY = makeKey('lobby', 'viewer');
const FLOOR = makeKey('floor-1', 'viewer', ['P_A', 'P_B']);

const DASHBOARD = print(DashboardDocument);
const AFRESH = DASHBOARD.replace('query Dashboard {', 'query Dashboard {\n  caller { name }');
const SHARED = 'energy_graphql_shared_answers_total{outcome="shared"}';

const cleanup = disposer();
afterAll(() => cleanup.run());

async function startApp(env: Record<string, string> = {}): Promise<TestApp> {
  return startTestApp({ AUTH: 'required', API_KEYS: [ADMIN, LOBBY, FLOOR].map((k) => k.entry).join(','), METRICS_AUTH: 'open', ...env }, undefined, { cleanup });
}

type Dashboard = Answered<DashboardQuery>;
type NoVariables = Record<string, never>;

const dashboard = (app: TestApp, key = ADMIN.key): Promise<Dashboard> => httpData<DashboardQuery, NoVariables>(app.httpUrl, DASHBOARD, {}, bearer(key));

/** The reference: the same fields, executed afresh. */
async function afresh(app: TestApp, key = ADMIN.key): Promise<Dashboard> {
  const { caller, ...rest } = await httpData<DashboardQuery & { caller: unknown }, NoVariables>(app.httpUrl, AFRESH, {}, bearer(key));
  expect(caller).toBeDefined();
  return rest;
}

const shared = (app: TestApp) => metricValue(app.baseUrl, SHARED);

describe('shared answers of panel-card operations', () => {
  let app: TestApp;
  let now: number;
  let midnight: number;

  beforeAll(async () => {
    app = await startApp({ OFFLINE_AFTER: '1h' });
    now = (await clearOfMidnight(120_000)).getTime();
    midnight = startOfTodayWib(new Date(now)).getTime();
    seed(
      app.app,
      ['P_A', 'P_B', 'P_C'].flatMap((panelId, k) => [
        { panelId, time: new Date(midnight - 60_000), kwh: 100 },
        { panelId, time: new Date(now - 90_000), kwh: 100 + (k + 1) / 10 },
      ]),
    );
  });

  it('is asked again and shared until a reading, a rename, a hidden panel or a tariff change; each answer equals a fresh one', async () => {
    const first = await dashboard(app);
    const before = await shared(app);
    const again = await dashboard(app);
    expect(await shared(app)).toBe(before + 1);
    expect(again).toEqual(first);
    expect(again).toEqual(await afresh(app));

    // A reading: P_B's card moves, and the building's total with it.
    seed(app.app, [{ panelId: 'P_B', time: new Date(now - 30_000), kwh: 100.5 }]);
    const afterReading = await dashboard(app);
    expect(afterReading.panels.nodes.find((p) => p.id === 'P_B')!.todayUsage!.energyKwh).toBe(0.5);
    expect(afterReading).toEqual(await afresh(app));

    // A late reading (older than the newest) changes no card's latest, but is applied and answered.
    seed(app.app, [{ panelId: 'P_A', time: new Date(now - 120_000), kwh: 100.05 }]);
    expect(await dashboard(app)).toEqual(await afresh(app));

    const rename = 'mutation { updatePanel(input: { id: "P_A", name: "Lantai 1" }) { panel { name } } }';
    expect(await httpData(app.httpUrl, rename, {}, bearer(ADMIN.key))).toEqual({ updatePanel: { panel: { name: 'Lantai 1' } } });
    const renamed = await dashboard(app);
    expect(renamed.panels.nodes.find((p) => p.id === 'P_A')!.name).toBe('Lantai 1');
    expect(renamed).toEqual(await afresh(app));

    const hide = 'mutation { updatePanel(input: { id: "P_C", hidden: true }) { panel { id } } }';
    await httpData(app.httpUrl, hide, {}, bearer(ADMIN.key));
    const hidden = await dashboard(app);
    expect(hidden.panels.nodes.map((p) => p.id)).toEqual(['P_A', 'P_B']);
    expect(hidden.site.overview!.panelCount).toBe(2);
    expect(hidden).toEqual(await afresh(app));

    // A tariff version for later changes no figure today, but the record changed: made afresh.
    const effective = new Date(now + 3 * 86_400_000).toISOString().slice(0, 10);
    await httpData(app.httpUrl, `mutation { setTariffPlan(input: { effectiveFrom: "${effective}", plan: { kind: FLAT, ratePerKwh: 2000 } }) { plan { effectiveFrom } } }`, {}, bearer(ADMIN.key));
    const sharedBefore = await shared(app);
    expect(await dashboard(app)).toEqual(hidden);
    expect(await shared(app)).toBe(sharedBefore);
  });

  it('never gives a caller the answer made for other panels or another role', async () => {
    await httpData(app.httpUrl, 'mutation { updatePanel(input: { id: "P_C", hidden: false }) { panel { id } } }', {}, bearer(ADMIN.key));
    const building = await dashboard(app);
    expect(building.panels.nodes.map((p) => p.id)).toEqual(['P_A', 'P_B', 'P_C']);
    await dashboard(app);
    const floor = await dashboard(app, FLOOR.key);
    expect(floor.panels.nodes.map((p) => p.id)).toEqual(['P_A', 'P_B']);
    expect(floor).toEqual(await afresh(app, FLOOR.key));
    expect(floor).not.toEqual(await dashboard(app, ADMIN.key));
    // A viewer of every panel sees what the admin sees, from an answer of its own role.
    const before = await shared(app);
    const lobby = await dashboard(app, LOBBY.key);
    expect(await shared(app)).toBe(before);
    expect(lobby).toEqual(building);
    expect(await dashboard(app, LOBBY.key)).toEqual(lobby);
    expect(await shared(app)).toBe(before + 1);
  });

  it('answers over WebSocket with the same data, whether the answer was made there or over HTTP', async () => {
    const client = wsClient(app.wsUrl, { authorization: `Bearer ${ADMIN.key}` });
    cleanup.add(() => client.dispose());
    seed(app.app, [{ panelId: 'P_A', time: new Date(now - 20_000), kwh: 100.3 }]);
    const overWs = await wsRequest(client, DASHBOARD);
    expect(overWs.errors).toBeUndefined();
    expect(overWs.data).toEqual(await dashboard(app));
    const sharedOverWs = await wsRequest(client, DASHBOARD);
    expect(sharedOverWs.data).toEqual(await afresh(app));
  });

  it('answers with errors are never kept: a caller without a role is refused every time', async () => {
    const refused = await httpRequest(app.httpUrl, DASHBOARD, {});
    expect(refused.status).toBe(401);
    expect((await httpRequest(app.httpUrl, DASHBOARD, {})).status).toBe(401);
    // A name the document does not hold: an error every time, never someone's shared answer.
    for (let i = 0; i < 2; i++) {
      const response = await fetch(app.httpUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...bearer(ADMIN.key) },
        body: JSON.stringify({ query: DASHBOARD, operationName: `Other${i}` }),
      });
      const body = (await response.json()) as { data?: unknown; errors?: Array<{ message: string }> };
      expect(body.data ?? null).toBeNull();
      expect(body.errors?.[0]?.message).toMatch(/operation/);
    }
  });
});

describe('statuses and the clock', () => {
  it('a panel going OFFLINE by the clock alone is OFFLINE in the next answer', async () => {
    const app = await startApp({ OFFLINE_AFTER: '3s' });
    const readingAt = Date.now() - 1_000;
    seed(app.app, [{ panelId: 'P_CLOCK', time: new Date(readingAt), kwh: 10 } satisfies SeedReading]);
    const online = await dashboard(app);
    expect(online.panels.nodes[0]!.status).toBe('ONLINE');
    expect(await dashboard(app)).toEqual(online);
    // ONLINE until 3 s after the reading's meter time, inclusive.
    const deadline = Date.parse(String(online.panels.nodes[0]!.lastSeenAt)) + 3_000;
    await new Promise((resolve) => setTimeout(resolve, deadline + 5 - Date.now()));
    const later = await dashboard(app);
    expect(later.panels.nodes[0]!.status).toBe('OFFLINE');
    expect(later.site.overview!.offlineCount).toBe(1);
  });
});

describe('the list of card fields', () => {
  it('names fields of the schema only', () => {
    const schema = buildSchema(readFileSync(new URL('../../schema.graphql', import.meta.url), 'utf8'));
    const coordinates = cardFieldCoordinates(schema);
    expect(coordinates).toContain('Panel.todayUsage');
    for (const coordinate of coordinates) {
      const [type, field] = coordinate.split('.') as [string, string];
      const named = schema.getType(type);
      expect(named && 'getFields' in named ? Object.keys(named.getFields()) : [], coordinate).toContain(field);
    }
  });
});

describe('a shared answer over HTTP', () => {
  it('is the same response as the one made for the first caller: status, media type, length and bytes (UTF-8 names too)', async () => {
    const app = await startApp({ OFFLINE_AFTER: '1h' });
    const now = (await clearOfMidnight(120_000)).getTime();
    seed(app.app, [{ panelId: 'P_A', time: new Date(now - 60_000), kwh: 100 }]);
    // Characters beyond ASCII: the kept body is bytes, and its length is counted in bytes.
    const rename = 'mutation { updatePanel(input: { id: "P_A", name: "Ruang Panel – Lantai 2 ⚡ Ü" }) { panel { name } } }';
    await httpData(app.httpUrl, rename, {}, bearer(ADMIN.key));
    const raw = async (accept: string) => {
      const response = await fetch(app.httpUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept, ...bearer(ADMIN.key) },
        body: JSON.stringify({ query: DASHBOARD }),
      });
      const bytes = Buffer.from(await response.arrayBuffer());
      return { status: response.status, type: response.headers.get('content-type'), length: response.headers.get('content-length'), bytes };
    };
    for (const accept of ['application/graphql-response+json', 'application/json', '*/*']) {
      const before = await shared(app);
      const responses = [await raw(accept), await raw(accept), await raw(accept)];
      // The first was made for this caller (or shared already, for the second media type), the others shared.
      expect(await shared(app)).toBeGreaterThanOrEqual(before + 2);
      for (const response of responses) {
        expect(response.status).toBe(200);
        expect(response.type).toBe(`${accept === '*/*' ? 'application/json' : accept}; charset=utf-8`);
        expect(Number(response.length)).toBe(response.bytes.length);
        expect(response.bytes.equals(responses[0]!.bytes)).toBe(true);
      }
      const text = responses[0]!.bytes.toString('utf8');
      expect(text).toContain('Ruang Panel – Lantai 2 ⚡ Ü');
      expect(JSON.parse(text)).toEqual({ data: await afresh(app) });
    }
  });
});

describe('answers kept', () => {
  const stamp = { live: 0, energy: 0, settings: {}, validUntil: Number.POSITIVE_INFINITY } as unknown as CardsStamp;
  const answer = (bytes: number): SharedAnswer => ({ stamp, body: Buffer.alloc(bytes, 'x') });

  it('hold at most their budget of bytes, the oldest going first; one larger than the budget is not kept', () => {
    const kept = new KeptAnswers(1_000);
    for (let i = 0; i < 10; i++) kept.set(`k${i}`, answer(300));
    expect([...Array(10).keys()].filter((i) => kept.get(`k${i}`) !== undefined)).toEqual([7, 8, 9]);
    // Replacing a key's answer counts its body once.
    kept.set('k9', answer(300));
    kept.set('k9', answer(300));
    expect(kept.get('k7')).toBeDefined();
    kept.set('huge', answer(1_001));
    expect(kept.get('huge')).toBeUndefined();
    expect(kept.get('k9')).toBeDefined();
  });
});
