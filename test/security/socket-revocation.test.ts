import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, makeKey, startIdentityProvider } from '../access/support.js';
import { ready, startCluster, type Node } from '../cluster/support.js';
import { disposer, tempDir } from '../support/disposer.js';
import { httpData, httpRequest, subscribe, wsClient, wsRequest } from '../support/graphql-client.js';
import { realInflux } from '../support/influx.js';
import { connectMeter, meterPayload, minutesAgo, publishQos1, uniquePanelId } from '../support/mqtt.js';
import { startProduct, type Product } from '../hostile/product.js';

/**
 * Issue 20 point 3: a credential that stops holding takes its open sockets with it. Against the
 * real product process, with real graphql-ws clients.
 */
const cleanup = disposer();
afterAll(() => cleanup.run());

const ADMIN = makeKey('site-admin', 'admin');

interface CreatedKey {
  readonly keyId: string;
  readonly key: string;
}

const CREATE = 'mutation ($name: String!, $role: ApiRole!) { createApiKey(input: { name: $name, role: $role }) { key apiKey { keyId } } }';
const REVOKE = 'mutation ($keyId: ID!) { revokeApiKey(input: { id: $keyId }) { apiKey { revoked } } }';

async function createKey(url: string, as: string, name: string, role: 'VIEWER' | 'OPERATOR' | 'ADMIN'): Promise<CreatedKey> {
  const data = await httpData<{ createApiKey: { key: string; apiKey: { keyId: string } } }, { name: string; role: string }>(url, CREATE, { name, role }, bearer(as));
  return { key: data.createApiKey.key, keyId: data.createApiKey.apiKey.keyId };
}

async function revokeKey(url: string, as: string, keyId: string): Promise<void> {
  await httpData<{ revokeApiKey: { apiKey: { revoked: boolean } } }, { keyId: string }>(url, REVOKE, { keyId }, bearer(as));
}

function client(url: string, secret: string) {
  const c = wsClient(url, { authorization: `Bearer ${secret}` });
  cleanup.add(() => c.dispose());
  return c;
}

describe('revocation on open sockets (one process)', () => {
  let product: Product;

  beforeAll(async () => {
    product = await startProduct({ DATA_DIR: tempDir(cleanup, 'energy-security-revoke-'), AUTH: 'required', API_KEYS: ADMIN.entry }, cleanup);
  });

  it('closes a socket of a revoked key with 4403 within 2 s: no more readings, and the key is refused everywhere', async () => {
    const viewer = await createKey(product.httpUrl, ADMIN.key, 'dashboard', 'VIEWER');
    const panel = uniquePanelId('REVOKE');
    const live = subscribe<{ panelReading: { panelId: string } }, unknown>(
      client(product.wsUrl, viewer.key),
      `subscription { panelReading(panelId: "${panel}") { panelId } }`,
    );
    cleanup.add(() => live.dispose());
    const meter = await connectMeter(product.mqttUrl, cleanup);
    // The subscription may not be registered when the first reading arrives: publish until one is heard.
    await expect
      .poll(async () => {
        await publishQos1(meter, `DATA/PM/${panel}`, meterPayload({ time: minutesAgo(1) }));
        return live.results.length;
      }, { timeout: 10_000, interval: 200 })
      .toBeGreaterThan(0);

    await revokeKey(product.httpUrl, ADMIN.key, viewer.keyId);
    await live.ended(2_000);
    expect(live.errors?.[0]?.message).toBe('socket closed (4403: API key revoked)');

    expect((await httpRequest(product.httpUrl, '{ panels { nodes { id } } }', {}, bearer(viewer.key))).status).toBe(401);
    expect((await wsRequest(client(product.wsUrl, viewer.key), '{ panels { nodes { id } } }')).errors?.[0]?.message).toBe('socket closed (4403: Forbidden)');
  });

  it('an admin key revoked while its socket is open can create no key over it', async () => {
    const second = await createKey(product.httpUrl, ADMIN.key, 'second-admin', 'ADMIN');
    const socket = client(product.wsUrl, second.key);
    // A subscription keeps the socket open (a lazy client closes an idle one) and reports its close.
    const live = subscribe(socket, 'subscription { panelReading { panelId } }');
    cleanup.add(() => live.dispose());
    const before = await wsRequest<{ createApiKey: { apiKey: { keyId: string } } }, unknown>(socket, 'mutation { createApiKey(input: { name: "made-before", role: VIEWER }) { apiKey { keyId } } }');
    expect(before.data?.createApiKey.apiKey.keyId).toMatch(/^[0-9a-f]{12}$/);

    await revokeKey(product.httpUrl, ADMIN.key, second.keyId);
    await live.ended(2_000);
    expect(live.errors?.[0]?.message).toBe('socket closed (4403: API key revoked)');
    const after = await wsRequest(socket, 'mutation { createApiKey(input: { name: "made-after", role: ADMIN }) { key } }');
    expect(after.data ?? null).toBeNull();

    const changes = await httpData<{ adminChanges: { nodes: Array<{ kind: string; change: string }> } }, unknown>(
      product.httpUrl,
      '{ adminChanges(first: 500) { nodes { kind change } } }',
      {},
      bearer(ADMIN.key),
    );
    const made = changes.adminChanges.nodes.filter((c) => c.kind === 'API_KEY_CREATED').map((c) => (JSON.parse(c.change) as { name: string }).name);
    expect(made).toContain('made-before');
    expect(made).not.toContain('made-after');
  });

  it('leaves the sockets of other keys open', async () => {
    const kept = await createKey(product.httpUrl, ADMIN.key, 'kept', 'VIEWER');
    const dropped = await createKey(product.httpUrl, ADMIN.key, 'dropped', 'VIEWER');
    const keptSocket = client(product.wsUrl, kept.key);
    const keptLive = subscribe(keptSocket, 'subscription { panelReading { panelId } }');
    const droppedSocket = client(product.wsUrl, dropped.key);
    const droppedLive = subscribe(droppedSocket, 'subscription { panelReading { panelId } }');
    cleanup.add(() => keptLive.dispose());
    cleanup.add(() => droppedLive.dispose());
    // Both sockets are accepted (a query answers on each) before the revocation.
    expect((await wsRequest(keptSocket, '{ panels { nodes { id } } }')).errors).toBeUndefined();
    expect((await wsRequest(droppedSocket, '{ panels { nodes { id } } }')).errors).toBeUndefined();

    await revokeKey(product.httpUrl, ADMIN.key, dropped.keyId);
    await droppedLive.ended(2_000);
    expect(keptLive.completed).toBe(false);
    expect((await wsRequest(keptSocket, '{ panels { nodes { id } } }')).errors).toBeUndefined();
  });
});

