import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { gunzipSync } from 'node:zlib';

/**
 * A loopback stand-in for InfluxDB 2's HTTP API, strict about what it accepts: every request is
 * checked (method, path, org/bucket/precision parameters, `Authorization: Token ...`, gzip, line
 * protocol of our point layout, Flux query bodies) and answered the way InfluxDB documents it
 * (204 for writes, JSON error bodies `{"code","message"}`, annotated CSV for queries).
 *
 * Faults for the forwarder tests: fail the next N writes with a given status, hang (accept and
 * never answer, optionally after storing the points, as when the answer is lost), go down (close
 * the port, drop connections) and come back on the same port.
 *
 * Stored points are merged by series and timestamp like InfluxDB (last write wins per field), and
 * every delivery of a point is counted, so tests can tell "stored exactly once" from "sent once".
 */

export interface FakeInfluxOptions {
  readonly token?: string;
  readonly org?: string;
  readonly bucket?: string;
  /** Extra buckets that exist in the org. */
  readonly otherBuckets?: readonly string[];
  /** Require `Content-Encoding: gzip` on writes (our writer always gzips). Default true. */
  readonly requireGzip?: boolean;
  /** Checks a Flux query; returned messages make the fake answer 400 like InfluxDB's compiler. */
  readonly validateFlux?: (query: string) => Promise<readonly string[]> | readonly string[];
}

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly params: URLSearchParams;
  readonly headers: IncomingMessage['headers'];
  /** The body as text (decompressed when it was gzipped). */
  readonly body: string;
  /** The raw body length on the wire. */
  readonly wireBytes: number;
  /** When the request was complete (ms since epoch). */
  readonly receivedAt: number;
}

export interface StoredPoint {
  readonly measurement: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly fields: Readonly<Record<string, number>>;
  /** Milliseconds (writes use precision=ms). */
  readonly time: number;
}

export interface CannedResponse {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

export type CsvType = 'string' | 'double' | 'long' | 'boolean' | 'dateTime:RFC3339';
export type CsvValue = string | number | boolean | Date | null;

/** One result table of annotated CSV. */
export interface CsvTable {
  readonly columns: ReadonlyArray<{ readonly name: string; readonly type: CsvType; readonly group?: boolean }>;
  readonly rows: ReadonlyArray<Readonly<Record<string, CsvValue | undefined>>>;
}

export type QueryAnswer = readonly CsvTable[] | CannedResponse;
export type QueryHandler = (query: string, body: Readonly<Record<string, unknown>>) => QueryAnswer | Promise<QueryAnswer>;

/** InfluxDB's JSON error body. */
export function influxError(status: number, code: string, message: string, headers?: Record<string, string>): CannedResponse {
  return { status, body: { code, message }, headers };
}

function csvCell(value: CsvValue, type: CsvType): string {
  if (value === null) return '';
  let text: string;
  if (value instanceof Date) text = value.toISOString();
  else if (type === 'double' && typeof value === 'number' && Number.isInteger(value)) text = value.toFixed(1).replace(/\.0$/, '');
  else text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * Annotated CSV as InfluxDB's /api/v2/query writes it (dialect with datatype, group and default
 * annotations): an empty first column for annotations, `result` and `table` columns, a header
 * block per table, tables separated by an empty line, CRLF line ends.
 */
export function toAnnotatedCsv(tables: readonly CsvTable[]): string {
  if (tables.length === 0) return '\r\n';
  const blocks = tables.map((table, index) => {
    const columns = [
      { name: 'result', type: 'string' as CsvType, group: false },
      { name: 'table', type: 'long' as CsvType, group: false },
      ...table.columns.map((c) => ({ ...c, group: c.group ?? false })),
    ];
    const lines = [
      `#group,${columns.map((c) => String(c.group)).join(',')}`,
      `#datatype,${columns.map((c) => c.type).join(',')}`,
      `#default,_result,${columns.slice(1).map(() => '').join(',')}`,
      `,${columns.map((c) => c.name).join(',')}`,
      ...table.rows.map(
        (row) => `,,${index},${table.columns.map((c) => csvCell(row[c.name] ?? null, c.type)).join(',')}`,
      ),
    ];
    return lines.join('\r\n');
  });
  return `${blocks.join('\r\n\r\n')}\r\n\r\n`;
}

class LineProtocolError extends Error {}

/** Splits on an unescaped separator (backslash escapes the next character). */
function splitUnescaped(text: string, separator: string): string[] {
  const parts: string[] = [];
  let current = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\\' && i + 1 < text.length) {
      current += c + text[i + 1]!;
      i++;
    } else if (c === separator) {
      parts.push(current);
      current = '';
    } else current += c;
  }
  parts.push(current);
  return parts;
}

