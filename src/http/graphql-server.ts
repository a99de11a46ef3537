import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { costLimitPlugin } from '@escape.tech/graphql-armor-cost-limit';
import { maxAliasesPlugin } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthPlugin } from '@escape.tech/graphql-armor-max-depth';
import { maxTokensPlugin } from '@escape.tech/graphql-armor-max-tokens';
import { useGraphQlJit } from '@envelop/graphql-jit';
import { GraphQLError, Kind, OperationTypeNode, type ExecutionArgs } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { createYoga, type YogaServerInstance } from 'graphql-yoga';
import { WebSocketServer } from 'ws';
import { LogLimiter } from '../config/log-limiter.js';
import type { Logger } from '../config/logger.js';
import { createContext, type Context, type Services, type Viewer } from '../graphql/context.js';
import { schema } from '../graphql/schema.js';
import { roleAtLeast } from '../services/access/api-keys.js';
import type { Authenticator } from '../services/access/authenticator.js';
import type { Readiness } from '../services/ingest-health.js';
import type { LimitName, Metrics } from '../services/metrics.js';
import { maskClientError } from './client-errors.js';
import { CorsPolicy } from './cors.js';
import { ClientAddresses, type Caller } from './fair-share.js';
import { GraphiqlPage } from './graphiql-page.js';
import type { GraphiqlTab } from './graphiql-tabs.js';
import { DEFAULT_HTTP_LIMITS, useCostLimits, useNoIntrospection, WsOperationLimits, type HttpLimits } from './limits.js';
import { OpenSockets } from './open-sockets.js';
import { productListSizes } from './operation-cost.js';
import { SharedSubscriptions, type SubscriptionResult } from './shared-subscriptions.js';
import { createWebAssets, WEB_DIST_DIR } from './web-assets.js';
import { TRY_AGAIN_LATER_CLOSE, WsConnections } from './ws-connections.js';

