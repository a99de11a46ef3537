import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { bearer, makeKey, startIdentityProvider, type IdentityProvider } from '../access/support.js';
import { startProduct, type Product } from '../hostile/product.js';
import { disposer, tempDir } from '../support/disposer.js';
import { httpData, httpRequest, wsClient, wsRequest, type GraphqlResult } from '../support/graphql-client.js';
import { connectMeter, meterPayload, minutesAgo, publishQos1 } from '../support/mqtt.js';

/**
 * Issue 20, point 4: no escalation. Against the real process (as `npm start`), over HTTP and once
 * over WebSocket: a caller hands out keys only up to its own role and within its own panels; the
 * tariff, keys for every panel and other callers' keys need an admin without a panel limit; and a
 * caller limited to some panels is refused on every other panel, retired, hidden or unknown alike.
 */

const ADMIN = makeKey('site-admin', 'admin');
const OTHER_ADMIN = makeKey('night-shift-admin', 'admin');
const ADMIN_A = makeKey('tenant-a-admin', 'admin', ['PANEL_A']);
const OPERATOR = makeKey('facility', 'operator');
const OPERATOR_A = makeKey('tenant-a-ops', 'operator', ['PANEL_A']);
const KEYS = [ADMIN, OTHER_ADMIN, ADMIN_A, OPERATOR, OPERATOR_A].map((key) => key.entry).join(',');
const EFFECTIVE = new Date(Date.now() + 3 * 86_400_000).toISOString().slice(0, 10);

const cleanup = disposer();
let product: Product;
let idp: IdentityProvider;

type Vars = Record<string, unknown>;
const as = (key: string, query: string, variables: Vars = {}) => httpRequest<Record<string, unknown>, Vars>(product.httpUrl, query, variables, bearer(key));
const data = <T>(key: string, query: string, variables: Vars = {}) => httpData<T, Vars>(product.httpUrl, query, variables, bearer(key));

/** Refused with FORBIDDEN, nothing answered: no data, or (a nullable root field) only nulls. */
function expectForbidden(result: GraphqlResult<unknown>, label: string): void {
  expect(result.errors?.[0]?.extensions?.code, `${label}: ${JSON.stringify(result.errors)}`).toBe('FORBIDDEN');
  const answered = Object.values((result.data ?? {}) as Record<string, unknown>).filter((value) => value !== null);
  expect(answered, label).toEqual([]);
}

const CREATE_KEY = 'mutation ($name: String!, $role: ApiRole!, $panels: [ID!]) { createApiKey(input: { name: $name, role: $role, panelIds: $panels }) { key apiKey { keyId: id } } }';
const REVOKE_KEY = 'mutation ($keyId: ID!) { revokeApiKey(input: { id: $keyId }) { apiKey { revoked } userErrors { code } } }';
const SET_PLAN = `mutation { setTariffPlan(input: { effectiveFrom: "${EFFECTIVE}", plan: { kind: FLAT, ratePerKwh: 99999 } }) { plan { effectiveFrom } } }`;
const PANEL_MUTATIONS = {
  rename: 'mutation ($id: ID!) { updatePanel(input: { id: $id, name: "Taken over" }) { panel { id } } }',
  hide: 'mutation ($id: ID!) { updatePanel(input: { id: $id, hidden: true }) { panel { id } } }',
  show: 'mutation ($id: ID!) { updatePanel(input: { id: $id, hidden: false }) { panel { id } } }',
  unretire: 'mutation ($id: ID!) { updatePanel(input: { id: $id, retired: false }) { panel { id } } }',
  retire: 'mutation ($id: ID!) { updatePanel(input: { id: $id, retired: true }) { panel { id } } }',
};

interface CreatedKey {
  createApiKey: { key: string; apiKey: { keyId: string } };
}

/** What every panel-limited caller could try to change, and what it must not see changed. */
const BUILDING = `{
  tariff { versions { effectiveFrom } }
  panels { nodes { id name } }
  adminChanges(first: 500) { nodes { id } }
}`;

