/**
 * Slows password guessing against the embedded broker (docs/mqtt-access.md). Failed logins are
 * counted per source address and per user name; the next login waits:
 *
 * - per source address (IPv6: per /64, which one machine usually holds whole): the address's logins
 *   are checked one at a time, and each waits `min(addressMaxMs, 100 ms × 2^(failures − 1))` after
 *   the address's last failure. Many connections at once from one address gain nothing: each waits
 *   for the one before it, and sees its failure.
 * - per user name, from any address: up to `usernameMaxMs` after the name's last failure, so that
 *   guesses spread over many addresses are slowed too, while the gateway that owns the name, logging
 *   in with the right password from an address that has not failed, waits at most `usernameMaxMs`.
 *
 * Failures are forgotten `forgetAfterMs` after the last one; a success does not wipe them (an
 * attacker holding one valid account could otherwise reset its address between guesses). Both
 * tables are bounded: past `maxEntries` the oldest entries are dropped.
 */

export interface LoginThrottleOptions {
  /** MQTT_LOGIN_DELAY_MAX: the longest wait a source address's failures cause. */
  readonly addressMaxMs: number;
  /** MQTT_LOGIN_USER_DELAY_MAX: the longest wait a user name's failures (from anywhere) cause. */
  readonly usernameMaxMs: number;
  /** The wait after the first failure, doubled per further failure. Default 100 ms. */
  readonly baseMs?: number;
  /** Failures older than this (after the last one) are forgotten. Default 15 minutes. */
  readonly forgetAfterMs?: number;
  /** Addresses, and user names, remembered at most. Default 50,000 each. */
  readonly maxEntries?: number;
  readonly now?: () => number;
}

/** A login's turn: how long it was held back and by what; `done` records its outcome and lets the next one of its address go. */
export interface LoginTurn {
  readonly waitedMs: number;
  readonly by: 'address' | 'username' | null;
  done(outcome: 'accepted' | 'refused' | 'abandoned'): void;
}

interface Failures {
  count: number;
  last: number;
}

export const LOGIN_FAILURES_FORGOTTEN_AFTER_MS = 15 * 60_000;

export class LoginThrottle {
  readonly #options: Required<LoginThrottleOptions>;
  readonly #addresses = new Map<string, Failures>();
  readonly #usernames = new Map<string, Failures>();
  /** The last login in line per address: the next one starts when it is done. */
  readonly #lines = new Map<string, Promise<void>>();

  constructor(options: LoginThrottleOptions) {
    this.#options = { baseMs: 100, forgetAfterMs: LOGIN_FAILURES_FORGOTTEN_AFTER_MS, maxEntries: 50_000, now: Date.now, ...options };
  }

  get addressMaxMs(): number {
    return this.#options.addressMaxMs;
  }

  get usernameMaxMs(): number {
    return this.#options.usernameMaxMs;
  }

  /**
   * Waits until this login may be checked. The caller must call `done` on the result, whatever
   * happens. `gone`: whether the client has left meanwhile (its wait is then skipped, so a client
   * that hung up does not hold its address's next logins back).
   */
  async turn(address: string | undefined, username: string, gone: () => boolean = () => false): Promise<LoginTurn> {
    const { now } = this.#options;
    const arrived = now();
    const key = addressKey(address);
    // Held back by its address when another login from there was in line before it, or by its failures.
    const predecessor = this.#lines.get(key);
    const before = predecessor ?? Promise.resolve();
    let release = (): void => {};
    const mine = new Promise<void>((resolve) => {
      release = resolve;
    });
    this.#lines.set(key, mine);
    await before;

    const queued = now() - arrived;
    const left = gone();
    const byAddress = left ? 0 : this.#remaining(this.#addresses, key, this.#options.addressMaxMs);
    const byUsername = left ? 0 : Math.min(this.#options.usernameMaxMs, this.#remaining(this.#usernames, username, this.#options.usernameMaxMs));
    const wait = Math.max(byAddress, byUsername);
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait).unref());
    const waitedMs = now() - arrived;
    // Not `queued > 0` alone: a turn of the event loop on a busy machine is no one holding it back.
    const heldByAddress = predecessor !== undefined || byAddress > 0;
    const by = heldByAddress && queued + byAddress >= byUsername ? 'address' : byUsername > 0 ? 'username' : null;

    let settled = false;
    return {
      waitedMs,
      by,
      done: (outcome) => {
        if (settled) return;
        settled = true;
        if (outcome === 'refused') {
          this.#fail(this.#addresses, key);
          this.#fail(this.#usernames, username);
        }
        if (this.#lines.get(key) === mine) this.#lines.delete(key);
        release();
      },
    };
  }

  /** How long after now the failures of `key` hold its next login back (0: not at all). */
  #remaining(table: Map<string, Failures>, key: string, maxMs: number): number {
    const entry = table.get(key);
    if (!entry) return 0;
    const now = this.#options.now();
    if (now - entry.last > this.#options.forgetAfterMs) {
      table.delete(key);
      return 0;
    }
    const delay = Math.min(maxMs, this.#options.baseMs * 2 ** Math.min(entry.count - 1, 30));
    return Math.max(0, entry.last + delay - now);
  }

  #fail(table: Map<string, Failures>, key: string): void {
    const now = this.#options.now();
    const entry = table.get(key);
    const count = entry && now - entry.last <= this.#options.forgetAfterMs ? entry.count + 1 : 1;
    // Re-inserted, so the table's order is that of the last failure: the oldest go first below.
    table.delete(key);
    table.set(key, { count, last: now });
    if (table.size > this.#options.maxEntries) {
      for (const [old, failures] of table) {
        if (table.size <= this.#options.maxEntries && now - failures.last <= this.#options.forgetAfterMs) break;
        table.delete(old);
      }
    }
  }
}

/**
 * What failures are counted against: an IPv4 address (also when written IPv4-mapped), or the /64
 * network of an IPv6 address (one host commonly holds a whole /64 and can pick any address in it).
 */
export function addressKey(address: string | undefined): string {
  if (!address) return 'unknown';
  const plain = address.replace(/%.*$/, '');
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(plain);
  if (mapped) return mapped[1]!;
  if (!plain.includes(':')) return plain;
  const [head = '', tail] = plain.split('::');
  const front = head === '' ? [] : head.split(':');
  const back = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups = tail === undefined ? front : [...front, ...Array<string>(Math.max(0, 8 - front.length - back.length)).fill('0'), ...back];
  return `${groups
    .slice(0, 4)
    .map((group) => Number.parseInt(group || '0', 16).toString(16))
    .join(':')}::/64`;
}