/** InfluxDB unescapes only `\,` `\=` `\ ` (and `\"` in field strings) in keys and tag values. */
function unescape(text: string): string {
  return text.replace(/\\([,= ])/g, '$1');
}

const FLOAT = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

/** Parses one line of line protocol, accepting only what our writer may send. */
export function parseLine(line: string): StoredPoint {
  const sections = splitUnescaped(line, ' ');
  if (sections.length !== 3) throw new LineProtocolError(`expected "measurement,tags fields timestamp", got ${sections.length} sections`);
  const [series, fieldText, timeText] = sections as [string, string, string];
  const [measurementRaw, ...tagParts] = splitUnescaped(series, ',');
  const measurement = unescape(measurementRaw ?? '');
  if (measurement !== 'panel_energy') throw new LineProtocolError(`measurement is "${measurement}", expected panel_energy`);
  const tags: Record<string, string> = {};
  for (const part of tagParts) {
    const [key, value, ...rest] = splitUnescaped(part, '=');
    if (key === undefined || value === undefined || rest.length > 0 || value === '') throw new LineProtocolError(`bad tag "${part}"`);
    tags[unescape(key)] = unescape(value);
  }
  if (Object.keys(tags).join(',') !== 'panel_id') throw new LineProtocolError(`tags are ${JSON.stringify(tags)}, expected exactly panel_id`);
  const fields: Record<string, number> = {};
  for (const part of splitUnescaped(fieldText, ',')) {
    const [key, value, ...rest] = splitUnescaped(part, '=');
    if (key === undefined || value === undefined || rest.length > 0) throw new LineProtocolError(`bad field "${part}"`);
    // The one integer field is the null mask; every measurement is a float.
    const isMask = unescape(key) === 'null_fields' && /^\d+i$/.test(value);
    if (!isMask && !FLOAT.test(value)) throw new LineProtocolError(`field ${key}=${value} is not a float (integers end in i, strings are quoted)`);
    const number = Number(isMask ? value.slice(0, -1) : value);
    if (!Number.isFinite(number)) throw new LineProtocolError(`field ${key}=${value} is not finite`);
    fields[unescape(key)] = number;
  }
  if (!/^-?\d+$/.test(timeText)) throw new LineProtocolError(`timestamp "${timeText}" is not an integer`);
  return { measurement, tags, fields, time: Number(timeText) };
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

export class FakeInfluxDB {
  readonly token: string;
  readonly org: string;
  readonly bucket: string;
  readonly requests: RecordedRequest[] = [];
  /** Deliveries per point key (`panel|time`): how many accepted writes contained it. */
  readonly deliveries = new Map<string, number>();
  private readonly points = new Map<string, StoredPoint>();
  private readonly buckets: Set<string>;
  private readonly requireGzip: boolean;
  private readonly validateFlux?: FakeInfluxOptions['validateFlux'];
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private port = 0;
  private writeFailures: CannedResponse[] = [];
  private hangMode: 'off' | 'before-store' | 'after-store' = 'off';
  private readonly hanging: Array<() => void> = [];
  private queryHandler: QueryHandler = () => [];
  private badLine: ((line: string) => boolean) | undefined;
  private writeWaiters: Array<{ count: number; resolve: () => void }> = [];
  private acceptedWrites = 0;

  constructor(options: FakeInfluxOptions = {}) {
    this.token = options.token ?? 'test-token';
    this.org = options.org ?? 'test-org';
    this.bucket = options.bucket ?? 'energy_monitoring';
    this.buckets = new Set([this.bucket, ...(options.otherBuckets ?? [])]);
    this.requireGzip = options.requireGzip ?? true;
    this.validateFlux = options.validateFlux;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** The connection settings matching this fake. */
  get connection(): { url: string; token: string; org: string; bucket: string } {
    return { url: this.url, token: this.token, org: this.org, bucket: this.bucket };
  }

  async start(): Promise<this> {
    const server = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        if (!res.headersSent) this.send(res, influxError(500, 'internal error', String(error)));
      });
    });
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
    return this;
  }

  /** Closes the port and drops every connection (InfluxDB crashed or the network is gone). */
  async down(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    this.releaseHanging();
    for (const socket of this.sockets) socket.destroy();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Listens again on the same port. */
  async up(): Promise<void> {
    if (!this.server) await this.start();
  }

  async stop(): Promise<void> {
    await this.down();
  }

  /** The next `count` writes answer with `response` (and store nothing). */
  failWrites(count: number, response: CannedResponse): void {
    for (let i = 0; i < count; i++) this.writeFailures.push(response);
  }

  /**
   * 'before-store': requests are read and never answered, nothing stored (a stuck server).
   * 'after-store': writes are stored, then never answered (the answer is lost).
   * 'off': answer again; requests left hanging stay so until their client gives up.
   */
  hang(mode: 'off' | 'before-store' | 'after-store'): void {
    this.hangMode = mode;
  }

  private releaseHanging(): void {
    for (const release of this.hanging.splice(0)) release();
  }

  /** Lines for which `predicate` is true are rejected with 400, failing their whole batch (as OSS 2.x does). */
  rejectLinesWhere(predicate: ((line: string) => boolean) | undefined): void {
    this.badLine = predicate;
  }

  onQuery(handler: QueryHandler): void {
    this.queryHandler = handler;
  }

  /** Resolves once `count` writes in total have been accepted (204). */
  waitForAcceptedWrites(count: number): Promise<void> {
    if (this.acceptedWrites >= count) return Promise.resolve();
    return new Promise((resolve) => this.writeWaiters.push({ count, resolve }));
  }

  get acceptedWriteCount(): number {
    return this.acceptedWrites;
  }

  /** Stored points, merged per series and time, sorted by panel then time. */
  storedPoints(): StoredPoint[] {
    return [...this.points.values()].sort((a, b) =>
      a.tags.panel_id! < b.tags.panel_id! ? -1 : a.tags.panel_id! > b.tags.panel_id! ? 1 : a.time - b.time,
    );
  }

  writeRequests(): RecordedRequest[] {
    return this.requests.filter((r) => r.path === '/api/v2/write');
  }

  queryRequests(): RecordedRequest[] {
    return this.requests.filter((r) => r.path === '/api/v2/query');
  }

  private send(res: ServerResponse, response: CannedResponse): void {
    const headers: Record<string, string> = { ...response.headers };
    let body = '';
    if (response.body !== undefined) {
      body = typeof response.body === 'string' ? response.body : JSON.stringify(response.body);
      headers['Content-Type'] ??= typeof response.body === 'string' ? 'text/plain; charset=utf-8' : 'application/json; charset=utf-8';
    }
    if (response.status >= 400 && response.body !== undefined && typeof response.body === 'object') {
      const code = (response.body as { code?: unknown }).code;
      if (typeof code === 'string') headers['X-Platform-Error-Code'] = code;
    }
    res.writeHead(response.status, headers);
    res.end(body);
  }

  private checkAuth(req: IncomingMessage): CannedResponse | null {
    const header = req.headers.authorization;
    if (header !== `Token ${this.token}`) return influxError(401, 'unauthorized', 'unauthorized access');
    return null;
  }

  private checkOrg(params: URLSearchParams): CannedResponse | null {
    const org = params.get('org');
    if (org === null) return influxError(400, 'invalid', 'Please provide either orgID or org');
    if (org !== this.org) return influxError(404, 'not found', `organization name "${org}" not found`);
    return null;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks);
    let body: string;
    try {
      body = req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw).toString('utf8') : raw.toString('utf8');
    } catch {
      this.send(res, influxError(400, 'invalid', 'unable to decompress gzip body'));
      return;
    }
    this.requests.push({ method: req.method ?? '', path: url.pathname, params: url.searchParams, headers: req.headers, body, wireBytes: raw.length, receivedAt: Date.now() });

    if (this.hangMode === 'before-store') {
      await new Promise<void>((resolve) => {
        this.hanging.push(resolve);
        res.on('close', resolve);
      });
      return;
    }

    const route = `${req.method} ${url.pathname}`;
    switch (route) {
      case 'GET /ping':
        res.writeHead(204, { 'X-Influxdb-Version': 'v2.7.11', 'X-Influxdb-Build': 'OSS' });
        res.end();
        return;
      case 'GET /health':
        this.send(res, {
          status: 200,
          body: { name: 'influxdb', message: 'ready for queries and writes', status: 'pass', checks: [], version: 'v2.7.11', commit: 'fake' },
        });
        return;
      case 'GET /api/v2/buckets':
        this.send(res, this.checkAuth(req) ?? this.checkOrg(url.searchParams) ?? this.listBuckets(url.searchParams));
        return;
      case 'POST /api/v2/write':
        await this.write(req, res, url.searchParams, body);
        return;
      case 'POST /api/v2/query':
        this.sendQuery(res, this.checkAuth(req) ?? this.checkOrg(url.searchParams) ?? (await this.query(req, body)));
        return;
      default:
        this.send(res, influxError(404, 'not found', 'path not found'));
    }
  }

  private listBuckets(params: URLSearchParams): CannedResponse {
    const name = params.get('name');
    const names = [...this.buckets].filter((b) => name === null || b === name);
    return { status: 200, body: { links: { self: '/api/v2/buckets' }, buckets: names.map((n, i) => ({ id: `b${i}`, orgID: 'o1', name: n, type: 'user', retentionRules: [] })) } };
  }

  private async write(req: IncomingMessage, res: ServerResponse, params: URLSearchParams, body: string): Promise<void> {
    const refusal =
      this.checkAuth(req) ??
      this.checkOrg(params) ??
      (params.get('bucket') === null
        ? influxError(400, 'invalid', 'Please provide bucket')
        : !this.buckets.has(params.get('bucket')!)
          ? influxError(404, 'not found', `bucket "${params.get('bucket')}" not found`)
          : null) ??
      (params.get('precision') !== 'ms' ? influxError(400, 'invalid', `expected precision=ms, got ${params.get('precision')}`) : null) ??
      (this.requireGzip && req.headers['content-encoding'] !== 'gzip' ? influxError(400, 'invalid', 'expected a gzip body') : null) ??
      this.writeFailures.shift() ??
      null;
    if (refusal) {
      this.send(res, refusal);
      return;
    }
    const lines = body.split('\n').filter((line) => line.trim() !== '');
    const parsed: StoredPoint[] = [];
    for (const line of lines) {
      if (this.badLine?.(line)) {
        this.send(res, influxError(400, 'invalid', `unable to parse '${line}': rejected by test`));
        return;
      }
      try {
        parsed.push(parseLine(line));
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        this.send(res, influxError(400, 'invalid', `unable to parse '${line}': ${message}`));
        return;
      }
    }
    for (const point of parsed) {
      const key = `${point.tags.panel_id}|${point.time}`;
      const existing = this.points.get(key);
      this.points.set(key, existing ? { ...point, fields: { ...existing.fields, ...point.fields } } : point);
      this.deliveries.set(key, (this.deliveries.get(key) ?? 0) + 1);
    }
    this.acceptedWrites++;
    for (const waiter of this.writeWaiters.filter((w) => this.acceptedWrites >= w.count)) waiter.resolve();
    this.writeWaiters = this.writeWaiters.filter((w) => this.acceptedWrites < w.count);
    if (this.hangMode === 'after-store') {
      const released = deferred();
      this.hanging.push(released.resolve);
      res.on('close', released.resolve);
      await released.promise;
      return;
    }
    res.writeHead(204);
    res.end();
  }

  private async query(req: IncomingMessage, body: string): Promise<QueryAnswer> {
    if (!String(req.headers['content-type']).startsWith('application/json')) {
      return influxError(400, 'invalid', `unsupported content type ${req.headers['content-type']}`);
    }
    let parsed: Record<string, unknown>;
    try {
      parsed = JSON.parse(body) as Record<string, unknown>;
    } catch {
      return influxError(400, 'invalid', 'request body is not JSON');
    }
    const query = parsed.query;
    if (typeof query !== 'string' || query.trim() === '') return influxError(400, 'invalid', 'query is empty');
    if (parsed.type !== undefined && parsed.type !== 'flux') return influxError(400, 'invalid', `unsupported query type ${String(parsed.type)}`);
    const dialect = parsed.dialect as { annotations?: unknown; header?: unknown } | undefined;
    const annotations = Array.isArray(dialect?.annotations) ? dialect.annotations : [];
    for (const needed of ['datatype', 'group', 'default']) {
      if (!annotations.includes(needed)) return influxError(400, 'invalid', `dialect must request the ${needed} annotation`);
    }
    const problems = this.validateFlux ? await this.validateFlux(query) : [];
    if (problems.length > 0) return influxError(400, 'invalid', `compilation failed: ${problems.join('; ')}`);
    return this.queryHandler(query, parsed);
  }

  private sendQuery(res: ServerResponse, answer: QueryAnswer): void {
    if (!Array.isArray(answer)) {
      this.send(res, answer as CannedResponse);
      return;
    }
    res.writeHead(200, { 'Content-Type': 'text/csv; charset=utf-8' });
    res.end(toAnnotatedCsv(answer as readonly CsvTable[]));
  }
}

export async function startFakeInflux(options: FakeInfluxOptions = {}): Promise<FakeInfluxDB> {
  return new FakeInfluxDB(options).start();
}
