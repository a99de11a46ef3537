import { z } from 'zod';
import type { Logger } from '../config/logger.js';

/**
 * A message on `<feed>/claims/<gone client id>`: a member's claim to adopt that session in a round,
 * or (done) the adopter's notice that it ended the session.
 */
export const claimMessage = z.object({
  /** The claiming process's feed origin (tells a process its own claim). */
  origin: z.string(),
  /** The claiming process's ingest client id (its Will names it: a claim dies with its member). */
  member: z.string().max(64).optional(),
  /** Claim rounds for one gone session: the first claim of a higher round than decided wins it. */
  round: z.number().int().positive().optional(),
  done: z.boolean().optional(),
});
export type ClaimMessage = z.infer<typeof claimMessage>;

export interface SessionClaimsOptions {
  /** This process's feed origin. */
  readonly origin: string;
  /** This process's ingest client id. */
  readonly member: string;
  /** Publishes on `<feed>/claims/<gone>` (QoS 1). */
  readonly publish: (gone: string, message: ClaimMessage) => void;
  /** This process won the claim on a gone member's session: adopt it (and call ended() when the session is ended). */
  readonly won: (gone: string) => void;
  /**
   * How long a won claim holds without the adopter's "done": then every member claims again and the
   * first new claim wins. Longer than an adoption can take (it gives up after a minute).
   */
  readonly expiresAfterMs: number;
  readonly logger: Logger;
}

interface Claim {
  /** The highest round decided (0: none yet). */
  round: number;
  /** The ingest client id of the member that won that round. */
  winner: string | null;
  /** This process published a claim for round + 1 and has not seen that round decided yet. */
  claiming: boolean;
  expiry: NodeJS.Timeout | undefined;
}

/**
 * Who adopts a gone member's session, agreed by all members without talking to each other: every
 * member that hears the gone member's Will publishes a claim, and the first claim the broker
 * delivers wins; the broker delivers the claims on one topic to every member in one order, so all
 * agree (two adopters would take the session from each other mid-drain). A won claim lapses when
 * its winner goes away itself (its own Will) before it said "done", or after `expiresAfterMs`
 * (an adoption that could not end the session, e.g. InfluxDB away): then the members claim again
 * in the next round, so a session is never left with nobody to adopt it.
 */
export class SessionClaims {
  readonly #options: SessionClaimsOptions;
  readonly #claims = new Map<string, Claim>();
  #stopped = false;

  constructor(options: SessionClaimsOptions) {
    this.#options = options;
  }

  /** A member's Will was heard: claim its session, and reopen the claims it had won and not finished. */
  gone(member: string): void {
    if (this.#stopped || member === this.#options.member) return;
    // A Will heard again (redelivered after the feed reconnected) while a claim on that session is
    // decided and live must not start a second adoption beside the first.
    if (!this.#claims.has(member)) this.#claim(member, 'its Will');
    for (const [gone, claim] of this.#claims) {
      if (claim.winner === member && gone !== member) this.#claim(gone, `its adopter ${member} went away before ending it`);
    }
  }

  /** A claim or a done notice heard on `<feed>/claims/<gone>` (this process's own included). */
  heard(gone: string, message: ClaimMessage): void {
    if (this.#stopped) return;
    const { logger } = this.#options;
    if (message.done) {
      const claim = this.#claims.get(gone);
      clearTimeout(claim?.expiry);
      this.#claims.delete(gone);
      return;
    }
    const round = message.round ?? 1;
    const claim = this.#claims.get(gone) ?? { round: 0, winner: null, claiming: false, expiry: undefined };
    this.#claims.set(gone, claim);
    // A loser's claim of a decided round, or a stale one.
    if (round <= claim.round) return;
    claim.round = round;
    claim.winner = message.member ?? null;
    claim.claiming = false;
    clearTimeout(claim.expiry);
    claim.expiry = setTimeout(() => this.#claim(gone, `no adopter ended it within ${this.#options.expiresAfterMs / 1000} s`), this.#options.expiresAfterMs);
    claim.expiry.unref();
    if (message.origin === this.#options.origin) {
      logger.info({ clientId: gone, round }, 'won the claim on the session of a member that went away');
      this.#options.won(gone);
    } else logger.info({ clientId: gone, round, adopter: message.member }, 'another member claimed the session of a member that went away first; leaving it to that member');
  }

  /** This process ended the gone member's session: nobody needs to claim it again. */
  ended(gone: string): void {
    this.#options.publish(gone, { origin: this.#options.origin, member: this.#options.member, done: true });
  }

  stop(): void {
    this.#stopped = true;
    for (const claim of this.#claims.values()) clearTimeout(claim.expiry);
    this.#claims.clear();
  }

  #claim(gone: string, why: string): void {
    if (this.#stopped) return;
    const claim = this.#claims.get(gone) ?? { round: 0, winner: null, claiming: false, expiry: undefined };
    this.#claims.set(gone, claim);
    if (claim.claiming) return;
    claim.claiming = true;
    this.#options.logger.info({ clientId: gone, round: claim.round + 1, why }, 'claiming the session of a member that went away');
    this.#options.publish(gone, { origin: this.#options.origin, member: this.#options.member, round: claim.round + 1 });
  }
}
