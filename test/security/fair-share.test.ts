import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { makeKey } from '../access/support.js';
import { disposer, tempDir } from '../support/disposer.js';
import { subscribe, type LiveOperation } from '../support/graphql-client.js';
import { startProduct, type Product } from '../hostile/product.js';

/**
 * Issue 20 point 8: one caller cannot take every WebSocket slot or subscription. Against the real
 * product with small limits (the shares are fractions of them): WS_MAX_CONNECTIONS=20 and
 * WS_MAX_SUBSCRIPTIONS=20 with CALLER_MAX_SHARE=25% give each credential and each address 5, and
 * OPERATOR_RESERVE=10% keeps 2 for operators and admins (viewers together: 18). Clients bind
 * loopback addresses of their own (127.0.0.1, 127.0.0.2…: Linux routes all of 127/8 to lo).
 */
const cleanup = disposer();
afterAll(() => cleanup.run());

const PER_CALLER = 5;
const FOR_VIEWERS = 18;
const viewers = Array.from({ length: 6 }, (_, i) => makeKey(`viewer-${i}`, 'viewer'));
const SUBSCRIBER = makeKey('subscriber', 'viewer');
const OPERATOR = makeKey('operator', 'operator');

let product: Product;
beforeAll(async () => {
  product = await startProduct(
    {
      DATA_DIR: tempDir(cleanup, 'energy-security-share-'),
      AUTH: 'required',
      API_KEYS: [...viewers, SUBSCRIBER, OPERATOR].map((key) => key.entry).join(','),
      WS_MAX_CONNECTIONS: '20',
      WS_MAX_SUBSCRIPTIONS: '20',
      CALLER_MAX_SHARE: '25%',
      OPERATOR_RESERVE: '10%',
    },
    cleanup,
  );
});

/** A graphql-ws client whose socket leaves from `localAddress`. */
function clientFrom(localAddress: string, secret: string): Client {
  class BoundWebSocket extends WebSocket {
    constructor(address: string | URL, protocols?: string | string[]) {
      super(address, protocols, { localAddress });
    }
  }
  const client = createClient({ url: product.wsUrl, webSocketImpl: BoundWebSocket, retryAttempts: 0, lazy: true, connectionParams: { authorization: `Bearer ${secret}` } });
  cleanup.add(() => client.dispose());
  return client;
}

/**
 * Opens one socket from `localAddress` holding one subscription; resolves with it once the server
 * acknowledged connection_init (the subscription then runs), or with the close that refused it.
 */
async function openSocket(localAddress: string, secret: string): Promise<{ live: LiveOperation<unknown>; refused: string | null }> {
  const client = clientFrom(localAddress, secret);
  const acknowledged = new Promise<void>((resolve) => client.on('connected', () => resolve()));
  const closed = new Promise<string>((resolve) =>
    client.on('closed', (event) => {
      const { code, reason } = event as { code: number; reason: string };
      resolve(`${code}: ${reason}`);
    }),
  );
  const live = subscribe(client, 'subscription { panelReading { panelId } }');
  cleanup.add(() => live.dispose());
  const outcome = await Promise.race([acknowledged.then(() => null), closed]);
  return { live, refused: outcome };
}

const CALLER_SHARE = `1013: CALLER_MAX_SHARE: at most ${PER_CALLER} WebSocket connections per caller; retry later`;

async function metric(name: string): Promise<string> {
  const text = await (await fetch(`${product.baseUrl}/metrics`, { headers: { authorization: `Bearer ${OPERATOR.key}` } })).text();
  return new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? '';
}

describe('a fair share of subscriptions per caller', () => {
  it('answers a subscription beyond the share with SERVICE_UNAVAILABLE; the socket and the others stay open', async () => {
    const client = clientFrom('127.0.0.30', SUBSCRIBER.key);
    const held = Array.from({ length: PER_CALLER }, () => subscribe(client, 'subscription { panelReading { panelId } }'));
    await expect.poll(() => metric('energy_live_subscriptions'), { timeout: 10_000 }).toBe(String(PER_CALLER));
    const beyond = subscribe(client, 'subscription { panelStatusChanged { panelId } }');
    await beyond.ended();
    expect(beyond.errors?.[0]).toMatchObject({
      message: `Too many subscriptions: one caller (credential or address) may hold at most ${PER_CALLER} of WS_MAX_SUBSCRIPTIONS's 20 (CALLER_MAX_SHARE); retry later.`,
      extensions: { code: 'SERVICE_UNAVAILABLE' },
    });
    expect(held.every((live) => !live.completed)).toBe(true);
    // Released with the socket: the connection tests below start from nothing held.
    await client.dispose();
    await expect.poll(() => metric('energy_ws_connections'), { timeout: 10_000 }).toBe('0');
  });
});

describe('a fair share of WebSocket connections per caller', () => {
  it('one key gets its share, the next key and the next address still get in', async () => {
    const [first, second] = viewers as [(typeof viewers)[0], (typeof viewers)[0]];
    for (let i = 0; i < PER_CALLER; i++) expect((await openSocket('127.0.0.1', first.key)).refused).toBeNull();
    // The key's sixth socket, from another address too, is refused; its subscriptions stay open.
    expect((await openSocket('127.0.0.2', first.key)).refused).toBe(CALLER_SHARE);
    // Another key from another address gets in.
    expect((await openSocket('127.0.0.2', second.key)).refused).toBeNull();
    // 127.0.0.1 holds its share (the first key's five): another key from there is refused too.
    expect((await openSocket('127.0.0.1', second.key)).refused).toBe(CALLER_SHARE);
  });

  it('viewers together leave OPERATOR_RESERVE for operators, who get in from a full address', async () => {
    // Held so far by viewers: 5 (127.0.0.1) + 1 (127.0.0.2). Fill up to 18 from other addresses and keys.
    let held = 6;
    for (let k = 2; held < FOR_VIEWERS; k++) {
      const key = viewers[k]!;
      for (let i = 0; i < PER_CALLER - 1 && held < FOR_VIEWERS; i++, held++) {
        expect((await openSocket(`127.0.0.${k + 1}`, key.key)).refused).toBeNull();
      }
    }
    expect((await openSocket('127.0.0.9', viewers[5]!.key)).refused).toBe('1013: OPERATOR_RESERVE: the last 2 WebSocket connections are kept for operators');
    // The operator, from the address the first viewer filled.
    const operator = await openSocket('127.0.0.1', OPERATOR.key);
    expect(operator.refused).toBeNull();
    // And the limits were counted, under the setting that made each refusal.
    const metrics = await (await fetch(`${product.baseUrl}/metrics`, { headers: { authorization: `Bearer ${OPERATOR.key}` } })).text();
    expect(metrics).toMatch(/^energy_limit_hits_total\{limit="CALLER_MAX_SHARE"\} [1-9]/m);
    expect(metrics).toMatch(/^energy_limit_hits_total\{limit="OPERATOR_RESERVE"\} [1-9]/m);
  });

  it('WS_MAX_CONNECTIONS itself still answers upgrades beyond it with 503', async () => {
    // 19 open; one more operator socket makes 20, the next upgrade is refused before the upgrade.
    expect((await openSocket('127.0.0.1', OPERATOR.key)).refused).toBeNull();
    const status = await new Promise<number>((resolve, reject) => {
      const socket = new WebSocket(product.wsUrl, 'graphql-transport-ws', { localAddress: '127.0.0.20' });
      socket.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      socket.once('open', () => reject(new Error('upgrade accepted beyond WS_MAX_CONNECTIONS')));
      socket.once('error', () => undefined);
    });
    expect(status).toBe(503);
  });
});