export interface GraphqlServerOptions {
  readonly services: Services;
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** GET /ready: short codes for anyone, problems (paths, error texts) for the log only. */
  readonly readiness: () => Promise<Readiness>;
  /** The tabs GraphiQL opens with (one per dashboard operation, with example variables). */
  readonly graphiqlTabs?: () => readonly GraphiqlTab[];
  /** What clients may take (README "Limits and faults"); default: the settings' defaults. */
  readonly limits?: HttpLimits;
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

/** What yoga is handed per request: Node's request (the HTTP request, or a WebSocket's upgrade request). */
interface ServerContext {
  readonly req: IncomingMessage;
}

/** What graphql-ws keeps per connection (ctx.extra) after connection_init was accepted. */
interface ConnectionExtra extends Record<PropertyKey, unknown> {
  viewer: Viewer;
  caller: Caller;
}

/**
 * One Node HTTP server: GraphQL over HTTP (graphql-yoga) and over WebSocket (graphql-ws) on the
 * same path, plus /health, /ready and /metrics. WebSocket operations run through yoga's envelop
 * pipeline (getEnveloped), so error masking and every plugin apply to both transports.
 */
export function createGraphqlServer(options: GraphqlServerOptions): GraphqlServer {
  const { logger, services, metrics } = options;
  const limits = options.limits ?? DEFAULT_HTTP_LIMITS;
  const { authenticator } = options;
  const cors = options.cors ?? new CorsPolicy([]);
  const refusalLog = new LogLimiter({ perWindow: 5, windowMs: 60_000 });
  /** Refused credentials, rate-limited; the reason is the authenticator's words, never the credential. */
  const logRefusal = (door: string, reason: string, remote: string | undefined) => {
    const { log, suppressed } = refusalLog.take(door);
    if (log) logger.warn({ door, reason, remote, ...(suppressed > 0 ? { suppressed } : {}) }, 'credentials refused');
  };
  // What /ready's codes stand for (paths, error texts), logged when it changes rather than at every
  // poll of a health check; operators also see them in ingestStatus.
  let lastProblems = '{}';
  const readinessLog = {
    report(problems: Readiness['problems']): void {
      const text = JSON.stringify(problems);
      if (text === lastProblems) return;
      lastProblems = text;
      if (Object.keys(problems).length > 0) logger.warn({ problems }, 'not ready, or degraded (GET /ready answers with codes only)');
      else logger.info('ready: the problems logged before have cleared');
    },
  };
  // The caller of each request (or WebSocket), authenticated before GraphQL sees it.
  const viewers = new WeakMap<IncomingMessage, Viewer>();
  // Who holds what of the limits shared out per caller (fair-share.ts), by request or upgrade request.
  const callers = new WeakMap<IncomingMessage, Caller>();
  const addresses = new ClientAddresses(limits.trustedProxies);
  const callerOf = (req: IncomingMessage, auth: { viewer: Viewer; callerId: string | null }): Caller => ({
    id: auth.callerId,
    address: addresses.of(req),
    privileged: roleAtLeast(auth.viewer.role, 'operator'),
  });
  const yoga: YogaServerInstance<ServerContext, Context> = createYoga<ServerContext, Context>({
    schema,
    context: ({ req }) => {
      const viewer = viewers.get(req);
      // Unreachable by construction (route() and onConnect authenticate first); never run as nobody.
      if (!viewer) throw new Error(`${req.method ?? ''} ${req.url ?? ''} reached GraphQL without being authenticated`);
      return createContext(services, viewer);
    },
    graphqlEndpoint: '/graphql',
    // CORS is answered in route() from the allow-list (CorsPolicy); yoga's default reflects any
    // Origin with credentials allowed.
    cors: false,
    landingPage: false,
    // Served by GraphiqlPage below: built once and compressed, not rendered per request.
    graphiql: false,
    // A request body beyond this is answered 413 before it is read further (yoga's default is 25 MB).
    maxRequestBodySize: limits.maxBodyBytes,
    // Limits on what one operation may ask for; as envelop plugins they apply over WebSocket too.
    plugins: [
      maxTokensPlugin({ n: 3_000 }),
      maxDepthPlugin({ n: 10 }),
      maxAliasesPlugin({ n: 20 }),
      costLimitPlugin({ maxCost: 10_000 }),
      ...(limits.introspection ? [] : [useNoIntrospection()]),
      // Compiles each operation once into plain JavaScript: the dashboard's 100 panel cards are
      // thousands of field resolutions per request, which the generic executor walks one by one.
      // Only for operations without variables: graphql-jit replaces a scalar's own message for a
      // bad variable with a generic one, and clients deserve to be told what is wrong. Never for
      // subscriptions: its subscribe drops literal arguments (`panelReading(panelId: "X")` streamed
      // every panel), and their per-event execution is shared between sockets anyway.
      useGraphQlJit(
        {},
        {
          enableIf: ({ document }) =>
            !document.definitions.some(
              (d) => d.kind === Kind.OPERATION_DEFINITION && (d.operation === OperationTypeNode.SUBSCRIPTION || (d.variableDefinitions?.length ?? 0) > 0),
            ),
        },
      ),
      // After the JIT, so that it wraps whichever execute runs: lists counted at their length.
      useCostLimits({
        limits,
        metrics,
        listSize: productListSizes(options.panelCount ?? (() => 1_000), services.history),
        // yoga's context carries the server context: Node's request (HTTP) or the upgrade request (WebSocket).
        callerOf: (context) => {
          const req = (context as { req?: IncomingMessage } | undefined)?.req;
          return req ? (callers.get(req) ?? null) : null;
        },
      }),
    ],
    maskedErrors: { maskError: maskClientError(logger) },
    logging: {
      debug: (...args) => logger.debug(args.map(String).join(' ')),
      info: (...args) => logger.info(args.map(String).join(' ')),
      warn: (...args) => logger.warn(args.map(String).join(' ')),
      // yoga reports every failed operation here, including clients' bad arguments; internal
      // errors are logged at error level by maskError above.
      error: (...args) => logger.warn(args.map(String).join(' ')),
    },
  });

  const webAssets = createWebAssets({ dir: WEB_DIST_DIR });
  const graphiql = limits.graphiql
    ? new GraphiqlPage({ title: 'Energy monitoring API', endpoint: yoga.graphqlEndpoint, ...(options.graphiqlTabs ? { tabs: options.graphiqlTabs } : {}) })
    : null;
  const httpServer = createServer((req, res) => {
    void route(req, res).catch((error: unknown) => {
      logger.error({ err: error, url: req.url }, 'request failed');
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'internal error' }));
    });
  });
  applyConnectionLimits(httpServer, limits, metrics, logger);

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && path === '/health') {
      return json(res, 200, { status: 'ok', uptimeSeconds: Math.round(process.uptime()) });
    }
    if (req.method === 'GET' && path === '/ready') {
      // Anyone may ask: the answer is codes only; what the codes stand for goes to the log.
      const { ready, details, problems } = await options.readiness();
      readinessLog.report(problems);
      return json(res, ready ? 200 : 503, { status: ready ? 'ready' : 'not ready', ...details });
    }
    if (req.method === 'GET' && path === '/metrics' && !options.metricsOnOwnPort) return serveMetrics(req, res);
    // The dashboard page (static files built by `npm run build:web`); the API stays at /graphql.
    if (webAssets.handles(req.method ?? 'GET', path ?? '/')) return webAssets.serve(req, res);
    if ((req.method === 'GET' || req.method === 'HEAD') && path === yoga.graphqlEndpoint && String(req.headers.accept ?? '').includes('text/html')) {
      if (graphiql) return graphiql.serve(req, res);
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('GraphiQL is off (GRAPHIQL=false, the default when NODE_ENV=production). The API answers POST /graphql.\n');
      return;
    }
    if (path === yoga.graphqlEndpoint) {
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
        res.end(JSON.stringify({ errors: [{ message: auth.message, extensions: { code: auth.code } }] }));
        return;
      }
      viewers.set(req, auth.viewer);
      callers.set(req, callerOf(req, auth));
      await yoga.requestListener(req, res);
      // yoga answers a body beyond maxRequestBodySize with 413 itself; counted here.
      if (res.statusCode === 413) metrics.limitHits.inc({ limit: 'HTTP_MAX_BODY' });
      return;
    }
    json(res, 404, { error: `nothing at ${path ?? '/'}; the API is at ${yoga.graphqlEndpoint}` });
  }

  /** Prometheus metrics; with METRICS_AUTH=key only for an operator or admin credential. */
  async function serveMetrics(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if ((options.metricsAuth ?? 'key') === 'key') {
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
    res.writeHead(200, { 'content-type': options.metrics.registry.contentType });
    res.end(await options.metrics.registry.metrics());
  }

  const metricsServer = options.metricsOnOwnPort
    ? createServer((req, res) => {
        const path = (req.url ?? '/').split('?')[0];
        const served = req.method === 'GET' && path === '/metrics' ? serveMetrics(req, res) : Promise.resolve(json(res, 404, { error: 'only GET /metrics here' }));
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

  // noServer: upgrades are routed here explicitly, so the HTTP server's own errors (a taken port,
  // which listen() reports) are not re-emitted on the WebSocket server. maxPayload: ws defaults to
  // 100 MiB; an operation is small.
  const wsServer = new WebSocketServer({ noServer: true, maxPayload: limits.maxBodyBytes });
  const wsConnections = new WsConnections(limits.ws, limits.share, metrics);
  httpServer.on('upgrade', (req, socket: Socket, head) => {
    if ((req.url ?? '').split('?')[0] !== yoga.graphqlEndpoint) {
      socket.destroy();
      return;
    }
    // Browsers send their page's Origin on every upgrade (and CORS does not apply to WebSockets):
    // a page on another origin could otherwise use the API with whatever access this host grants.
    if (!cors.allows(req.headers)) {
      refuseUpgrade(socket, 403, 'This origin may not open WebSockets to the API (CORS_ORIGINS).');
      return;
    }
    const refused = wsConnections.admitUpgrade(socket, addresses.of(req));
    if (refused) {
      refuseUpgrade(socket, 503, refused);
      return;
    }
    wsServer.handleUpgrade(req, socket, head, (client) => wsServer.emit('connection', client, req));
  });
  const live = new SharedSubscriptions();
  const operations = new WsOperationLimits(limits.ws, limits.share, metrics);
  // Sockets closed when the credential that opened them is revoked or expires.
  const sockets = new OpenSockets(authenticator);
  const wsDisposable = useServer<Record<string, unknown> | undefined, ConnectionExtra>(
    {
      // connection_init: credentials in connectionParams.authorization; false closes with 4403 Forbidden.
      onConnect: async (ctx) => {
        const authorization = ctx.connectionParams?.authorization;
        const auth = await authenticator.authenticate(typeof authorization === 'string' ? authorization : null);
        if (!auth.ok) {
          logRefusal('websocket', auth.message, ctx.extra.request.socket.remoteAddress);
          return false;
        }
        const { expiresAt } = auth.viewer;
        if (expiresAt && expiresAt.getTime() <= Date.now()) return false;
        const { request, socket } = ctx.extra;
        const caller = callerOf(request, auth);
        const tooMany = wsConnections.admitCaller(request.socket, caller);
        if (tooMany) {
          // As WS_MAX_CONNECTIONS's 503, but the upgrade is done: "try again later". graphql-ws's
          // own close (4403, returning false) then finds the socket closing and sends nothing.
          socket.close(TRY_AGAIN_LATER_CLOSE, tooMany);
          return false;
        }
        ctx.extra.viewer = auth.viewer;
        ctx.extra.caller = caller;
        viewers.set(request, auth.viewer);
        callers.set(request, caller);
        // A long-lived socket must not outlive its credential: closed when it is revoked or expires.
        sockets.add(socket, auth.credential);
        return true;
      },
      execute: (args) => (args.rootValue as EnvelopedRoot).execute(args),
      subscribe: (args) => {
        const root = args.rootValue as EnvelopedRoot;
        return live.subscribe(args, root.shareKey, (shared) => root.subscribe(shared) as SubscriptionResult | Promise<SubscriptionResult>);
      },
      // Never throw here: graphql-ws would close the whole socket. Errors are returned instead.
      onSubscribe: async (ctx, id, params) => {
        const { viewer, caller } = ctx.extra;
        if (!viewer || !caller) return [new GraphQLError('connection_init was not accepted', { extensions: { code: 'UNAUTHENTICATED' } })];
        // Nothing runs on a credential that ended since the socket opened (the socket is closing).
        const revoked = sockets.revoked(ctx.extra.socket);
        if (revoked) return [new GraphQLError(`${revoked}: sign in again`, { extensions: { code: 'UNAUTHENTICATED' } })];
        // graphql-ws registered this id already: the count includes it.
        const refused = operations.admit(ctx, id, Object.keys(ctx.subscriptions).length, caller);
        if (refused) return [refused];
        const enveloped = yoga.getEnveloped({ ...ctx, req: ctx.extra.request, socket: ctx.extra.socket, params });
        let document;
        try {
          document = enveloped.parse(params.query);
        } catch (error) {
          operations.release(ctx, id);
          return [error instanceof GraphQLError ? error : new GraphQLError(String(error))];
        }
        const errors = enveloped.validate(enveloped.schema, document);
        if (errors.length > 0) {
          operations.release(ctx, id);
          return errors;
        }
        const root: EnvelopedRoot = {
          execute: enveloped.execute,
          subscribe: enveloped.subscribe,
          // Identical live operations share one execution per event (SharedSubscriptions); the
          // viewer's role and panels are part of the operation, so callers who may see different
          // things never share a stream.
          shareKey: JSON.stringify([
            params.query,
            params.operationName ?? null,
            params.variables ?? null,
            viewer.role,
            viewer.panels === null ? null : [...viewer.panels].sort(),
          ]),
        };
        const args: ExecutionArgs = {
          schema: enveloped.schema,
          document,
          operationName: params.operationName ?? null,
          variableValues: params.variables ?? null,
          contextValue: await enveloped.contextFactory(),
          rootValue: root,
        };
        return args;
      },
      onOperation: () => {
        options.metrics.liveSubscribers.inc();
      },
      onComplete: (ctx, id) => {
        operations.release(ctx, id);
        options.metrics.liveSubscribers.dec();
      },
      onClose: (ctx) => {
        sockets.remove(ctx.extra.socket);
        operations.releaseAll(ctx);
      },
    },
    wsServer,
  );

  return {
    httpServer,
    listen: (port, host) =>
      new Promise((resolve, reject) => {
        httpServer.once('error', reject);
        httpServer.listen(port, host, () => {
          httpServer.off('error', reject);
          const address = httpServer.address();
          resolve(typeof address === 'object' && address ? address.port : port);
        });
      }),
    listenMetrics: (port, host) =>
      new Promise((resolve, reject) => {
        if (!metricsServer) return reject(new Error('listenMetrics needs metricsOnOwnPort'));
        metricsServer.once('error', reject);
        metricsServer.listen(port, host, () => {
          metricsServer.off('error', reject);
          const address = metricsServer.address();
          resolve(typeof address === 'object' && address ? address.port : port);
        });
      }),
    async close() {
      // graphql-ws closes every socket with 1001 (going away), then the HTTP server stops.
      sockets.dispose();
      await wsDisposable.dispose();
      await new Promise<void>((resolve) => wsServer.close(() => resolve()));
      httpServer.closeAllConnections();
      await new Promise<void>((resolve) => httpServer.close(() => resolve()));
      if (metricsServer?.listening) {
        metricsServer.closeAllConnections();
        await new Promise<void>((resolve) => metricsServer.close(() => resolve()));
      }
    },
  };
}

/**
 * Connections to the HTTP port: at most `maxConnections` open (the rest are closed at once, so
 * this port can never take the file descriptors meters need), headers and body within
 * `requestTimeoutMs` (else 408), no traffic for `idleTimeoutMs` closes the connection. Node checks
 * the request timeout every `connectionsCheckingInterval` and counts it from the connection's
 * start even before a byte arrives, so a connection that never sends one is closed (without an
 * answer) after min(idle timeout, request timeout + check interval): 37.5 s at most by default.
 * Between requests Node's keepAliveTimeout (5 s) applies instead; WebSockets clear the timeout.
 */
function applyConnectionLimits(server: Server, limits: HttpLimits, metrics: Metrics, logger: Logger): void {
  const limitLog = new LogLimiter({ perWindow: 5, windowMs: 60_000 });
  const hit = (limit: LimitName, message: string) => {
    metrics.limitHits.inc({ limit });
    const { log, suppressed } = limitLog.take(limit);
    if (log) logger.warn({ limit, ...(suppressed > 0 ? { suppressed } : {}) }, message);
  };
  server.maxConnections = limits.maxConnections;
  server.requestTimeout = limits.requestTimeoutMs;
  server.headersTimeout = limits.requestTimeoutMs;
  // Checked this often (Node's default is 30 s, which would let a slow request run far past its limit).
  (server as Server & { connectionsCheckingInterval?: number }).connectionsCheckingInterval = Math.min(30_000, Math.max(250, limits.requestTimeoutMs / 4));
  server.timeout = limits.idleTimeoutMs;
  let open = 0;
  server.on('connection', (socket: Socket) => {
    open++;
    metrics.httpConnections.set(open);
    socket.once('close', () => {
      open--;
      metrics.httpConnections.set(open);
    });
  });
  server.on('drop', () => hit('HTTP_MAX_CONNECTIONS', `HTTP connection refused: HTTP_MAX_CONNECTIONS (${limits.maxConnections}) open`));
  // With a listener here Node leaves idle sockets to us (WebSockets clear the socket timeout).
  server.on('timeout', (socket: Socket) => {
    hit('HTTP_IDLE_TIMEOUT', 'HTTP connection idle; closed (HTTP_IDLE_TIMEOUT)');
    socket.destroy();
  });
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => {
    const [status, text] =
      error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'Request Timeout']
        : error.code === 'HPE_HEADER_OVERFLOW'
          ? [431, 'Request Header Fields Too Large']
          : [400, 'Bad Request'];
    if (status === 408) hit('HTTP_REQUEST_TIMEOUT', 'HTTP request not received in time (HTTP_REQUEST_TIMEOUT); closed');
    // A connection that never sent a byte asked nothing: it is closed without an answer. An answer
    // would sit unread in a client that does not read either (a socket held open to tie up the
    // server), and with it the close: the client would never notice it was dropped.
    const answer = socket.writable && error.code !== 'ECONNRESET' && socket.bytesRead > 0;
    if (answer) socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    socket.destroy();
  });
}

/** Answers a WebSocket upgrade with a plain HTTP error and closes the connection. */
function refuseUpgrade(socket: Socket, status: 403 | 503, message: string): void {
  const body = `${message}\n`;
  socket.end(
    `HTTP/1.1 ${status} ${status === 503 ? 'Service Unavailable\r\nRetry-After: 5' : 'Forbidden'}\r\nConnection: close\r\n` +
      `Content-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
  socket.destroySoon?.();
}

type Enveloped = ReturnType<YogaServerInstance<ServerContext, Context>['getEnveloped']>;
/** yoga's enveloped execute/subscribe, carried to graphql-ws through rootValue (yoga's recipe). */
type EnvelopedRoot = Pick<Enveloped, 'execute' | 'subscribe'> & { readonly shareKey: string };

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}
