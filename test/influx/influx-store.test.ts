import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { InfluxHttpError, InfluxUnreachableError } from '../../src/store/influx/influx-http.js';
import { InvalidPointError, readingToLine } from '../../src/store/influx/influx-points.js';
import { InfluxStore } from '../../src/store/influx/influx-store.js';
import { startFakeInflux, influxError, type CsvTable, type FakeInfluxDB } from '../support/fake-influx.js';
import { fluxDiagnostics, parseFlux, stringLiterals } from '../support/flux-check.js';
import { local, makeReading, makeSparseReading } from '../support/readings.js';

const jakarta = local('Asia/Jakarta');
const rule = { maxPowerRatio: 10, minPowerKw: 1 };

let fake: FakeInfluxDB;
let store: InfluxStore;

beforeAll(async () => {
  // Every query the store sends must be valid, type-checked Flux, or the fake answers 400.
  fake = await startFakeInflux({ validateFlux: fluxDiagnostics });
});
afterAll(async () => {
  await fake.stop();
});
beforeEach(() => {
  fake.requests.length = 0;
  fake.onQuery(() => []);
  store = new InfluxStore({ ...fake.connection, timezone: 'Asia/Jakarta', counterRule: rule, writeTimeoutMs: 2_000 });
});

function queryOf(index: number): { query: string; body: Record<string, unknown> } {
  const request = fake.queryRequests()[index];
  if (!request) throw new Error(`no query request #${index}`);
  const body = JSON.parse(request.body) as Record<string, unknown>;
  return { query: String(body.query), body };
}

const readingColumns = (...fields: string[]): CsvTable['columns'] => [
  { name: '_time', type: 'dateTime:RFC3339' },
  { name: 'panel_id', type: 'string', group: true },
  ...fields.map((name) => ({ name, type: 'double' as const })),
];

