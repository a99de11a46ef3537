import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../config/logger.js';
import { roleAtLeast } from '../services/access/api-keys.js';
import type { Authenticator } from '../services/access/authenticator.js';
import type { ErrorReason } from '../services/user-input-error.js';
import type { Readiness } from '../services/ingest-health.js';
import type { Metrics } from '../config/metrics.js';
import type { CorsPolicy } from './cors.js';
import type { ExportRoute } from './export-route.js';
import type { GraphiqlPage } from './graphiql-page.js';
import type { RefusalLog } from './refusal-log.js';
import { readJsonBody } from './request-body.js';
import type { RequestCallers } from './request-callers.js';
import type { WebAssets } from './web-assets.js';
import type { YogaApp } from './yoga-app.js';

export interface HttpRoutesOptions {
  readonly yoga: YogaApp;
  readonly authenticator: Authenticator;
  readonly cors: CorsPolicy;
  readonly metrics: Metrics;
  readonly logger: Logger;
  readonly callers: RequestCallers;
  readonly logRefusal: RefusalLog;
  /** GET /ready: short codes for anyone, problems (paths, error texts) for the log only. */
  readonly readiness: () => Promise<Readiness>;
  /** The dashboard page's files. */
  readonly webAssets: WebAssets;
  /** GET /export/<kind>.csv (export-route.ts). */
  readonly exports: ExportRoute;
  /** GraphiQL, or null when it is off. */
  readonly graphiql: GraphiqlPage | null;
  /** `key`: GET /metrics needs an operator or admin credential; `open`: none (METRICS_AUTH). */
  readonly metricsAuth: 'key' | 'open';
  /** /metrics is served on a listener of its own, not here. */
  readonly metricsOnOwnPort: boolean;
  /** HTTP_MAX_BODY: the largest request body read (yoga answers 413 beyond it). */
  readonly maxBodyBytes: number;
}

export interface HttpRoutes {
  /** Everything on the API's port but WebSocket upgrades. */
  route(req: IncomingMessage, res: ServerResponse): Promise<void>;
  /** GET /metrics (also the whole of the metrics port). */
  serveMetrics(req: IncomingMessage, res: ServerResponse): Promise<void>;
}

/**
 * The API port's doors: /health and /ready (anyone; codes only), /metrics, the dashboard page,
 * GraphiQL, GET /export/… (CSV files), and POST /graphql (CORS, then authentication, then the yoga app).
 */
