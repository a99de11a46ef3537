import { request as httpGet } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { makeKey, bearer } from '../access/support.js';
import { disposer } from '../support/disposer.js';
import { httpRequest } from '../support/graphql-client.js';
import { countPoints, createBucket, realInflux } from '../support/influx.js';
import { localInfluxdbScript, startPrivateInfluxDB } from '../support/local-influxdb.js';
import { makeReading } from '../support/readings.js';
import { readingToLine } from '../../src/store/influx/influx-points.js';
import { seed, series, wib } from '../support/seed.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { LocalTime } from '../../src/time/local-time.js';
import { num, parseCsv, records } from './csv.js';

/**
 * CSV exports (docs/export.md) against the real server: every stored reading once, in order, with
 * the site's offset; the summaries and bills exactly as the services answer them; Excel's
 * Indonesian variant; the API's panel limits; signed links for browser downloads; refusals that
 * say what to fix. The same files from SQLite and from a real InfluxDB.
 */
const cleanup = disposer();
afterEach(() => cleanup.run());

const A = 'EXP_A';
const B = 'EXP_B';
const admin = makeKey('ops', 'admin');
const tenant = makeKey('floor-a', 'viewer', [A]);
const KEYS = { AUTH: 'required', API_KEYS: [admin.entry, tenant.entry].join(',') };
const time = new LocalTime('Asia/Jakarta');
/** Ten-minute readings from 31 July 22:00 to 5 September (WIB): more than one page of raw readings. */
const READINGS = [
  ...series(A, wib('2026-07-31 22:00:00'), 36 * 144 + 12, { stepMs: 600_000, kwhStep: 1.25, kw: 7.5 }),
  ...series(B, wib('2026-07-31 22:00:00'), 36 * 144 + 12, { stepMs: 600_000, kwh0: 5_000, kwhStep: 0.5, kw: 3 }),
];

async function startSeeded(env: Record<string, string> = {}): Promise<TestApp> {
  const app = await startTestApp({ ...KEYS, OFFLINE_AFTER: '1h', ...env }, undefined, { cleanup });
  seed(app.app, READINGS);
  await app.app.services.energy.settled([A, B]);
  return app;
}

async function get(app: TestApp, path: string, headers: Record<string, string> = bearer(admin.key)) {
  const response = await fetch(`${app.baseUrl}${path}`, { headers });
  const bytes = Buffer.from(await response.arrayBuffer());
  // As a spreadsheet reads it: the byte order mark is not text.
  const text = bytes.toString('utf8').replace(/^\uFEFF/, '');
  return { status: response.status, headers: response.headers, bytes, text };
}

