/** Retry timing for the forwarder: capped exponential backoff with jitter, and interruptible sleeps. */

export interface BackoffOptions {
  /** Delay after the first failure. Default 500 ms. */
  readonly initialMs?: number;
  /** Upper bound of the delay, however long the outage lasts. Default 30 s. */
  readonly maxMs?: number;
  /** Upper bound of a server's Retry-After that is honoured. Default 5 min. */
  readonly maxRetryAfterMs?: number;
}

/**
 * Delay before retry number `failures` (1 = after the first failure): the capped exponential
 * `min(max, initial × 2^(failures-1))`, jittered to between half and all of it so that many
 * instances recovering from the same outage do not retry in lockstep ("equal jitter").
 * A server's Retry-After (429/503) takes precedence, capped, plus a little jitter.
 */
export function retryDelayMs(
  failures: number,
  options: BackoffOptions = {},
  retryAfterMs?: number,
  random: () => number = Math.random,
): number {
  const initial = options.initialMs ?? 500;
  const max = options.maxMs ?? 30_000;
  if (retryAfterMs !== undefined) {
    const cap = options.maxRetryAfterMs ?? 300_000;
    return Math.min(cap, Math.max(0, retryAfterMs)) + Math.floor(random() * Math.min(1_000, initial));
  }
  const exponent = Math.min(Math.max(failures, 1) - 1, 30); // 2^30 × anything is past any cap
  const ceiling = Math.min(max, initial * 2 ** exponent);
  return Math.floor(ceiling / 2 + random() * (ceiling / 2));
}

/** A sleep that can be cut short: `wake()` ends the current sleep (or the next one, if none is running). */
export class Sleeper {
  private pending: (() => void) | undefined;
  private woken = false;

  /** Resolves true when woken, false when the time ran out. */
  sleep(ms: number): Promise<boolean> {
    if (this.woken) {
      this.woken = false;
      return Promise.resolve(true);
    }
    return new Promise((resolve) => {
      // unref: a pending retry must not keep an otherwise finished process alive.
      const timer = setTimeout(() => {
        this.pending = undefined;
        resolve(false);
      }, ms);
      timer.unref();
      this.pending = () => {
        clearTimeout(timer);
        this.pending = undefined;
        resolve(true);
      };
    });
  }

  wake(): void {
    if (this.pending) this.pending();
    else this.woken = true;
  }

  /** Forgets a wake-up that arrived while nobody slept. */
  reset(): void {
    this.woken = false;
  }
}
