import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { costLimitPlugin } from '@escape.tech/graphql-armor-cost-limit';
import { maxAliasesPlugin } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthPlugin } from '@escape.tech/graphql-armor-max-depth';
import { maxTokensPlugin } from '@escape.tech/graphql-armor-max-tokens';
import { useGraphQlJit } from '@envelop/graphql-jit';
import { GraphQLError, type ExecutionArgs } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { createYoga, type YogaServerInstance } from 'graphql-yoga';
import { WebSocketServer } from 'ws';
import { LogLimiter } from '../config/log-limiter.js';
import type { Logger } from '../config/logger.js';
import { createContext, type Context, type Services, type Viewer } from '../graphql/context.js';
import { schema } from '../graphql/schema.js';
import type { LimitName, Metrics } from '../services/metrics.js';
import { UserInputError } from '../services/user-input-error.js';
import { GraphiqlPage } from './graphiql-page.js';
import { DEFAULT_HTTP_LIMITS, useCostLimits, useNoIntrospection, WsOperationLimits, type HttpLimits } from './limits.js';
import { productListSizes } from './operation-cost.js';
import { SharedSubscriptions, type SubscriptionResult } from './shared-subscriptions.js';
import { createWebAssets, WEB_DIST_DIR } from './web-assets.js';

export interface GraphqlServerOptions {
  readonly services: Services;
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** GET /ready: throws (with a reason) or returns details while not ready. */
  readonly readiness: () => Promise<{ ready: boolean; details: Record<string, unknown> }>;
  /** Operations GraphiQL opens with. */
  readonly defaultQuery?: string;
  /** What clients may take (README "Limits and faults"); default: the settings' defaults. */
  readonly limits?: HttpLimits;
  /** How many panels are known: the size of `panels` in the cost of an operation. */
  readonly panelCount?: () => number;
}

export interface GraphqlServer {
  readonly httpServer: Server;
  listen(port: number, host?: string): Promise<number>;
  close(): Promise<void>;
}

/** Until access control lands: every caller sees everything (development mode). */
const OPEN_VIEWER: Viewer = { name: 'anonymous', role: 'admin', panels: null, expiresAt: null };

/**
 * One Node HTTP server: GraphQL over HTTP (graphql-yoga) and over WebSocket (graphql-ws) on the
 * same path, plus /health, /ready and /metrics. WebSocket operations run through yoga's envelop
 * pipeline (getEnveloped), so error masking and every plugin apply to both transports.
 */
