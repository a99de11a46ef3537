import { afterEach, describe, expect, it } from 'vitest';
import { disposer } from '../support/disposer.js';
import { httpRequest, wsClient, wsRequest } from '../support/graphql-client.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { bearer, makeKey, startIdentityProvider } from './support.js';

const disposers = disposer();
afterEach(() => disposers.run());

const VIEWER = makeKey('tenant-dash', 'viewer');
const OPERATOR = makeKey('prometheus', 'operator');
const KEYS = `${VIEWER.entry},${OPERATOR.entry}`;
/** The embedded broker's production default (accounts) belongs to another door: opened here. */
const PRODUCTION = { NODE_ENV: 'production', MQTT_ALLOW_ANONYMOUS: 'true' } as const;
const QUERY = JSON.stringify({ query: '{ panels { nodes { id } } }' });

const start = (env: Record<string, string>): Promise<TestApp> => startTestApp(env, undefined, { cleanup: disposers });

function post(app: TestApp, headers: Record<string, string>): Promise<Response> {
  return fetch(app.httpUrl, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: QUERY });
}

function preflight(app: TestApp, origin: string): Promise<Response> {
  return fetch(app.httpUrl, {
    method: 'OPTIONS',
    headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' },
  });
}

describe('CORS over HTTP', () => {
  it('answers a listed origin with that origin, and never reflects an unlisted one', async () => {
    const app = await start({ CORS_ORIGINS: 'https://dash.example.co.id, https://ops.example.co.id' });

    const allowed = await preflight(app, 'https://dash.example.co.id');
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://dash.example.co.id');
    expect(allowed.headers.get('access-control-allow-headers')).toContain('authorization');
    expect(allowed.headers.get('access-control-allow-credentials')).toBeNull();
    const call = await post(app, { origin: 'https://ops.example.co.id' });
    expect(call.status).toBe(200);
    expect(call.headers.get('access-control-allow-origin')).toBe('https://ops.example.co.id');
    expect(call.headers.get('vary')).toContain('Origin');
    expect(call.headers.get('access-control-allow-credentials')).toBeNull();

    for (const response of [await preflight(app, 'https://evil.example'), await post(app, { origin: 'https://evil.example' })]) {
      expect(response.status).toBe(403);
      expect(response.headers.get('access-control-allow-origin')).toBeNull();
      expect(await response.text()).toContain('CORS_ORIGINS');
    }

    // The dashboard this server serves (its own origin) and callers that are not browsers.
    expect((await post(app, { origin: app.baseUrl })).status).toBe(200);
    const noOrigin = await post(app, {});
    expect(noOrigin.status).toBe(200);
    expect(noOrigin.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('allows any origin with * (the development default) and none but its own in production', async () => {
    const dev = await start({});
    const anyOrigin = await post(dev, { origin: 'https://anywhere.example' });
    expect(anyOrigin.headers.get('access-control-allow-origin')).toBe('*');
    expect(anyOrigin.headers.get('access-control-allow-credentials')).toBeNull();

    const production = await start({ ...PRODUCTION, API_KEYS: KEYS });
    expect((await post(production, { origin: 'https://anywhere.example', ...bearer(VIEWER.key) })).status).toBe(403);
    expect((await post(production, { origin: production.baseUrl, ...bearer(VIEWER.key) })).status).toBe(200);
  });

  it('lets a browser read a 401 from an allowed origin (the page can ask for a key)', async () => {
    const app = await start({ AUTH: 'required', API_KEYS: KEYS, CORS_ORIGINS: 'https://dash.example.co.id' });
    const refused = await post(app, { origin: 'https://dash.example.co.id' });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('access-control-allow-origin')).toBe('https://dash.example.co.id');
  });
});

describe('/metrics', () => {
  const metrics = (baseUrl: string, headers: Record<string, string> = {}) => fetch(`${baseUrl}/metrics`, { headers });

  it('needs an operator or admin key in production (METRICS_AUTH=key)', async () => {
    const app = await start({ ...PRODUCTION, API_KEYS: KEYS });
    const none = await metrics(app.baseUrl);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer');
    expect(await none.text()).toContain('METRICS_AUTH=key');
    expect((await metrics(app.baseUrl, bearer('emk_wrong'))).status).toBe(401);
    expect((await metrics(app.baseUrl, bearer(VIEWER.key))).status).toBe(403);
    const ok = await metrics(app.baseUrl, bearer(OPERATOR.key));
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain('energy_live_subscriptions');
  });

  it('is open in development, and can be asked for a key there too', async () => {
    const dev = await start({});
    expect((await metrics(dev.baseUrl)).status).toBe(200);
    const keyed = await start({ METRICS_AUTH: 'key', API_KEYS: KEYS });
    // Open mode admits anonymous API callers, but METRICS_AUTH=key still wants a credential.
    expect((await metrics(keyed.baseUrl)).status).toBe(401);
    expect((await metrics(keyed.baseUrl, bearer(OPERATOR.key))).status).toBe(200);
  });

  it('moves to its own port with METRICS_PORT, and is gone from the API port', async () => {
    const app = await start({ METRICS_PORT: '0', METRICS_AUTH: 'open' });
    expect(app.app.metricsPort).toEqual(expect.any(Number));
    expect((await metrics(app.baseUrl)).status).toBe(404);
    const own = `http://127.0.0.1:${app.app.metricsPort}`;
    expect((await metrics(own)).status).toBe(200);
    expect((await fetch(`${own}/graphql`, { method: 'POST', body: QUERY })).status).toBe(404);
  });
});

describe('secrets', () => {
  it('never appear in logs, error messages or /metrics, whatever was refused', async () => {
    const idp = await startIdentityProvider(disposers);
    const admin = makeKey('ops-admin', 'admin');
    const app = await start({ AUTH: 'required', API_KEYS: `${KEYS},${admin.entry}`, ...idp.env, METRICS_AUTH: 'open' });
    const now = Math.floor(Date.now() / 1000);
    const tokens = [
      await idp.sign({ sub: 'siti', role: 'operator' }),
      await idp.sign({ sub: 'siti', role: 'admin' }, { expiresAt: now - 60 }),
      await idp.sign({ sub: 'siti', role: 'admin' }, { audience: 'elsewhere' }),
    ];
    const revokedKey = 'emk_this-key-was-never-issued-but-looks-real-0123456789';
    const secrets = [VIEWER.key, OPERATOR.key, admin.key, revokedKey, ...tokens];

    const answers: string[] = [];
    for (const secret of secrets) {
      for (const authorization of [`Bearer ${secret}`, secret, `Basic ${secret}`]) {
        answers.push(JSON.stringify(await httpRequest(app.httpUrl, '{ panels { nodes { id } } adminChanges { nodes { actor change } } }', {}, { authorization })));
        answers.push(JSON.stringify(await httpRequest(app.httpUrl, 'mutation { setTariffPlan(input: { effectiveFrom: "2099-01-01", plan: { kind: FLAT } }) { plan { effectiveFrom } } }', {}, { authorization })));
        const client = wsClient(app.wsUrl, { authorization });
        answers.push(JSON.stringify(await wsRequest(client, '{ panels { nodes { id } } }')));
        await client.dispose();
      }
    }
    // A key made through the API is in that answer only (the test checks it is nowhere else).
    const made = await httpRequest<{ createApiKey: { key: string } }, Record<string, never>>(
      app.httpUrl,
      'mutation { createApiKey(input: { name: "made", role: VIEWER }) { key } }',
      {},
      bearer(admin.key),
    );
    secrets.push(made.data!.createApiKey.key);
    answers.push(JSON.stringify(await httpRequest(app.httpUrl, '{ adminChanges { nodes { actor kind change } } }', {}, bearer(admin.key))));

    const logs = JSON.stringify(app.logs);
    const metricsText = await (await fetch(`${app.baseUrl}/metrics`)).text();
    // The refusals were logged (rate-limited), so there was something to leak.
    expect(app.logs.some((line) => line.msg === 'credentials refused')).toBe(true);
    for (const secret of secrets) {
      expect(logs).not.toContain(secret);
      expect(metricsText).not.toContain(secret);
      for (const answer of answers) expect(answer).not.toContain(secret);
    }
  });
});
