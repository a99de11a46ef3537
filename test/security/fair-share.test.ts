import { request } from 'node:http';
import { createConnection } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { makeKey } from '../access/support.js';
import { disposer, tempDir } from '../support/disposer.js';
import { subscribe, type LiveOperation } from '../support/graphql-client.js';
import { connectMeter, meterPayload, minutesAgo, publishQos1, uniquePanelId } from '../support/mqtt.js';
import { startProduct, type Product } from '../hostile/product.js';

/**
 * Issue 20 point 8: one caller cannot take every WebSocket slot or subscription. Against the real
 * product with small limits (the shares are fractions of them): WS_MAX_CONNECTIONS=20 and
 * WS_MAX_SUBSCRIPTIONS=20 with CALLER_MAX_SHARE=25% give each credential and each address 5, and
 * OPERATOR_RESERVE=10% keeps 2 for operators and admins (viewers together: 18); of
 * GRAPHQL_MAX_COST_IN_FLIGHT=4,000,000 each caller may hold 1,000,000. Clients bind
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
      GRAPHQL_MAX_COST: '1000000',
      GRAPHQL_MAX_COST_IN_FLIGHT: '4000000',
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

/** A POST of `query` from `localAddress`, its status and body read in full. */
function post(localAddress: string, secret: string, query: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(product.httpUrl, { method: 'POST', localAddress, headers: { 'content-type': 'application/json', authorization: `Bearer ${secret}` } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.once('error', reject);
    req.end(JSON.stringify({ query }));
  });
}

describe('a fair share of the operation cost in flight per caller', () => {
  it('a caller whose large answer is still being sent may not start another; others may', async () => {
    const panel = uniquePanelId('SHARE');
    const meter = await connectMeter(product.mqttUrl, cleanup);
    await publishQos1(meter, `DATA/PM/${panel}`, meterPayload({ time: minutesAgo(1) }));
    // 20 aliases × 5,000 hourly windows × 6 values: a cost of about 600,000 (a 15 MB answer), so
    // one fits in a caller's 1,000,000 and two do not.
    const to = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000);
    const from = new Date(to.getTime() - 5_000 * 3_600_000);
    const window = `history(every: "1h", from: "${from.toISOString()}", to: "${to.toISOString()}") { nodes { start energyKwh cost { amount } activePowerKw current { average } } }`;
    const large = `{ ${Array.from({ length: 20 }, (_, i) => `a${i}: panel(id: "${panel}") { ${window} }`).join(' ')} }`;
    const [holder, other] = [viewers[0]!, viewers[1]!];

    // The holder asks and never reads: its answer, and the cost it holds, stay in flight.
    const held = createConnection({ host: '127.0.0.1', port: product.httpPort, localAddress: '127.0.0.40' });
    cleanup.add(() => held.destroy());
    const body = JSON.stringify({ query: large });
    held.write(
      `POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nAuthorization: Bearer ${holder.key}\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
    await expect.poll(async () => Number(await metric('energy_graphql_cost_in_flight')), { timeout: 10_000 }).toBeGreaterThan(500_000);

    const busy = (answer: { status: number; body: string }) => ({
      status: answer.status,
      code: (JSON.parse(answer.body) as { errors?: Array<{ extensions?: { code?: string } }> }).errors?.[0]?.extensions?.code,
      share: answer.body.includes('CALLER_MAX_SHARE'),
    });
    // The same key from another address, and another key from the holder's address: 503.
    expect(busy(await post('127.0.0.41', holder.key, large))).toEqual({ status: 503, code: 'SERVICE_UNAVAILABLE', share: true });
    expect(busy(await post('127.0.0.40', other.key, large))).toEqual({ status: 503, code: 'SERVICE_UNAVAILABLE', share: true });
    // Another key from another address: answered in full.
    const answered = await post('127.0.0.42', other.key, large);
    expect(answered.status).toBe(200);
    expect(Object.keys((JSON.parse(answered.body) as { data: object }).data)).toHaveLength(20);
  });
});

