import { createHash } from 'node:crypto';
import { createConnection } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { loadConfig } from '../../src/config/config.js';
import { httpRequest, subscribe, wsClient, wsRequest, type LiveOperation } from '../support/graphql-client.js';
import { disposer, tempDir } from '../support/disposer.js';
import { connectMeter, meterPayload, minutesAgo, publishQos1, uniquePanelId } from '../support/mqtt.js';
import { errorLines, HeapSampler, report, startProduct, type Product } from './product.js';

/**
 * Hostile clients without credentials, over real sockets to the real process (as `npm start`
 * runs it, 512 MB heap): each is refused at its limit with a clear error, the process stays up
 * and keeps serving, and its memory stays far below the heap limit.
 */
const cleanup = disposer();
let product: Product;
const PANEL = uniquePanelId('HOSTILE');
const PER_CONNECTION = 20;
const TOTAL = 50;
const WS_CONNECTIONS = 5;

beforeAll(async () => {
  product = await startProduct(
    {
      WS_MAX_SUBSCRIPTIONS_PER_CONNECTION: String(PER_CONNECTION),
      WS_MAX_SUBSCRIPTIONS: String(TOTAL),
      WS_MAX_CONNECTIONS: String(WS_CONNECTIONS),
      // The global limits alone: no share per caller (test/security/fair-share.test.ts has those).
      CALLER_MAX_SHARE: '100%',
      OPERATOR_RESERVE: '0%',
      HTTP_REQUEST_TIMEOUT: '2s',
      DATA_DIR: tempDir(cleanup, 'energy-hostile-clients-'),
    },
    cleanup,
  );
  const meter = await connectMeter(product.mqttUrl, cleanup);
  await publishQos1(meter, `DATA/PM/${PANEL}`, meterPayload({ time: minutesAgo(2) }));
}, 60_000);
afterAll(() => cleanup.run());

const LIVE = `subscription { panelReading { panelId activePowerKw } }`;
const code = (errors: ReadonlyArray<{ extensions?: Record<string, unknown> }> | null | undefined) => errors?.[0]?.extensions?.code;

