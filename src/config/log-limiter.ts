/**
 * Rate limit for log lines that a client (or a fault) can repeat thousands of times a second: at
 * most `perWindow` lines per key per window; the first line after a quiet spell says how many were
 * left out. Keys must come from a closed set (reasons, limit names), never from client input.
 */
export class LogLimiter {
  readonly #perWindow: number;
  readonly #windowMs: number;
  readonly #now: () => number;
  readonly #windows = new Map<string, { start: number; logged: number; suppressed: number }>();

  constructor(options: { perWindow?: number; windowMs?: number; now?: () => number } = {}) {
    this.#perWindow = options.perWindow ?? 10;
    this.#windowMs = options.windowMs ?? 60_000;
    this.#now = options.now ?? Date.now;
  }

  /**
   * Whether to log this occurrence of `key`; when it is logged, `suppressed` is how many were
   * left out before it (add it to the line).
   */
  take(key: string): { readonly log: boolean; readonly suppressed: number } {
    const now = this.#now();
    let window = this.#windows.get(key);
    if (!window || now - window.start >= this.#windowMs) {
      const suppressed = window?.suppressed ?? 0;
      window = { start: now, logged: 1, suppressed: 0 };
      this.#windows.set(key, window);
      return { log: true, suppressed };
    }
    if (window.logged < this.#perWindow) {
      window.logged++;
      const suppressed = window.suppressed;
      window.suppressed = 0;
      return { log: true, suppressed };
    }
    window.suppressed++;
    return { log: false, suppressed: 0 };
  }
}