export function createGraphqlServer(options: GraphqlServerOptions): GraphqlServer {
  const { logger, services, metrics } = options;
  const limits = options.limits ?? DEFAULT_HTTP_LIMITS;
  const yoga: YogaServerInstance<Record<string, unknown>, Context> = createYoga<Record<string, unknown>, Context>({
    schema,
    context: () => createContext(services, OPEN_VIEWER),
    graphqlEndpoint: '/graphql',
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
      // bad variable with a generic one, and clients deserve to be told what is wrong.
      useGraphQlJit({}, { enableIf: ({ document }) => !document.definitions.some((d) => 'variableDefinitions' in d && (d.variableDefinitions?.length ?? 0) > 0) }),
      // After the JIT, so that it wraps whichever execute runs: lists counted at their length.
      useCostLimits({ limits, metrics, listSize: productListSizes(options.panelCount ?? (() => 1_000)) }),
    ],
    maskedErrors: {
      maskError: (error, message) => {
        // graphql wraps what a resolver or scalar throws, sometimes twice (a variable that fails
        // a scalar's parseValue is a GraphQLError around the scalar's GraphQLError): look at the
        // innermost cause, not just the first wrapper.
        let cause: unknown = error;
        while (cause instanceof GraphQLError && cause.originalError) cause = cause.originalError;
        if (cause instanceof UserInputError) {
          const at = error instanceof GraphQLError ? { nodes: error.nodes, path: error.path } : {};
          return new GraphQLError(cause.message, { ...at, extensions: { code: 'BAD_USER_INPUT' } });
        }
        // Raised as a GraphQLError all the way down (validation, coercion, our scalars): meant for the client.
        if (cause instanceof GraphQLError && error instanceof GraphQLError) return error;
        logger.error({ err: cause }, 'internal error while resolving');
        return new GraphQLError(message, { extensions: { code: 'INTERNAL_SERVER_ERROR' } });
      },
    },
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
    ? new GraphiqlPage({ title: 'Energy monitoring API', endpoint: yoga.graphqlEndpoint, ...(options.defaultQuery ? { defaultQuery: options.defaultQuery } : {}) })
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
      const { ready, details } = await options.readiness();
      return json(res, ready ? 200 : 503, { status: ready ? 'ready' : 'not ready', ...details });
    }
    if (req.method === 'GET' && path === '/metrics') {
      res.writeHead(200, { 'content-type': options.metrics.registry.contentType });
      res.end(await options.metrics.registry.metrics());
      return;
    }
    // The dashboard page (static files built by `npm run build:web`); the API stays at /graphql.
    if (webAssets.handles(req.method ?? 'GET', path ?? '/')) return webAssets.serve(req, res);
    if ((req.method === 'GET' || req.method === 'HEAD') && path === yoga.graphqlEndpoint && String(req.headers.accept ?? '').includes('text/html')) {
      if (graphiql) return graphiql.serve(req, res);
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('GraphiQL is off (GRAPHIQL=false, the default when NODE_ENV=production). The API answers POST /graphql.\n');
      return;
    }
    await yoga.requestListener(req, res);
  }

  // noServer: upgrades are routed here explicitly, so the HTTP server's own errors (a taken port,
  // which listen() reports) are not re-emitted on the WebSocket server. maxPayload: ws defaults to
  // 100 MiB; an operation is small.
  const wsServer = new WebSocketServer({ noServer: true, maxPayload: limits.maxBodyBytes });
  let wsOpen = 0;
  httpServer.on('upgrade', (req, socket: Socket, head) => {
    if ((req.url ?? '').split('?')[0] !== yoga.graphqlEndpoint) {
      socket.destroy();
      return;
    }
    if (wsOpen >= limits.ws.maxConnections) {
      metrics.limitHits.inc({ limit: 'WS_MAX_CONNECTIONS' });
      refuseUpgrade(socket, 503, `Too many WebSocket connections (WS_MAX_CONNECTIONS is ${limits.ws.maxConnections}); retry later.`);
      return;
    }
    wsOpen++;
    metrics.wsConnections.set(wsOpen);
    socket.once('close', () => {
      wsOpen--;
      metrics.wsConnections.set(wsOpen);
    });
    wsServer.handleUpgrade(req, socket, head, (client) => wsServer.emit('connection', client, req));
  });
  const live = new SharedSubscriptions();
  const operations = new WsOperationLimits(limits.ws, metrics);
  const wsDisposable = useServer(
    {
      execute: (args) => (args.rootValue as EnvelopedRoot).execute(args),
      subscribe: (args) => {
        const root = args.rootValue as EnvelopedRoot;
        return live.subscribe(args, root.shareKey, (shared) => root.subscribe(shared) as SubscriptionResult | Promise<SubscriptionResult>);
      },
      // Never throw here: graphql-ws would close the whole socket. Errors are returned instead.
      onSubscribe: async (ctx, id, params) => {
        // graphql-ws registered this id already: the count includes it.
        const refused = operations.admit(ctx, id, Object.keys(ctx.subscriptions).length);
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
          // Identical live operations share one execution per event (SharedSubscriptions).
          shareKey: JSON.stringify([params.query, params.operationName ?? null, params.variables ?? null]),
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
      onClose: (ctx) => operations.releaseAll(ctx),
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
    async close() {
      // graphql-ws closes every socket with 1001 (going away), then the HTTP server stops.
      await wsDisposable.dispose();
      await new Promise<void>((resolve) => wsServer.close(() => resolve()));
      httpServer.closeAllConnections();
      await new Promise<void>((resolve) => httpServer.close(() => resolve()));
    },
  };
}

/**
 * Connections to the HTTP port: at most `maxConnections` open (the rest are closed at once, so
 * this port can never take the file descriptors meters need), headers and body within
 * `requestTimeoutMs` (else 408), no traffic for `idleTimeoutMs` closes the connection.
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
    if (status === 408) hit('HTTP_REQUEST_TIMEOUT', 'HTTP request not received in time (HTTP_REQUEST_TIMEOUT); answered 408');
    if (socket.writable && !(error.code === 'ECONNRESET')) socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    socket.destroy();
  });
}

/** Answers a WebSocket upgrade with a plain HTTP error and closes the connection. */
function refuseUpgrade(socket: Socket, status: number, message: string): void {
  const body = `${message}\n`;
  socket.end(
    `HTTP/1.1 ${status} ${status === 503 ? 'Service Unavailable' : 'Bad Request'}\r\nConnection: close\r\nRetry-After: 5\r\n` +
      `Content-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
  socket.destroySoon?.();
}

type Enveloped = ReturnType<YogaServerInstance<Record<string, unknown>, Context>['getEnveloped']>;
/** yoga's enveloped execute/subscribe, carried to graphql-ws through rootValue (yoga's recipe). */
type EnvelopedRoot = Pick<Enveloped, 'execute' | 'subscribe'> & { readonly shareKey: string };

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}
