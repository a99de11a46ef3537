import type { IncomingMessage } from 'node:http';
import type { Viewer } from '../graphql/context.js';
import { roleAtLeast } from '../services/access/api-keys.js';
import { ClientAddresses, type Caller } from './fair-share.js';

/**
 * Who is behind each request (or WebSocket upgrade request), once authenticated: the viewer
 * GraphQL runs as, and the caller whose fair share of the limits it uses. Kept by request so
 * that nothing outlives it.
 */
export class RequestCallers {
  readonly #viewers = new WeakMap<IncomingMessage, Viewer>();
  readonly #callers = new WeakMap<IncomingMessage, Caller>();
  readonly #addresses: ClientAddresses;

  constructor(trustedProxies: ConstructorParameters<typeof ClientAddresses>[0]) {
    this.#addresses = new ClientAddresses(trustedProxies);
  }

  /** The client's address (X-Forwarded-For from a trusted proxy, else the socket's). */
  addressOf(req: IncomingMessage): string {
    return this.#addresses.of(req);
  }

  /** The caller an authentication result stands for, on this request. */
  callerOf(req: IncomingMessage, auth: { readonly viewer: Viewer; readonly callerId: string | null }): Caller {
    return { id: auth.callerId, address: this.addressOf(req), privileged: roleAtLeast(auth.viewer.role, 'operator') };
  }

  set(req: IncomingMessage, viewer: Viewer, caller: Caller): void {
    this.#viewers.set(req, viewer);
    this.#callers.set(req, caller);
  }

  viewer(req: IncomingMessage | undefined): Viewer | undefined {
    return req ? this.#viewers.get(req) : undefined;
  }

  caller(req: IncomingMessage | undefined): Caller | null {
    return req ? (this.#callers.get(req) ?? null) : null;
  }
}
