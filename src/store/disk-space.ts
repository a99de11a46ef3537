import { statfsSync } from 'node:fs';
import { formatSize } from '../config/size.js';

/** Readings were refused because DATA_DIR is (nearly) full; the write was not attempted. */
export class StoreFullError extends Error {
  readonly code = 'STORE_FULL';
  constructor(dir: string, freeBytes: number, minFreeBytes: number) {
    super(`the disk of ${dir} has ${formatSize(freeBytes)} free, less than STORE_MIN_FREE (${formatSize(minFreeBytes)})`);
    this.name = 'StoreFullError';
  }
}

export interface DiskSpaceOptions {
  /** DATA_DIR: the file system the stores write to. */
  readonly dir: string;
  /** STORE_MIN_FREE: the space kept free so the database can always checkpoint and recover. */
  readonly minFreeBytes: number;
  /** How long one measurement is reused (statfs is cheap, but ingestion runs thousands a second). */
  readonly cacheMs?: number;
  readonly now?: () => number;
}

/**
 * Free space of DATA_DIR's file system, and the reserve kept there. Ingestion stops writing (and
 * acknowledging) while less than STORE_MIN_FREE is free, so SQLite never fills the disk itself: the
 * write-ahead log can always be checkpointed into the database (its size is bounded, see
 * sqlite-database.ts), and writing resumes by itself once space is back.
 */
export class DiskSpace {
  readonly dir: string;
  readonly minFreeBytes: number;
  readonly #cacheMs: number;
  readonly #now: () => number;
  #measuredAt = Number.NEGATIVE_INFINITY;
  #free: number | null = null;

  constructor(options: DiskSpaceOptions) {
    this.dir = options.dir;
    this.minFreeBytes = options.minFreeBytes;
    this.#cacheMs = options.cacheMs ?? 250;
    this.#now = options.now ?? Date.now;
  }

  /** Bytes available to this process, or null when the file system cannot tell. */
  freeBytes(fresh = false): number | null {
    const now = this.#now();
    if (fresh || now - this.#measuredAt >= this.#cacheMs) {
      this.#measuredAt = now;
      try {
        const stats = statfsSync(this.dir);
        this.#free = Number(stats.bavail) * Number(stats.bsize);
      } catch {
        this.#free = null;
      }
    }
    return this.#free;
  }

  /** @throws StoreFullError while less than the reserve is free. */
  check(fresh = false): void {
    if (this.minFreeBytes <= 0) return;
    const free = this.freeBytes(fresh);
    if (free !== null && free < this.minFreeBytes) throw new StoreFullError(this.dir, free, this.minFreeBytes);
  }
}
