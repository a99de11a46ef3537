import { promisify } from 'node:util';
import { constants, gzip as gzipCallback } from 'node:zlib';
import { InfluxDB, type QueryApi } from '@influxdata/influxdb-client';

/**
 * The InfluxDB 2 HTTP calls this product makes itself: writes, /health and the start-up access
 * check. Writes do not go through the client library's WriteApi, whose in-memory retry buffer
 * drops lines past its limits: the caller (the forwarder) must know exactly which lines InfluxDB
 * acknowledged with 204, and keeps everything else in its journal.
 */

const gzip = promisify(gzipCallback);

/** Where and as whom to write and query. */
export interface InfluxConnection {
  /** Base URL, e.g. http://influxdb:8086 (no /api/v2). */
  readonly url: string;
  readonly token: string;
  readonly org: string;
  readonly bucket: string;
}

/** One write request's gzipped line protocol, and how many lines it holds. */
export interface EncodedLines {
  readonly count: number;
  readonly body: Awaited<ReturnType<typeof gzip>>;
}

/** InfluxDB answered, but not with success. `code`/`message` come from its JSON error body. */
export class InfluxHttpError extends Error {
  constructor(
    readonly operation: string,
    readonly status: number,
    readonly code: string | undefined,
    readonly detail: string,
    /** From a Retry-After header (429/503), in ms. */
    readonly retryAfterMs: number | undefined,
  ) {
    super(`InfluxDB ${operation} failed: HTTP ${status}${code ? ` ${code}` : ''}: ${detail || '(no message)'}`);
    this.name = 'InfluxHttpError';
  }

  /** The request's content is at fault (bad line protocol, type conflict, too large): retrying it unchanged cannot succeed. */
  get rejectsContent(): boolean {
    return this.status === 400 || this.status === 413 || this.status === 422;
  }

  /** The token, org or bucket is wrong or lacks permission: an operator has to act. */
  get isAccessProblem(): boolean {
    return this.status === 401 || this.status === 403 || this.status === 404;
  }
}

/** InfluxDB did not answer: connection refused, DNS failure, reset, or timed out. */
export class InfluxUnreachableError extends Error {
  constructor(
    readonly operation: string,
    readonly url: string,
    options: { cause: unknown; timedOut?: boolean },
  ) {
    super(
      `InfluxDB ${operation} at ${url} ${options.timedOut ? 'timed out' : 'is unreachable'}: ${describeCause(options.cause)}`,
      { cause: options.cause },
    );
    this.name = 'InfluxUnreachableError';
    this.timedOut = options.timedOut ?? false;
  }

  readonly timedOut: boolean;
}

function describeCause(cause: unknown): string {
  if (cause instanceof Error) {
    // undici wraps the socket error ("fetch failed"): the inner one says what happened.
    const inner = cause.cause instanceof Error ? `: ${cause.cause.message}` : '';
    return `${cause.message}${inner}`;
  }
  return String(cause);
}

/** Retry-After is either delay-seconds or an HTTP date (RFC 9110 §10.2.3). */
export function parseRetryAfter(header: string | null, now: number = Date.now()): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  const trimmed = header.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

async function errorFromResponse(operation: string, response: Response): Promise<InfluxHttpError> {
  let text = '';
  try {
    text = await response.text();
  } catch {
    // The body is only for the message; the status says enough.
  }
  let code: string | undefined;
  let detail = text.length > 1000 ? `${text.slice(0, 1000)}…` : text;
  try {
    const body: unknown = JSON.parse(text);
    if (body !== null && typeof body === 'object') {
      const record = body as Record<string, unknown>;
      if (typeof record.code === 'string') code = record.code;
      if (typeof record.message === 'string') detail = record.message;
    }
  } catch {
    // Not JSON (a proxy's HTML page, for instance): keep the raw text.
  }
  if (!detail) detail = response.headers.get('x-influxdb-error') ?? response.statusText;
  return new InfluxHttpError(operation, response.status, code, detail, parseRetryAfter(response.headers.get('retry-after')));
}

function joinUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}${path}`;
}

/** One series of an InfluxQL answer: column names, and rows of values in that order. */
export interface InfluxqlSeries {
  readonly name: string;
  readonly columns: readonly string[];
  readonly values?: ReadonlyArray<readonly unknown[]>;
}

/** The 1.x `/query` answer's shape (one statement). */
interface InfluxqlAnswer {
  readonly error?: string;
  readonly results?: ReadonlyArray<{ readonly error?: string; readonly series?: InfluxqlSeries[] }>;
}

export interface InfluxHttpOptions {
  /** Per-request timeout for writes and health checks. Default 10 s. */
  readonly timeoutMs?: number;
}

/**
 * Thin HTTP client for writes and health. Every call has a timeout (a server that accepts the
 * connection and never answers is treated like an unreachable one) and can be aborted by the caller.
 */
export class InfluxHttp {
  private readonly timeoutMs: number;

  constructor(
    readonly connection: InfluxConnection,
    options: InfluxHttpOptions = {},
  ) {
    this.timeoutMs = options.timeoutMs ?? 10_000;
  }

  private async request(operation: string, path: string, init: RequestInit, signal?: AbortSignal, timeoutMs = this.timeoutMs): Promise<Response> {
    const url = joinUrl(this.connection.url, path);
    const timeout = AbortSignal.timeout(timeoutMs);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    try {
      return await fetch(url, { ...init, signal: combined });
    } catch (error) {
      throw new InfluxUnreachableError(operation, this.connection.url, { cause: error, timedOut: timeout.aborted });
    }
  }

  private authHeaders(): Record<string, string> {
    return { Authorization: `Token ${this.connection.token}` };
  }

  /**
   * Writes lines of line protocol (ms precision) in one gzipped request. Resolves only on 204,
   * which InfluxDB sends once the whole batch is written; throws InfluxHttpError otherwise and
   * InfluxUnreachableError when there is no answer (then the batch may or may not have been
   * written: resending is safe, points with the same series and time merge).
   */
  async writeLines(lines: readonly string[], signal?: AbortSignal): Promise<void> {
    if (lines.length === 0) return;
    await this.writeEncoded(await this.encode(lines), signal);
  }

  /**
   * Compresses lines into one write request's body. Separate from writeEncoded so that the
   * forwarder can compress the next batch (on libuv's thread pool) while this one is in flight.
   */
  async encode(lines: readonly string[]): Promise<EncodedLines> {
    // Level 1: a third of the default level's CPU for a body about 15 % larger. Line protocol
    // compresses well at any level, and the forwarder's CPU is often shared with influxd's.
    return { count: lines.length, body: await gzip(Buffer.from(lines.join('\n'), 'utf8'), { level: constants.Z_BEST_SPEED }) };
  }

  /** Sends a body made by encode(); the same answers and errors as writeLines. */
  async writeEncoded(encoded: EncodedLines, signal?: AbortSignal): Promise<void> {
    if (encoded.count === 0) return;
    const { org, bucket } = this.connection;
    const query = new URLSearchParams({ org, bucket, precision: 'ms' });
    const body = encoded.body;
    const response = await this.request(
      'write',
      `/api/v2/write?${query.toString()}`,
      {
        method: 'POST',
        headers: {
          ...this.authHeaders(),
          'Content-Type': 'text/plain; charset=utf-8',
          'Content-Encoding': 'gzip',
          Accept: 'application/json',
        },
        body,
      },
      signal,
    );
    if (response.status === 204) {
      await response.body?.cancel();
      return;
    }
    throw await errorFromResponse('write', response);
  }

  /**
   * Runs one InfluxQL SELECT through the 1.x compatibility API (`GET /query`, on the bucket's
   * virtual database mapping: database = bucket name, retention policy autogen) and returns its
   * series (columns and rows, times as epoch ms), or the statement's error. Why InfluxQL for raw
   * reads: an InfluxQL row is a whole point, so InfluxDB needs no pivot; a year of one panel's
   * readings came 1.3-1.5× faster than from Flux's pivot (docs/export.md, benchmark). Throws
   * InfluxHttpError when InfluxDB refuses the request, InfluxUnreachableError without a whole answer.
   */
  async influxql(operation: string, statement: string, timeoutMs: number): Promise<{ readonly series: readonly InfluxqlSeries[] } | { readonly error: string }> {
    const query = new URLSearchParams({ db: this.connection.bucket, q: statement, epoch: 'ms' });
    const response = await this.request(operation, `/query?${query.toString()}`, { method: 'GET', headers: { ...this.authHeaders(), Accept: 'application/json' } }, undefined, timeoutMs);
    if (response.status !== 200) throw await errorFromResponse(operation, response);
    let body: unknown;
    try {
      body = await response.json();
    } catch (error) {
      throw new InfluxUnreachableError(operation, this.connection.url, { cause: error, timedOut: false });
    }
    const answer = body as InfluxqlAnswer;
    const result = answer.results?.[0];
    const error = answer.error ?? result?.error ?? (result ? undefined : `no result in the answer: ${JSON.stringify(body).slice(0, 200)}`);
    return typeof error === 'string' ? { error } : { series: result?.series ?? [] };
  }

  /** GET /health: resolves when InfluxDB reports itself ready ("pass"). */
  async health(signal?: AbortSignal): Promise<void> {
    const response = await this.request('health check', '/health', { method: 'GET', headers: { Accept: 'application/json' } }, signal);
    if (!response.ok) throw await errorFromResponse('health check', response);
    await response.body?.cancel();
  }

  /**
   * GET /api/v2/buckets filtered by org and bucket name, with the token. 401: bad token;
   * 404: unknown org; an empty list: no such bucket, or the token may not read it.
   */
  async findBucket(signal?: AbortSignal): Promise<{ found: boolean }> {
    const { org, bucket } = this.connection;
    const query = new URLSearchParams({ org, name: bucket });
    const response = await this.request(
      'bucket lookup',
      `/api/v2/buckets?${query.toString()}`,
      { method: 'GET', headers: { ...this.authHeaders(), Accept: 'application/json' } },
      signal,
    );
    if (!response.ok) {
      const error = await errorFromResponse('bucket lookup', response);
      // InfluxDB 2.7 answers a name filter that matches nothing with 404 "bucket … not found"
      // (an unknown org is a 404 too, naming the organization).
      if (error.status === 404 && /bucket/i.test(error.detail) && !/organi[sz]ation/i.test(error.detail)) return { found: false };
      throw error;
    }
    let body: unknown;
    try {
      body = await response.json();
    } catch (error) {
      throw new InfluxHttpError('bucket lookup', response.status, undefined, `answer is not JSON (${describeCause(error)}): is INFLUX_URL an InfluxDB 2?`, undefined);
    }
    const buckets = body !== null && typeof body === 'object' ? (body as Record<string, unknown>).buckets : undefined;
    if (!Array.isArray(buckets)) {
      throw new InfluxHttpError('bucket lookup', response.status, undefined, 'answer has no "buckets" list: is INFLUX_URL an InfluxDB 2?', undefined);
    }
    return { found: buckets.some((b: unknown) => b !== null && typeof b === 'object' && (b as Record<string, unknown>).name === bucket) };
  }

  /** Creates this connection's bucket in its org, without expiry (POST /api/v2/buckets). */
  async createBucket(signal?: AbortSignal): Promise<void> {
    const { org, bucket } = this.connection;
    const orgs = await this.request(
      'org lookup',
      `/api/v2/orgs?${new URLSearchParams({ org }).toString()}`,
      { method: 'GET', headers: { ...this.authHeaders(), Accept: 'application/json' } },
      signal,
    );
    if (!orgs.ok) throw await errorFromResponse('org lookup', orgs);
    const list = ((await orgs.json()) as { orgs?: Array<{ id?: unknown; name?: unknown }> }).orgs ?? [];
    const orgID = list.find((o) => o.name === org)?.id;
    if (typeof orgID !== 'string') throw new InfluxHttpError('org lookup', 404, 'not found', `organization name "${org}" not found`, undefined);
    const response = await this.request(
      'bucket creation',
      '/api/v2/buckets',
      {
        method: 'POST',
        headers: { ...this.authHeaders(), 'Content-Type': 'application/json', Accept: 'application/json' },
        body: JSON.stringify({ orgID, name: bucket, retentionRules: [] }),
      },
      signal,
    );
    if (!response.ok) throw await errorFromResponse('bucket creation', response);
    await response.body?.cancel();
  }
}

/**
 * A bucket's clients for the records kept in InfluxDB beside the readings (the admin record, the
 * alarm log): writes that are done only once InfluxDB answered (10 s each), Flux queries (30 s).
 */
export function recordBucket(connection: InfluxConnection): { readonly bucket: string; readonly http: InfluxHttp; readonly query: QueryApi } {
  return {
    bucket: connection.bucket,
    http: new InfluxHttp(connection, { timeoutMs: 10_000 }),
    query: new InfluxDB({ url: connection.url, token: connection.token, timeout: 30_000 }).getQueryApi({ org: connection.org }),
  };
}
