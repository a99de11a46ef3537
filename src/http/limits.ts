import { GraphQLError, NoSchemaIntrospectionCustomRule, type ExecutionArgs } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Config } from '../config/config.js';
import { autoConnectionLimit } from '../config/open-files.js';
import type { Metrics } from '../config/metrics.js';
import { FairShare, type Caller, type ShareRefusal, type ShareSettings } from './fair-share.js';
import type { ErrorReason } from '../services/user-input-error.js';
import { operationCost, type ListSize } from './operation-cost.js';

/** What one client, and all of them, may take from the HTTP port (docs/limits-and-faults.md). */
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
  /** How WS_MAX_CONNECTIONS, WS_MAX_SUBSCRIPTIONS and GRAPHQL_MAX_COST_IN_FLIGHT are shared out per caller. */
  readonly share: ShareSettings;
  /** Reverse proxies whose X-Forwarded-For names the caller's address (TRUSTED_PROXIES). */
  readonly trustedProxies: readonly string[];
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
    share: limits.share,
    trustedProxies: limits.trustedProxies,
  };
}

/** A client asked for more than one operation may cost: its mistake, BAD_USER_INPUT (HTTP 400). */
function tooExpensive(cost: number, max: number): GraphQLError {
  return new GraphQLError(
    `This operation may return up to ${Math.round(cost).toLocaleString('en')} values (lists counted at their largest), ` +
      `more than GRAPHQL_MAX_COST (${max.toLocaleString('en')}): ask for fewer aliases or fields, a shorter range or a larger "every".`,
    { extensions: { code: 'BAD_USER_INPUT', reason: 'COST_TOO_HIGH' satisfies ErrorReason, cost: Math.round(cost), maxCost: max, maximum: max, http: { status: 400 } } },
  );
}

/**
 * The server is busy with other large operations (or this caller holds its share of them): try
 * again shortly (HTTP 503, Retry-After).
 */
function busy(why = 'The server is busy answering other large requests (GRAPHQL_MAX_COST_IN_FLIGHT)'): GraphQLError {
  return new GraphQLError(`${why}; retry in a moment.`, {
    extensions: { code: 'SERVICE_UNAVAILABLE', reason: 'SERVER_BUSY' satisfies ErrorReason, http: { status: 503, headers: { 'retry-after': '1' } } },
  });
}

/** A fair-share refusal, counted under the setting that made it. */
function shareHit(metrics: Metrics, refusal: ShareRefusal): void {
  metrics.limitHits.inc({ limit: refusal });
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
 * `callerOf` names who runs an operation: one caller may hold only its share of the cost in flight
 * (fair-share.ts; never less than one operation of `maxCost`), again answered with 503.
 */
export function useCostLimits(options: { limits: HttpLimits; listSize: ListSize; metrics: Metrics; callerOf?: (context: unknown) => Caller | null }): Plugin {
  const { limits, metrics } = options;
  const shares = new FairShare(limits.maxCostInFlight, limits.share, limits.maxCost);
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
      const caller = options.callerOf?.(args.contextValue) ?? null;
      const refusal = caller ? shares.refusal(caller, cost) : null;
      if (refusal) {
        shareHit(metrics, refusal);
        setResultAndStopExecution({ errors: [busy(`Not now: ${shares.explain(refusal, 'GRAPHQL_MAX_COST_IN_FLIGHT')}`)] });
        return;
      }
      inFlight += cost;
      if (caller) shares.take(caller, cost);
      metrics.graphqlCostInFlight.set(inFlight);
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        inFlight -= cost;
        if (caller) shares.release(caller, cost);
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
 * `maxSubscriptionsPerConnection` on one socket, `maxSubscriptions` over all of them, and of those
 * at most a caller's share (fair-share.ts). An operation beyond any is answered with an error of
 * its own; the socket stays open.
 */
export class WsOperationLimits {
  readonly #limits: HttpLimits['ws'];
  readonly #metrics: Metrics;
  readonly #shares: FairShare;
  readonly #held = new WeakMap<object, { readonly caller: Caller; readonly ids: Set<string> }>();
  #total = 0;

  constructor(limits: HttpLimits['ws'], share: ShareSettings, metrics: Metrics) {
    this.#limits = limits;
    this.#metrics = metrics;
    this.#shares = new FairShare(limits.maxSubscriptions, share);
  }

  get total(): number {
    return this.#total;
  }

  /**
   * Takes a slot for operation `id` of connection `ctx` (whose caller is `caller`), which has
   * `open` operations including this one; returns the error to answer with when there is none.
   */
  admit(ctx: object, id: string, open: number, caller: Caller): GraphQLError | null {
    if (open > this.#limits.maxSubscriptionsPerConnection) {
      this.#metrics.limitHits.inc({ limit: 'WS_MAX_SUBSCRIPTIONS_PER_CONNECTION' });
      return new GraphQLError(
        `This connection already has ${open - 1} operations open, the most WS_MAX_SUBSCRIPTIONS_PER_CONNECTION allows (${this.#limits.maxSubscriptionsPerConnection}); complete some first.`,
        { extensions: { code: 'BAD_USER_INPUT', reason: 'TOO_MANY_SUBSCRIPTIONS' satisfies ErrorReason, maximum: this.#limits.maxSubscriptionsPerConnection } },
      );
    }
    if (this.#total >= this.#limits.maxSubscriptions) {
      this.#metrics.limitHits.inc({ limit: 'WS_MAX_SUBSCRIPTIONS' });
      return new GraphQLError(`The server has ${this.#total} subscriptions open, the most WS_MAX_SUBSCRIPTIONS allows; retry later.`, {
        extensions: { code: 'SERVICE_UNAVAILABLE', reason: 'SUBSCRIPTIONS_FULL' satisfies ErrorReason },
      });
    }
    const refusal = this.#shares.refusal(caller, 1);
    if (refusal) {
      shareHit(this.#metrics, refusal);
      return new GraphQLError(`Too many subscriptions: ${this.#shares.explain(refusal, 'WS_MAX_SUBSCRIPTIONS')}; retry later.`, {
        extensions: { code: 'SERVICE_UNAVAILABLE', reason: 'SUBSCRIPTIONS_FULL' satisfies ErrorReason },
      });
    }
    let held = this.#held.get(ctx);
    if (!held) this.#held.set(ctx, (held = { caller, ids: new Set() }));
    held.ids.add(id);
    this.#shares.take(held.caller, 1);
    this.#total++;
    return null;
  }

  /** The operation ended. */
  release(ctx: object, id: string): void {
    const held = this.#held.get(ctx);
    if (held?.ids.delete(id)) {
      this.#shares.release(held.caller, 1);
      this.#total--;
    }
  }

  /** The connection closed: whatever it still held. */
  releaseAll(ctx: object): void {
    const held = this.#held.get(ctx);
    if (!held) return;
    this.#total -= held.ids.size;
    this.#shares.release(held.caller, held.ids.size);
    held.ids.clear();
  }
}
