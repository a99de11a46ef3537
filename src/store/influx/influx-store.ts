import { HttpError, InfluxDB, RequestTimedOutError, type ParameterizedQuery, type QueryApi } from '@influxdata/influxdb-client';
import type { PanelRecord, Reading } from '../../models/reading.js';
import { allocateColumns, type CounterColumns, type ReadingStore, type WindowReadings } from '../reading-store.js';
import type { DaySpan, DayTotalsSource, PanelDayTotals } from '../day-totals.js';
import { DAY_TOTAL_FIELDS, dayTotalsQuery } from './day-totals-flux.js';
import {
  latestReadingsQuery,
  MAX_TIME,
  panelSpanQuery,
  panelsQuery,
  ruleFieldsQuery,
} from './influx-flux.js';
import { InfluxHttp, InfluxHttpError, InfluxUnreachableError, type InfluxConnection } from './influx-http.js';
import { FIELD, influxqlRowsToReadings, influxqlRowsToWindows, maskedValue, PANEL_TAG, panelEdgesToRecords, pivotedRowToReading, readingToLine, stringCell, timeCell, type FluxRow } from './influx-points.js';
import { downsampleStatement, readingsStatement } from './influxql-queries.js';

export interface InfluxStoreOptions extends InfluxConnection {
  /** Days of readings per query when scanning a panel's history. Default 31. */
  readonly scanSliceDays?: number;
  /** Timeout of a write or health request. Default 10 s. */
  readonly writeTimeoutMs?: number;
  /** Socket idle timeout of a query (a year of energy can take a while). Default 60 s. */
  readonly queryTimeoutMs?: number;
  /** Lines per write request. Default 5,000 (InfluxDB's recommended batch size). */
  readonly writeBatchLines?: number;
}

/** A query InfluxDB answered with an error, or the answer could not be read. */
export class InfluxQueryError extends Error {
  constructor(
    readonly queryName: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`InfluxDB query "${queryName}" failed: ${message}`, options);
    this.name = 'InfluxQueryError';
  }
}

/**
 * The production store of record: raw readings in an InfluxDB 2 bucket (see influx-points.ts for
 * the point layout and influx-flux.ts for the queries). Flux stays simple and pushed down to
 * storage (range, filter, pivot, first/last, aggregateWindow); energy is computed by the counting
 * rule in Node from the raw counter readings, never in Flux.
 *
 * writeBatch() writes synchronously with the same gzip/204 semantics as the forwarder; in the
 * product, writes go through the local journal and the forwarder.
 */
export class InfluxStore implements ReadingStore, DayTotalsSource {
  readonly http: InfluxHttp;
  private readonly bucket: string;
  private readonly queryApi: QueryApi;
  private readonly batchLines: number;
  private readonly sliceMs: number;
  private readonly queryTimeoutMs: number;

  constructor(options: InfluxStoreOptions) {
    for (const key of ['url', 'token', 'org', 'bucket'] as const) {
      if (!options[key]) throw new RangeError(`InfluxStore needs ${key}`);
    }
    this.bucket = options.bucket;
    this.sliceMs = (options.scanSliceDays ?? 31) * 86_400_000;
    this.batchLines = options.writeBatchLines ?? 5_000;
    this.queryTimeoutMs = options.queryTimeoutMs ?? 60_000;
    const connection: InfluxConnection = { url: options.url, token: options.token, org: options.org, bucket: options.bucket };
    this.http = new InfluxHttp(connection, { timeoutMs: options.writeTimeoutMs });
    this.queryApi = new InfluxDB({ url: options.url, token: options.token, timeout: this.queryTimeoutMs }).getQueryApi({
      org: options.org,
    });
  }

  /**
   * Runs one InfluxQL statement about one panel and converts its series (one, or none when the
   * panel has no points in the span); a statement InfluxDB refuses is an InfluxQueryError.
   */
  private async influxql<T>(name: string, statement: string, convert: (columns: readonly string[], rows: ReadonlyArray<readonly unknown[]>) => T[]): Promise<T[]> {
    const answer = await this.http.influxql(`query "${name}"`, statement, this.queryTimeoutMs);
    if ('error' in answer) throw new InfluxQueryError(name, answer.error);
    return answer.series.flatMap((series) => convert(series.columns, series.values ?? []));
  }

