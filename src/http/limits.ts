import { GraphQLError, NoSchemaIntrospectionCustomRule, type ExecutionArgs } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Config } from '../config/config.js';
import { autoConnectionLimit } from '../config/open-files.js';
import type { Metrics } from '../services/metrics.js';
import { operationCost, type ListSize } from './operation-cost.js';

/** What one client, and all of them, may take from the HTTP port (README "Limits and faults"). */
export interface HttpLimits {
  readonly maxConnections: number;
  readonly maxBodyBytes: number;
  readonly requestTimeoutMs: number;
  readonly idleTimeoutMs: number;
  readonly maxCost: number;
  readonly maxCostInFlight: number;
  readonly graphiql: boolean;
  readonly introspection: boolean;
  readonly ws: {
    readonly maxConnections: number;
    readonly maxSubscriptions: number;
    readonly maxSubscriptionsPerConnection: number;
  };
}

/** HTTP connections kept for plain requests however many WebSockets are open. */
const HTTP_ONLY_CONNECTIONS = 16;

/** The configured limits, with the automatic connection limit worked out from the open-file limit. */
export function httpLimits(limits: Config['limits']): HttpLimits {
  const maxConnections = limits.http.maxConnections ?? autoConnectionLimit();
  return {
    maxConnections,
    maxBodyBytes: limits.http.maxBodyBytes,
    requestTimeoutMs: limits.http.requestTimeoutMs,
    idleTimeoutMs: limits.http.idleTimeoutMs,
    maxCost: limits.http.maxCost,
    maxCostInFlight: limits.http.maxCostInFlight,
    graphiql: limits.http.graphiql,
    introspection: limits.http.introspection,
    ws: { ...limits.ws, maxConnections: Math.max(1, Math.min(limits.ws.maxConnections, maxConnections - HTTP_ONLY_CONNECTIONS)) },
  };
}

/** Limits for tests and tools that pass none: the defaults of the settings. */
export const DEFAULT_HTTP_LIMITS: HttpLimits = {
  maxConnections: 1_000,
  maxBodyBytes: 64 * 1024,
  requestTimeoutMs: 30_000,
  idleTimeoutMs: 60_000,
  maxCost: 250_000,
  maxCostInFlight: 1_500_000,
  graphiql: true,
  introspection: true,
  ws: { maxConnections: 1_000, maxSubscriptions: 10_000, maxSubscriptionsPerConnection: 100 },
};

/** A client asked for more than one operation may cost: its mistake, BAD_USER_INPUT (HTTP 400). */
function tooExpensive(cost: number, max: number): GraphQLError {
  return new GraphQLError(
    `This operation may return up to ${Math.round(cost).toLocaleString('en')} values (lists counted at their largest), ` +
      `more than GRAPHQL_MAX_COST (${max.toLocaleString('en')}): ask for fewer aliases or fields, a shorter range or a larger "every".`,
    { extensions: { code: 'BAD_USER_INPUT', cost: Math.round(cost), maxCost: max, http: { status: 400 } } },
  );
}

/** The server is busy with other large operations: try again shortly (HTTP 503, Retry-After). */
function busy(): GraphQLError {
  return new GraphQLError('The server is busy answering other large requests (GRAPHQL_MAX_COST_IN_FLIGHT); retry in a moment.', {
    extensions: { code: 'SERVICE_UNAVAILABLE', http: { status: 503, headers: { 'retry-after': '1' } } },
  });
}

interface Closable {
  once(event: 'close', listener: () => void): unknown;
  readonly writableFinished?: boolean;
  readonly destroyed?: boolean;
}

/**
 * Refuses operations by what their responses may hold (operation-cost.ts): one over `maxCost`
 * with BAD_USER_INPUT, and any while the operations already executing hold `maxCostInFlight`
 * with 503, so that eight 26 MB responses are never built at once. Over HTTP an operation holds
 * its cost until its response is sent; over WebSocket until its result is ready. Subscriptions are
 * checked against `maxCost` only (each event is small; WS_MAX_SUBSCRIPTIONS bounds them).
 */
