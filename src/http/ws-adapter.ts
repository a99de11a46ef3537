import type { IncomingMessage, Server } from 'node:http';
import type { Socket } from 'node:net';
import { GraphQLError, type ExecutionArgs } from 'graphql';
import type { ServerOptions } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import type { Viewer } from '../graphql/context.js';
import type { Authenticator } from '../services/access/authenticator.js';
import type { ErrorReason } from '../services/user-input-error.js';
import type { Metrics } from '../config/metrics.js';
import type { CorsPolicy } from './cors.js';
import type { Caller } from './fair-share.js';
import { WsOperationLimits, type HttpLimits } from './limits.js';
import { OpenSockets } from './open-sockets.js';
import type { RefusalLog } from './refusal-log.js';
import type { RequestCallers } from './request-callers.js';
import { SharedSubscriptions, type SubscriptionResult } from './shared-subscriptions.js';
import { TRY_AGAIN_LATER_CLOSE, WsConnections } from './ws-connections.js';
import type { YogaApp } from './yoga-app.js';

export interface GraphqlWsOptions {
  readonly httpServer: Server;
  readonly yoga: YogaApp;
  readonly authenticator: Authenticator;
  readonly cors: CorsPolicy;
  readonly limits: HttpLimits;
  readonly metrics: Metrics;
  readonly callers: RequestCallers;
  readonly logRefusal: RefusalLog;
}

/** What graphql-ws keeps per connection (ctx.extra) after connection_init was accepted. */
interface ConnectionExtra extends Record<PropertyKey, unknown> {
  viewer: Viewer;
  caller: Caller;
}

type Enveloped = ReturnType<YogaApp['getEnveloped']>;
/** yoga's enveloped execute/subscribe, carried to graphql-ws through rootValue (yoga's recipe). */
type EnvelopedRoot = Pick<Enveloped, 'execute' | 'subscribe'> & { readonly shareKey: string };

/**
 * GraphQL over WebSocket (graphql-ws) on the HTTP server's GraphQL path: a thin adapter around the
 * yoga app. Upgrades pass CORS and the connection limits first; connection_init authenticates
 * (refused: close 4403) and takes the caller's share of the sockets; every operation re-checks the
 * credential (a revoked key or an expired token closes the socket), takes its share of the
 * subscriptions, and runs through yoga's envelop pipeline (getEnveloped), so every plugin and the
 * error masking apply as over HTTP. Identical live operations share one execution per event.
 * Shutdown: every socket closed with 1001 (going away), then the WebSocket server.
 */
export function attachGraphqlWs(options: GraphqlWsOptions): { dispose(): Promise<void> } {
  const { yoga, authenticator, limits, metrics } = options;
  // noServer: upgrades are routed here explicitly, so the HTTP server's own errors (a taken port,
  // which listen() reports) are not re-emitted on the WebSocket server. maxPayload: ws defaults to
  // 100 MiB; an operation is small.
  const wsServer = new WebSocketServer({ noServer: true, maxPayload: limits.maxBodyBytes });
  const wsConnections = new WsConnections(limits.ws, limits.share, metrics);
  routeUpgrades(options, wsServer, wsConnections);
  const live = new SharedSubscriptions(undefined, (count) => metrics.liveEventsSkipped.inc(count));
  const operations = new WsOperationLimits(limits.ws, limits.share, metrics);
  // Sockets closed when the credential that opened them is revoked or expires.
  const sockets = new OpenSockets(authenticator);
  const disposable = useServer<Record<string, unknown> | undefined, ConnectionExtra>(
    {
      onConnect: connectionInit(options, wsConnections, sockets),
      execute: (args) => (args.rootValue as EnvelopedRoot).execute(args),
      subscribe: (args) => {
        const root = args.rootValue as EnvelopedRoot;
        return live.subscribe(args, root.shareKey, (shared) => root.subscribe(shared) as SubscriptionResult | Promise<SubscriptionResult>);
      },
      // Never throw here: graphql-ws would close the whole socket. Errors are returned instead.
      onSubscribe: async (ctx, id, params) => {
        const { viewer, caller } = ctx.extra;
        if (!viewer || !caller) return [new GraphQLError('connection_init was not accepted', { extensions: { code: 'UNAUTHENTICATED', reason: 'CREDENTIALS_REQUIRED' satisfies ErrorReason } })];
        // Nothing runs on a credential that ended since the socket opened (the socket is closing).
        const revoked = sockets.revoked(ctx.extra.socket);
        if (revoked) return [new GraphQLError(`${revoked}: sign in again`, { extensions: { code: 'UNAUTHENTICATED', reason: 'CREDENTIALS_REQUIRED' satisfies ErrorReason } })];
        // graphql-ws registered this id already: the count includes it.
        const refused = operations.admit(ctx, id, Object.keys(ctx.subscriptions).length, caller);
        if (refused) return [refused];
        const prepared = await prepareOperation(yoga, ctx, params, viewer);
        if (Array.isArray(prepared)) operations.release(ctx, id);
        return prepared;
      },
      onOperation: () => {
        metrics.liveSubscribers.inc();
      },
      onComplete: (ctx, id) => {
        operations.release(ctx, id);
        metrics.liveSubscribers.dec();
      },
      onClose: (ctx) => {
        sockets.remove(ctx.extra.socket);
        operations.releaseAll(ctx);
      },
    },
    wsServer,
  );
  return {
    async dispose() {
      sockets.dispose();
      await disposable.dispose();
      await new Promise<void>((resolve) => wsServer.close(() => resolve()));
    },
  };
}

