import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { Disposers } from '../support/graphql-client.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const disposers = new Disposers();
afterEach(() => disposers.drain());

async function start(): Promise<TestApp> {
  const api = await startTestApp();
  return disposers.use(api, (a) => a.stop({ removeData: true }));
}

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

  it('serves GraphiQL at /graphql to a browser, opened on the dashboard operations, subscribing over WebSocket', async () => {
    const api = await start();
    const response = await fetch(api.httpUrl, { headers: { accept: 'text/html' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/text\/html/);
    const html = await response.text();
    const options = /renderYogaGraphiQL\(\s*window\.document\.querySelector\('#root'\),\s*(\{.*\}),?\s*\);/s.exec(html)?.[1];
    expect(options, 'GraphiQL options in the page').toBeDefined();
    const parsed = JSON.parse(options!) as { subscriptionsProtocol?: string; defaultQuery?: string; title?: string };
    expect(parsed.subscriptionsProtocol).toBe('WS');
    expect(parsed.title).toBe('Energy monitoring API');
    for (const file of ['dashboard', 'panel-detail', 'summaries', 'live-readings']) {
      const operations = readFileSync(new URL(`../../operations/${file}.graphql`, import.meta.url), 'utf8').trim();
      expect(parsed.defaultQuery, `${file}.graphql in GraphiQL's default query`).toContain(operations);
    }

  });
});