beforeAll(async () => {
  idp = await startIdentityProvider(cleanup);
  product = await startProduct({ DATA_DIR: tempDir(cleanup, 'energy-escalation-'), AUTH: 'required', API_KEYS: KEYS, ...idp.env }, cleanup);
  const meter = await connectMeter(product.mqttUrl, cleanup);
  for (const panelId of ['PANEL_A', 'PANEL_B', 'PANEL_C']) await publishQos1(meter, `DATA/PM/${panelId}`, meterPayload({ time: minutesAgo(1) }));
  meter.end();
  await vi.waitFor(async () => expect(await data(ADMIN.key, '{ panels { nodes { id } } }')).toEqual({ panels: { nodes: [{ id: 'PANEL_A' }, { id: 'PANEL_B' }, { id: 'PANEL_C' }] } }), {
    timeout: 10_000,
    interval: 100,
  });
  // PANEL_B retired and PANEL_C hidden by the building's operator.
  await data(OPERATOR.key, PANEL_MUTATIONS.retire, { id: 'PANEL_B' });
  await data(OPERATOR.key, PANEL_MUTATIONS.hide, { id: 'PANEL_C' });
}, 60_000);
afterAll(() => cleanup.run());

describe('a caller limited to PANEL_A', () => {
  it('is refused on every other panel, retired, hidden or unknown, and may change its own', async () => {
    const before = await data(ADMIN.key, BUILDING);
    for (const key of [OPERATOR_A, ADMIN_A]) {
      for (const id of ['PANEL_B', 'PANEL_C', 'PANEL_UNKNOWN']) {
        for (const [what, mutation] of Object.entries(PANEL_MUTATIONS)) expectForbidden(await as(key.key, mutation, { id }), `${what} ${id}`);
      }
    }
    expect(await data(ADMIN.key, BUILDING)).toEqual(before);
    const refusal = await as(OPERATOR_A.key, PANEL_MUTATIONS.unretire, { id: 'PANEL_B' });
    // The same answer whatever the panel's state: it learns nothing about panels it may not see.
    expect(refusal.errors?.[0]?.message).toBe('key:tenant-a-ops (operator, limited to 1 panel) may not change panel "PANEL_B": it is not one of its panels');

    expect((await as(OPERATOR_A.key, PANEL_MUTATIONS.rename, { id: 'PANEL_A' })).errors).toBeUndefined();
    expect(await data(ADMIN.key, '{ panel(id: "PANEL_A") { name } }')).toEqual({ panel: { name: 'Taken over' } });
  });

  it('may not change the tariff, as an API key or as a token', async () => {
    const token = await idp.sign({ sub: 'tenant-a-sso', role: 'admin', panels: ['PANEL_A'] });
    const before = await data(ADMIN.key, '{ tariff { versions { effectiveFrom } } }');
    expectForbidden(await as(ADMIN_A.key, SET_PLAN), 'key');
    expectForbidden(await as(token, SET_PLAN), 'token');
    expect(await data(ADMIN.key, '{ tariff { versions { effectiveFrom } } }')).toEqual(before);
    // An admin without a panel limit may.
    expect((await as(ADMIN.key, SET_PLAN)).errors).toBeUndefined();
  });

  it('creates keys only within its own role and panels', async () => {
    const before = await data(ADMIN.key, BUILDING);
    expectForbidden(await as(ADMIN_A.key, CREATE_KEY, { name: 'all-seeing', role: 'ADMIN', panels: null }), 'unlimited admin key');
    expectForbidden(await as(ADMIN_A.key, CREATE_KEY, { name: 'all-seeing', role: 'VIEWER', panels: null }), 'unlimited viewer key');
    expectForbidden(await as(ADMIN_A.key, CREATE_KEY, { name: 'wider', role: 'VIEWER', panels: ['PANEL_A', 'PANEL_B'] }), 'a key with another panel');
    expectForbidden(await as(ADMIN_A.key, CREATE_KEY, { name: 'other', role: 'OPERATOR', panels: ['PANEL_C'] }), 'a key for another panel');
    expectForbidden(await as(OPERATOR.key, CREATE_KEY, { name: 'promoted', role: 'ADMIN', panels: null }), 'an operator making an admin key');
    expect(await data(ADMIN.key, BUILDING)).toEqual(before);

    // Within its own: allowed, and the new key is no wider than its maker, down the chain.
    const sub = await data<CreatedKey>(ADMIN_A.key, CREATE_KEY, { name: 'floor-a-deputy', role: 'ADMIN', panels: ['PANEL_A'] });
    expect(await data(sub.createApiKey.key, '{ panels { nodes { id } } }')).toEqual({ panels: { nodes: [{ id: 'PANEL_A' }] } });
    expectForbidden(await as(sub.createApiKey.key, CREATE_KEY, { name: 'all-seeing', role: 'ADMIN', panels: null }), 'the deputy making an unlimited key');
    expectForbidden(await as(sub.createApiKey.key, SET_PLAN), 'the deputy changing the tariff');
  });

  it("may not revoke other callers' keys, nor learn whether a key exists; may revoke its own", async () => {
    const others = await data<CreatedKey>(OTHER_ADMIN.key, CREATE_KEY, { name: 'floor-a-dash', role: 'VIEWER', panels: ['PANEL_A'] });
    const unlimited = await data<CreatedKey>(ADMIN.key, CREATE_KEY, { name: 'lobby-screen', role: 'VIEWER', panels: null });
    const own = await data<CreatedKey>(ADMIN_A.key, CREATE_KEY, { name: 'floor-a-kiosk', role: 'VIEWER', panels: ['PANEL_A'] });

    for (const [label, keyId] of [
      ['another admin’s key for PANEL_A', others.createApiKey.apiKey.keyId],
      ['an unlimited key', unlimited.createApiKey.apiKey.keyId],
      ['a key that does not exist', '0123456789ab'],
    ] as const) {
      const refusal = await as(ADMIN_A.key, REVOKE_KEY, { keyId });
      expectForbidden(refusal, label);
      expect(refusal.errors?.[0]?.message, label).toBe('key:tenant-a-admin (admin, limited to 1 panel) is limited to some panels, so may revoke only keys it created for its own panels');
    }
    for (const key of [others, unlimited]) expect((await as(key.createApiKey.key, '{ panels { nodes { id } } }')).errors).toBeUndefined();

    expect(await data(ADMIN_A.key, REVOKE_KEY, { keyId: own.createApiKey.apiKey.keyId })).toEqual({ revokeApiKey: { apiKey: { revoked: true }, userErrors: [] } });
    expect(await as(own.createApiKey.key, '{ panels { nodes { id } } }')).toMatchObject({ status: 401 });
    // An admin without a panel limit may revoke another admin's key.
    expect(await data(ADMIN.key, REVOKE_KEY, { keyId: others.createApiKey.apiKey.keyId })).toEqual({ revokeApiKey: { apiKey: { revoked: true }, userErrors: [] } });
  });

  it('may not read the building-wide list of unreadable admin record entries', async () => {
    expectForbidden(await as(OPERATOR_A.key, '{ adminRecordUnreadable { id } }'), 'limited operator');
    expect(await data(OPERATOR.key, '{ adminRecordUnreadable { id } }')).toEqual({ adminRecordUnreadable: [] });
  });

  it('is refused the same over WebSocket', async () => {
    const before = await data(ADMIN.key, BUILDING);
    const admin = wsClient(product.wsUrl, { authorization: `Bearer ${ADMIN_A.key}` });
    const operator = wsClient(product.wsUrl, { authorization: `Bearer ${OPERATOR_A.key}` });
    cleanup.add(() => admin.dispose());
    cleanup.add(() => operator.dispose());
    expectForbidden(await wsRequest(admin, CREATE_KEY, { name: 'all-seeing', role: 'ADMIN', panels: null }, 10_000), 'unlimited key');
    expectForbidden(await wsRequest(admin, SET_PLAN, {}, 10_000), 'tariff');
    expectForbidden(await wsRequest(operator, PANEL_MUTATIONS.unretire, { id: 'PANEL_B' }, 10_000), 'un-retire PANEL_B');
    expectForbidden(await wsRequest(operator, PANEL_MUTATIONS.rename, { id: 'PANEL_C' }, 10_000), 'rename hidden PANEL_C');
    expect(await data(ADMIN.key, BUILDING)).toEqual(before);
  });
});
