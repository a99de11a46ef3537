import { join } from 'node:path';
import { promisify } from 'node:util';
import { gzip as gzipCallback } from 'node:zlib';
import Database from 'better-sqlite3';
import type { Reading } from '../../src/models/reading.js';
import { readingToLine } from '../../src/store/influx/influx-points.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { InfluxServer } from './influx-server.js';
import { startProduct } from './product.js';
import { fmt, type Report } from './report.js';
import { generateHistory, minuteFloor } from './seed.js';

const gzip = promisify(gzipCallback);

export interface ExportBenchOptions {
  readonly workDir: string;
  /** One-minute readings of the one panel (525,600: a year). */
  readonly rows: number;
  /** A running InfluxDB for the second store, or null to measure SQLite only. */
  readonly influx: InfluxServer | null;
}

const PANEL = 'EXPORT_BENCH_1';

/**
 * Line 9 (issue 25, point 5): GET /export/readings.csv of a year of one panel's one-minute readings
 * (525,600 rows) from the product, on SQLite and on InfluxDB; target ≥ 200,000 rows/s and the
 * product's RSS growing by < 50 MB while it streams. Baseline, in the same run: reading the same
 * rows straight from the store in this process (better-sqlite3 iterating the table; InfluxDB's own
 * pivot query answered as CSV), so the ratio says what the export adds to the store's own cost.
 */
export async function benchExport(report: Report, options: ExportBenchOptions): Promise<void> {
  const end = minuteFloor(Date.now() - 86_400_000);
  const spec = { panelIds: [PANEL], perPanel: options.rows, end, timezone: 'Asia/Jakarta' };
  const fromIso = new Date(end.getTime() - (options.rows - 1) * 60_000).toISOString();
  const toIso = new Date(end.getTime() + 60_000).toISOString();

  const sqliteDir = join(options.workDir, 'export-sqlite');
  const file = join(sqliteDir, 'readings.sqlite');
  const store = new SqliteStore({ file });
  try {
    await generateHistory(spec, (batch) => store.writeBatchSync(batch));
  } finally {
    await store.close();
  }
  const baseline = directSqlite(file);
  await measure(report, 'SQLite', sqliteDir, {}, fromIso, toIso, options.rows, baseline);

  if (!options.influx) {
    report.note('9 export: the InfluxDB line SKIPPED (no InfluxDB binary cached; npm run bench -- --only export,influx builds one)');
    return;
  }
  const influx = options.influx;
  const bucket = await influx.createBucket('bench_export');
  await generateHistory(spec, async (batch: Reading[]) => {
    const body = await gzip(Buffer.from(batch.map(readingToLine).join('\n')));
    const response = await fetch(`${influx.url}/api/v2/write?${new URLSearchParams({ org: influx.org, bucket, precision: 'ms' })}`, {
      method: 'POST',
      headers: { Authorization: `Token ${influx.token}`, 'Content-Type': 'text/plain; charset=utf-8', 'Content-Encoding': 'gzip' },
      body: new Uint8Array(body),
    });
    if (response.status !== 204) throw new Error(`InfluxDB write: HTTP ${response.status} ${await response.text()}`);
  });
  const influxBaseline = await directInflux(influx, bucket, fromIso, toIso);
  const env = { INFLUX_URL: influx.url, INFLUX_TOKEN: influx.token, INFLUX_ORG: influx.org, INFLUX_BUCKET: bucket, INFLUX_ADMIN_BUCKET: 'bench_export_admin' };
  await measure(report, 'InfluxDB', join(options.workDir, 'export-influx'), env, fromIso, toIso, options.rows, influxBaseline);
}

interface Rate {
  readonly rows: number;
  readonly ms: number;
}

const perSecond = (rate: Rate) => (rate.rows / rate.ms) * 1000;

/** The rows straight from the table, in this process: what the store itself costs. */
function directSqlite(file: string): Rate {
  const db = new Database(file, { readonly: true });
  try {
    const started = performance.now();
    let rows = 0;
    for (const row of db.prepare('SELECT * FROM readings WHERE panel_id = ? ORDER BY time_ms').iterate(PANEL)) if (row) rows++;
    return { rows, ms: performance.now() - started };
  } finally {
    db.close();
  }
}

