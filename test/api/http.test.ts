import { readdirSync, readFileSync } from 'node:fs';
import { connectAsync } from 'mqtt';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { httpData, httpRequest, subscribe, wsClient } from '../support/graphql-client.js';
import { disposer } from '../support/disposer.js';
import { meterPayload, uniquePanelId } from '../support/mqtt.js';
import { startTestApp } from '../support/test-app.js';

const disposers = disposer();
afterEach(() => disposers.run());

const start = () => startTestApp({}, undefined, { cleanup: disposers });

describe('HTTP endpoints', () => {
  it('GET /health is 200 while the process lives', async () => {
    const api = await start();
    const response = await fetch(`${api.baseUrl}/health`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/application\/json/);
    expect(await response.json()).toMatchObject({ status: 'ok' });
  });

  it('GET /ready is 200 with the store and broker details, 503 when the store cannot answer', async () => {
    const api = await start();
    const ready = await fetch(`${api.baseUrl}/ready`);
    expect(ready.status).toBe(200);
    expect(ready.headers.get('content-type')).toMatch(/application\/json/);
    expect(await ready.json()).toEqual({ status: 'ready', brokerConnected: true, store: 'ok', energy: 'ok' });

    const spy = vi.spyOn(SqliteStore.prototype, 'ping').mockRejectedValue(new Error('database is locked'));
    disposers.add(() => spy.mockRestore());
    const notReady = await fetch(`${api.baseUrl}/ready`);
    expect(notReady.status).toBe(503);
    expect(await notReady.json()).toMatchObject({ status: 'not ready', brokerConnected: true, store: expect.stringMatching(/unreachable/) });
  });

  it('serves GraphiQL at /graphql to a browser: one tab per dashboard operation, each running as it opens', async () => {
    const api = await start();
    const panelId = uniquePanelId('GRAPHIQL');
    const meter = await connectAsync(api.mqttUrl);
    disposers.use(meter, (m) => m.endAsync());
    await meter.publishAsync(`DATA/PM/${panelId}`, meterPayload({ kWh: '100.5', time: new Date(Date.now() - 60_000) }), { qos: 1 });
    await vi.waitFor(async () => expect(await httpData(api.httpUrl, '{ panels { nodes { id } } }')).toEqual({ panels: { nodes: [{ id: panelId }] } }));

    // alarmChanged opens with the open alarms: give it one (a counter glitch the counting rule holds back raises METER_DATA).
    const glitching = uniquePanelId('GLITCH');
    for (const [minutesAgo, kWh] of [[5, '200.0'], [4, '0'], [3, '200.2']] as const) {
      await meter.publishAsync(`DATA/PM/${glitching}`, meterPayload({ kWh, time: new Date(Date.now() - minutesAgo * 60_000) }), { qos: 1 });
    }
    await vi.waitFor(async () => expect(await httpData<{ alarmCounts: { open: number } }, unknown>(api.httpUrl, '{ alarmCounts { open } }')).toEqual({ alarmCounts: { open: 1 } }), { timeout: 10_000 });

    const response = await fetch(api.httpUrl, { headers: { accept: 'text/html' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/text\/html/);
    const html = await response.text();
    const options = /renderYogaGraphiQL\(\s*window\.document\.querySelector\('#root'\),\s*(\{.*\}),?\s*\);/s.exec(html)?.[1];
    expect(options, 'GraphiQL options in the page').toBeDefined();
    const parsed = JSON.parse(options!) as { subscriptionsProtocol?: string; title?: string; defaultTabs?: Array<{ query: string; variables?: string }> };
    expect(parsed.subscriptionsProtocol).toBe('WS');
    expect(parsed.title).toBe('Energy monitoring API');

    // Every operation of operations/*.graphql is a tab of its own, the dashboard first.
    const tabs = parsed.defaultTabs ?? [];
    const names = tabs.map((tab) => /^(?:query|subscription|mutation)\s+(\w+)/.exec(tab.query)?.[1]);
    const operationNames = readdirSync(new URL('../../operations/', import.meta.url))
      .flatMap((file) => [...readFileSync(new URL(`../../operations/${file}`, import.meta.url), 'utf8').matchAll(/^(?:query|subscription|mutation)\s+(\w+)/gm)].map((m) => m[1]));
    expect(names[0]).toBe('Dashboard');
    expect([...names].sort()).toEqual([...operationNames].sort());

    // ...and each one answers with data and no error, with the variables it opens with.
    const ws = wsClient(api.wsUrl);
    disposers.use(ws, (client) => client.dispose());
    for (const tab of tabs) {
      const variables = tab.variables ? (JSON.parse(tab.variables) as Record<string, unknown>) : undefined;
      if (variables && 'panelId' in variables) expect(variables.panelId).toBe(panelId);
      if (tab.query.startsWith('subscription')) {
        const live = subscribe<Record<string, unknown>, Record<string, unknown> | undefined>(ws, tab.query, variables);
        const first = await live.next(10_000);
        live.dispose();
        expect(first.errors, tab.query.slice(0, 40)).toBeUndefined();
        expect(first.data).toBeTruthy();
      } else {
        const result = await httpRequest<Record<string, unknown>, Record<string, unknown> | undefined>(api.httpUrl, tab.query, variables);
        expect(result.errors, tab.query.slice(0, 40)).toBeUndefined();
        expect(result.data).toBeTruthy();
      }
    }
  });
});
