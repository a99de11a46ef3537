import { Piscina } from 'piscina';
import type { CounterColumns } from '../reading-store.js';

/** When a pool's workers are replaced: after scanning this many rows, once idle this long. */
export interface ReadPoolRecycling {
  readonly afterRows: number;
  readonly idleMs: number;
}

/**
 * A worker's heap grows with the scans it answers, and V8 keeps what it grew: after the start-up
 * walk of 4.32 M readings the two workers held about 35 MB more than fresh ones (line 2 of
 * `npm run bench`, docs/benchmarks.md). A start-up walk pauses only for milliseconds between
 * chunks, so a second of quiet means it is over.
 */
const DEFAULT_RECYCLING: ReadPoolRecycling = { afterRows: 100_000, idleMs: 1_000 };

/**
 * Long reads of the SQLite store (scans for the counting rule, downsampling for history) on
 * read-only connections in worker threads, through piscina: a worker that dies is replaced, and a
 * failed task rejects only itself. `ping` runs a query in a worker, so readiness covers the pool.
 *
 * Workers start when reads come (about 50 ms for the first) and stop after a minute without any.
 * Once the workers have scanned `recycling.afterRows` rows and the pool has then been idle for
 * `recycling.idleMs`, the pool is replaced by a fresh one: the memory the scans grew goes back to
 * the system instead of staying with workers that mostly sit idle afterwards. The fresh pool starts
 * one worker at once, so the next read does not wait for it.
 */
export class SqliteReadPool {
  #pool: Piscina;
  readonly #file: string;
  readonly #threads: number;
  readonly #recycling: ReadPoolRecycling;
  #inFlight = 0;
  #scannedRows = 0;
  #recycleTimer: NodeJS.Timeout | null = null;
  #closed = false;

  constructor(file: string, threads = 2, recycling: ReadPoolRecycling = DEFAULT_RECYCLING) {
    this.#file = file;
    this.#threads = threads;
    this.#recycling = recycling;
    this.#pool = this.#create();
  }

  /** Up to `limit` readings of one panel from `fromMs` on, as columns. */
  async scan(panelId: string, fromMs: number, limit: number): Promise<CounterColumns> {
    const packed = await this.#run<Float64Array>({ op: 'scan', file: this.#file, panelId, fromMs, limit }, (columns) => columns.length / 6);
    const n = packed.length / 6;
    const column = (i: number) => packed.subarray(i * n, (i + 1) * n);
    return { t: column(0), kwh: column(1), kw: column(2), pf: column(3), kvarh: column(4), kva: column(5) };
  }

  downsample<Row>(params: { panelId: string; from: number; to: number; every: number }): Promise<Row[]> {
    return this.#run<Row[]>({ op: 'downsample', file: this.#file, params });
  }

  /** Runs a query in a worker; resolves with that worker's thread id. */
  async ping(): Promise<number> {
    const answer = await this.#run<{ one: number; threadId: number }>({ op: 'ping', file: this.#file });
    if (answer.one !== 1) throw new Error('SQLite read worker did not answer SELECT 1');
    return answer.threadId;
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#recycleTimer) clearTimeout(this.#recycleTimer);
    await this.#pool.destroy();
  }

  #create(): Piscina {
    return new Piscina({
      filename: new URL('./sqlite-read-worker.cjs', import.meta.url).href,
      minThreads: 0,
      maxThreads: this.#threads,
      // Bounded queue: a flood of history requests waits here, not in unbounded memory.
      maxQueue: 1_000,
      idleTimeout: 60_000,
    });
  }

  /** Runs `task` on the current pool; `rows` says how many rows its answer scanned (none: not a scan). */
  async #run<T>(task: object, rows?: (result: T) => number): Promise<T> {
    this.#inFlight++;
    if (this.#recycleTimer) {
      clearTimeout(this.#recycleTimer);
      this.#recycleTimer = null;
    }
    try {
      const result = (await this.#pool.run(task)) as T;
      if (rows) this.#scannedRows += rows(result);
      return result;
    } finally {
      this.#inFlight--;
      if (this.#inFlight === 0 && this.#scannedRows >= this.#recycling.afterRows && !this.#closed) {
        this.#recycleTimer = setTimeout(() => this.#recycle(), this.#recycling.idleMs).unref();
      }
    }
  }

  #recycle(): void {
    this.#recycleTimer = null;
    if (this.#inFlight > 0 || this.#closed) return;
    const old = this.#pool;
    this.#pool = this.#create();
    this.#scannedRows = 0;
    // Nothing runs on it (no task in flight): its workers just end.
    void old.destroy();
    // One fresh worker starts now rather than at the next read: starting takes about 50 ms, and
    // the next read is typically a chart's current hour after a reading, which every chart of
    // that panel in flight waits for (all of them stalled by 50-90 ms in line 2 of the bench). It
    // still ends after a minute without reads. A failure here is not lost: the read that needs
    // the worker reports it.
    this.#pool.run({ op: 'ping', file: this.#file }).catch(() => undefined);
  }
}
