import { request } from 'node:http';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { disposer } from '../support/disposer.js';
import { seed } from '../support/seed.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/**
 * Bodies of POST /graphql and of its answers. Plain JSON requests are read and parsed by the
 * product before yoga sees them (src/http/request-body.ts), everything else is left to yoga; either
 * way a client gets the answer yoga alone gave (each case below was compared against the product
 * without request-body.ts when it was written). Large answers are written as bytes
 * (src/http/byte-bodies.ts): whole, and as long as their Content-Length says.
 */

const cleanup = disposer();
afterAll(() => cleanup.run());

interface Answer {
  readonly status: number;
  readonly type: string | undefined;
  readonly body: string;
}

function post(url: string, headers: Record<string, string>, body: string, options: { chunked?: boolean; splitAt?: number } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const req = request({ host: target.hostname, port: target.port, path: target.pathname, method: 'POST', headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: res.headers['content-type'], body: text }));
    });
    req.on('error', reject);
    if (options.chunked) {
      // Two chunks, split at a byte offset (inside a character if it is one beyond ASCII).
      const bytes = Buffer.from(body);
      const at = options.splitAt ?? 5;
      req.write(bytes.subarray(0, at));
      req.write(bytes.subarray(at));
    } else if (body !== '') req.write(body);
    req.end();
  });
}

const QUERY = JSON.stringify({ query: '{ __typename }' });
const JSON_TYPE = 'application/json; charset=utf-8';
const sized = (type: string | null, body: string): Record<string, string> => ({
  ...(type === null ? {} : { 'content-type': type }),
  'content-length': String(Buffer.byteLength(body)),
});
const message = (answer: Answer) => (JSON.parse(answer.body) as { errors: Array<{ message: string; extensions: { code: string } }> }).errors[0];

