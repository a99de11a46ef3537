import { afterEach, describe, expect, it, vi } from 'vitest';
import { disposer } from '../support/disposer.js';
import { httpData, httpRequest } from '../support/graphql-client.js';
import { seed } from '../support/seed.js';
import { connectMeter, meterPayload, minutesAgo, publishQos1 } from '../support/mqtt.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { bearer, makeKey, startIdentityProvider } from './support.js';

const disposers = disposer();
afterEach(() => disposers.run());

const VIEWER = makeKey('tenant-dash', 'viewer');
const OPERATOR = makeKey('facility', 'operator');
const ADMIN = makeKey('ops-admin', 'admin');
const KEYS = [VIEWER, OPERATOR, ADMIN].map((k) => k.entry).join(',');

async function start(env: Record<string, string>): Promise<TestApp> {
  const app = await startTestApp(env, undefined, { cleanup: disposers });
  seed(app.app, [{ panelId: 'PANEL_A', time: new Date(Date.now() - 60_000), kwh: 10 }]);
  return app;
}

const PANELS = '{ panels { nodes { id } } }';
const RENAME = 'mutation { updatePanel(input: { id: "PANEL_A", name: "Lantai 1" }) { changes { actor kind } } }';
/** Local dates two days ahead are "tomorrow at the earliest" in any timezone. */
const EFFECTIVE = new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10);
const TARIFF = `mutation { setTariffPlan(input: { effectiveFrom: "${EFFECTIVE}", plan: { kind: FLAT, ratePerKwh: 1700 } }) { plan { effectiveFrom } } }`;

/** The code and status an HTTP refusal carries. */
async function refusal(url: string, query: string, headers: Record<string, string>) {
  const result = await httpRequest(url, query, {}, headers);
  return { status: result.status, code: result.errors?.[0]?.extensions?.code, message: result.errors?.[0]?.message ?? '' };
}

