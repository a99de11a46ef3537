import { afterAll, describe, expect, it } from 'vitest';
import { bearer, makeKey } from '../access/support.js';
import { disposer, tempDir } from '../support/disposer.js';
import { httpData } from '../support/graphql-client.js';
import { startProduct } from '../hostile/product.js';

/**
 * Issue 20 point 9: /health and /ready, which anyone may call, answer with a status and short
 * codes; what the codes stand for (here the data directory's path and the free space) is for
 * operators: ingestStatus and the log.
 */
const cleanup = disposer();
afterAll(() => cleanup.run());

const OPERATOR = makeKey('ops', 'operator');
/** A short code: a word or two, a number; nothing like a path or an error's sentence. */
const CODE = /^[a-z][a-z0-9 ()_-]{0,31}$/;

describe('anonymous endpoints', () => {
  it('/ready says "not ready" and why in codes, without the path; operators get the path', async () => {
    const dataDir = tempDir(cleanup, 'energy-security-anon-');
    // More free space than any disk has: the store refuses writes from the start.
    const product = await startProduct({ DATA_DIR: dataDir, AUTH: 'required', API_KEYS: OPERATOR.entry, STORE_MIN_FREE: '100000GiB' }, cleanup, { ready: false });

    const ready = await fetch(`${product.baseUrl}/ready`);
    expect(ready.status).toBe(503);
    const text = await ready.text();
    expect(text).not.toContain(dataDir);
    const body = JSON.parse(text) as Record<string, unknown>;
    expect(body).toMatchObject({ status: 'not ready', storeWrites: 'refused' });
    for (const [name, value] of Object.entries(body)) {
      if (typeof value === 'string') expect(value, name).toMatch(CODE);
      else expect(['boolean', 'number'].includes(typeof value) || value === null, name).toBe(true);
    }

    const health = await fetch(`${product.baseUrl}/health`);
    expect(health.status).toBe(200);
    expect(Object.keys((await health.json()) as object).sort()).toEqual(['status', 'uptimeSeconds']);

    // Operators: the problem in full in ingestStatus, and once in the log.
    const status = await httpData<{ ingestStatus: { storeWrites: { writable: boolean; problem: string | null } | null } }, unknown>(
      product.httpUrl,
      '{ ingestStatus { storeWrites { writable problem } } }',
      {},
      bearer(OPERATOR.key),
    );
    expect(status.ingestStatus.storeWrites).toMatchObject({ writable: false });
    expect(status.ingestStatus.storeWrites?.problem).toContain(dataDir);
    const logged = () => product.logs.filter((line) => JSON.stringify(line.problems ?? '').includes(dataDir)).length;
    await expect.poll(logged).toBe(1);
    // Asked again: the same problems are not logged again. A refused credential afterwards logs a
    // line of its own; once it is there, anything /ready logged before it is there too.
    await fetch(`${product.baseUrl}/ready`);
    expect((await fetch(product.httpUrl, { method: 'POST', headers: bearer('emk_wrong') })).status).toBe(401);
    await expect.poll(() => product.logs.some((line) => line.msg === 'credentials refused')).toBe(true);
    expect(logged()).toBe(1);
  });
});
