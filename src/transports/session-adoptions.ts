import type { Logger } from '../config/logger.js';

export interface SessionAdoptionsOptions {
  /** This process's own ingest client id (its own Will is never adopted by itself). */
  readonly own: string;
  /** Takes over a gone member's session and stores what it holds (Ingestion.adopt). */
  readonly adopt: ((clientId: string) => Promise<{ readonly messages: number; readonly ended: boolean }>) | undefined;
  /** The session was ended at the broker: nobody needs to adopt it again (StoredFeed.sessionEnded). */
  readonly ended: (clientId: string) => void;
  readonly logger: Logger;
  /** Longest random wait before adopting (from before claims decided one adopter; a short pause after the claim). Default 2 s. */
  readonly jitterMs?: number;
  readonly random?: () => number;
}

/**
 * Acts on shared-group members' "gone" notices (their Wills, heard on the stored-readings feed):
 * adopts each gone member's broker session once at a time. Claims (SessionClaims) make one member
 * the adopter; when its adoption cannot end the session (InfluxDB away), it is claimed again later.
 * A reading stored twice is one point in InfluxDB and applied once by the live parts.
 */
export class SessionAdoptions {
  readonly #options: SessionAdoptionsOptions;
  readonly #running = new Map<string, Promise<void>>();
  /** Adoptions still waiting out their jitter: stop() cancels them. */
  readonly #waiting = new Map<NodeJS.Timeout, () => void>();
  #stopped = false;

  constructor(options: SessionAdoptionsOptions) {
    this.#options = options;
  }

  take(clientId: string): void {
    const { adopt, logger } = this.#options;
    if (this.#stopped || clientId === this.#options.own || this.#running.has(clientId)) return;
    if (!adopt) {
      logger.warn({ clientId }, 'a shared-group member went away, but this process cannot adopt its session (MQTT 5 is needed)');
      return;
    }
    const wait = Math.floor((this.#options.random ?? Math.random)() * (this.#options.jitterMs ?? 2_000));
    const run = new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.#waiting.delete(timer);
        if (this.#stopped) return resolve();
        logger.warn({ clientId }, 'a shared-group member went away without a clean stop: adopting its broker session');
        adopt(clientId)
          .then(({ ended }) => {
            if (ended) this.#options.ended(clientId);
            else logger.warn({ clientId }, 'the adopted session still holds messages InfluxDB has not confirmed; it is claimed again later');
          })
          .catch((error: unknown) => logger.error({ err: error, clientId }, 'could not adopt the session of a member that went away; the broker keeps it until MQTT_SESSION_EXPIRY'))
          .finally(resolve);
      }, wait);
      this.#waiting.set(timer, resolve);
    }).finally(() => this.#running.delete(clientId));
    this.#running.set(clientId, run);
  }

  /** Waits for adoptions in progress (they end their own connections); starts no new one. */
  async stop(): Promise<void> {
    this.#stopped = true;
    for (const [timer, resolve] of this.#waiting) {
      clearTimeout(timer);
      resolve();
    }
    this.#waiting.clear();
    await Promise.all(this.#running.values());
  }
}
