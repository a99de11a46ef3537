import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { gunzipSync } from 'node:zlib';

/**
 * A loopback stand-in for InfluxDB 2's HTTP API, strict about what it accepts: every request is
 * checked (method, path, org/bucket/precision parameters, `Authorization: Token ...`, gzip, line
 * protocol of our point layout) and answered the way InfluxDB documents it (204 for writes,
 * JSON error bodies `{"code","message"}`). It serves what the product's own HTTP calls need (the
 * start-up check and the forwarder's writes); queries are tested against a real InfluxDB 2.7
 * (test/store/influx-store.contract.test.ts, test/influx/product-on-influxdb.test.ts).
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

/** InfluxDB's JSON error body. */
export function influxError(status: number, code: string, message: string, headers?: Record<string, string>): CannedResponse {
  return { status, body: { code, message }, headers };
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
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private port = 0;
  private writeFailures: CannedResponse[] = [];
  private hangMode: 'off' | 'before-store' | 'after-store' = 'off';
  private readonly hanging: Array<() => void> = [];
  private badLine: ((line: string) => boolean) | undefined;

  constructor(options: FakeInfluxOptions = {}) {
    this.token = options.token ?? 'test-token';
    this.org = options.org ?? 'test-org';
    this.bucket = options.bucket ?? 'energy_monitoring';
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

  /** Stored points, merged per series and time, sorted by panel then time. */
  storedPoints(): StoredPoint[] {
    return [...this.points.values()].sort((a, b) =>
      a.tags.panel_id! < b.tags.panel_id! ? -1 : a.tags.panel_id! > b.tags.panel_id! ? 1 : a.time - b.time,
    );
  }

  writeRequests(): RecordedRequest[] {
    return this.requests.filter((r) => r.path === '/api/v2/write');
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
      default:
        this.send(res, influxError(404, 'not found', 'path not found'));
    }
  }

  private listBuckets(params: URLSearchParams): CannedResponse {
    const name = params.get('name');
    const names = [this.bucket].filter((b) => name === null || b === name);
    return { status: 200, body: { links: { self: '/api/v2/buckets' }, buckets: names.map((n, i) => ({ id: `b${i}`, orgID: 'o1', name: n, type: 'user', retentionRules: [] })) } };
  }

  private async write(req: IncomingMessage, res: ServerResponse, params: URLSearchParams, body: string): Promise<void> {
    const refusal =
      this.checkAuth(req) ??
      this.checkOrg(params) ??
      (params.get('bucket') === null
        ? influxError(400, 'invalid', 'Please provide bucket')
        : params.get('bucket') !== this.bucket
          ? influxError(404, 'not found', `bucket "${params.get('bucket')}" not found`)
          : null) ??
      (params.get('precision') !== 'ms' ? influxError(400, 'invalid', `expected precision=ms, got ${params.get('precision')}`) : null) ??
      // The product's writer always gzips.
      (req.headers['content-encoding'] !== 'gzip' ? influxError(400, 'invalid', 'expected a gzip body') : null) ??
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
}

export async function startFakeInflux(options: FakeInfluxOptions = {}): Promise<FakeInfluxDB> {
  return new FakeInfluxDB(options).start();
}