  /** Runs one query and returns its rows as objects (the client parses the annotated CSV by column type). */
  private async query(name: string, query: ParameterizedQuery): Promise<FluxRow[]> {
    try {
      return await this.queryApi.collectRows<FluxRow>(query, (values, meta) => meta.toObject(values));
    } catch (error) {
      if (error instanceof HttpError) {
        const json: unknown = error.json;
        const record = json !== null && typeof json === 'object' ? (json as Record<string, unknown>) : {};
        const detail = typeof record.message === 'string' ? record.message : (error.body ?? error.message);
        throw new InfluxHttpError(`query "${name}"`, error.statusCode, error.code, detail, undefined);
      }
      if (error instanceof RequestTimedOutError) {
        throw new InfluxUnreachableError(`query "${name}"`, this.http.connection.url, { cause: error, timedOut: true });
      }
      if (error instanceof Error && 'code' in error && typeof error.code === 'string' && /^E[A-Z]+/.test(error.code)) {
        throw new InfluxUnreachableError(`query "${name}"`, this.http.connection.url, { cause: error });
      }
      throw new InfluxQueryError(name, error instanceof Error ? error.message : String(error), { cause: error });
    }
  }

  async writeBatch(readings: readonly Reading[]): Promise<void> {
    // Serialize everything first: an invalid reading fails the call before anything is sent.
    const lines = readings.map(readingToLine);
    for (let i = 0; i < lines.length; i += this.batchLines) {
      await this.http.writeLines(lines.slice(i, i + this.batchLines));
    }
  }

  async latestReadings(panelIds: readonly string[]): Promise<Map<string, Reading>> {
    const latest = new Map<string, Reading>();
    if (panelIds.length === 0) return latest;
    const wanted = new Set(panelIds);
    for (const row of await this.query('latest readings', latestReadingsQuery(this.bucket, panelIds))) {
      const reading = pivotedRowToReading(row);
      if (reading === null || !wanted.has(reading.panelId)) continue;
      const known = latest.get(reading.panelId);
      if (!known || known.time < reading.time) latest.set(reading.panelId, reading);
    }
    return latest;
  }

  async readings(panelId: string, from: Date, to: Date, limit?: number): Promise<Reading[]> {
    if (limit !== undefined && !(Number.isInteger(limit) && limit >= 0)) {
      throw new RangeError(`limit must be a non-negative integer, got ${limit}`);
    }
    if (limit === 0 || !(from < to)) return [];
    return this.influxql('readings', readingsStatement(panelId, from, to, limit), (columns, rows) => influxqlRowsToReadings(columns, rows, panelId));
  }

  async downsample(panelId: string, from: Date, to: Date, everyMs: number): Promise<WindowReadings[]> {
    if (!(Number.isSafeInteger(everyMs) && everyMs > 0)) {
      throw new RangeError(`everyMs must be a positive integer, got ${everyMs}`);
    }
    if (!(from < to)) return [];
    return this.influxql('downsample', downsampleStatement(panelId, from, to, everyMs), (columns, rows) => influxqlRowsToWindows(columns, rows, panelId));
  }

  async panels(): Promise<PanelRecord[]> {
    return panelEdgesToRecords(await this.query('panels', panelsQuery(this.bucket)));
  }

  /**
   * The readings of one panel from `fromMs` on, in slices of `scanSliceDays`, so a long history
   * streams through in bounded pieces. Only the counting rule's fields are read. A scan from
   * less than a slice ago (a replay after a late reading, a restart from a checkpoint) is one
   * query to the end, without first asking where the panel's readings begin and end.
   */
  async *scan(panelId: string, fromMs: number): AsyncIterable<CounterColumns> {
    const start = Math.max(fromMs, MIN_SCAN_MS);
    if (start >= Date.now() - this.sliceMs) {
      const chunk = await this.scanSlice(panelId, start, MAX_TIME.getTime());
      if (chunk.t.length > 0) yield chunk;
      return;
    }
    const span = await this.query('panel span', panelSpanQuery(this.bucket, panelId, new Date(start)));
    const first = span.find((row) => row.edge === 'first');
    const last = span.find((row) => row.edge === 'last');
    if (!first || !last) return;
    const lastMs = timeCell(last, '_time').getTime();
    let sliceStart = timeCell(first, '_time').getTime();
    let previous = Number.NEGATIVE_INFINITY;
    while (sliceStart <= lastMs) {
      const sliceEnd = Math.min(sliceStart + this.sliceMs, lastMs + 1);
      const chunk = await this.scanSlice(panelId, sliceStart, sliceEnd);
      if (chunk.t.length > 0 && chunk.t[0]! <= previous) {
        throw new InfluxQueryError('scan', `readings of ${panelId} came back out of order`);
      }
      if (chunk.t.length > 0) {
        previous = chunk.t[chunk.t.length - 1]!;
        yield chunk;
      }
      sliceStart = sliceEnd;
    }
  }