export function createHttpRoutes(options: HttpRoutesOptions): HttpRoutes {
  const { yoga, authenticator, cors, metrics, logger, callers, logRefusal, webAssets, graphiql } = options;
  const readinessLog = readinessReporter(logger);
  const serveMetrics = metricsRoute(options);

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && path === '/health') {
      return json(res, 200, { status: 'ok', uptimeSeconds: Math.round(process.uptime()) });
    }
    if (req.method === 'GET' && path === '/ready') {
      // Anyone may ask: the answer is codes only; what the codes stand for goes to the log.
      const { ready, details, problems } = await options.readiness();
      readinessLog(problems);
      return json(res, ready ? 200 : 503, { status: ready ? 'ready' : 'not ready', ...details });
    }
    if (req.method === 'GET' && path === '/metrics' && !options.metricsOnOwnPort) return serveMetrics(req, res);
    if (path?.startsWith('/export/')) return options.exports.serve(req, res);
    // The dashboard page (static files built by `npm run build:web`); the API stays at /graphql.
    if (webAssets.handles(req.method ?? 'GET', path ?? '/')) return webAssets.serve(req, res);
    if ((req.method === 'GET' || req.method === 'HEAD') && path === yoga.graphqlEndpoint && String(req.headers.accept ?? '').includes('text/html')) {
      if (graphiql) return graphiql.serve(req, res);
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('GraphiQL is off (GRAPHIQL=false, the default when NODE_ENV=production). The API answers POST /graphql.\n');
      return;
    }
    if (path === yoga.graphqlEndpoint) return graphql(req, res);
    json(res, 404, { error: `nothing at ${path ?? '/'}; the API is at ${yoga.graphqlEndpoint}` });
  }

  async function graphql(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // A page on an origin not on CORS_ORIGINS is refused outright: its preflight and its requests.
    if (!cors.allows(req.headers)) {
      res.writeHead(403, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('This origin may not call the API (CORS_ORIGINS).\n');
      return;
    }
    if (req.method === 'OPTIONS') {
      res.writeHead(204, cors.preflightHeaders(req.headers));
      res.end();
      return;
    }
    // Merged by Node into the headers yoga writes.
    for (const [name, value] of Object.entries(cors.responseHeaders(req.headers))) res.setHeader(name, value);
    const auth = await authenticator.authenticate(req.headers.authorization);
    if (!auth.ok) {
      logRefusal('http', auth.message, req.socket.remoteAddress);
      // Before execution, as a GraphQL response: the client learns why in the usual shape.
      res.writeHead(401, { 'content-type': 'application/json; charset=utf-8', 'www-authenticate': 'Bearer' });
      res.end(JSON.stringify({ errors: [{ message: auth.message, extensions: { code: auth.code, reason: 'CREDENTIALS_REQUIRED' satisfies ErrorReason } }] }));
      return;
    }
    callers.set(req, auth.viewer, callers.callerOf(req, auth));
    // The plain JSON body read and parsed here rather than through yoga's streams (request-body.ts).
    if ((await readJsonBody(req, options.maxBodyBytes)) === 'closed') return;
    await yoga.requestListener(req, res);
    // yoga answers a body beyond maxRequestBodySize with 413 itself; counted here.
    if (res.statusCode === 413) metrics.limitHits.inc({ limit: 'HTTP_MAX_BODY' });
  }

  return { route, serveMetrics };
}

/** GET /metrics: Prometheus metrics; with METRICS_AUTH=key only for an operator or admin credential. */
function metricsRoute(options: Pick<HttpRoutesOptions, 'metricsAuth' | 'authenticator' | 'logRefusal' | 'metrics'>): HttpRoutes['serveMetrics'] {
  const { authenticator, logRefusal, metrics } = options;
  return async (req, res) => {
    if (options.metricsAuth === 'key') {
      const text = (status: number, message: string) => {
        res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...(status === 401 ? { 'www-authenticate': 'Bearer' } : {}) });
        res.end(`${message}\n`);
      };
      const needed = 'GET /metrics needs "Authorization: Bearer <operator or admin API key or token>" (METRICS_AUTH=key)';
      // Without a header the open mode would admit an anonymous caller: here a credential is the point.
      if (!req.headers.authorization) return text(401, needed);
      const auth = await authenticator.authenticate(req.headers.authorization);
      if (!auth.ok) {
        logRefusal('metrics', auth.message, req.socket.remoteAddress);
        return text(401, `${needed}: ${auth.message}`);
      }
      if (!roleAtLeast(auth.viewer.role, 'operator')) return text(403, `${needed}; ${auth.viewer.name} is a ${auth.viewer.role ?? 'caller without a role'}`);
    }
    res.writeHead(200, { 'content-type': metrics.registry.contentType });
    res.end(await metrics.registry.metrics());
  };
}

/**
 * What /ready's codes stand for (paths, error texts), logged when it changes rather than at every
 * poll of a health check; operators also see them in ingestStatus.
 */
function readinessReporter(logger: Logger): (problems: Readiness['problems']) => void {
  let last = '{}';
  return (problems) => {
    const text = JSON.stringify(problems);
    if (text === last) return;
    last = text;
    if (Object.keys(problems).length > 0) logger.warn({ problems }, 'not ready, or degraded (GET /ready answers with codes only)');
    else logger.info('ready: the problems logged before have cleared');
  };
}

export function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}
