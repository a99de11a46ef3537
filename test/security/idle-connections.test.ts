import { createConnection, type Socket } from 'node:net';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { httpData } from '../support/graphql-client.js';
import { disposer, tempDir } from '../support/disposer.js';
import { connectMeter, meterPayload, minutesAgo, publishQos1, uniquePanelId } from '../support/mqtt.js';
import { report, startProduct } from '../hostile/product.js';

/**
 * 1,100 idle TCP connections to the HTTP port of a product limited to 1,024 open files (the
 * issue's attack): HTTP_MAX_CONNECTIONS (automatic: half of the file limit less 100, 462) are
 * held, the rest closed at once, the held ones closed after HTTP_IDLE_TIMEOUT; meanwhile meters
 * still connect to MQTT, and afterwards /health answers.
 */
const cleanup = disposer();
afterAll(() => cleanup.run());

const ATTACK = 1_100;
const FILE_LIMIT = 1_024;
const AUTO_LIMIT = Math.floor((FILE_LIMIT - 100) / 2);

async function limitHits(baseUrl: string, limit: string): Promise<number> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  return Number(new RegExp(`^energy_limit_hits_total\\{limit="${limit}"\\} (\\d+)`, 'm').exec(text)?.[1] ?? Number.NaN);
}

describe('idle connections to the HTTP port', () => {
  it('closes those beyond HTTP_MAX_CONNECTIONS at once and the rest after HTTP_IDLE_TIMEOUT; MQTT keeps accepting meters', async () => {
    const product = await startProduct({ DATA_DIR: tempDir(cleanup, 'energy-hostile-idle-'), HTTP_IDLE_TIMEOUT: '3s' }, cleanup, { nofile: FILE_LIMIT });
    let closed = 0;
    const sockets: Socket[] = [];
    cleanup.add(() => sockets.forEach((socket) => socket.destroy()));
    await Promise.all(
      Array.from(
        { length: ATTACK },
        () =>
          new Promise<void>((resolve) => {
            const socket = createConnection({ host: '127.0.0.1', port: product.httpPort });
            sockets.push(socket);
            socket.once('close', () => void closed++);
            socket.once('error', () => undefined);
            socket.once('connect', () => resolve());
            socket.once('close', () => resolve());
          }),
      ),
    );
    // The excess is closed at once (without waiting for the idle timeout).
    await vi.waitFor(() => expect(closed).toBeGreaterThanOrEqual(ATTACK - AUTO_LIMIT), { timeout: 2_500, interval: 50 });
    const attackedAt = Date.now();

    // Meanwhile the embedded broker accepts a meter and stores its reading.
    const panel = uniquePanelId('IDLE');
    const meter = await connectMeter(product.mqttUrl, cleanup);
    await publishQos1(meter, `DATA/PM/${panel}`, meterPayload({ time: minutesAgo(1) }));

    // The held ones are closed once idle for HTTP_IDLE_TIMEOUT; then /health answers. (A loaded CI
    // machine once had 41 of 1,100 still open at 15 s; normally all close about 2 s after the attack.)
    await vi.waitFor(() => expect(closed).toBe(ATTACK), { timeout: 40_000, interval: 100 });
    const allClosedAfterMs = Date.now() - attackedAt;
    expect((await fetch(`${product.baseUrl}/health`)).status).toBe(200);
    // The test's own keep-alive connections (readiness polls) may hold a slot or two.
    const dropped = await limitHits(product.baseUrl, 'HTTP_MAX_CONNECTIONS');
    expect(dropped).toBeGreaterThanOrEqual(ATTACK - AUTO_LIMIT);
    expect(dropped).toBeLessThanOrEqual(ATTACK - AUTO_LIMIT + 3);
    expect(dropped + (await limitHits(product.baseUrl, 'HTTP_IDLE_TIMEOUT'))).toBeGreaterThanOrEqual(ATTACK);
    expect((await httpData<{ panel: { id: string } | null }, unknown>(product.httpUrl, `{ panel(id: "${panel}") { id } }`)).panel).toEqual({ id: panel });
    // Logged, but rate-limited: a handful of lines for 1,100 connections.
    expect(product.logs.filter((line) => line.limit === 'HTTP_MAX_CONNECTIONS' || line.limit === 'HTTP_IDLE_TIMEOUT').length).toBeLessThanOrEqual(10);
    report(`${ATTACK} idle TCP connections, open-file limit ${FILE_LIMIT}, HTTP_IDLE_TIMEOUT=3s`, { allClosedAfterMs, ...(await product.memory()) });
  }, 90_000);
});

/**
 * The default HTTP_IDLE_TIMEOUT (60 s), not a short one: five connections that never send a byte
 * are closed by the server, seen by the client as each socket's close. Node counts the request
 * timeout (HTTP_REQUEST_TIMEOUT, 30 s) from the connection's start and checks it every 7.5 s, so
 * they close after 30-37.5 s; the bound asserted is the idle timeout plus 5 s of slack. Alone in
 * its describe, run after the test above (a file's tests run one at a time): about 40 s.
 */
describe('idle connections with the default HTTP_IDLE_TIMEOUT', () => {
  const DEFAULT_IDLE_MS = 60_000;
  const SLACK_MS = 5_000;

  it('closes five silent connections within HTTP_IDLE_TIMEOUT, without an answer the client would have to read', { timeout: DEFAULT_IDLE_MS + SLACK_MS + 30_000 }, async () => {
    const product = await startProduct({ DATA_DIR: tempDir(cleanup, 'energy-hostile-idle-default-') }, cleanup);
    const openedAt = Date.now();
    const closedAfterMs: number[] = [];
    const sockets = await Promise.all(
      Array.from(
        { length: 5 },
        () =>
          new Promise<Socket>((resolve, reject) => {
            // Like an attacker's socket: it never writes and never reads (no 'data' listener).
            const socket = createConnection({ host: '127.0.0.1', port: product.httpPort });
            socket.once('close', () => void closedAfterMs.push(Date.now() - openedAt));
            socket.once('error', reject);
            socket.once('connect', () => resolve(socket));
          }),
      ),
    );
    cleanup.add(() => sockets.forEach((socket) => socket.destroy()));

    await vi.waitFor(() => expect(closedAfterMs).toHaveLength(5), { timeout: DEFAULT_IDLE_MS + SLACK_MS, interval: 250 });
    expect(Math.max(...closedAfterMs)).toBeLessThanOrEqual(DEFAULT_IDLE_MS + SLACK_MS);
    // Closed by the server (this test destroys none before the end), counted under the limit that closed them.
    expect(await limitHits(product.baseUrl, 'HTTP_REQUEST_TIMEOUT')).toBeGreaterThanOrEqual(5);
    report('5 silent TCP connections, default HTTP_IDLE_TIMEOUT (60s)', { closedAfterMs: closedAfterMs.sort((a, b) => a - b) });
  });
});