describe('CSV exports', () => {
  it('streams every reading of a period once, in time order, with the site offset, past a page of readings', { timeout: 60_000 }, async () => {
    const app = await startSeeded();
    const from = wib('2026-08-01 00:00:00').getTime();
    const to = wib('2026-09-05 00:00:00').getTime();
    const response = await get(app, `/export/readings.csv?panelId=${A}&from=2026-08-01&to=2026-09-05`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(response.headers.get('content-disposition')).toBe(`attachment; filename="energy-readings-${A}-2026-08-01-2026-09-05.csv"`);
    const rows = records(response.text);
    const expected = READINGS.filter((r) => r.panelId === A && (r.time as Date).getTime() >= from && (r.time as Date).getTime() < to);
    expect(expected.length).toBeGreaterThan(5_000);
    expect(rows.map((row) => [row.time, num(row.meter_energy_kwh), num(row.active_power_kw)])).toEqual(
      expected.map((r) => [time.formatIso((r.time as Date).getTime()), r.kwh, 7.5]),
    );
    expect(rows[0]!.time).toBe('2026-08-01T00:00:00+07:00');
    expect(Object.keys(rows[0]!)).toEqual([
      'panel_id', 'time', 'meter_energy_kwh', 'active_power_kw', 'apparent_power_kva', 'reactive_energy_kvarh', 'power_factor',
      'voltage_l1_v', 'voltage_l2_v', 'voltage_l3_v', 'voltage_avg_v', 'current_l1_a', 'current_l2_a', 'current_l3_a', 'current_avg_a',
      'voltage_unbalance_pct', 'current_unbalance_pct',
    ]);
    expect(rows[0]).toMatchObject({ panel_id: A, voltage_l1_v: '229.5', power_factor: '0.92', reactive_energy_kvarh: '' });
  });

  it('writes the Excel-for-Indonesia variant: byte order mark, semicolons, decimal commas, the offset in its own column', async () => {
    const app = await startSeeded();
    const plain = await get(app, `/export/readings.csv?panelId=${A}&from=2026-08-01&to=2026-08-02`);
    const excel = await get(app, `/export/readings.csv?panelId=${A}&from=2026-08-01&to=2026-08-02&format=excel-id`);
    expect(excel.status).toBe(200);
    expect(excel.headers.get('content-disposition')).toContain('-excel.csv');
    expect([...excel.bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(plain.bytes[0]).toBe('p'.charCodeAt(0));
    const body = excel.text;
    const [header, first] = parseCsv(body, ';');
    expect(header!.slice(0, 4)).toEqual(['panel_id', 'time', 'time_utc_offset', 'meter_energy_kwh']);
    expect(first!.slice(0, 5)).toEqual([A, '2026-08-01 00:00:00', '+07:00', String(READINGS.find((r) => (r.time as Date).getTime() === wib('2026-08-01 00:00:00').getTime())!.kwh).replace('.', ','), '7,5']);
    // The same numbers as the plain file, row for row.
    const plainRows = records(plain.text);
    const excelRows = records(body, ';');
    expect(excelRows.map((row) => num(row.meter_energy_kwh, ','))).toEqual(plainRows.map((row) => num(row.meter_energy_kwh)));
    expect(body).not.toMatch(/\d\.\d/);
  });

  it('exports the days, months, bills, bill lines and history windows exactly as the services answer them', { timeout: 60_000 }, async () => {
    const app = await startSeeded();
    const { services } = app.app;
    const daily = records((await get(app, `/export/daily.csv?panelId=${A}&from=2026-08-01&to=2026-09-01`)).text);
    const august = await services.panels.monthlySummary(2026, 8, A, null);
    expect(daily).toHaveLength(31);
    expect(daily.map((row) => [row.date, num(row.energy_kwh), num(row.cost_idr)])).toEqual(august.days.map((d) => [d.date, d.energyKwh, d.cost]));
    expect(num(daily[5]!.energy_kwh)).toBeCloseTo(144 * 1.25, 6);

    const building = records((await get(app, '/export/monthly.csv?from=2026-07-01&to=2026-10-01')).text);
    const year = await services.panels.yearlySummary(2026, null, null);
    expect(building.map((row) => [row.panel_id, row.year, row.month, num(row.energy_kwh), num(row.cost_idr)])).toEqual(
      [7, 8, 9].map((m) => ['', '2026', String(m), year.months[m - 1]!.energyKwh, year.months[m - 1]!.cost]),
    );

    const bills = records((await get(app, `/export/bills.csv?panelId=${A}&from=2026-08-01&to=2026-10-01`)).text);
    const lines = records((await get(app, `/export/bill-lines.csv?panelId=${A}&from=2026-08-01&to=2026-10-01`)).text);
    for (const [k, month] of [8, 9].entries()) {
      const bill = await services.bills.monthlyBill(2026, month, [A], A);
      expect(bills[k]).toMatchObject({ month: String(month), first_day: bill.from, last_day: bill.to, complete: String(bill.complete) });
      expect([num(bills[k]!.energy_kwh), num(bills[k]!.subtotal_idr), num(bills[k]!.tax_idr), num(bills[k]!.total_idr)]).toEqual([bill.energyKwh, bill.subtotal, bill.tax, bill.total]);
      const ofMonth = lines.filter((row) => row.month === String(month));
      expect(ofMonth.map((row) => [row.line, row.description, num(row.quantity), num(row.rate), num(row.amount_idr)])).toEqual(
        bill.lines.map((line) => [line.kind, line.description, line.quantity, line.rate, line.amount]),
      );
    }

    const windows = records((await get(app, `/export/history.csv?panelId=${A}&from=2026-08-03&to=2026-08-04&every=1h`)).text);
    const { items: points } = await services.history.history(A, wib('2026-08-03 00:00:00'), wib('2026-08-04 00:00:00'), '1h', { first: 100, afterMs: null });
    expect(windows).toHaveLength(24);
    expect(windows.map((row) => [row.start, row.end, num(row.energy_kwh), num(row.cost_idr), num(row.reading_count)])).toEqual(
      points.map((p) => [time.formatIso(p.start), time.formatIso(p.end), p.energyKwh, p.cost.value, p.readingCount]),
    );
  });

  it("keeps to the caller's panels: another panel is unknown, the building is the caller's panels", async () => {
    const app = await startSeeded();
    const other = await get(app, `/export/readings.csv?panelId=${B}&from=2026-08-01&to=2026-08-02`, bearer(tenant.key));
    expect(other.status).toBe(400);
    expect(other.headers.get('x-error-reason')).toBe('UNKNOWN_PANEL');
    const building = records((await get(app, '/export/readings.csv?from=2026-08-01&to=2026-08-02', bearer(tenant.key))).text);
    expect(new Set(building.map((row) => row.panel_id))).toEqual(new Set([A]));
    const days = records((await get(app, '/export/daily.csv?from=2026-08-01&to=2026-08-02', bearer(tenant.key))).text);
    const own = await app.app.services.panels.monthlySummary(2026, 8, A, null);
    expect(num(days[0]!.energy_kwh)).toBe(own.days[0]!.energyKwh);
    expect((await get(app, '/export/readings.csv?from=2026-08-01&to=2026-08-02', {})).status).toBe(401);
  });

  it('answers a download link from createExportLink without a header, only for its export, and refuses an altered one', async () => {
    const app = await startSeeded();
    const mutation = `mutation ($input: CreateExportLinkInput!) { createExportLink(input: $input) { url expiresAt userErrors { field code message } } }`;
    type Answer = { createExportLink: { url: string | null; expiresAt: string | null; userErrors: Array<{ field: string[]; code: string }> } };
    const made = await httpRequest<Answer, Record<string, unknown>>(app.httpUrl, mutation, { input: { kind: 'DAILY', panelId: A, from: '2026-08-01', to: '2026-09-01', format: 'EXCEL_ID' } }, bearer(tenant.key));
    const link = made.data!.createExportLink;
    expect(link.userErrors).toEqual([]);
    expect(link.url).toMatch(/^\/export\/daily\.csv\?link=/);
    const seconds = (Date.parse(link.expiresAt!) - Date.now()) / 1000;
    expect(seconds).toBeGreaterThan(60);
    expect(seconds).toBeLessThanOrEqual(121);

    const viaLink = await get(app, link.url!, {});
    const viaHeader = await get(app, `/export/daily.csv?panelId=${A}&from=2026-08-01&to=2026-09-01&format=excel-id`, bearer(tenant.key));
    expect(viaLink.status).toBe(200);
    expect(viaLink.text).toBe(viaHeader.text);

    const token = new URL(link.url!, app.baseUrl).searchParams.get('link')!;
    // One character of the signature changed (to another one: the one it replaces may be an A).
    const altered = `${token.slice(0, -3)}${token.at(-3) === 'A' ? 'B' : 'A'}${token.slice(-2)}`;
    expect(altered).not.toBe(token);
    expect((await get(app, `/export/daily.csv?link=${altered}`, {})).status).toBe(401);
    expect((await get(app, `/export/readings.csv?link=${token}`, {})).status).toBe(400);

    const refused = await httpRequest<Answer, Record<string, unknown>>(app.httpUrl, mutation, { input: { kind: 'READINGS', panelId: B, from: '2026-08-01', to: '2026-08-02' } }, bearer(tenant.key));
    expect(refused.data!.createExportLink).toMatchObject({ url: null, userErrors: [{ field: ['input', 'panelId'], code: 'UNKNOWN_PANEL' }] });
  });

  it('says what to fix in a request it refuses', async () => {
    const app = await startSeeded();
    const refusals: Array<[string, string]> = [
      [`/export/readings.csv?panelId=${A}&from=2026-08-02&to=2026-08-01`, 'INVALID_RANGE'],
      [`/export/readings.csv?panelId=${A}&from=2026-02-30&to=2026-03-02`, 'INVALID_EXPORT'],
      [`/export/readings.csv?panelId=${A}&from=2026-08-01T00:00:00&to=2026-08-02`, 'INVALID_EXPORT'],
      [`/export/history.csv?panelId=${A}&from=2026-08-01&to=2026-08-02`, 'INVALID_INTERVAL'],
      [`/export/daily.csv?from=2000-01-01&to=2026-08-02`, 'RANGE_TOO_LARGE'],
      [`/export/everything.csv?from=2026-08-01&to=2026-08-02`, 'INVALID_EXPORT'],
    ];
    for (const [path, reason] of refusals) {
      const response = await get(app, path);
      expect({ path, status: response.status, reason: response.headers.get('x-error-reason') }).toEqual({ path, status: 400, reason });
      expect(response.text.startsWith('export: ')).toBe(true);
    }
    const unknown = await get(app, `/export/readings.csv?panelId=${A}&from=2026-08-01&to=2026-08-02&limit=5`);
    expect([unknown.status, unknown.text.trim()]).toEqual([400, 'export: unknown parameter "limit"']);
  });

  it('holds at most EXPORT_MAX_STREAMS exports, half of them per caller, and frees the place of a client that went away', async () => {
    const app = await startSeeded({ EXPORT_MAX_STREAMS: '2' });
    const exports = app.app.services.exports;
    const viewer = { name: 'key:someone', role: 'viewer' as const, panels: null, expiresAt: null };
    const first = exports.admit(viewer);
    expect(exports.admit(viewer)).toEqual({ refused: 'this caller already runs 1 exports (its share of EXPORT_MAX_STREAMS)' });
    const other = exports.admit({ ...viewer, name: 'key:other' });
    expect(exports.admit({ ...viewer, name: 'key:third' })).toEqual({ refused: '2 exports are running (EXPORT_MAX_STREAMS)' });
    if ('release' in first) first.release();
    if ('release' in other) other.release();

    // A client that reads the first bytes of a long export and hangs up gives its place back.
    const url = new URL(`${app.baseUrl}/export/readings.csv?from=2026-07-01&to=2026-10-01`);
    await new Promise<void>((resolve, reject) => {
      const req = httpGet(url, { headers: bearer(admin.key) }, (res) => {
        res.once('data', () => {
          req.destroy();
          resolve();
        });
      });
      req.on('error', (error) => (req.destroyed ? undefined : reject(error)));
      req.end();
    });
    await expect.poll(async () => (await get(app, `/export/readings.csv?panelId=${A}&from=2026-08-01&to=2026-08-02`)).status).toBe(200);
    expect(await get(app, `/metrics`)).toMatchObject({ status: 200 });
  });
});

describe.skipIf(!realInflux)('CSV exports on a real InfluxDB', () => {
  it('are the same files as from the embedded store', { timeout: 120_000 }, async () => {
    const influx = realInflux!;
    const bucket = await createBucket(influx, 'export');
    cleanup.add(() => bucket.remove());
    const embedded = await startSeeded();
    const onInflux = await startSeeded({ INFLUX_URL: influx.url, INFLUX_TOKEN: influx.token, INFLUX_ORG: influx.org, INFLUX_BUCKET: bucket.name, INFLUX_ADMIN_BUCKET: `${bucket.name}_admin` });
    const backlog = () => onInflux.app.services.ingest.status().storeLag?.backlog;
    await expect.poll(backlog, { timeout: 60_000 }).toBe(0);
    // InfluxDB itself, asked directly, holds every reading: a shortfall here is a lost write, not a
    // difference in the export.
    for (const panelId of [A, B]) {
      const stored = READINGS.filter((r) => r.panelId === panelId).length;
      await expect.poll(() => countPoints(influx, bucket.name, panelId), { timeout: 30_000 }).toBe(stored);
    }
    for (const path of [
      `/export/readings.csv?panelId=${A}&from=2026-08-01&to=2026-09-05`,
      '/export/readings.csv?from=2026-08-30&to=2026-09-02&format=excel-id',
      `/export/history.csv?panelId=${B}&from=2026-08-01&to=2026-08-08&every=15m`,
      '/export/daily.csv?from=2026-07-31&to=2026-09-06',
      '/export/monthly.csv?from=2026-07-01&to=2026-10-01',
      '/export/bill-lines.csv?from=2026-08-01&to=2026-10-01',
    ]) {
      const [one, other] = await Promise.all([get(embedded, path), get(onInflux, path)]);
      expect({ path, status: other.status }).toEqual({ path, status: 200 });
      if (other.text !== one.text) {
        // Once, in a loaded CI run, InfluxDB's answer lacked 87 readings at the end of one of its
        // 7-day shards while its write had been confirmed (and the count above matched). Ask again
        // after a pause and say so: a second difference is ours (or lasting), and fails.
        const lines = (text: string) => text.split('\n').length;
        console.warn(`${path}: InfluxDB export had ${lines(other.text)} lines, embedded ${lines(one.text)}; asking again`);
        await new Promise((resolve) => setTimeout(resolve, 2_000));
        expect((await get(onInflux, path)).text).toBe(one.text);
      }
    }
  });
});

describe.skipIf(!localInfluxdbScript)('CSV exports when InfluxDB goes away in the middle', () => {
  it('an export whose InfluxDB stops while its client is slow ends unfinished (never a short file that looks whole), and the product goes on', { timeout: 180_000 }, async () => {
    // The export asks for its next page before it formats this one, so the failing page may be one
    // asked for ahead while the export waited on its client. Whichever page fails, the file must not
    // end as if it were complete, and the process must live on.
    const influx = await startPrivateInfluxDB(cleanup);
    const bucket = await createBucket(influx, 'export_gone');
    // A month of one-minute readings of one panel (43,200 rows, about 6 MB of CSV): more than the
    // socket buffers hold, so the export is still running when InfluxDB stops.
    const t0 = wib('2026-08-01 00:00:00').getTime();
    const total = 31 * 1440;
    for (let from = 0; from < total; from += 10_000) {
      const lines: string[] = [];
      for (let i = from; i < Math.min(total, from + 10_000); i++) lines.push(readingToLine(makeReading(A, new Date(t0 + i * 60_000), 1_000 + i * 0.1)));
      const response = await fetch(`${influx.url}/api/v2/write?${new URLSearchParams({ org: influx.org, bucket: bucket.name, precision: 'ms' })}`, {
        method: 'POST',
        headers: { Authorization: `Token ${influx.token}` },
        body: lines.join('\n'),
      });
      expect(response.status).toBe(204);
    }
    const app = await startTestApp(
      { ...KEYS, OFFLINE_AFTER: '1h', INFLUX_URL: influx.url, INFLUX_TOKEN: influx.token, INFLUX_ORG: influx.org, INFLUX_BUCKET: bucket.name, INFLUX_ADMIN_BUCKET: `${bucket.name}_admin` },
      undefined,
      { cleanup },
    );
    await app.app.services.energy.settled([A]);

    const url = new URL(`${app.baseUrl}/export/readings.csv?panelId=${A}&from=2026-08-01&to=2026-09-01`);
    const outcome = await new Promise<{ status: number; bytes: number; ended: 'complete' | 'aborted' }>((resolve, reject) => {
      const req = httpGet(url, { headers: bearer(admin.key) }, (res) => {
        let bytes = 0;
        res.on('data', (chunk: Buffer) => (bytes += chunk.length));
        res.once('data', () => {
          res.pause();
          void influx.stop().then(() => {
            // From here a slow reader (a chunk every 50 ms): the export spends its time waiting for
            // this client, with its next page asked for.
            res.on('data', () => {
              res.pause();
              setTimeout(() => res.resume(), 50);
            });
            res.resume();
          }, reject);
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, bytes, ended: res.complete ? 'complete' : 'aborted' }));
        res.on('aborted', () => resolve({ status: res.statusCode ?? 0, bytes, ended: 'aborted' }));
        res.on('error', () => resolve({ status: res.statusCode ?? 0, bytes, ended: 'aborted' }));
      });
      req.on('error', reject);
      req.end();
    });
    expect(outcome.status).toBe(200);
    expect(outcome.ended).toBe('aborted');
    expect(outcome.bytes).toBeLessThan(total * 100);
    expect(app.logs.some((line) => line.msg === 'export failed after it started: response aborted')).toBe(true);
    // The product goes on: it answers, and exports again once InfluxDB is back.
    expect((await get(app, '/metrics')).status).toBe(200);
    await influx.start();
    await expect
      .poll(async () => (await get(app, `/export/readings.csv?panelId=${A}&from=2026-08-01&to=2026-08-02`)).text.split('\n').filter(Boolean).length, { timeout: 60_000 })
      .toBe(1 + 1440);
  });
});
