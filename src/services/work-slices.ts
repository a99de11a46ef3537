/** How long a walk may hold the event loop before it lets the loop turn (ms). */
export const DEFAULT_SLICE_MS = 5;

/**
 * Cooperative time slicing for long walks on the main thread (history windows, summaries, bills).
 *
 * A walk asks `due()` every so often and, when it is, awaits `pause()`. The slice is shared by every
 * walk that uses the same instance: graphql-js starts all the resolvers of an operation (20 aliases,
 * say) in one macrotask, and their `await`s on settled promises never leave it, so a slice per walk
 * would add up to 20 slices between two turns of the loop. With one shared slice the loop turns
 * (timers, sockets: /health, PUBACKs) at least every `sliceMs` plus one step of work, however many
 * walks are running.
 */
export class WorkSlices {
  readonly #sliceMs: number;
  #sliceStart = 0;
  /** Whether a slice is running in this turn of the event loop (it ends when the loop turns). */
  #open = false;
  #turn: Promise<void> | null = null;
  /** Walks paused and not yet resumed: a walk that has not paused waits behind them. */
  #waiting = 0;
  readonly #close = () => {
    this.#open = false;
  };

  constructor(sliceMs = DEFAULT_SLICE_MS) {
    this.#sliceMs = sliceMs;
  }

  /**
   * Whether the current slice is used up: the caller should `await pause()` before going on.
   *
   * A slice starts at the first check after the loop has turned, not at the last pause: a walk
   * that starts long after the last one ended has not held the loop, and pausing it at its first
   * step would only send it behind every request that arrived meanwhile (a history chart, which
   * takes about a millisecond, came back in any order, and its p99 was 2.5× its p50).
   */
  due(): boolean {
    const now = performance.now();
    if (!this.#open) this.#start(now);
    return this.#waiting > 0 || now - this.#sliceStart >= this.#sliceMs;
  }

  /**
   * Resolves once the event loop has turned (setImmediate runs after the poll phase, so waiting
   * I/O is served first); a new slice starts then. Every walk waiting meanwhile waits for the
   * same turn, and they resume in the order they paused, the first with the new slice.
   *
   * While walks wait, `due()` is true for every other walk too, so one that starts meanwhile (a
   * request read in the poll phase) queues behind them instead of taking the new slice first.
   * Without that, walks paused once were overtaken turn after turn by requests that arrived later:
   * at c=10 a chart's p90 was twice its p50 (docs/benchmarks.md, fifth pass).
   */
  pause(): Promise<void> {
    this.#waiting++;
    this.#turn ??= new Promise<void>((resolve) =>
      setImmediate(() => {
        this.#turn = null;
        this.#waiting = 0;
        this.#start(performance.now());
        resolve();
      }),
    );
    return this.#turn;
  }

  /** `pause()` when the slice is used up, else nothing (no promise is made). */
  breathe(): Promise<void> | undefined {
    return this.due() ? this.pause() : undefined;
  }

  /** A slice from `now` until the loop turns again (a check after it starts the next). */
  #start(now: number): void {
    this.#sliceStart = now;
    this.#open = true;
    setImmediate(this.#close);
  }
}