describe('POST /graphql bodies', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({}, undefined, { cleanup });
    seed(app.app, [{ panelId: 'P_A', time: new Date(Date.now() - 60_000), kwh: 1 }]);
    const rename = JSON.stringify({ query: 'mutation { updatePanel(input: { id: "P_A", name: "Lantai 2 – ⚡ Ruang" }) { panel { name } } }' });
    expect((await post(app.httpUrl, sized('application/json', rename), rename)).body).toContain('Lantai 2 – ⚡ Ruang');
  });

  it('answers a JSON object, with or without a charset, by length or chunked, and application/graphql+json', async () => {
    const ok = { status: 200, type: JSON_TYPE, body: '{"data":{"__typename":"Query"}}' };
    expect(await post(app.httpUrl, sized('application/json', QUERY), QUERY)).toEqual(ok);
    expect(await post(app.httpUrl, sized('Application/JSON; charset=utf-8', QUERY), QUERY)).toEqual(ok);
    expect(await post(app.httpUrl, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' }, QUERY, { chunked: true })).toEqual(ok);
    expect(await post(app.httpUrl, sized('application/graphql+json', QUERY), QUERY)).toEqual(ok);
    // Beyond ASCII, split across chunks in the middle of a character.
    const named = JSON.stringify({ query: 'query Named($search: String) { panels(search: $search) { totalCount } }', variables: { search: 'Lantai 2 – ⚡' } });
    const inside = Buffer.from(named).indexOf(Buffer.from('⚡')) + 1;
    const found = { status: 200, type: JSON_TYPE, body: '{"data":{"panels":{"totalCount":1}}}' };
    expect(await post(app.httpUrl, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' }, named, { chunked: true, splitAt: inside })).toEqual(found);
    expect(await post(app.httpUrl, sized('application/json', named), named)).toEqual(found);
  });

  it('answers what is not a JSON object as yoga does: invalid JSON, empty, null, a number, a batch, no query, unknown keys', async () => {
    const bad = await post(app.httpUrl, sized('application/json', '{"query":'), '{"query":');
    expect([bad.status, message(bad)!.message, message(bad)!.extensions.code]).toEqual([400, 'POST body sent invalid JSON.', 'BAD_REQUEST']);
    const empty = await post(app.httpUrl, sized('application/json', ''), '');
    expect([empty.status, message(empty)!.message]).toEqual([400, 'POST body sent invalid JSON.']);
    for (const [body, text] of [
      ['null', 'POST body is expected to be object but received null'],
      ['1', 'POST body is expected to be object but received number'],
      [`[${QUERY}]`, 'Batching is not supported.'],
      ['{"x":"y"}', 'Unexpected parameter "x" in the request body.'],
    ] as const) {
      const answer = await post(app.httpUrl, sized('application/json', body), body);
      expect([answer.status, answer.type, message(answer)!.message], body).toEqual([400, JSON_TYPE, text]);
    }
    const noQuery = await post(app.httpUrl, sized('application/json', '{}'), '{}');
    expect(message(noQuery)!.message).toBe('Must provide query string.');
  });

  it('refuses other media types (415) and bodies beyond HTTP_MAX_BODY (413), declared or chunked', async () => {
    expect((await post(app.httpUrl, sized('text/plain', QUERY), QUERY)).status).toBe(415);
    expect((await post(app.httpUrl, sized(null, QUERY), QUERY)).status).toBe(415);
    const big = JSON.stringify({ query: `{ __typename } # ${'a'.repeat(70_000)}` });
    for (const answer of [
      await post(app.httpUrl, sized('application/json', big), big),
      await post(app.httpUrl, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' }, big, { chunked: true }),
    ]) {
      expect([answer.status, message(answer)!.message, message(answer)!.extensions.code]).toEqual([413, 'Request body too large', 'REQUEST_ENTITY_TOO_LARGE']);
    }
  });

  it('keeps serving when a client declares a body and goes away before sending it all', async () => {
    const target = new URL(app.httpUrl);
    for (let i = 0; i < 5; i++) {
      const socket = connect(Number(target.port), target.hostname);
      await new Promise<void>((resolve) => socket.once('connect', resolve));
      socket.write(`POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{"query":"{ __ty`);
      await new Promise((resolve) => setTimeout(resolve, 20));
      socket.destroy();
    }
    expect((await post(app.httpUrl, sized('application/json', QUERY), QUERY)).status).toBe(200);
  });
});

describe('large answers', () => {
  it('are whole and exactly as long as they say, names beyond ASCII included (written as bytes from 16 K characters)', async () => {
    const app = await startTestApp({}, undefined, { cleanup });
    const now = Date.now();
    seed(app.app, [
      { panelId: 'P_A', time: new Date(now - 120_000), kwh: 1 },
      { panelId: 'P_A', time: new Date(now - 60_000), kwh: 1.5 },
    ]);
    const rename = JSON.stringify({ query: 'mutation { updatePanel(input: { id: "P_A", name: "Lantai 2 – ⚡ Ruang" }) { panel { name } } }' });
    await post(app.httpUrl, sized('application/json', rename), rename);
    const hour = 3_600_000;
    const to = new Date(Math.ceil(now / hour) * hour);
    const query = JSON.stringify({
      query: 'query Chart($from: DateTime!, $to: DateTime!) { panel(id: "P_A") { name history(from: $from, to: $to, every: "1h") { nodes { start energyKwh } } } }',
      variables: { from: new Date(to.getTime() - 30 * 24 * hour).toISOString(), to: to.toISOString() },
    });
    const response = await fetch(app.httpUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: query });
    const bytes = Buffer.from(await response.arrayBuffer());
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(Number(response.headers.get('content-length'))).toBe(bytes.length);
    const text = bytes.toString('utf8');
    expect(text.length).toBeGreaterThan(16 * 1024);
    const body = JSON.parse(text) as { data: { panel: { name: string; history: { nodes: Array<{ energyKwh: number }> } } } };
    expect(body.data.panel.name).toBe('Lantai 2 – ⚡ Ruang');
    expect(body.data.panel.history.nodes).toHaveLength(720);
    expect(body.data.panel.history.nodes.reduce((sum, node) => sum + node.energyKwh, 0)).toBeCloseTo(0.5, 6);
  });
});

