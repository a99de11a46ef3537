import { BlockList, isIP } from 'node:net';
import type { IncomingMessage } from 'node:http';

/**
 * One caller, for the fair share of a limit: the credential it authenticated with (null: the
 * open mode's anonymous caller, who stands for everyone and has no share of its own), the
 * address it connects from, and whether it is an operator or admin (who may use the reserve).
 */
export interface Caller {
  readonly id: string | null;
  readonly address: string;
  readonly privileged: boolean;
}

/** How a limit is shared out (CALLER_MAX_SHARE, OPERATOR_RESERVE), as fractions of the limit. */
export interface ShareSettings {
  readonly callerMaxShare: number;
  readonly operatorReserve: number;
}

/** Which rule refused: the setting a client is told about and the metric counts. */
export type ShareRefusal = 'CALLER_MAX_SHARE' | 'OPERATOR_RESERVE';

/**
 * What each caller holds of one limit (WebSocket connections, subscriptions, operation cost in
 * flight). A viewer may hold at most `callerMaxShare` of the limit per credential and per address,
 * and viewers together at most the limit less `operatorReserve`, so that an operator or admin can
 * always get in. Operators and admins are held to their per-credential share only: one of them
 * may share an address (a NAT, an office) with the viewers who filled it. The limit itself is
 * enforced by its owner, as before; this only refuses earlier.
 */
export class FairShare {
  readonly #limit: number;
  readonly #perCaller: number;
  readonly #forViewers: number;
  readonly #byCaller = new Map<string, number>();
  readonly #byAddress = new Map<string, number>();
  #viewers = 0;

  /** `atLeast`: no share is smaller (one operation of the largest allowed cost must fit). */
  constructor(limit: number, settings: ShareSettings, atLeast = 1) {
    this.#limit = limit;
    this.#perCaller = Math.min(limit, Math.max(atLeast, Math.floor(limit * settings.callerMaxShare)));
    this.#forViewers = Math.max(this.#perCaller, Math.floor(limit * (1 - settings.operatorReserve)));
  }

  /** The most one caller may hold. */
  get perCaller(): number {
    return this.#perCaller;
  }

  /** The most all viewers together may hold. */
  get forViewers(): number {
    return this.#forViewers;
  }

  /** Why `caller` may not take `amount` more, or null when it may (then call take). */
  refusal(caller: Caller, amount: number): ShareRefusal | null {
    if (caller.id !== null && (this.#byCaller.get(caller.id) ?? 0) + amount > this.#perCaller) return 'CALLER_MAX_SHARE';
    if (caller.privileged) return null;
    if ((this.#byAddress.get(caller.address) ?? 0) + amount > this.#perCaller) return 'CALLER_MAX_SHARE';
    if (this.#viewers + amount > this.#forViewers) return 'OPERATOR_RESERVE';
    return null;
  }

  take(caller: Caller, amount: number): void {
    this.#add(caller, amount);
  }

  release(caller: Caller, amount: number): void {
    this.#add(caller, -amount);
  }

  /** The words a refused client is told: which setting, and what it allows of `limitName`. */
  explain(refusal: ShareRefusal, limitName: string): string {
    return refusal === 'CALLER_MAX_SHARE'
      ? `one caller (credential or address) may hold at most ${this.#perCaller.toLocaleString('en')} of ${limitName}'s ${this.#limit.toLocaleString('en')} (CALLER_MAX_SHARE)`
      : `the rest of ${limitName} (${(this.#limit - this.#forViewers).toLocaleString('en')}) is kept for operators and admins (OPERATOR_RESERVE)`;
  }

  #add(caller: Caller, amount: number): void {
    if (caller.id !== null) bump(this.#byCaller, caller.id, amount);
    // Operators and admins are not counted per address or against the viewers' part.
    if (caller.privileged) return;
    bump(this.#byAddress, caller.address, amount);
    this.#viewers += amount;
  }
}

function bump(counts: Map<string, number>, key: string, amount: number): void {
  const next = (counts.get(key) ?? 0) + amount;
  if (next <= 0) counts.delete(key);
  else counts.set(key, next);
}

/**
 * The address a request comes from: the peer's, or, when the peer is a trusted reverse proxy
 * (TRUSTED_PROXIES), the nearest address in X-Forwarded-For that is not itself a trusted proxy.
 * Without trusted proxies every caller behind a proxy would share the proxy's address.
 */
export class ClientAddresses {
  readonly #trusted = new BlockList();
  readonly #any: boolean;

  /** `trusted`: addresses (`10.0.0.5`) and subnets (`172.16.0.0/12`, `fd00::/8`). */
  constructor(trusted: readonly string[]) {
    for (const entry of trusted) {
      const [address, bits] = entry.split('/');
      const family = isIP(address ?? '') === 6 ? 'ipv6' : 'ipv4';
      if (bits === undefined) this.#trusted.addAddress(address!, family);
      else this.#trusted.addSubnet(address!, Number(bits), family);
    }
    this.#any = trusted.length > 0;
  }

  of(req: IncomingMessage): string {
    const peer = normalise(req.socket.remoteAddress ?? 'unknown');
    if (!this.#any || !this.#isTrusted(peer)) return peer;
    const forwarded = String(req.headers['x-forwarded-for'] ?? '')
      .split(',')
      .map((part) => normalise(part.trim()))
      .filter((part) => isIP(part) !== 0);
    // Rightmost first: each proxy appends the address it heard from; only trusted ones are believed.
    for (let i = forwarded.length - 1; i >= 0; i--) if (!this.#isTrusted(forwarded[i]!)) return forwarded[i]!;
    return forwarded[0] ?? peer;
  }

  #isTrusted(address: string): boolean {
    const family = isIP(address);
    return family !== 0 && this.#trusted.check(address, family === 6 ? 'ipv6' : 'ipv4');
  }
}

/** `::ffff:127.0.0.2` (IPv4 on a dual-stack socket) is 127.0.0.2. */
function normalise(address: string): string {
  return address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
}
