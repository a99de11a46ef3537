import type { Authenticator, Credential } from '../services/access/authenticator.js';
import { runAt, systemClock } from '../time/clock.js';

/** graphql-ws's close code for a caller who may not (or may no longer) use the socket. */
export const FORBIDDEN_CLOSE = 4403;

/** What is needed of a socket: ws's WebSocket. */
export interface ClosableSocket {
  close(code: number, reason: string): void;
}

interface Entry {
  readonly credential: Credential;
  /** Cancels the timer that closes the socket when its token expires. */
  readonly cancelExpiry: () => void;
}

/**
 * The WebSockets open now and the credential each was opened with, so that a credential that
 * stops holding takes its sockets with it: a revoked API key closes them (4403 "API key
 * revoked") as soon as this process knows of the revocation (at once when it was made here; on
 * the others when they re-read the admin record: at the admin notice over the stored-readings
 * feed, or at the latest at the next poll of the record), and an expiring token closes them when
 * it expires (4403 "token expired"). `revoked` is also asked before every operation on a socket,
 * so nothing runs on a credential that ended between two sweeps.
 */
export class OpenSockets {
  readonly #authenticator: Authenticator;
  readonly #sockets = new Map<ClosableSocket, Entry>();
  readonly #unsubscribe: () => void;

  constructor(authenticator: Authenticator) {
    this.#authenticator = authenticator;
    this.#unsubscribe = authenticator.onRevocation(() => this.#sweep());
  }

  get size(): number {
    return this.#sockets.size;
  }

  /** A socket accepted with `credential`; forgotten by `remove` (when it closes). */
  add(socket: ClosableSocket, credential: Credential): void {
    const cancelExpiry =
      credential.kind === 'jwt' ? runAt(systemClock, credential.expiresAt.getTime(), () => socket.close(FORBIDDEN_CLOSE, 'token expired')) : () => undefined;
    this.#sockets.set(socket, { credential, cancelExpiry });
  }

  remove(socket: ClosableSocket): void {
    this.#sockets.get(socket)?.cancelExpiry();
    this.#sockets.delete(socket);
  }

  /**
   * Before an operation: why the socket's credential no longer holds (the socket is then closed
   * with 4403 and that reason), or null when the operation may run. A socket that was never
   * accepted (no connection_init) is not known here and gets null: graphql-ws refuses it itself.
   */
  revoked(socket: ClosableSocket): string | null {
    const entry = this.#sockets.get(socket);
    if (!entry) return null;
    const reason = this.#authenticator.revoked(entry.credential);
    if (reason) this.#close(socket, reason);
    return reason;
  }

  dispose(): void {
    this.#unsubscribe();
    for (const entry of this.#sockets.values()) entry.cancelExpiry();
    this.#sockets.clear();
  }

  /** Some credential ended: close every socket whose credential is among them. */
  #sweep(): void {
    for (const [socket, entry] of this.#sockets) {
      const reason = this.#authenticator.revoked(entry.credential);
      if (reason) this.#close(socket, reason);
    }
  }

  #close(socket: ClosableSocket, reason: string): void {
    this.remove(socket);
    socket.close(FORBIDDEN_CLOSE, reason);
  }
}