describe('HTTP access with AUTH=required', () => {
  it('answers a request without credentials, or with wrong ones, 401 UNAUTHENTICATED before running it', async () => {
    const app = await start({ AUTH: 'required', API_KEYS: KEYS });

    const none = await fetch(app.httpUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: PANELS }) });
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer');
    expect(await none.json()).toEqual({
      errors: [{ message: expect.stringContaining('credentials required') as unknown, extensions: { code: 'UNAUTHENTICATED', reason: 'CREDENTIALS_REQUIRED' } }],
    });

    expect(await refusal(app.httpUrl, PANELS, bearer('emk_not-a-key'))).toMatchObject({ status: 401, code: 'UNAUTHENTICATED', message: 'unknown or revoked API key' });
    expect(await refusal(app.httpUrl, PANELS, { authorization: `Basic ${VIEWER.key}` })).toMatchObject({ status: 401, code: 'UNAUTHENTICATED' });
    // A refused mutation did not run: the panel keeps its name.
    expect(await refusal(app.httpUrl, RENAME, {})).toMatchObject({ status: 401, code: 'UNAUTHENTICATED' });
    expect(await httpData(app.httpUrl, '{ panel(id: "PANEL_A") { name } }', {}, bearer(VIEWER.key))).toEqual({ panel: { name: 'Panel A' } });
  });

  it('lets each role do what it may and refuses the rest with FORBIDDEN', async () => {
    const app = await start({ AUTH: 'required', API_KEYS: KEYS });

    expect(await httpData(app.httpUrl, PANELS, {}, bearer(VIEWER.key))).toEqual({ panels: { nodes: [{ id: 'PANEL_A' }] } });
    expect(await refusal(app.httpUrl, RENAME, bearer(VIEWER.key))).toMatchObject({
      code: 'FORBIDDEN',
      message: 'key:tenant-dash (viewer) may not use Mutation.updatePanel',
    });
    expect(await refusal(app.httpUrl, '{ adminChanges { nodes { id } } }', bearer(VIEWER.key))).toMatchObject({ code: 'FORBIDDEN' });

    expect(await httpData(app.httpUrl, RENAME, {}, bearer(OPERATOR.key))).toEqual({ updatePanel: { changes: [{ actor: 'key:facility', kind: 'PANEL_NAME' }] } });
    expect(await refusal(app.httpUrl, TARIFF, bearer(OPERATOR.key))).toMatchObject({ code: 'FORBIDDEN', message: expect.stringContaining('Mutation.setTariffPlan') as unknown });
    expect(await refusal(app.httpUrl, 'mutation { createApiKey(input: { name: "x", role: ADMIN }) { key } }', bearer(OPERATOR.key))).toMatchObject({ code: 'FORBIDDEN' });

    expect(await httpData(app.httpUrl, TARIFF, {}, bearer(ADMIN.key))).toEqual({ setTariffPlan: { plan: { effectiveFrom: EFFECTIVE } } });
  });

  it('records every admin change with who made it and when, newest first', async () => {
    const app = await start({ AUTH: 'required', API_KEYS: KEYS });
    const before = Date.now();
    await httpData(app.httpUrl, RENAME, {}, bearer(OPERATOR.key));
    await httpData(app.httpUrl, 'mutation { updatePanel(input: { id: "PANEL_A", hidden: true }) { panel { id } } }', {}, bearer(OPERATOR.key));
    await httpData(app.httpUrl, TARIFF, {}, bearer(ADMIN.key));
    const made = await httpData<{ createApiKey: { key: string; apiKey: { keyId: string } } }, Record<string, never>>(
      app.httpUrl,
      'mutation { createApiKey(input: { name: "floor-3", role: VIEWER, panelIds: ["PANEL_A"] }) { key apiKey { keyId: id } } }',
      {},
      bearer(ADMIN.key),
    );
    const created = { createApiKey: { key: made.createApiKey.key, keyId: made.createApiKey.apiKey.keyId } };

    const { adminChanges: { nodes: adminChanges } } = await httpData<{ adminChanges: { nodes: Array<{ at: string; actor: string; kind: string; change: string }> } }, Record<string, never>>(
      app.httpUrl,
      '{ adminChanges { nodes { at actor kind change } } }',
      {},
      bearer(OPERATOR.key),
    );
    // The first start recorded the configured tariff (actor "configuration") before these.
    expect(adminChanges.filter(({ actor }) => actor !== 'configuration').map(({ actor, kind }) => [actor, kind])).toEqual([
      ['key:ops-admin', 'API_KEY_CREATED'],
      ['key:ops-admin', 'TARIFF_PLAN'],
      ['key:facility', 'PANEL_HIDDEN'],
      ['key:facility', 'PANEL_NAME'],
    ]);
    for (const { at } of adminChanges) expect(new Date(at).getTime()).toBeGreaterThanOrEqual(before - 1_000);
    expect(JSON.parse(adminChanges[3]!.change)).toMatchObject({ kind: 'panel.name', panelId: 'PANEL_A', name: 'Lantai 1' });
    // The new key works at once, and its secret is in no record.
    expect(JSON.stringify(adminChanges)).not.toContain(created.createApiKey.key);
    expect(await httpData(app.httpUrl, '{ panel(id: "PANEL_A") { name } }', {}, bearer(created.createApiKey.key))).toEqual({ panel: { name: 'Lantai 1' } });
    // Revoked: refused from then on.
    await httpData(app.httpUrl, `mutation { revokeApiKey(input: { id: "${created.createApiKey.keyId}" }) { apiKey { revoked } } }`, {}, bearer(ADMIN.key));
    expect(await refusal(app.httpUrl, PANELS, bearer(created.createApiKey.key))).toMatchObject({ status: 401, code: 'UNAUTHENTICATED' });
  });
});

