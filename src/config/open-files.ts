import { readFileSync } from 'node:fs';

/** File descriptors kept for the process itself: SQLite files and their WAL, worker threads, logs, DNS. */
export const RESERVED_FILES = 100;
/** The most connections an automatic default allows, whatever the open-file limit. */
const AUTO_MAX = 10_000;

/**
 * The soft limit on open files (RLIMIT_NOFILE) of this process, from /proc/self/limits; null
 * where that cannot be read. Node raises the soft limit to the hard one at start, so this is what
 * the process may really open.
 */
export function openFileLimit(): number | null {
  try {
    const line = readFileSync('/proc/self/limits', 'utf8')
      .split('\n')
      .find((entry) => entry.startsWith('Max open files'));
    const soft = line?.split(/\s{2,}/)[1];
    const value = soft === undefined || soft === 'unlimited' ? Number.NaN : Number(soft);
    return Number.isSafeInteger(value) ? value : null;
  } catch {
    return null;
  }
}

/**
 * The default of HTTP_MAX_CONNECTIONS and MQTT_MAX_CONNECTIONS: half each of the open-file limit
 * less RESERVED_FILES, so that neither port's clients can take the descriptors the other needs (at
 * a limit of 1,024: 462 each), at most 10,000.
 */
export function autoConnectionLimit(limit: number | null = openFileLimit()): number {
  if (limit === null) return 1_000;
  return Math.max(16, Math.min(AUTO_MAX, Math.floor((limit - RESERVED_FILES) / 2)));
}