/** InfluxDB's own answer to the pivot the store asks, as CSV, counted line by line. */
async function directInflux(influx: InfluxServer, bucket: string, fromIso: string, toIso: string): Promise<Rate> {
  const started = performance.now();
  const response = await fetch(`${influx.url}/api/v2/query?org=${encodeURIComponent(influx.org)}`, {
    method: 'POST',
    headers: { Authorization: `Token ${influx.token}`, 'Content-Type': 'application/vnd.flux', Accept: 'application/csv' },
    body: `from(bucket: "${bucket}") |> range(start: ${fromIso}, stop: ${toIso}) |> filter(fn: (r) => r._measurement == "panel_energy" and r.panel_id == "${PANEL}") |> pivot(rowKey: ["_time"], columnKey: ["_field"], valueColumn: "_value")`,
  });
  const rows = await countLines(response);
  // Header and annotation lines are not readings.
  return { rows: Math.max(0, rows - 1), ms: performance.now() - started };
}

async function countLines(response: Response): Promise<number> {
  if (!response.body) throw new Error(`no body (HTTP ${response.status})`);
  let lines = 0;
  const reader = response.body.getReader();
  for (let next = await reader.read(); !next.done; next = await reader.read()) {
    const bytes = next.value;
    for (let k = 0; k < bytes.length; k++) if (bytes[k] === 10) lines++;
  }
  return lines;
}

async function measure(report: Report, storeName: string, dataDir: string, env: Record<string, string>, fromIso: string, toIso: string, expected: number, baseline: Rate): Promise<void> {
  const product = await startProduct({ dataDir, mqttUrl: '', name: `export-${storeName}`, env: { MQTT_URL: '', MQTT_PORT: '0', ...env }, readyTimeoutMs: 300_000 });
  try {
    const base = product.httpUrl.replace(/\/graphql$/, '');
    const rss = async () => Number(/^process_resident_memory_bytes (\S+)$/m.exec(await (await fetch(`${base}/metrics`)).text())?.[1] ?? Number.NaN);
    const before = await rss();
    let peak = before;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        peak = Math.max(peak, await rss());
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    })();
    const started = performance.now();
    const response = await fetch(`${base}/export/readings.csv?${new URLSearchParams({ panelId: PANEL, from: fromIso, to: toIso })}`);
    const lines = await countLines(response);
    const ms = performance.now() - started;
    sampling = false;
    await sampler;
    const rows = lines - 1;
    report.check(`export ${storeName}: every reading once`, response.status === 200 && rows === expected, `HTTP ${response.status}, ${fmt.int(rows)} rows of ${fmt.int(expected)}`);
    const rate = perSecond({ rows, ms });
    const growth = peak - before;
    report.line({
      benchmark: '9 export',
      measure: `${storeName}: GET /export/readings.csv, a year of one panel's one-minute readings (baseline: the same rows read straight from the store)`,
      product: fmt.rate(rate, 'rows/s'),
      baseline: fmt.rate(perSecond(baseline), 'rows/s'),
      ratio: `${(rate / perSecond(baseline)).toFixed(2)}×`,
      target: '≥ 200,000 rows/s',
      result: report.target(`export ${storeName}: ≥ 200,000 rows/s`, rate >= 200_000, fmt.rate(rate, 'rows/s')),
    });
    report.line({
      benchmark: '9 export',
      measure: `${storeName}: product RSS growth while streaming (peak − before, sampled every 100 ms)`,
      product: fmt.mb(growth),
      baseline: fmt.mb(before),
      target: '< 50 MB',
      result: report.target(`export ${storeName}: RSS growth < 50 MB`, growth < 50 * 1_048_576, fmt.mb(growth)),
    });
    report.figures[`export${storeName}`] = { rows, ms, rate, baseline, rssBefore: before, rssPeak: peak };
  } finally {
    await product.child.stop();
  }
}
