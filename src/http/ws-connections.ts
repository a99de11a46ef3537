import type { Socket } from 'node:net';
import type { Metrics } from '../config/metrics.js';
import { FairShare, type Caller, type ShareSettings } from './fair-share.js';
import type { HttpLimits } from './limits.js';

/** WebSocket's close code for "Try Again Later": a socket refused for load, as HTTP's 503. */
export const TRY_AGAIN_LATER_CLOSE = 1013;

interface Connection {
  readonly address: string;
  /** Upgraded, connection_init not yet accepted. */
  pending: boolean;
  caller: Caller | null;
}

/**
 * WebSocket connections: at most WS_MAX_CONNECTIONS open, and a caller's share of them
 * (fair-share.ts). Who is calling is known only once connection_init is accepted, so a socket is
 * counted twice over: at the upgrade by its address (the sockets of one address still waiting for
 * connection_init may not exceed one caller's share, and graphql-ws closes those that wait over
 * 3 s), then by its caller.
 */
export class WsConnections {
  readonly #limits: HttpLimits['ws'];
  readonly #metrics: Metrics;
  readonly #shares: FairShare;
  readonly #connections = new WeakMap<Socket, Connection>();
  readonly #pending = new Map<string, number>();
  #open = 0;

  constructor(limits: HttpLimits['ws'], share: ShareSettings, metrics: Metrics) {
    this.#limits = limits;
    this.#metrics = metrics;
    this.#shares = new FairShare(limits.maxConnections, share);
  }

  /**
   * An upgrade from `address`: null when accepted (counted until `socket` closes), else what to
   * answer with 503.
   */
  admitUpgrade(socket: Socket, address: string): string | null {
    if (this.#open >= this.#limits.maxConnections) {
      this.#metrics.limitHits.inc({ limit: 'WS_MAX_CONNECTIONS' });
      return `Too many WebSocket connections (WS_MAX_CONNECTIONS is ${this.#limits.maxConnections}); retry later.`;
    }
    const waiting = this.#pending.get(address) ?? 0;
    if (waiting >= this.#shares.perCaller) {
      this.#metrics.limitHits.inc({ limit: 'CALLER_MAX_SHARE' });
      return `Too many WebSocket connections from this address waiting for connection_init (${waiting}; CALLER_MAX_SHARE of WS_MAX_CONNECTIONS); retry later.`;
    }
    const connection: Connection = { address, pending: true, caller: null };
    this.#connections.set(socket, connection);
    this.#pending.set(address, waiting + 1);
    this.#open++;
    this.#metrics.wsConnections.set(this.#open);
    socket.once('close', () => {
      this.#open--;
      this.#metrics.wsConnections.set(this.#open);
      this.#settle(connection);
      if (connection.caller) this.#shares.release(connection.caller, 1);
    });
    return null;
  }

  /**
   * connection_init of `socket` was accepted for `caller`: null when the socket may stay (counted
   * for that caller until it closes), else the reason to close it with (1013, try again later).
   */
  admitCaller(socket: Socket, caller: Caller): string | null {
    const connection = this.#connections.get(socket);
    if (!connection) return null;
    this.#settle(connection);
    const refusal = this.#shares.refusal(caller, 1);
    if (refusal) {
      this.#metrics.limitHits.inc({ limit: refusal });
      // A close reason has at most 123 bytes: the setting and the number, no more.
      return refusal === 'CALLER_MAX_SHARE'
        ? `CALLER_MAX_SHARE: at most ${this.#shares.perCaller} WebSocket connections per caller; retry later`
        : `OPERATOR_RESERVE: the last ${this.#limits.maxConnections - this.#shares.forViewers} WebSocket connections are kept for operators`;
    }
    connection.caller = caller;
    this.#shares.take(caller, 1);
    return null;
  }

  /** No longer waiting for connection_init. */
  #settle(connection: Connection): void {
    if (!connection.pending) return;
    connection.pending = false;
    const left = (this.#pending.get(connection.address) ?? 1) - 1;
    if (left <= 0) this.#pending.delete(connection.address);
    else this.#pending.set(connection.address, left);
  }
}
