import { Piscina } from 'piscina';
import type { CounterColumns } from '../reading-store.js';

/**
 * Long reads of the SQLite store (scans for the counting rule, downsampling for history) on
 * read-only connections in worker threads, through piscina: a worker that dies is replaced, and a
 * failed task rejects only itself. `ping` runs a query in a worker, so readiness covers the pool.
 */
export class SqliteReadPool {
  readonly #pool: Piscina;
  readonly #file: string;

  constructor(file: string, threads = 2) {
    this.#file = file;
    this.#pool = new Piscina({
      filename: new URL('./sqlite-read-worker.cjs', import.meta.url).href,
      minThreads: threads,
      maxThreads: threads,
      // Bounded queue: a flood of history requests waits here, not in unbounded memory.
      maxQueue: 1_000,
      idleTimeout: 60_000,
    });
  }

  /** Up to `limit` readings of one panel from `fromMs` on, as columns. */
  async scan(panelId: string, fromMs: number, limit: number): Promise<CounterColumns> {
    const packed = (await this.#pool.run({ op: 'scan', file: this.#file, panelId, fromMs, limit })) as Float64Array;
    const n = packed.length / 6;
    const column = (i: number) => packed.subarray(i * n, (i + 1) * n);
    return { t: column(0), kwh: column(1), kw: column(2), pf: column(3), kvarh: column(4), kva: column(5) };
  }

  downsample<Row>(params: { panelId: string; from: number; to: number; every: number }): Promise<Row[]> {
    return this.#pool.run({ op: 'downsample', file: this.#file, params }) as Promise<Row[]>;
  }

  async ping(): Promise<void> {
    const one = (await this.#pool.run({ op: 'ping', file: this.#file })) as number;
    if (one !== 1) throw new Error('SQLite read worker did not answer SELECT 1');
  }

  async close(): Promise<void> {
    await this.#pool.destroy();
  }
}