/** Upgrades on the GraphQL path that pass CORS and the connection limits reach the WebSocket server; others are refused. */
function routeUpgrades({ httpServer, yoga, cors, callers }: GraphqlWsOptions, wsServer: WebSocketServer, wsConnections: WsConnections): void {
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
    const refused = wsConnections.admitUpgrade(socket, callers.addressOf(req));
    if (refused) {
      refuseUpgrade(socket, 503, refused);
      return;
    }
    wsServer.handleUpgrade(req, socket, head, (client) => wsServer.emit('connection', client, req));
  });
}

type OnConnect = NonNullable<Parameters<typeof useServer<Record<string, unknown> | undefined, ConnectionExtra>>[0]['onConnect']>;

/** connection_init: credentials in connectionParams.authorization; false closes with 4403 Forbidden. */
function connectionInit({ authenticator, callers, logRefusal }: GraphqlWsOptions, wsConnections: WsConnections, sockets: OpenSockets): OnConnect {
  return async (ctx) => {
    const authorization = ctx.connectionParams?.authorization;
    const auth = await authenticator.authenticate(typeof authorization === 'string' ? authorization : null);
    if (!auth.ok) {
      logRefusal('websocket', auth.message, ctx.extra.request.socket.remoteAddress);
      return false;
    }
    const { expiresAt } = auth.viewer;
    if (expiresAt && expiresAt.getTime() <= Date.now()) return false;
    const { request, socket } = ctx.extra;
    const caller = callers.callerOf(request, auth);
    const tooMany = wsConnections.admitCaller(request.socket, caller);
    if (tooMany) {
      // As WS_MAX_CONNECTIONS's 503, but the upgrade is done: "try again later". graphql-ws's
      // own close (4403, returning false) then finds the socket closing and sends nothing.
      socket.close(TRY_AGAIN_LATER_CLOSE, tooMany);
      return false;
    }
    ctx.extra.viewer = auth.viewer;
    ctx.extra.caller = caller;
    callers.set(request, auth.viewer, caller);
    // A long-lived socket must not outlive its credential: closed when it is revoked or expires.
    sockets.add(socket, auth.credential);
    return true;
  };
}

/** What an operation is prepared from: graphql-ws's context (its socket and upgrade request). */
interface SubscribeContext {
  readonly extra: { readonly request: IncomingMessage; readonly socket: unknown };
}
type SubscribeParams = Parameters<NonNullable<ServerOptions['onSubscribe']>>[2];

/**
 * One operation of a socket through yoga's envelop pipeline: parsed and validated with every
 * plugin (limits, cost, introspection), its context made as over HTTP, and its enveloped execute
 * and subscribe carried in rootValue. Errors are returned, never thrown.
 */
async function prepareOperation(yoga: YogaApp, ctx: SubscribeContext, params: SubscribeParams, viewer: Viewer): Promise<ExecutionArgs | readonly GraphQLError[]> {
  const enveloped = yoga.getEnveloped({ ...ctx, req: ctx.extra.request, socket: ctx.extra.socket, params });
  let document;
  try {
    document = enveloped.parse(params.query);
  } catch (error) {
    return [error instanceof GraphQLError ? error : new GraphQLError(String(error))];
  }
  const errors = enveloped.validate(enveloped.schema, document);
  if (errors.length > 0) return errors;
  const root: EnvelopedRoot = {
    execute: enveloped.execute,
    subscribe: enveloped.subscribe,
    // Identical live operations share one execution per event (SharedSubscriptions); the viewer's
    // role and panels are part of the operation, so callers who may see different things never
    // share a stream.
    shareKey: JSON.stringify([
      params.query,
      params.operationName ?? null,
      params.variables ?? null,
      viewer.role,
      viewer.panels === null ? null : [...viewer.panels].sort(),
    ]),
  };
  return {
    schema: enveloped.schema,
    document,
    operationName: params.operationName ?? null,
    variableValues: params.variables ?? null,
    contextValue: await enveloped.contextFactory(),
    rootValue: root,
  };
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