describe('an operator limited to some panels', () => {
  it('sees only those panels\' rejections and changes (and the tariff\'s), never other panels\' or API keys', async () => {
    const floorOps = makeKey('floor-1-ops', 'operator', ['PANEL_A']);
    const app = await start({ AUTH: 'required', API_KEYS: [KEYS, floorOps.entry].join(',') });
    seed(app.app, [{ panelId: 'PANEL_B', time: new Date(Date.now() - 60_000), kwh: 20 }]);
    await httpData(app.httpUrl, RENAME, {}, bearer(OPERATOR.key));
    await httpData(app.httpUrl, 'mutation { updatePanel(input: { id: "PANEL_B", name: "Lantai 2" }) { changes { kind } } }', {}, bearer(OPERATOR.key));
    await httpData(app.httpUrl, TARIFF, {}, bearer(ADMIN.key));
    await httpData(app.httpUrl, 'mutation { createApiKey(input: { name: "floor-2", role: VIEWER, panelIds: ["PANEL_B"] }) { apiKey { id } } }', {}, bearer(ADMIN.key));

    const meter = await connectMeter(app.mqttUrl, disposers);
    await publishQos1(meter, 'DATA/PM/PANEL_A', 'not json');
    await publishQos1(meter, 'DATA/PM/PANEL_B', meterPayload({ kWh: '-3' }));
    await publishQos1(meter, 'DATA/PM/PANEL_B/extra-level', meterPayload({ time: minutesAgo(1) }));
    const status = '{ ingestStatus { rejections { panelId reason count } } }';
    type Status = { ingestStatus: { rejections: Array<{ panelId: string | null; reason: string; count: number }> } };
    const byPanel = (answer: Status) => answer.ingestStatus.rejections.map((r) => [r.panelId, r.reason, r.count]).sort();
    // The operator of the whole building sees all three once they are counted.
    await vi.waitFor(async () => expect((await httpData<Status, Record<string, never>>(app.httpUrl, status, {}, bearer(OPERATOR.key))).ingestStatus.rejections).toHaveLength(3), {
      timeout: 10_000,
    });
    expect(byPanel(await httpData<Status, Record<string, never>>(app.httpUrl, status, {}, bearer(floorOps.key)))).toEqual([['PANEL_A', 'INVALID_JSON', 1]]);
    const askedForB = await httpData<Status, Record<string, never>>(app.httpUrl, '{ ingestStatus(panelId: "PANEL_B") { rejections { panelId reason count } } }', {}, bearer(floorOps.key));
    expect(askedForB.ingestStatus.rejections).toEqual([]);

    type Changes = { adminChanges: { nodes: Array<{ actor: string; kind: string; change: string }> } };
    const changes = '{ adminChanges { nodes { actor kind change } } }';
    const mine = await httpData<Changes, Record<string, never>>(app.httpUrl, changes, {}, bearer(floorOps.key));
    const seen = mine.adminChanges.nodes.map(({ kind, change }) => [kind, (JSON.parse(change) as { panelId?: string }).panelId ?? null]);
    expect(seen.slice(0, 2)).toEqual([
      ['TARIFF_PLAN', null],
      ['PANEL_NAME', 'PANEL_A'],
    ]);
    // The first start recorded the configured plan (two records of the same instant, in either order).
    expect(seen.slice(2).sort()).toEqual([
      ['TARIFF_CONFIGURED', null],
      ['TARIFF_PLAN', null],
    ]);
    const all = await httpData<Changes, Record<string, never>>(app.httpUrl, changes, {}, bearer(OPERATOR.key));
    const kinds = all.adminChanges.nodes.map(({ kind }) => kind);
    expect(kinds.slice(0, 4)).toEqual(['API_KEY_CREATED', 'TARIFF_PLAN', 'PANEL_NAME', 'PANEL_NAME']);
    expect(kinds.slice(4).sort()).toEqual(['TARIFF_CONFIGURED', 'TARIFF_PLAN']);
    expect((await httpData<Changes, Record<string, never>>(app.httpUrl, '{ adminChanges(first: 2) { nodes { actor kind change } } }', {}, bearer(floorOps.key))).adminChanges.nodes.map(({ kind }) => kind)).toEqual([
      'TARIFF_PLAN',
      'PANEL_NAME',
    ]);
  });
});

