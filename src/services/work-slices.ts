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
  #sliceStart = performance.now();
  #turn: Promise<void> | null = null;

  constructor(sliceMs = DEFAULT_SLICE_MS) {
    this.#sliceMs = sliceMs;
  }

  /** Whether the current slice is used up: the caller should `await pause()` before going on. */
  due(): boolean {
    return performance.now() - this.#sliceStart >= this.#sliceMs;
  }

  /**
   * Resolves once the event loop has turned (setImmediate runs after the poll phase, so waiting
   * I/O is served first); a new slice starts then. Every walk waiting meanwhile waits for the
   * same turn, and the first to resume uses the new slice.
   */
  pause(): Promise<void> {
    this.#turn ??= new Promise<void>((resolve) =>
      setImmediate(() => {
        this.#turn = null;
        this.#sliceStart = performance.now();
        resolve();
      }),
    );
    return this.#turn;
  }

  /** `pause()` when the slice is used up, else nothing (no promise is made). */
  breathe(): Promise<void> | undefined {
    return this.due() ? this.pause() : undefined;
  }
}