export function useCostLimits(options: { limits: HttpLimits; listSize: ListSize; metrics: Metrics }): Plugin {
  const { limits, metrics } = options;
  let inFlight = 0;
  const costOf = (args: ExecutionArgs) =>
    operationCost(args.schema, args.document, args.operationName, args.variableValues as Record<string, unknown> | null | undefined, options.listSize);
  return {
    onExecute({ args, executeFn, setExecuteFn, setResultAndStopExecution }) {
      const cost = costOf(args);
      if (cost > limits.maxCost) {
        metrics.limitHits.inc({ limit: 'GRAPHQL_MAX_COST' });
        setResultAndStopExecution({ errors: [tooExpensive(cost, limits.maxCost)] });
        return;
      }
      if (inFlight + cost > limits.maxCostInFlight) {
        metrics.limitHits.inc({ limit: 'GRAPHQL_MAX_COST_IN_FLIGHT' });
        setResultAndStopExecution({ errors: [busy()] });
        return;
      }
      inFlight += cost;
      metrics.graphqlCostInFlight.set(inFlight);
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        inFlight -= cost;
        metrics.graphqlCostInFlight.set(inFlight);
      };
      const res = (args.contextValue as { res?: Closable } | undefined)?.res;
      setExecuteFn(async (executeArgs) => {
        try {
          return await executeFn(executeArgs);
        } finally {
          // Over HTTP the response is built from the result after this: hold until it is sent.
          if (res && typeof res.once === 'function' && !res.writableFinished && !res.destroyed) res.once('close', release);
          else release();
        }
      });
    },
    onSubscribe({ args, setResultAndStopExecution }) {
      const cost = costOf(args);
      if (cost > limits.maxCost) {
        metrics.limitHits.inc({ limit: 'GRAPHQL_MAX_COST' });
        setResultAndStopExecution({ errors: [tooExpensive(cost, limits.maxCost)] });
      }
    },
  };
}

/** INTROSPECTION=false: `__schema` and `__type` are refused in validation (GRAPHQL_VALIDATION_FAILED). */
export function useNoIntrospection(): Plugin {
  return {
    onValidate({ addValidationRule }) {
      addValidationRule(NoSchemaIntrospectionCustomRule);
    },
  };
}

/**
 * Operations (subscriptions, and queries while they execute) over WebSocket: at most
 * `maxSubscriptionsPerConnection` on one socket and `maxSubscriptions` over all of them. An
 * operation beyond either is answered with an error of its own; the socket stays open.
 */
export class WsOperationLimits {
  readonly #limits: HttpLimits['ws'];
  readonly #metrics: Metrics;
  readonly #held = new WeakMap<object, Set<string>>();
  #total = 0;

  constructor(limits: HttpLimits['ws'], metrics: Metrics) {
    this.#limits = limits;
    this.#metrics = metrics;
  }

  get total(): number {
    return this.#total;
  }

  /**
   * Takes a slot for operation `id` of connection `ctx`, which has `open` operations including
   * this one; returns the error to answer with when there is none.
   */
  admit(ctx: object, id: string, open: number): GraphQLError | null {
    if (open > this.#limits.maxSubscriptionsPerConnection) {
      this.#metrics.limitHits.inc({ limit: 'WS_MAX_SUBSCRIPTIONS_PER_CONNECTION' });
      return new GraphQLError(
        `This connection already has ${open - 1} operations open, the most WS_MAX_SUBSCRIPTIONS_PER_CONNECTION allows (${this.#limits.maxSubscriptionsPerConnection}); complete some first.`,
        { extensions: { code: 'BAD_USER_INPUT' } },
      );
    }
    if (this.#total >= this.#limits.maxSubscriptions) {
      this.#metrics.limitHits.inc({ limit: 'WS_MAX_SUBSCRIPTIONS' });
      return new GraphQLError(`The server has ${this.#total} subscriptions open, the most WS_MAX_SUBSCRIPTIONS allows; retry later.`, {
        extensions: { code: 'SERVICE_UNAVAILABLE' },
      });
    }
    let held = this.#held.get(ctx);
    if (!held) this.#held.set(ctx, (held = new Set()));
    held.add(id);
    this.#total++;
    return null;
  }

  /** The operation ended. */
  release(ctx: object, id: string): void {
    if (this.#held.get(ctx)?.delete(id)) this.#total--;
  }

  /** The connection closed: whatever it still held. */
  releaseAll(ctx: object): void {
    const held = this.#held.get(ctx);
    if (!held) return;
    this.#total -= held.size;
    held.clear();
  }
}