describe('InfluxStore writes', () => {
  it('POSTs gzipped line protocol with precision=ms, org, bucket and the token', async () => {
    const readings = [makeReading('PANEL_LANTAI_1', jakarta('2026-03-01 10:00'), 100.5), makeSparseReading('PANEL_LANTAI_2', jakarta('2026-03-01 10:00:00.250'), 7)];
    await store.writeBatch(readings);
    const [request] = fake.writeRequests();
    expect(request).toBeDefined();
    expect(request!.method).toBe('POST');
    expect(Object.fromEntries(request!.params)).toEqual({ org: 'test-org', bucket: 'energy_monitoring', precision: 'ms' });
    expect(request!.headers.authorization).toBe('Token test-token');
    expect(request!.headers['content-encoding']).toBe('gzip');
    expect(request!.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(request!.body).toBe(readings.map(readingToLine).join('\n'));
    expect(fake.storedPoints().map((p) => [p.tags.panel_id, p.time, p.fields.energy_kwh])).toEqual([
      ['PANEL_LANTAI_1', readings[0]!.time.getTime(), 100.5],
      ['PANEL_LANTAI_2', readings[1]!.time.getTime(), 7],
    ]);
  });

  it('splits large batches into requests of at most 5,000 lines, and the body really is gzip', async () => {
    const start = jakarta('2026-03-02 00:00').getTime();
    const readings = Array.from({ length: 12_001 }, (_, i) => makeReading('BULK', new Date(start + i * 1000), 1000 + i * 0.001));
    await store.writeBatch(readings);
    const writes = fake.writeRequests();
    expect(writes.map((w) => w.body.split('\n').length)).toEqual([5_000, 5_000, 2_001]);
    expect(writes[0]!.wireBytes).toBeLessThan(writes[0]!.body.length / 4);
  });

  it('is idempotent: the same panel and time again overwrites (stored once, delivered twice)', async () => {
    const reading = makeReading('DUP', jakarta('2026-03-03 10:01'), 100.1);
    await store.writeBatch([reading]);
    await store.writeBatch([{ ...reading, activePowerKw: 7 }]);
    const stored = fake.storedPoints().filter((p) => p.tags.panel_id === 'DUP');
    expect(stored).toHaveLength(1);
    expect(stored[0]!.fields.active_power_kw).toBe(7);
    expect(fake.deliveries.get(`DUP|${reading.time.getTime()}`)).toBe(2);
  });

  it('refuses an unwritable reading before sending anything', async () => {
    await expect(store.writeBatch([makeSparseReading('OK', new Date(), 1), makeSparseReading('BAD\n', new Date(), 1)])).rejects.toThrow(InvalidPointError);
    expect(fake.writeRequests()).toHaveLength(0);
  });

  it('reports InfluxDB errors with status, code and message', async () => {
    const wrong = new InfluxStore({ ...fake.connection, token: 'wrong', timezone: 'Asia/Jakarta', counterRule: rule });
    const error = await wrong.writeBatch([makeSparseReading('A', new Date(), 1)]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InfluxHttpError);
    expect(error).toMatchObject({ status: 401, code: 'unauthorized', detail: 'unauthorized access' });

    fake.failWrites(1, influxError(400, 'invalid', "unable to parse 'x': missing fields"));
    await expect(store.writeBatch([makeSparseReading('A', new Date(), 1)])).rejects.toThrow(/HTTP 400 invalid: unable to parse 'x': missing fields/);
  });
});

describe('InfluxStore queries', () => {
  it('sends Flux as a JSON query request with the annotated-CSV dialect, escaping the panel ids', async () => {
    const hostile = 'X") |> drop(columns: ["_value"]) //';
    await store.latestReadings(['PANEL_LANTAI_1', hostile]);
    const { query, body } = queryOf(0);
    expect(body.type).toBe('flux');
    expect(body.dialect).toMatchObject({ header: true, annotations: ['datatype', 'group', 'default'] });
    expect(fake.queryRequests()[0]!.params.get('org')).toBe('test-org');
    expect(fake.queryRequests()[0]!.headers.authorization).toBe('Token test-token');
    expect(stringLiterals(await parseFlux(query))).toEqual(expect.arrayContaining(['energy_monitoring', 'PANEL_LANTAI_1', hostile]));
  });

  it('latestReadings: one query for all panels; the newest row per panel, ignoring older fields', async () => {
    const newest = jakarta('2026-03-01 10:05');
    const older = jakarta('2026-03-01 10:04');
    fake.onQuery(() => [
      {
        columns: readingColumns('active_power_kw', 'energy_kwh', 'power_factor', 'voltage_l1'),
        rows: [
          { _time: older, panel_id: 'A', power_factor: 0.9 },
          { _time: newest, panel_id: 'A', active_power_kw: 6, energy_kwh: 100.2, voltage_l1: 230.5 },
          { _time: newest, panel_id: 'B', active_power_kw: 1.25, energy_kwh: 5, power_factor: 0.8 },
        ],
      },
    ]);
    const latest = await store.latestReadings(['A', 'B', 'C']);
    expect(fake.queryRequests()).toHaveLength(1);
    expect([...latest.keys()].sort()).toEqual(['A', 'B']);
    expect(latest.get('A')).toEqual({ ...makeSparseReading('A', newest, 100.2, 6), voltage: { l1: 230.5, l2: null, l3: null, average: null } });
    expect(latest.get('B')).toEqual({ ...makeSparseReading('B', newest, 5, 1.25), powerFactor: 0.8 });
    expect(await store.latestReadings([])).toEqual(new Map());
    expect(fake.queryRequests()).toHaveLength(1);
  });

  it('readings: parses pivoted rows, passes range and limit', async () => {
    const from = jakarta('2026-03-01 00:00');
    const to = jakarta('2026-03-02 00:00');
    const r1 = makeReading('A', jakarta('2026-03-01 10:00'), 100);
    const r2 = makeSparseReading('A', jakarta('2026-03-01 10:01'), 100.1, 6);
    const row = (r: typeof r1) => ({
      _time: r.time,
      panel_id: r.panelId,
      voltage_l1: r.voltage.l1,
      voltage_l2: r.voltage.l2,
      voltage_l3: r.voltage.l3,
      voltage_avg: r.voltage.average,
      current_l1: r.current.l1,
      current_l2: r.current.l2,
      current_l3: r.current.l3,
      current_avg: r.current.average,
      active_power_kw: r.activePowerKw,
      apparent_power_kva: r.apparentPowerKva,
      energy_kwh: r.energyKwh,
      power_factor: r.powerFactor,
      voltage_unbalance: r.voltageUnbalance,
      current_unbalance: r.currentUnbalance,
    });
    fake.onQuery(() => [
      {
        columns: readingColumns('voltage_l1', 'voltage_l2', 'voltage_l3', 'voltage_avg', 'current_l1', 'current_l2', 'current_l3', 'current_avg', 'active_power_kw', 'apparent_power_kva', 'energy_kwh', 'power_factor', 'voltage_unbalance', 'current_unbalance'),
        rows: [row(r1), row(r2)],
      },
    ]);
    expect(await store.readings('A', from, to, 2)).toEqual([r1, r2]);
    const { query } = queryOf(0);
    expect(query).toContain(`range(start: time(v: "${from.toISOString()}"), stop: time(v: "${to.toISOString()}"))`);
    expect(query).toContain('limit(n: 2)');
    expect(await store.readings('A', from, to, 0)).toEqual([]);
    expect(fake.queryRequests()).toHaveLength(1);
  });

  it('downsample: windows aligned to from, stamped with the window start', async () => {
    const from = new Date('2026-03-01T00:07:00.000Z');
    const to = new Date('2026-03-01T06:07:00.000Z');
    fake.onQuery(() => [
      { columns: readingColumns('active_power_kw', 'energy_kwh'), rows: [{ _time: from, panel_id: 'A', active_power_kw: 5.5, energy_kwh: 101 }] },
    ]);
    expect(await store.downsample('A', from, to, 3_600_000)).toEqual([makeSparseReading('A', from, 101, 5.5)]);
    const { query } = queryOf(0);
    expect(query).toContain('every: duration(v: "3600000ms"), offset: duration(v: "420000ms")');
    expect(query).toContain('timeSrc: "_start", fn: mean)');
    expect(query).toContain('timeSrc: "_start", fn: last)');
  });

  it('panels: first and last counter time per panel, sorted by id', async () => {
    fake.onQuery(() => [
      {
        columns: [
          { name: '_time', type: 'dateTime:RFC3339' },
          { name: 'panel_id', type: 'string' },
          { name: 'edge', type: 'string' },
        ],
        rows: [
          { _time: new Date('2026-01-05T00:00:00Z'), panel_id: 'B', edge: 'first' },
          { _time: new Date('2026-03-01T00:00:00Z'), panel_id: 'B', edge: 'last' },
          { _time: new Date('2026-01-01T00:00:00Z'), panel_id: 'A', edge: 'first' },
          { _time: new Date('2026-02-01T00:00:00Z'), panel_id: 'A', edge: 'last' },
        ],
      },
    ]);
    expect(await store.panels()).toEqual([
      { id: 'A', firstSeenAt: new Date('2026-01-01T00:00:00Z'), lastSeenAt: new Date('2026-02-01T00:00:00Z') },
      { id: 'B', firstSeenAt: new Date('2026-01-05T00:00:00Z'), lastSeenAt: new Date('2026-03-01T00:00:00Z') },
    ]);
  });

  it('wraps a query error with InfluxDB message', async () => {
    fake.onQuery(() => influxError(400, 'invalid', 'error @1:1-1:5: undefined identifier froms'));
    await expect(store.panels()).rejects.toThrow(/query "panels".*HTTP 400 invalid: error @1:1-1:5: undefined identifier froms/);
  });
});

describe('InfluxStore.energy', () => {
  const from = jakarta('2026-03-01 00:00');
  const to = jakarta('2026-03-03 00:00');
  const boundsColumns: CsvTable['columns'] = [
    { name: '_time', type: 'dateTime:RFC3339' },
    { name: 'panel_id', type: 'string' },
    { name: 'bound', type: 'string' },
  ];
  const energyColumns: CsvTable['columns'] = [
    { name: 'panel_id', type: 'string' },
    { name: 'period', type: 'dateTime:RFC3339' },
    { name: 'energy', type: 'double' },
  ];

  it('makes two queries whatever the number of panels: bounds, then the rule over those windows', async () => {
    const panelIds = Array.from({ length: 40 }, (_, i) => `P${String(i).padStart(2, '0')}`);
    const before = new Date(from.getTime() - 60_000);
    const after = new Date(to.getTime() + 30_000);
    fake.onQuery((query) =>
      query.includes('set(key: "bound"')
        ? [
            {
              columns: boundsColumns,
              rows: [
                { _time: before, panel_id: 'P00', bound: 'before' },
                { _time: from, panel_id: 'P00', bound: 'inside' },
                { _time: after, panel_id: 'P00', bound: 'after' },
                { _time: jakarta('2026-03-02 08:00'), panel_id: 'P01', bound: 'inside' },
                { _time: before, panel_id: 'P02', bound: 'before' }, // nothing inside: not queried
              ],
            },
          ]
        : [
            {
              columns: energyColumns,
              rows: [
                { panel_id: 'P01', period: jakarta('2026-03-02 00:00'), energy: 3.5 },
                { panel_id: 'P00', period: jakarta('2026-03-02 00:00'), energy: 0 },
                { panel_id: 'P00', period: jakarta('2026-03-01 00:00'), energy: 12.25 },
              ],
            },
          ],
    );
    const rows = await store.energy({ panelIds, from, to, groupBy: 'day' });
    expect(rows).toEqual([
      { panelId: 'P00', periodStart: jakarta('2026-03-01 00:00'), energyKwh: 12.25 },
      { panelId: 'P00', periodStart: jakarta('2026-03-02 00:00'), energyKwh: 0 },
      { panelId: 'P01', periodStart: jakarta('2026-03-02 00:00'), energyKwh: 3.5 },
    ]);
    expect(fake.queryRequests()).toHaveLength(2);
    const bounds = queryOf(0).query;
    for (const id of panelIds) expect(bounds).toContain(`r.panel_id == "${id}"`);
    const energy = queryOf(1).query;
    const literals = stringLiterals(await parseFlux(energy));
    expect(literals).toContain('P00');
    expect(literals).toContain('P01');
    expect(literals).not.toContain('P02');
    // P00: from its first lookback reading to just after its lookahead; the second lookback via last().
    expect(energy).toContain(`range(start: time(v: "${before.toISOString()}"), stop: time(v: "${new Date(after.getTime() + 1).toISOString()}"))`);
    expect(energy).toContain(`range(start: time(v: "1970-01-01T00:00:00.000Z"), stop: time(v: "${before.toISOString()}"))`);
    // P01: no reading before or after: exactly [from, to).
    expect(energy).toContain(`range(start: time(v: "${from.toISOString()}"), stop: time(v: "${to.toISOString()}"))`);
    expect(energy).toContain('timezone.fixed(offset: 7h)');
  });

  it('stops after the bounds query when no panel has readings in the interval', async () => {
    expect(await store.energy({ panelIds: ['A'], from, to, groupBy: 'month' })).toEqual([]);
    expect(fake.queryRequests()).toHaveLength(1);
    expect(await store.energy({ panelIds: [], from, to, groupBy: 'total' })).toEqual([]);
    expect(await store.energy({ panelIds: ['A'], from: to, to: from, groupBy: 'total' })).toEqual([]);
    expect(fake.queryRequests()).toHaveLength(1);
  });

  it('total: one row per panel labelled with from', async () => {
    fake.onQuery((query) =>
      query.includes('set(key: "bound"')
        ? [{ columns: boundsColumns, rows: [{ _time: from, panel_id: 'A', bound: 'inside' }] }]
        : [{ columns: energyColumns, rows: [{ panel_id: 'A', period: from, energy: 0.5 }] }],
    );
    expect(await store.energy({ panelIds: ['A'], from, to, groupBy: 'total' })).toEqual([{ panelId: 'A', periodStart: from, energyKwh: 0.5 }]);
    const energy = queryOf(1).query;
    expect(energy).not.toContain('date.truncate');
    expect(energy).toContain(`period: time(v: "${from.toISOString()}")`);
  });
});

describe('InfluxStore.ping', () => {
  it('resolves when /health passes and throws InfluxUnreachableError when InfluxDB is down', async () => {
    await expect(store.ping()).resolves.toBeUndefined();
    await fake.down();
    try {
      await expect(store.ping()).rejects.toThrow(InfluxUnreachableError);
    } finally {
      await fake.up();
    }
  });
});

describe('fake InfluxDB sanity', () => {
  it('really rejects what InfluxDB would reject', async () => {
    const post = (body: string, init: { gzip?: boolean; precision?: string; token?: string; bucket?: string } = {}) => {
      const params = new URLSearchParams({ org: fake.org, bucket: init.bucket ?? fake.bucket, precision: init.precision ?? 'ms' });
      return fetch(`${fake.url}/api/v2/write?${params.toString()}`, {
        method: 'POST',
        headers: { Authorization: `Token ${init.token ?? fake.token}`, ...(init.gzip === false ? {} : { 'Content-Encoding': 'gzip' }) },
        body: init.gzip === false ? body : new Uint8Array(gzipSync(body)),
      });
    };
    expect((await post('panel_energy,panel_id=A energy_kwh=1,active_power_kw=1 1')).status).toBe(204);
    expect((await post('panel_energy,panel_id=A energy_kwh=1i 1')).status).toBe(400);
    expect((await post('panel_energy,panel_id=A energy_kwh=1 1', { gzip: false })).status).toBe(400);
    expect((await post('panel_energy,panel_id=A energy_kwh=1 1', { precision: 'ns' })).status).toBe(400);
    expect((await post('panel_energy,panel_id=A energy_kwh=1 1', { token: 'x' })).status).toBe(401);
    const missing = await post('panel_energy,panel_id=A energy_kwh=1 1', { bucket: 'nope' });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ code: 'not found', message: 'bucket "nope" not found' });
  });
});
