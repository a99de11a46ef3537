import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { disposer } from '../support/disposer.js';
import { subscribe, wsClient } from '../support/graphql-client.js';
import { seed } from '../support/seed.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/**
 * yoga streams subscriptions over plain HTTP (server-sent events) unless told otherwise; that path
 * would skip the WebSocket's caps, shared streams and revocation watch. Refused, answered at once
 * (no stream left open), and the same subscription over the WebSocket still works.
 */
const cleanup = disposer();
let app: TestApp;

beforeAll(async () => {
  app = await startTestApp({}, undefined, { cleanup });
  seed(app.app, [{ panelId: 'PANEL_SSE', time: new Date(Date.now() - 60_000), kwh: 10 }]);
});
afterAll(() => cleanup.run());

const SUBSCRIPTION = 'subscription { panelReadingChanged { initial reading { panelId } } }';

describe('subscriptions over plain HTTP', () => {
  it.each([
    ['POST, Accept: text/event-stream', () => fetch(app.httpUrl, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'text/event-stream' }, body: JSON.stringify({ query: SUBSCRIPTION }), signal: AbortSignal.timeout(10_000) })],
    ['GET, Accept: text/event-stream', () => fetch(`${app.httpUrl}?query=${encodeURIComponent(SUBSCRIPTION)}`, { headers: { accept: 'text/event-stream' }, signal: AbortSignal.timeout(10_000) })],
    ['POST, Accept: application/json', () => fetch(app.httpUrl, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify({ query: SUBSCRIPTION }), signal: AbortSignal.timeout(10_000) })],
  ])('%s: refused with SUBSCRIPTION_OVER_HTTP, the response ends, no event sent', async (_name, send) => {
    const response = await send();
    // The whole body arrives: the server ended the response instead of holding a stream open.
    const body = await response.text();
    expect(body).toContain('SUBSCRIPTION_OVER_HTTP');
    expect(body).not.toContain('PANEL_SSE');
  });

  it('the same subscription over the WebSocket starts with the current state', async () => {
    const client = wsClient(app.wsUrl);
    cleanup.add(() => client.dispose());
    const live = subscribe<{ panelReadingChanged: { initial: boolean; reading: { panelId: string } } }, Record<string, never>>(client, SUBSCRIPTION);
    cleanup.add(() => live.dispose());
    const first = await live.next(10_000);
    expect(first.errors).toBeUndefined();
    expect(first.data?.panelReadingChanged).toEqual({ initial: true, reading: { panelId: 'PANEL_SSE' } });
  });
});
