import { createServer, type Server } from 'node:http';
import type { Logger } from '../config/logger.js';
import type { Services } from '../services/services.js';
import type { Authenticator } from '../services/access/authenticator.js';
import type { Readiness } from '../services/ingest-health.js';
import type { Metrics } from '../config/metrics.js';
import { applyConnectionLimits } from './connection-limits.js';
import { CorsPolicy } from './cors.js';
import { GraphiqlPage } from './graphiql-page.js';
import type { GraphiqlTab } from './graphiql-tabs.js';
import { createExportRoute } from './export-route.js';
import { createHttpRoutes, json } from './http-routes.js';
import type { HttpLimits } from './limits.js';
import { createRefusalLog } from './refusal-log.js';
import { RequestCallers } from './request-callers.js';
import { createWebAssets, WEB_DIST_DIR } from './web-assets.js';
import { attachGraphqlWs } from './ws-adapter.js';
import { createYogaApp } from './yoga-app.js';

export interface GraphqlServerOptions {
  readonly services: Services;
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** GET /ready: short codes for anyone, problems (paths, error texts) for the log only. */
  readonly readiness: () => Promise<Readiness>;
  /** The tabs GraphiQL opens with (one per dashboard operation, with example variables). */
  readonly graphiqlTabs?: () => readonly GraphiqlTab[];
  /** What clients may take (docs/limits-and-faults.md). */
  readonly limits: HttpLimits;
  /** How many panels are known: the size of `panels` in the cost of an operation. */
  readonly panelCount?: () => number;
  /** Who is calling: from `Authorization: Bearer …` (HTTP) or connectionParams.authorization (graphql-ws). */
  readonly authenticator: Authenticator;
  /** Browser origins allowed to call the API and open WebSockets (CORS_ORIGINS); default: only the API's own. */
  readonly cors?: CorsPolicy;
  /** GET /metrics: `key` needs an operator or admin credential, `open` needs none (METRICS_AUTH). Default: key. */
  readonly metricsAuth?: 'key' | 'open';
  /** Serve /metrics only on a listener of its own (listenMetrics), not on the API's port. Default: false. */
  readonly metricsOnOwnPort?: boolean;
}

export interface GraphqlServer {
  readonly httpServer: Server;
  listen(port: number, host?: string): Promise<number>;
  /** Starts the /metrics listener (with `metricsOnOwnPort`); resolves with the port bound. */
  listenMetrics(port: number, host?: string): Promise<number>;
  close(): Promise<void>;
}

/**
 * One Node HTTP server for the API: the routes (http-routes.ts: /health, /ready, /metrics, the
 * page, GraphiQL, POST /graphql), the yoga app with every plugin (yoga-app.ts), GraphQL over
 * WebSocket on the same path (ws-adapter.ts), and the connection limits (connection-limits.ts);
 * optionally a second listener for /metrics alone. This module only composes them.
 */
export function createGraphqlServer(options: GraphqlServerOptions): GraphqlServer {
  const { logger, services, metrics, authenticator } = options;
  const { limits } = options;
  const cors = options.cors ?? new CorsPolicy([]);
  const logRefusal = createRefusalLog(logger);
  const callers = new RequestCallers(limits.trustedProxies);
  const yoga = createYogaApp({
    services,
    logger,
    metrics,
    limits,
    panelCount: options.panelCount ?? (() => 1_000),
    viewerOf: ({ req }) => callers.viewer(req),
    callerOf: ({ req }) => callers.caller(req),
  });
  const routes = createHttpRoutes({
    yoga,
    authenticator,
    cors,
    metrics,
    logger,
    callers,
    logRefusal,
    readiness: options.readiness,
    webAssets: createWebAssets({ dir: WEB_DIST_DIR }),
    exports: createExportRoute({ exports: services.exports, authenticator, cors, metrics, logger, logRefusal }),
    graphiql: limits.graphiql
      ? new GraphiqlPage({ title: 'Energy monitoring API', endpoint: yoga.graphqlEndpoint, ...(options.graphiqlTabs ? { tabs: options.graphiqlTabs } : {}) })
      : null,
    metricsAuth: options.metricsAuth ?? 'key',
    metricsOnOwnPort: options.metricsOnOwnPort ?? false,
    maxBodyBytes: limits.maxBodyBytes,
  });

  const httpServer = createServer((req, res) => {
    void routes.route(req, res).catch((error: unknown) => {
      logger.error({ err: error, url: req.url }, 'request failed');
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'internal error' }));
    });
  });
  applyConnectionLimits(httpServer, limits, metrics, logger);

  const metricsServer = options.metricsOnOwnPort
    ? createServer((req, res) => {
        const path = (req.url ?? '/').split('?')[0];
        const served = req.method === 'GET' && path === '/metrics' ? routes.serveMetrics(req, res) : Promise.resolve(json(res, 404, { error: 'only GET /metrics here' }));
        void served.catch((error: unknown) => {
          logger.error({ err: error }, 'metrics request failed');
          if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ error: 'internal error' }));
        });
      })
    : null;
  if (metricsServer) {
    // A scrape is one small GET: the same time limits as the API port.
    metricsServer.requestTimeout = limits.requestTimeoutMs;
    metricsServer.headersTimeout = limits.requestTimeoutMs;
    metricsServer.timeout = limits.idleTimeoutMs;
  }

  const ws = attachGraphqlWs({ httpServer, yoga, authenticator, cors, limits, metrics, callers, logRefusal });

  return {
    httpServer,
    listen: (port, host) => listen(httpServer, port, host),
    listenMetrics: (port, host) => (metricsServer ? listen(metricsServer, port, host) : Promise.reject(new Error('listenMetrics needs metricsOnOwnPort'))),
    async close() {
      // graphql-ws closes every socket with 1001 (going away), then the HTTP server stops.
      await ws.dispose();
      httpServer.closeAllConnections();
      await new Promise<void>((resolve) => httpServer.close(() => resolve()));
      if (metricsServer?.listening) {
        metricsServer.closeAllConnections();
        await new Promise<void>((resolve) => metricsServer.close(() => resolve()));
      }
    },
  };
}

/** Binds `server`; resolves with the port bound (port 0: the one the OS chose). */
function listen(server: Server, port: number, host?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    });
  });
}
