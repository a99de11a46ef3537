import { randomBytes } from 'node:crypto';

/**
 * The real InfluxDB the tests may use: `scripts/local-influxdb.sh start` (or `npm run test:influx`,
 * which starts one and runs the whole suite against it) sets INFLUX_URL, INFLUX_TOKEN (an
 * all-access token) and INFLUX_ORG. Without them the InfluxDB suites are skipped, and the global
 * setup says so once.
 */
export const realInflux = (() => {
  const url = process.env.INFLUX_URL?.trim();
  const token = process.env.INFLUX_TOKEN?.trim();
  const org = process.env.INFLUX_ORG?.trim();
  return url && token && org ? { url: url.replace(/\/+$/, ''), token, org } : null;
})();

export type RealInflux = NonNullable<typeof realInflux>;

async function api<T>(influx: RealInflux, method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${influx.url}${path}`, {
    method,
    headers: { Authorization: `Token ${influx.token}`, 'Content-Type': 'application/json', Accept: 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path}: HTTP ${response.status} ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

/** A fresh bucket (through /api/v2/buckets) and a function that deletes it. */
export async function createBucket(influx: RealInflux, label = 'test'): Promise<{ name: string; remove(): Promise<void> }> {
  const { orgs } = await api<{ orgs: Array<{ id: string; name: string }> }>(influx, 'GET', `/api/v2/orgs?org=${encodeURIComponent(influx.org)}`);
  const orgID = orgs.find((o) => o.name === influx.org)?.id;
  if (!orgID) throw new Error(`org "${influx.org}" not found at ${influx.url}`);
  const name = `${label}_${randomBytes(5).toString('hex')}`;
  const bucket = await api<{ id: string }>(influx, 'POST', '/api/v2/buckets', { orgID, name, retentionRules: [] });
  return { name, remove: () => api(influx, 'DELETE', `/api/v2/buckets/${bucket.id}`) };
}

/** How many points of one panel InfluxDB holds (its counter field), straight from InfluxDB. */
export async function countPoints(influx: RealInflux, bucket: string, panelId: string): Promise<number> {
  const response = await fetch(`${influx.url}/api/v2/query?org=${encodeURIComponent(influx.org)}`, {
    method: 'POST',
    headers: { Authorization: `Token ${influx.token}`, 'Content-Type': 'application/vnd.flux', Accept: 'application/csv' },
    body: `from(bucket: "${bucket}") |> range(start: 0) |> filter(fn: (r) => r._measurement == "panel_energy" and r.panel_id == "${panelId}" and r._field == "energy_kwh") |> count()`,
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`count query: HTTP ${response.status} ${text}`);
  const lines = text.trim().split(/\r?\n/);
  const column = (lines[0] ?? '').split(',').indexOf('_value');
  const row = lines.find((line) => line.startsWith(',_result'));
  return row ? Number(row.split(',')[column]) : 0;
}
