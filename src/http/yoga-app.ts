import type { IncomingMessage } from 'node:http';
import { costLimitPlugin } from '@escape.tech/graphql-armor-cost-limit';
import { maxAliasesPlugin } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthPlugin } from '@escape.tech/graphql-armor-max-depth';
import { maxTokensPlugin } from '@escape.tech/graphql-armor-max-tokens';
import { createYoga, type YogaServerInstance } from 'graphql-yoga';
import type { Logger } from '../config/logger.js';
import { createContext, type Context, type Viewer } from '../graphql/context.js';
import type { Services } from '../services/services.js';
import { schema } from '../graphql/schema.js';
import type { Metrics } from '../config/metrics.js';
import { maskClientError } from './client-errors.js';
import { useByteBodies } from './byte-bodies.js';
import { useCompiledOperations } from './compiled-operations.js';
import type { Caller } from './fair-share.js';
import { useCostLimits, useNoIntrospection, type HttpLimits } from './limits.js';
import { productListSizes } from './operation-cost.js';
import { useSharedAnswers } from './shared-answers.js';
import { useWebSocketSubscriptionsOnly } from './websocket-subscriptions.js';

/**
 * What yoga is handed per operation: Node's request (the HTTP request, or a WebSocket's upgrade
 * request). Absent when an operation is run without a socket (`yoga.fetch`).
 */
export interface ServerContext {
  readonly req?: IncomingMessage;
}

export type YogaApp = YogaServerInstance<ServerContext, Context>;

export interface YogaAppOptions {
  readonly services: Services;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly limits: HttpLimits;
  /** How many panels are known: the size of `panels` in the cost of an operation. */
  readonly panelCount: () => number;
  /** Who is calling, authenticated before GraphQL sees the operation; undefined refuses it. */
  readonly viewerOf: (server: ServerContext) => Viewer | undefined;
  /** The caller's fair share of the cost in flight (fair-share.ts); null: no share (only the global limit). */
  readonly callerOf: (server: ServerContext) => Caller | null;
}

/**
 * The GraphQL app with every plugin the product runs: limits on what one operation may ask for
 * (tokens, depth, aliases, cost counted over lists and work), introspection off when configured,
 * the JIT, error masking. The HTTP server (graphql-server.ts) and the WebSocket adapter run
 * operations through it, and so do the fast tests (test/support/in-process.ts): one setup.
 */
export function createYogaApp(options: YogaAppOptions): YogaApp {
  const { services, logger, metrics, limits } = options;
  return createYoga<ServerContext, Context>({
    schema,
    context: (server) => {
      const viewer = options.viewerOf(server);
      // Unreachable by construction (the routes and onConnect authenticate first); never run as nobody.
      if (!viewer) throw new Error(`${server.req?.method ?? ''} ${server.req?.url ?? ''} reached GraphQL without being authenticated`);
      return createContext(services, viewer);
    },
    graphqlEndpoint: '/graphql',
    // CORS is answered by the HTTP routes from the allow-list (CorsPolicy); yoga's default
    // reflects any Origin with credentials allowed.
    cors: false,
    landingPage: false,
    // Served by GraphiqlPage: built once and compressed, not rendered per request.
    graphiql: false,
    // A request body beyond this is answered 413 before it is read further (yoga's default is 25 MB).
    maxRequestBodySize: limits.maxBodyBytes,
    // Limits on what one operation may ask for; as envelop plugins they apply over WebSocket too.
    plugins: [
      useWebSocketSubscriptionsOnly(),
      maxTokensPlugin({ n: 3_000 }),
      maxDepthPlugin({ n: 10 }),
      maxAliasesPlugin({ n: 20 }),
      // graphql-armor's cost multiplies a selection by a literal `first` (a page of 1,000 panels is
      // 1,000 cards) but not by a variable, and knows nothing of ranges walked: a coarse guard on
      // the document's shape against the same budget. useCostLimits below counts pages (literal or
      // variable) and the work of ranges exactly (operation-cost.ts).
      costLimitPlugin({ maxCost: limits.maxCost }),
      ...(limits.introspection ? [] : [useNoIntrospection()]),
      // Before the JIT and the cost limits: an answer shared since nothing it shows changed
      // (shared-answers.ts) is neither executed nor counted against the budget in flight.
      useSharedAnswers({ cards: services.panels, metrics }),
      // Compiled operations (compiled-operations.ts): queries with valid variables, no subscriptions.
      useCompiledOperations(),
      // Large answers written as bytes (byte-bodies.ts).
      useByteBodies(),
      // After the JIT, so that it wraps whichever execute runs: lists counted at their length.
      useCostLimits({
        limits,
        metrics,
        listSize: productListSizes(options.panelCount, services.history),
        // yoga's context carries the server context: Node's request (HTTP) or the upgrade request (WebSocket).
        callerOf: (context) => options.callerOf(context as ServerContext),
      }),
    ],
    maskedErrors: { maskError: maskClientError(logger) },
    logging: {
      debug: (...args) => logger.debug(args.map(String).join(' ')),
      info: (...args) => logger.info(args.map(String).join(' ')),
      warn: (...args) => logger.warn(args.map(String).join(' ')),
      // yoga reports every failed operation here, including clients' bad arguments; internal
      // errors are logged at error level by maskError.
      error: (...args) => logger.warn(args.map(String).join(' ')),
    },
  });
}