describe('WebSocket subscriptions beyond the limits', () => {
  it('answers the extra operations with an error each; the connection and the process keep working', async () => {
    const heap = new HeapSampler(product);
    heap.start();
    const first = wsClient(product.wsUrl);
    cleanup.add(() => first.dispose());
    const operations: Array<LiveOperation<unknown>> = [];
    for (let i = 0; i < PER_CONNECTION * 3; i++) operations.push(subscribe(first, LIVE));
    cleanup.add(() => operations.forEach((operation) => operation.dispose()));
    await vi.waitFor(() => expect(operations.filter((operation) => operation.completed)).toHaveLength(PER_CONNECTION * 2), { timeout: 10_000 });
    const refused = operations.filter((operation) => operation.completed);
    expect(new Set(refused.map((operation) => code(operation.errors)))).toEqual(new Set(['BAD_USER_INPUT']));
    expect(refused[0]!.errors![0]!.message).toContain('WS_MAX_SUBSCRIPTIONS_PER_CONNECTION');

    // Beyond the total over all connections: SERVICE_UNAVAILABLE for the extra ones.
    const second = wsClient(product.wsUrl);
    const third = wsClient(product.wsUrl);
    cleanup.add(() => second.dispose());
    cleanup.add(() => third.dispose());
    const more = [...Array.from({ length: PER_CONNECTION }, () => subscribe(second, LIVE)), ...Array.from({ length: PER_CONNECTION }, () => subscribe(third, LIVE))];
    cleanup.add(() => more.forEach((operation) => operation.dispose()));
    await vi.waitFor(() => expect(more.filter((operation) => operation.completed)).toHaveLength(PER_CONNECTION * 3 - TOTAL), { timeout: 10_000 });
    expect(new Set(more.filter((operation) => operation.completed).map((operation) => code(operation.errors)))).toEqual(new Set(['SERVICE_UNAVAILABLE']));

    // The admitted subscriptions are live: a meter's reading reaches them.
    const live = operations.find((operation) => !operation.completed)!;
    const meter = await connectMeter(product.mqttUrl, cleanup);
    await publishQos1(meter, `DATA/PM/${PANEL}`, meterPayload({ time: minutesAgo(1) }));
    expect((await live.next(5_000)).data).toMatchObject({ panelReading: { panelId: PANEL } });

    // Completing some frees slots on the same socket: a query over it is answered again.
    for (const operation of operations.filter((o) => !o.completed).slice(0, 5)) operation.dispose();
    await vi.waitFor(async () => expect(await wsRequest(first, `{ panel(id: "${PANEL}") { id } }`)).toMatchObject({ data: { panel: { id: PANEL } } }), { timeout: 5_000 });
    expect(product.alive()).toBe(true);
    report('WebSocket: 100 subscriptions over 3 sockets against 20 per socket / 50 in total', { maxHeapUsedMiB: await heap.stop(), ...(await product.memory()) });
  });

  it('refuses WebSocket upgrades beyond WS_MAX_CONNECTIONS with 503', async () => {
    // Three graphql-ws clients of the test above are open (lazy clients connect on first use).
    const sockets: WebSocket[] = [];
    cleanup.add(() => sockets.forEach((socket) => socket.terminate()));
    const open = (): Promise<number> =>
      new Promise((resolve) => {
        const socket = new WebSocket(product.wsUrl, 'graphql-transport-ws');
        sockets.push(socket);
        socket.once('open', () => resolve(101));
        socket.once('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
        socket.once('error', () => undefined);
      });
    const statuses: number[] = [];
    for (let i = 0; i < WS_CONNECTIONS + 2; i++) statuses.push(await open());
    expect(statuses.filter((status) => status === 503).length).toBeGreaterThanOrEqual(2);
    expect(statuses.every((status) => status === 101 || status === 503)).toBe(true);
    const metrics = await (await fetch(`${product.baseUrl}/metrics`)).text();
    expect(metrics).toMatch(/energy_limit_hits_total\{limit="WS_MAX_CONNECTIONS"\} [1-9]/);
    expect((await fetch(`${product.baseUrl}/health`)).status).toBe(200);
  });
});

describe('GraphiQL', () => {
  it('is built once and served compressed: ten browsers at once get the same bytes', async () => {
    const heap = new HeapSampler(product);
    heap.start();
    const get = (encoding: string, etag?: string) =>
      fetch(product.httpUrl, { headers: { accept: 'text/html', 'accept-encoding': encoding, ...(etag ? { 'if-none-match': etag } : {}) } });
    // fetch would decompress; the bytes on the wire are compared by content-length and ETag.
    const responses = await Promise.all(Array.from({ length: 10 }, () => get('br, gzip')));
    const bodies = await Promise.all(responses.map(async (response) => Buffer.from(await response.arrayBuffer())));
    expect(responses.every((response) => response.status === 200)).toBe(true);
    expect(new Set(responses.map((response) => response.headers.get('content-encoding')))).toEqual(new Set(['br']));
    expect(new Set(responses.map((response) => response.headers.get('etag'))).size).toBe(1);
    expect(new Set(bodies.map((body) => createHash('sha256').update(body).digest('hex'))).size).toBe(1);
    const wire = Number(responses[0]!.headers.get('content-length'));
    expect(wire).toBeLessThan(bodies[0]!.length / 2); // compressed
    expect(bodies[0]!.toString('utf8')).toContain('<title>Energy monitoring API</title>');
    // Later requests revalidate against the same page (not rebuilt: same ETag), gzip too.
    const etag = responses[0]!.headers.get('etag')!;
    expect((await get('br', etag)).status).toBe(304);
    const gzip = await get('gzip');
    expect(gzip.headers.get('content-encoding')).toBe('gzip');
    expect(createHash('sha256').update(Buffer.from(await gzip.arrayBuffer())).digest('hex')).toBe(createHash('sha256').update(bodies[0]!).digest('hex'));
    report('GraphiQL: 10 concurrent GETs', { maxHeapUsedMiB: await heap.stop(), brotliBytes: wire, plainBytes: bodies[0]!.length, ...(await product.memory()) });
  });

  it('is off by default in production (like introspection): 404 with a message saying so', async () => {
    const config = loadConfig({ NODE_ENV: 'production' });
    expect(config.limits.http.graphiql).toBe(false);
    expect(config.limits.http.introspection).toBe(false);
    const production = await startProduct({ NODE_ENV: 'production', DATA_DIR: tempDir(cleanup, 'energy-hostile-production-') }, cleanup, { ready: false });
    const page = await fetch(production.httpUrl, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(404);
    expect(await page.text()).toContain('GraphiQL is off');
  });
});

describe('expensive and malformed operations', () => {
  it('refuses aliases × readings of many rows by the cost model, before execution', async () => {
    const heap = new HeapSampler(product);
    heap.start();
    const from = new Date(Date.now() - 30 * 86_400_000).toISOString();
    const to = new Date().toISOString();
    const aliases = Array.from(
      { length: 20 },
      (_, i) => `a${i}: readings(from: "${from}", to: "${to}") { nodes { time activePowerKw meterEnergyKwh voltage { l1 l2 l3 } current { l1 l2 l3 } } }`,
    ).join('\n');
    const query = `{ panel(id: "${PANEL}") { ${aliases} } }`;
    const results = await Promise.all(Array.from({ length: 8 }, () => httpRequest(product.httpUrl, query)));
    for (const result of results) {
      expect(result.status).toBe(400);
      expect(result.data ?? null).toBeNull();
      expect(result.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      expect(result.errors?.[0]?.message).toContain('GRAPHQL_MAX_COST');
    }
    // One alias of a short range is within the limit and answered.
    const one = await httpRequest(product.httpUrl, `{ panel(id: "${PANEL}") { readings(from: "${from}", to: "${to}", every: "1h") { nodes { time } } } }`);
    expect(one.errors).toBeUndefined();
    const metrics = await (await fetch(`${product.baseUrl}/metrics`)).text();
    expect(metrics).toMatch(/energy_limit_hits_total\{limit="GRAPHQL_MAX_COST"\} [1-9]/);
    report('8 concurrent queries of 20 aliases × readings', { maxHeapUsedMiB: await heap.stop(), ...(await product.memory()) });
  });

  it('answers client mistakes with BAD_USER_INPUT or a validation error, never an internal error, and logs no error', async () => {
    const before = errorLines(product).length;
    const every = await httpRequest(product.httpUrl, `{ panel(id: "${PANEL}") { readings(from: "2026-01-01T00:00:00Z", to: "2026-01-02T00:00:00Z", every: "99999999999999999999d") { nodes { time } } } }`);
    expect(every.errors?.[0]?.extensions?.code, JSON.stringify(every)).toBe('BAD_USER_INPUT');
    const mutation = await httpRequest(product.httpUrl, 'mutation { x }');
    expect(mutation.errors?.[0]?.extensions?.code, JSON.stringify(mutation)).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(mutation.status).toBe(400);
    for (const query of ['{ panel(id: "x") { readings(from: "yesterday", to: "2026-01-01T00:00:00Z") { nodes { time } } } }', '{ yearlySummary(year: -5) { year } }', '{ monthlySummary(year: 2026, month: 13) { year } }']) {
      const result = await httpRequest(product.httpUrl, query);
      expect(['BAD_USER_INPUT', 'GRAPHQL_VALIDATION_FAILED'], `${query}: ${JSON.stringify(result)}`).toContain(result.errors?.[0]?.extensions?.code);
    }
    expect(errorLines(product).slice(before)).toEqual([]);
  });
});

describe('request bodies and slow requests', () => {
  it('answers a body beyond HTTP_MAX_BODY with 413 and a request whose headers never finish with 408', async () => {
    const big = await fetch(product.httpUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: `{ __typename }`, padding: 'x'.repeat(1024 * 1024) }),
    });
    expect(big.status).toBe(413);
    await vi.waitFor(async () => expect(await (await fetch(`${product.baseUrl}/metrics`)).text()).toMatch(/energy_limit_hits_total\{limit="HTTP_MAX_BODY"\} 1/));
    // Slowloris: a request line and one header, then nothing.
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = createConnection({ host: '127.0.0.1', port: product.httpPort }, () => socket.write('GET /health HTTP/1.1\r\nHost: x\r\n'));
      let text = '';
      socket.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')));
      socket.once('close', () => resolve(text));
      socket.once('error', reject);
      cleanup.add(() => socket.destroy());
    });
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
    const metrics = await (await fetch(`${product.baseUrl}/metrics`)).text();
    expect(metrics).toMatch(/energy_limit_hits_total\{limit="HTTP_REQUEST_TIMEOUT"\} [1-9]/);
  });
});