describe('tokens', () => {
  it('refuses a JWT without "exp" over HTTP (401) and WebSocket (4403)', async () => {
    const idp = await startIdentityProvider(cleanup);
    const product = await startProduct({ DATA_DIR: tempDir(cleanup, 'energy-security-jwt-'), AUTH: 'required', ...idp.env }, cleanup);
    const forever = await idp.sign({ sub: 'budi', role: 'admin' }, { expiresAt: null });
    const refused = await httpRequest(product.httpUrl, '{ panels { nodes { id } } }', {}, bearer(forever));
    expect(refused.status).toBe(401);
    expect(refused.errors?.[0]?.message).toBe('the token has no "exp" claim: tokens without an expiry are refused');
    expect((await wsRequest(client(product.wsUrl, forever), '{ panels { nodes { id } } }')).errors?.[0]?.message).toBe('socket closed (4403: Forbidden)');
    // The same holder with an expiry gets in.
    const hour = await idp.sign({ sub: 'budi', role: 'admin' });
    expect((await wsRequest(client(product.wsUrl, hour), '{ panels { nodes { id } } }')).errors).toBeUndefined();
  });
});

/**
 * Several processes (`npm run test:influx -- test/security/socket-revocation.test.ts`): a key
 * revoked on one closes its sockets on the other within 15 s (the admin notice over the
 * stored-readings feed, else the 10 s re-read of the admin record).
 */
describe.skipIf(!realInflux)('revocation on open sockets (two processes)', () => {
  it('closes the socket on the process that did not revoke the key within 15 s', { timeout: 120_000 }, async () => {
    const cluster = await startCluster(cleanup, 'revoke', { AUTH: 'required', API_KEYS: ADMIN.entry });
    const nodes: Node[] = [await cluster.launch('a'), await cluster.launch('b')];
    await Promise.all(nodes.map((node) => ready(node)));
    const [a, b] = nodes as [Node, Node];
    const viewer = await createKey(`${a.url}/graphql`, ADMIN.key, 'roaming', 'VIEWER');
    // b learns of the key from the shared admin record.
    const onB = client(`${b.url.replace('http', 'ws')}/graphql`, viewer.key);
    await expect.poll(async () => (await wsRequest(onB, '{ panels { nodes { id } } }')).errors, { timeout: 15_000, interval: 250 }).toBeUndefined();
    const live = subscribe(onB, 'subscription { panelReading { panelId } }');
    cleanup.add(() => live.dispose());
    // The subscription holds the (lazy) socket open: a query over it answers once that socket is
    // accepted, so the revocation below meets an open socket, not a connection still being made
    // (that one would be refused at connection_init: 4403 Forbidden).
    expect((await wsRequest(onB, '{ panels { nodes { id } } }')).errors).toBeUndefined();

    await revokeKey(`${a.url}/graphql`, ADMIN.key, viewer.keyId);
    await live.ended(15_000);
    expect(live.errors?.[0]?.message).toBe('socket closed (4403: API key revoked)');
  });
});
