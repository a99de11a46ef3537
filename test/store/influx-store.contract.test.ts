import { randomBytes } from 'node:crypto';
import { describe, it } from 'vitest';
import { DEFAULT_COUNTER_RULE } from '../../src/models/energy.js';
import { InfluxStore } from '../../src/store/influx/influx-store.js';
import { describeStoreContract } from './contract.js';

/**
 * The store contract against a REAL InfluxDB 2 (none can run on the development machines, see
 * test/influx/ for the protocol-level tests that always run). Set INFLUX_URL, INFLUX_TOKEN (a
 * token that may create and delete buckets, e.g. the compose stack's admin token) and INFLUX_ORG;
 * each run creates fresh buckets and deletes them afterwards:
 *
 *   docker compose --profile test run --rm test
 *
 * or, against any InfluxDB 2.1+:
 *
 *   INFLUX_URL=http://localhost:8086 INFLUX_TOKEN=... INFLUX_ORG=... npx vitest run test/store/influx-store.contract.test.ts
 */

const url = process.env.INFLUX_URL?.trim();
const token = process.env.INFLUX_TOKEN?.trim();
const org = process.env.INFLUX_ORG?.trim();

async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${url!.replace(/\/+$/, '')}${path}`, {
    method,
    headers: { Authorization: `Token ${token!}`, 'Content-Type': 'application/json', Accept: 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path}: HTTP ${response.status} ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

/** Creates a bucket for one store under test through the HTTP API (/api/v2/orgs, /api/v2/buckets). */
async function createBucket(): Promise<{ name: string; id: string }> {
  const { orgs } = await api<{ orgs: Array<{ id: string; name: string }> }>('GET', `/api/v2/orgs?org=${encodeURIComponent(org!)}`);
  const orgID = orgs.find((o) => o.name === org)?.id;
  if (!orgID) throw new Error(`org "${org}" not found at ${url}`);
  const name = `contract_${new Date().toISOString().slice(0, 10)}_${randomBytes(4).toString('hex')}`;
  const bucket = await api<{ id: string }>('POST', '/api/v2/buckets', { orgID, name, retentionRules: [] });
  return { name, id: bucket.id };
}

if (url && token && org) {
  describeStoreContract(`InfluxStore (real InfluxDB at ${url})`, async ({ timezone }) => {
    const bucket = await createBucket();
    const store = new InfluxStore({ url, token, org, bucket: bucket.name, timezone, counterRule: DEFAULT_COUNTER_RULE });
    return {
      store,
      cleanup: async () => {
        await store.close();
        await api('DELETE', `/api/v2/buckets/${bucket.id}`);
      },
    };
  });
} else {
  describe.skip('InfluxStore contract against a real InfluxDB 2', () => {
    it('runs only when INFLUX_URL, INFLUX_TOKEN and INFLUX_ORG are set (e.g. `docker compose --profile test run --rm test`); test/influx/ covers the protocol meanwhile', () => {});
  });
}