  /** One panel's readings in [fromMs, toMs) as counter columns, sorted by time. */
  private async scanSlice(panelId: string, fromMs: number, toMs: number): Promise<CounterColumns> {
    const rows = await this.query('scan', ruleFieldsQuery(this.bucket, panelId, new Date(fromMs), new Date(toMs)));
    const columns = allocateColumns(rows.length);
    let n = 0;
    for (const row of rows) {
      const kwh = row[FIELD.energyKwh];
      const kw = row[FIELD.activePowerKw];
      if (typeof kwh !== 'number' || typeof kw !== 'number') continue; // not a reading of ours
      columns.t[n] = timeCell(row, '_time').getTime();
      columns.kwh[n] = kwh;
      columns.kw[n] = kw;
      columns.pf[n] = maskedValue(row, FIELD.powerFactor) ?? Number.NaN;
      columns.kvarh[n] = maskedValue(row, FIELD.reactiveEnergyKvarh) ?? Number.NaN;
      columns.kva[n] = maskedValue(row, FIELD.apparentPowerKva) ?? Number.NaN;
      n++;
    }
    return sortedColumns(columns, n);
  }

  /**
   * Per panel and local day, count and sum of each field the counting rule reads, computed by
   * InfluxDB in storage (see dayTotalsQuery), a few panels per query.
   */
  async dayTotals(panelIds: readonly string[], days: readonly DaySpan[]): Promise<Map<string, PanelDayTotals>> {
    const result = new Map<string, PanelDayTotals>();
    if (days.length === 0) return result;
    // Side by side: each query is mostly InfluxDB's CPU, and it has more than one core.
    const groups: Array<readonly string[]> = [];
    for (let i = 0; i < panelIds.length; i += TOTALS_PANELS_PER_QUERY) groups.push(panelIds.slice(i, i + TOTALS_PANELS_PER_QUERY));
    const answers = await Promise.all(groups.map((group) => this.query('day totals', dayTotalsQuery(this.bucket, group, days))));
    for (const rows of answers) for (const row of rows) addTotalsRow(result, row);
    return result;
  }

  async ping(): Promise<void> {
    await this.http.health();
  }

  async close(): Promise<void> {
    // Nothing is buffered: every write resolved only after InfluxDB's 204, and queries hold no
    // connection open once they have been read.
  }
}

/** Panels per day-totals query: each answers in storage, so a few queries for a building are enough. */
const TOTALS_PANELS_PER_QUERY = 25;

/** One row of dayTotalsQuery into the panel's totals. */
function addTotalsRow(result: Map<string, PanelDayTotals>, row: FluxRow): void {
  const panelId = stringCell(row, PANEL_TAG);
  const value = row._value;
  if (typeof value !== 'number') throw new InfluxQueryError('day totals', `a ${String(row.fn)} of ${panelId} is not a number`);
  let totals = result.get(panelId);
  if (!totals) {
    totals = { before: 0, days: new Map() };
    result.set(panelId, totals);
  }
  if (row.fn === 'before') {
    totals.before += value;
    return;
  }
  const field = DAY_TOTAL_FIELDS.indexOf(row._field as (typeof DAY_TOTAL_FIELDS)[number]);
  if (field < 0 || (row.fn !== 'count' && row.fn !== 'sum')) throw new InfluxQueryError('day totals', `unexpected row ${String(row.fn)} ${String(row._field)}`);
  const start = timeCell(row, '_time').getTime();
  let day = totals.days.get(start);
  if (!day) {
    day = new Float64Array(2 * DAY_TOTAL_FIELDS.length);
    totals.days.set(start, day);
  }
  day[2 * field + (row.fn === 'count' ? 0 : 1)] = value;
}

/** The earliest instant a scan asks InfluxDB for (its range() cannot start before 1970). */
const MIN_SCAN_MS = 0;

/** The first `n` rows of the columns, sorted by time (pivot returns them in time order already). */
function sortedColumns(columns: CounterColumns, n: number): CounterColumns {
  const slice = (a: Float64Array) => a.subarray(0, n);
  const out = { t: slice(columns.t), kwh: slice(columns.kwh), kw: slice(columns.kw), pf: slice(columns.pf), kvarh: slice(columns.kvarh), kva: slice(columns.kva) };
  let sorted = true;
  for (let k = 1; k < n && sorted; k++) sorted = out.t[k - 1]! < out.t[k]!;
  if (sorted) return out;
  const order = Array.from({ length: n }, (_, k) => k).sort((a, b) => out.t[a]! - out.t[b]!);
  const result = allocateColumns(n);
  order.forEach((from, to) => {
    for (const key of ['t', 'kwh', 'kw', 'pf', 'kvarh', 'kva'] as const) result[key][to] = out[key][from]!;
  });
  return result;
}
