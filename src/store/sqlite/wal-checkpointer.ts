import { Piscina } from 'piscina';

export interface WalCheckpointerOptions {
  readonly file: string;
  /** Pages the writer adds to the log (its estimate) between two checkpoints. Default 1,000 (4 MiB). */
  readonly everyPages?: number;
  /** A checkpoint failed (a damaged page, a full disk): the writer's own checkpoints remain the bound. */
  readonly onError: (error: unknown) => void;
}

/** What the checkpoints did so far. */
export interface CheckpointCounts {
  readonly checkpoints: number;
  readonly failures: number;
  /** Frames the last checkpoint left in the log (the writer appended them meanwhile). */
  readonly framesLeft: number;
}

interface CheckpointAnswer {
  readonly busy: number;
  readonly log: number;
  readonly checkpointed: number;
}

const DEFAULT_EVERY_PAGES = 1_000;
/**
 * `wal_autocheckpoint` of a file checkpointed by a WalCheckpointer: the log's length at which a
 * commit checkpoints it on the committing thread, the bound if the worker falls behind or fails.
 * 16 MiB, as journal_size_limit (sqlite-database.ts).
 */
export const WRITER_CHECKPOINT_PAGES = 4_096;
/** Passive checkpoints per run while the writer keeps appending (each copies what came meanwhile). */
const ROUNDS = 4;
/** The worker stops after this long without a checkpoint, and starts again (about 50 ms) when one is due. */
const IDLE_MS = 30_000;

/**
 * Checkpoints a WAL database in a worker thread, so that the thread that commits only appends.
 *
 * SQLite's own checkpoint runs inside the commit that crosses `wal_autocheckpoint`: it copies the
 * log's pages into the file and syncs both, on the committing thread. For ingestion that was 40-50 %
 * of the cost of storing a group of readings (docs/benchmarks.md, "sixth pass"). The writer tells
 * this class how many pages each commit added (an estimate: the pages it touched); every
 * `everyPages` a passive checkpoint runs in the worker, while commits go on. The writer keeps a
 * higher `wal_autocheckpoint` of its own, so the log stays bounded if this worker falls behind or
 * fails. Durability is unchanged: a commit is in the log before it returns either way.
 */
export class WalCheckpointer {
  readonly #file: string;
  readonly #everyPages: number;
  readonly #onError: (error: unknown) => void;
  #pool: Piscina | null = null;
  #pages = 0;
  #running: Promise<void> | null = null;
  #closed = false;
  #counts = { checkpoints: 0, failures: 0, framesLeft: 0 };

  constructor(options: WalCheckpointerOptions) {
    this.#file = options.file;
    this.#everyPages = options.everyPages ?? DEFAULT_EVERY_PAGES;
    this.#onError = options.onError;
  }

  /** After a commit: `pages` is about what it appended to the log. */
  wrote(pages: number): void {
    this.#pages += pages;
    if (this.#pages < this.#everyPages || this.#running !== null || this.#closed) return;
    this.#pages = 0;
    this.#running = this.#checkpoint().finally(() => {
      this.#running = null;
    });
  }

  counts(): CheckpointCounts {
    return { ...this.#counts };
  }

  /** Waits for a checkpoint under way, then stops the worker (the writer's close checkpoints the rest). */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#running;
    await this.#pool?.destroy();
    this.#pool = null;
  }

  async #checkpoint(): Promise<void> {
    this.#pool ??= new Piscina({
      filename: new URL('./sqlite-checkpoint-worker.cjs', import.meta.url).href,
      minThreads: 0,
      maxThreads: 1,
      idleTimeout: IDLE_MS,
      // It holds one connection and SQLite's page cache: a small heap is plenty.
      resourceLimits: { maxYoungGenerationSizeMb: 2, maxOldGenerationSizeMb: 16 },
    });
    try {
      const answer = (await this.#pool.run({ file: this.#file, rounds: ROUNDS })) as CheckpointAnswer;
      this.#counts.checkpoints++;
      this.#counts.framesLeft = Math.max(0, answer.log - answer.checkpointed);
    } catch (error) {
      this.#counts.failures++;
      this.#onError(error);
    }
  }
}