describe('meter times before the floor', () => {
  it('rejects readings stamped in year 0001 and 1970 (time_too_old) and stores none', async () => {
    const panel = uniquePanelId('OLDCLOCK');
    const meter = await connectMeter(product.mqttUrl, cleanup);
    await publishQos1(meter, `DATA/PM/${panel}`, meterPayload({ time: '0001-01-01 00:00:00' }));
    await publishQos1(meter, `DATA/PM/${panel}`, meterPayload({ time: '1970-01-01 07:00:00' }));
    const status = await httpRequest<{ ingestStatus: { rejections: Array<{ reason: string; count: number }> }; panel: unknown }, unknown>(
      product.httpUrl,
      `{ ingestStatus(panelId: "${panel}") { rejections { reason count } } panel(id: "${panel}") { id } }`,
    );
    expect(status.data?.ingestStatus.rejections).toEqual([{ reason: 'TIME_TOO_OLD', count: 2 }]);
    expect(status.data?.panel).toBeNull();
  });
});

describe('signals', () => {
  it('logs SIGHUP and SIGUSR2 and keeps running; SIGTERM stops cleanly with exit 0', async () => {
    for (const signal of ['SIGHUP', 'SIGUSR2'] as const) {
      product.child.kill(signal);
      await vi.waitFor(() => expect(product.logs.some((line) => line.signal === signal)).toBe(true), { timeout: 5_000 });
    }
    expect(product.alive()).toBe(true);
    expect((await fetch(`${product.baseUrl}/health`)).status).toBe(200);
    report('after every client attack (one process)', { ...(await product.memory()) });
    product.child.kill('SIGTERM');
    expect(await product.exited).toEqual({ code: 0, signal: null });
    expect(product.logs.map((line) => line.msg)).toEqual(expect.arrayContaining(['shutting down', 'stopped cleanly']));
    expect(errorLines(product)).toEqual([]);
  });
});
