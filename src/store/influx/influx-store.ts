import { HttpError, InfluxDB, RequestTimedOutError, type ParameterizedQuery, type QueryApi } from '@influxdata/influxdb-client';
import { IANAZone } from 'luxon';
import type { CounterRuleParams, EnergyQuery, EnergyRow } from '../../models/energy.js';
import type { PanelRecord, Reading } from '../../models/reading.js';
import {
  downsampleQuery,
  energyBoundsQuery,
  energyQuery,
  fluxLocationFor,
  latestReadingsQuery,
  panelsQuery,
  panelWindows,
  readingsQuery,
  type PanelBounds,
} from './influx-flux.js';
import { InfluxHttp, InfluxHttpError, InfluxUnreachableError, type FetchLike, type InfluxConnection } from './influx-http.js';
import {
  PANEL_TAG,
  panelEdgesToRecords,
  pivotedRowToReading,
  readingToLine,
  stringCell,
  timeCell,
  type FluxRow,
} from './influx-points.js';
import type { ReadingStore } from '../reading-store.js';

export interface InfluxStoreOptions extends InfluxConnection {
  /** IANA zone whose local midnights cut days and months in energy(). */
  readonly timezone: string;
  /** Thresholds of the counter rule. */
  readonly counterRule: CounterRuleParams;
  /** Timeout of a write or health request. Default 10 s. */
  readonly writeTimeoutMs?: number;
  /** Socket idle timeout of a query (a year of energy can take a while). Default 60 s. */
  readonly queryTimeoutMs?: number;
  /** Lines per write request. Default 5,000 (InfluxDB's recommended batch size). */
  readonly writeBatchLines?: number;
  /** For tests: the fetch used for writes and health checks. */
  readonly fetch?: FetchLike;
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
 * The production store: raw readings in an InfluxDB 2 bucket (see influx-points.ts for the point
 * layout and influx-flux.ts for the queries). All computation, energy included, runs in InfluxDB:
 * Node receives only results (one row per reading asked for, per window, or per panel and period).
 *
 * writeBatch() writes synchronously with the same gzip/204 semantics as the forwarder; in the
 * product, writes normally go through JournaledStore (local journal first, forwarded later).
 */
export class InfluxStore implements ReadingStore {
  readonly timezone: string;
  readonly http: InfluxHttp;
  private readonly bucket: string;
  private readonly rule: CounterRuleParams;
  private readonly queryApi: QueryApi;
  private readonly batchLines: number;

  constructor(options: InfluxStoreOptions) {
    if (!IANAZone.isValidZone(options.timezone)) throw new RangeError(`"${options.timezone}" is not an IANA timezone`);
    const { maxPowerRatio, minPowerKw } = options.counterRule;
    if (!(maxPowerRatio > 0) || !(minPowerKw > 0)) throw new RangeError('counter rule thresholds must be positive');
    for (const key of ['url', 'token', 'org', 'bucket'] as const) {
      if (!options[key]) throw new RangeError(`InfluxStore needs ${key}`);
    }
    this.timezone = options.timezone;
    this.rule = options.counterRule;
    this.bucket = options.bucket;
    this.batchLines = options.writeBatchLines ?? 5_000;
    const connection: InfluxConnection = { url: options.url, token: options.token, org: options.org, bucket: options.bucket };
    this.http = new InfluxHttp(connection, { timeoutMs: options.writeTimeoutMs, fetch: options.fetch });
    this.queryApi = new InfluxDB({ url: options.url, token: options.token, timeout: options.queryTimeoutMs ?? 60_000 }).getQueryApi({
      org: options.org,
    });
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
    const rows = await this.query('readings', readingsQuery(this.bucket, panelId, from, to, limit));
    return rows.map((row) => pivotedRowToReading(row, panelId)).filter((r): r is Reading => r !== null);
  }

  async downsample(panelId: string, from: Date, to: Date, everyMs: number): Promise<Reading[]> {
    if (!(Number.isSafeInteger(everyMs) && everyMs > 0)) {
      throw new RangeError(`everyMs must be a positive integer, got ${everyMs}`);
    }
    if (!(from < to)) return [];
    const rows = await this.query('downsample', downsampleQuery(this.bucket, panelId, from, to, everyMs));
    return rows.map((row) => pivotedRowToReading(row, panelId)).filter((r): r is Reading => r !== null);
  }

  async panels(): Promise<PanelRecord[]> {
    return panelEdgesToRecords(await this.query('panels', panelsQuery(this.bucket)));
  }

  /**
   * Two queries whatever the number of panels: the per-panel bounds of the lookback/lookahead
   * window (timestamps only), then the counter rule over exactly those windows, summed per period
   * in InfluxDB. See energyQuery() in influx-flux.ts for the rule in Flux.
   */
  async energy(query: EnergyQuery): Promise<EnergyRow[]> {
    const { from, to, groupBy } = query;
    for (const [name, date] of [['from', from], ['to', to]] as const) {
      if (!(date instanceof Date) || Number.isNaN(date.getTime())) throw new RangeError(`${name} is not a valid date`);
    }
    const panelIds = [...new Set(query.panelIds)];
    if (panelIds.length === 0 || from >= to) return [];

    const bounds = parseBounds(await this.query('energy bounds', energyBoundsQuery(this.bucket, panelIds, from, to)), panelIds);
    const windows = panelWindows(bounds, from, to);
    if (windows.length === 0) return [];
    const location = groupBy === 'total' ? undefined : fluxLocationFor(this.timezone, from, to, groupBy);
    const rows = await this.query(
      'energy',
      energyQuery({ bucket: this.bucket, windows, from, to, groupBy, location, rule: this.rule }),
    );
    return rows
      .map((row): EnergyRow => {
        const energy = row.energy;
        if (typeof energy !== 'number') throw new InfluxQueryError('energy', `energy is not a number: ${JSON.stringify(energy)}`);
        return { panelId: stringCell(row, PANEL_TAG), periodStart: timeCell(row, 'period'), energyKwh: energy };
      })
      .sort((a, b) => (a.panelId < b.panelId ? -1 : a.panelId > b.panelId ? 1 : a.periodStart.getTime() - b.periodStart.getTime()));
  }

  async ping(): Promise<void> {
    await this.http.health();
  }

  async close(): Promise<void> {
    // Nothing is buffered: every write resolved only after InfluxDB's 204, and queries hold no
    // connection open once they have been read.
  }
}

/** Rows of energyBoundsQuery (panel_id, bound, _time) into one PanelBounds per requested panel. */
export function parseBounds(rows: readonly FluxRow[], panelIds: readonly string[]): PanelBounds[] {
  const byPanel = new Map<string, { before?: Date; inside: boolean; after?: Date }>(
    panelIds.map((id) => [id, { inside: false }]),
  );
  for (const row of rows) {
    const entry = byPanel.get(stringCell(row, PANEL_TAG));
    if (!entry) continue;
    const bound = stringCell(row, 'bound');
    const time = timeCell(row, '_time');
    if (bound === 'before') entry.before = time;
    else if (bound === 'inside') entry.inside = true;
    else if (bound === 'after') entry.after = time;
    else throw new InfluxQueryError('energy bounds', `unexpected bound ${JSON.stringify(bound)}`);
  }
  return [...byPanel].map(([panelId, entry]) => ({ panelId, ...entry }));
}