describe('HTTP access with AUTH=optional (development)', () => {
  it('serves callers without credentials, warns that it is open, and still refuses wrong credentials', async () => {
    const app = await start({ API_KEYS: KEYS });
    expect(app.logs.some((line) => line.level === 40 && line.msg.includes('access control is OPEN'))).toBe(true);
    expect(await httpData(app.httpUrl, RENAME, {})).toEqual({ updatePanel: { changes: [{ actor: 'anonymous (open mode)', kind: 'PANEL_NAME' }] } });
    expect(await refusal(app.httpUrl, PANELS, bearer('emk_wrong'))).toMatchObject({ status: 401, code: 'UNAUTHENTICATED' });
    // A key still carries its role: a viewer's key does not become an admin in open mode.
    expect(await refusal(app.httpUrl, RENAME, bearer(VIEWER.key))).toMatchObject({ code: 'FORBIDDEN' });
  });

  it('starts open in production only when told to, and refuses anonymous callers by default', async () => {
    // The broker's own production default (accounts) is another door's concern: opened here.
    const app = await start({ NODE_ENV: 'production', MQTT_ALLOW_ANONYMOUS: 'true', API_KEYS: KEYS });
    expect(await refusal(app.httpUrl, PANELS, {})).toMatchObject({ status: 401, code: 'UNAUTHENTICATED' });
    expect(app.logs.some((line) => line.msg.includes('access control is OPEN'))).toBe(false);
  });
});

describe('JWTs from the site identity provider', () => {
  it('accepts a valid token with its role and refuses expired, wrong-audience and foreign tokens', async () => {
    const idp = await startIdentityProvider(disposers);
    const app = await start({ AUTH: 'required', ...idp.env });
    const now = Math.floor(Date.now() / 1000);

    const operator = await idp.sign({ sub: 'siti', role: 'operator' });
    expect(await httpData(app.httpUrl, RENAME, {}, bearer(operator))).toEqual({ updatePanel: { changes: [{ actor: 'jwt:siti', kind: 'PANEL_NAME' }] } });
    expect(await refusal(app.httpUrl, TARIFF, bearer(operator))).toMatchObject({ code: 'FORBIDDEN', message: 'jwt:siti (operator) may not use Mutation.setTariffPlan' });

    const viewer = await idp.sign({ sub: 'budi', role: 'viewer' });
    expect(await httpData(app.httpUrl, PANELS, {}, bearer(viewer))).toEqual({ panels: { nodes: [{ id: 'PANEL_A' }] } });
    expect(await refusal(app.httpUrl, RENAME, bearer(viewer))).toMatchObject({ code: 'FORBIDDEN' });

    const expired = await idp.sign({ sub: 'siti', role: 'admin' }, { expiresAt: now - 60 });
    expect(await refusal(app.httpUrl, PANELS, bearer(expired))).toEqual({ status: 401, code: 'UNAUTHENTICATED', message: 'the token has expired' });

    const otherAudience = await idp.sign({ sub: 'siti', role: 'admin' }, { audience: 'another-api' });
    expect(await refusal(app.httpUrl, PANELS, bearer(otherAudience))).toMatchObject({
      status: 401,
      code: 'UNAUTHENTICATED',
      message: expect.stringContaining('ERR_JWT_CLAIM_VALIDATION_FAILED') as unknown,
    });

    const noRole = await idp.sign({ sub: 'siti' });
    expect(await refusal(app.httpUrl, PANELS, bearer(noRole))).toMatchObject({ status: 401, message: expect.stringContaining('"role" claim') as unknown });

    // Signed by another key under the same key id: the signature does not verify.
    const stranger = await startIdentityProvider(disposers);
    const forged = await stranger.sign({ sub: 'mallory', role: 'admin' });
    const [, payload, signature] = forged.split('.');
    const reissued = await idp.sign({ sub: 'mallory', role: 'admin' });
    const tampered = `${reissued.split('.')[0]}.${payload}.${signature}`;
    expect(await refusal(app.httpUrl, PANELS, bearer(tampered))).toMatchObject({ status: 401, code: 'UNAUTHENTICATED' });
  });
});
