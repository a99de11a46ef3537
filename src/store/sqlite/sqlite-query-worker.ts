import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/**
 * Runs the store's long read queries (energy over months of readings takes seconds) on a
 * read-only connection in a worker thread. better-sqlite3 is synchronous: on the main thread such
 * a query would stall the event loop, and with it MQTT acknowledgements and every request. WAL
 * lets this reader see every committed write without blocking the writer.
 *
 * The worker's code is inline (eval) so it runs the same under tsx, vitest and the compiled build.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file, { readonly: true, fileMustExist: true });
db.pragma('busy_timeout = 5000');
const statements = new Map();
parentPort.on('message', ({ id, sql, params }) => {
  try {
    let statement = statements.get(sql);
    if (!statement) {
      statement = db.prepare(sql);
      statements.set(sql, statement);
    }
    parentPort.postMessage({ id, rows: statement.all(params) });
  } catch (error) {
    parentPort.postMessage({ id, error: error && error.message ? error.message : String(error) });
  }
});
`;

interface Pending {
  resolve(rows: unknown[]): void;
  reject(error: Error): void;
}

export class SqliteQueryWorker {
  readonly #worker: Worker;
  readonly #pending = new Map<number, Pending>();
  #nextId = 0;
  #failure: Error | null = null;

  constructor(file: string) {
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    this.#worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { file, driver } });
    this.#worker.on('message', (message: { id: number; rows?: unknown[]; error?: string }) => {
      const pending = this.#pending.get(message.id);
      if (!pending) return;
      this.#pending.delete(message.id);
      if (message.error !== undefined) pending.reject(new Error(`SQLite query failed: ${message.error}`));
      else pending.resolve(message.rows ?? []);
    });
    this.#worker.on('error', (error) => this.#failAll(error));
    this.#worker.on('exit', (code) => this.#failAll(new Error(`SQLite query worker exited (code ${code})`)));
  }

  /** Queries sent and not yet answered. */
  get pending(): number {
    return this.#pending.size;
  }

  all<T>(sql: string, params: Record<string, unknown>): Promise<T[]> {
    if (this.#failure) return Promise.reject(this.#failure);
    const id = this.#nextId++;
    return new Promise<T[]>((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as (rows: unknown[]) => void, reject });
      this.#worker.postMessage({ id, sql, params });
    });
  }

  async close(): Promise<void> {
    await this.#worker.terminate();
  }

  #failAll(error: Error): void {
    this.#failure ??= error;
    for (const pending of this.#pending.values()) pending.reject(error);
    this.#pending.clear();
  }
}

/**
 * A few query workers; each query goes to the least busy one, so a long query (a year of energy
 * for every panel) does not hold up the short ones behind it (today's usage for the dashboard).
 */
export class SqliteQueryPool {
  readonly #workers: SqliteQueryWorker[];

  constructor(file: string, size = 2) {
    this.#workers = Array.from({ length: size }, () => new SqliteQueryWorker(file));
  }

  all<T>(sql: string, params: Record<string, unknown>): Promise<T[]> {
    const idle = this.#workers.reduce((best, worker) => (worker.pending < best.pending ? worker : best));
    return idle.all<T>(sql, params);
  }

  async close(): Promise<void> {
    await Promise.all(this.#workers.map((worker) => worker.close()));
  }
}
