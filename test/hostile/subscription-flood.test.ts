import { afterAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { disposer, tempDir } from '../support/disposer.js';
import { HeapSampler, report, startProduct } from './product.js';

/**
 * The first attack at the default limits: one WebSocket starting 30,000 `panelReading`
 * subscriptions (20,000 once took 159 of a 192 MB heap). 100 are admitted
 * (WS_MAX_SUBSCRIPTIONS_PER_CONNECTION), every other one gets an error message of its own, the
 * socket stays open and the heap stays small.
 */
const cleanup = disposer();
afterAll(() => cleanup.run());

const FLOOD = 30_000;

describe('one WebSocket starting 30,000 subscriptions (default limits)', () => {
  it('admits 100, answers the rest with an error each, and keeps the socket and the heap', async () => {
    const product = await startProduct({ DATA_DIR: tempDir(cleanup, 'energy-hostile-flood-') }, cleanup);
    const heap = new HeapSampler(product);
    heap.start();
    const socket = new WebSocket(product.wsUrl, 'graphql-transport-ws');
    cleanup.add(() => socket.terminate());
    const errors = new Map<string, number>();
    let acked = false;
    let pong = false;
    const done = new Promise<void>((resolve, reject) => {
      socket.on('message', (data: Buffer) => {
        const message = JSON.parse(data.toString('utf8')) as { type: string; payload?: Array<{ extensions?: { code?: string } }> };
        if (message.type === 'connection_ack') {
          acked = true;
          for (let i = 0; i < FLOOD; i++) {
            socket.send(JSON.stringify({ id: String(i), type: 'subscribe', payload: { query: 'subscription { panelReading { panelId activePowerKw } }' } }));
          }
          socket.send(JSON.stringify({ type: 'ping' }));
        } else if (message.type === 'error') {
          const code = message.payload?.[0]?.extensions?.code ?? 'none';
          errors.set(code, (errors.get(code) ?? 0) + 1);
        } else if (message.type === 'pong') {
          pong = true;
        }
        if (pong && [...errors.values()].reduce((a, b) => a + b, 0) === FLOOD - 100) resolve();
      });
      socket.once('close', (code) => reject(new Error(`socket closed (${code})`)));
      socket.once('error', reject);
    });
    socket.once('open', () => socket.send(JSON.stringify({ type: 'connection_init' })));
    await done;
    expect(acked).toBe(true);
    expect(Object.fromEntries(errors)).toEqual({ BAD_USER_INPUT: FLOOD - 100 });
    expect(socket.readyState).toBe(WebSocket.OPEN);
    const text = await (await fetch(`${product.baseUrl}/metrics`)).text();
    expect(text).toMatch(/^energy_live_subscriptions 100$/m);
    const memory = await product.memory();
    // A generous sanity bound, far below the 512 MB heap limit.
    expect(memory.heapUsedMiB).toBeLessThan(256);
    report(`one WebSocket, ${FLOOD} subscriptions, default limits`, { maxHeapUsedMiB: await heap.stop(), ...memory });
  }, 60_000);
});
