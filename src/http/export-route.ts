import { once } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../config/logger.js';
import type { Metrics } from '../config/metrics.js';
import type { Viewer } from '../models/viewer.js';
import type { Authenticator } from '../services/access/authenticator.js';
import type { ExportService } from '../services/export/export-service.js';
import { UserInputError } from '../services/user-input-error.js';
import { EnergyNotReadyError } from '../services/energy/energy-service.js';
import type { CorsPolicy } from './cors.js';
import type { RefusalLog } from './refusal-log.js';

export interface ExportRouteOptions {
  readonly exports: ExportService;
  readonly authenticator: Authenticator;
  readonly cors: CorsPolicy;
  readonly metrics: Metrics;
  readonly logger: Logger;
  readonly logRefusal: RefusalLog;
}

/** Query parameters an export takes besides `link` (docs/export.md). */
const PARAMETERS = ['panelId', 'from', 'to', 'every', 'format'] as const;

/**
 * GET /export/<kind>.csv: with an Authorization header and the export in query parameters, or with
 * `?link=` from `createExportLink` (a browser download cannot send a header). Streamed: a slow
 * reader slows the export down (backpressure) and a reader that goes away stops it. A failure after
 * the first byte aborts the response, so a cut-off file is never mistaken for a whole one.
 */
export function createExportRoute(options: ExportRouteOptions) {
  return { serve: (req: IncomingMessage, res: ServerResponse): Promise<void> => serve(options, req, res) };
}

/** Who asks, and for what: a signed link's viewer and request, or the credential's and the query's. */
async function caller(options: ExportRouteOptions, req: IncomingMessage, url: URL): Promise<{ viewer: Viewer; input: unknown } | { status: number; message: string }> {
  const { exports } = options;
  const link = url.searchParams.get('link');
  if (link !== null) {
    const opened = await exports.links.open(link);
    if ('refused' in opened) return { status: 401, message: opened.refused };
    return { viewer: opened.viewer, input: opened.request };
  }
  const auth = await options.authenticator.authenticate(req.headers.authorization);
  if (!auth.ok) {
    options.logRefusal('http', auth.message, req.socket.remoteAddress);
    return { status: 401, message: auth.message };
  }
  if (auth.viewer.role === null) return { status: 401, message: 'credentials required' };
  const kind = /^\/export\/([a-z-]+)\.csv$/.exec(url.pathname)?.[1];
  const input: Record<string, string> = { kind: kind ?? '' };
  for (const [name, value] of url.searchParams) {
    if (!(PARAMETERS as readonly string[]).includes(name)) return { status: 400, message: `export: unknown parameter "${name.slice(0, 40)}"` };
    input[name] = value;
  }
  return { viewer: auth.viewer, input };
}

async function serve(options: ExportRouteOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const { exports, metrics } = options;
  if (req.method !== 'GET' && req.method !== 'HEAD') return text(res, 405, 'exports are read with GET', { allow: 'GET, HEAD' });
  if (!options.cors.allows(req.headers)) return text(res, 403, 'This origin may not call the API (CORS_ORIGINS).');
  for (const [name, value] of Object.entries(options.cors.responseHeaders(req.headers))) res.setHeader(name, value);
  const url = new URL(req.url ?? '/', 'http://export.invalid');
  const who = await caller(options, req, url);
  if ('status' in who) return text(res, who.status, who.message, who.status === 401 ? { 'www-authenticate': 'Bearer' } : {});
  let request;
  try {
    request = exports.resolve(who.viewer, who.input);
  } catch (error) {
    if (error instanceof UserInputError) return text(res, 400, error.message, { 'x-error-reason': error.reason });
    throw error;
  }
  // The path names the export (a link's too): it must agree with what is exported.
  if (url.pathname !== `/export/${request.kind}.csv`) {
    return text(res, 400, `export: this link is for ${request.kind}, not ${url.pathname}`);
  }
  const place = exports.admit(who.viewer);
  if ('refused' in place) {
    metrics.limitHits.inc({ limit: 'EXPORT_MAX_STREAMS' });
    return text(res, 503, `${place.refused}: try again shortly`, { 'retry-after': '5' });
  }
  try {
    await stream(options, req, res, request, who.viewer);
  } finally {
    place.release();
  }
}

/** The file, page by page, with backpressure; stops when the reader goes away. */
async function stream(
  { exports, logger }: ExportRouteOptions,
  req: IncomingMessage,
  res: ServerResponse,
  request: ReturnType<ExportService['resolve']>,
  viewer: Viewer,
): Promise<void> {
  const file = exports.open(request);
  const iterator = file.chunks[Symbol.asyncIterator]();
  let gone = false;
  res.once('close', () => {
    gone = true;
  });
  let first: IteratorResult<string>;
  try {
    // The first rows are computed before the status is sent: a refusal is still a clean 4xx/5xx.
    first = await iterator.next();
  } catch (error) {
    return failedBeforeStart(logger, res, error);
  }
  res.writeHead(200, {
    'content-type': 'text/csv; charset=utf-8',
    'content-disposition': `attachment; filename="${file.filename}"`,
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  });
  if (req.method === 'HEAD') {
    await iterator.return?.();
    res.end();
    return;
  }
  let rows = 0;
  try {
    for (let step = first; !step.done; step = await iterator.next()) {
      if (gone) break;
      if (!res.write(step.value)) await drainedOrClosed(res);
      rows++;
      // Other requests and MQTT acknowledgements run between pages.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    if (gone) {
      await iterator.return?.();
      logger.info({ kind: request.kind, caller: viewer.name }, 'export: the client went away; stopped');
      return;
    }
    res.end();
  } catch (error) {
    logger.error({ err: error, kind: request.kind, caller: viewer.name, pagesWritten: rows }, 'export failed after it started: response aborted');
    // Without the chunked terminator the client sees a broken transfer, not a short file.
    res.destroy(error instanceof Error ? error : new Error(String(error)));
  }
}

/**
 * Until the client takes more or goes away. The waiter that loses is removed (aborted): a year's
 * export waits thousands of times, and each left-over listener stayed on the response (Node's
 * MaxListenersExceededWarning in the export bench's first run).
 */
async function drainedOrClosed(res: ServerResponse): Promise<void> {
  const settled = new AbortController();
  try {
    await Promise.race([once(res, 'drain', { signal: settled.signal }), once(res, 'close', { signal: settled.signal })]);
  } finally {
    settled.abort();
  }
}

function failedBeforeStart(logger: Logger, res: ServerResponse, error: unknown): void {
  if (error instanceof UserInputError) return text(res, 400, error.message, { 'x-error-reason': error.reason });
  if (error instanceof EnergyNotReadyError) return text(res, 503, error.message, { 'retry-after': '5' });
  logger.error({ err: error }, 'export failed');
  text(res, 500, 'the export failed; the error is in the server log');
}

function text(res: ServerResponse, status: number, message: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', ...headers });
  res.end(`${message}\n`);
}

export type ExportRoute = ReturnType<typeof createExportRoute>;
