import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * `DATA_DIR/.energy-monitoring`: what this product keeps in the directory, so that a database that
 * went missing (deleted, truncated to zero, a wrong volume mounted) is noticed instead of silently
 * recreated empty, and so that a file that was not closed cleanly, or changed while the product
 * was stopped, gets the full integrity check at the next start.
 */
export const MARKER_NAME = '.energy-monitoring';

export interface MarkedFile {
  /** When the product first created or adopted the file. */
  readonly createdAt: string;
  readonly role: string;
  /** True after a clean close (the write-ahead log checkpointed into the file), false while open. */
  readonly closedCleanly: boolean;
  /** Size and modification time at the clean close: a file changed since then is checked in full. */
  readonly size?: number;
  readonly mtimeMs?: number;
  /** Damage found while running: the next start checks the whole file. */
  readonly damaged?: string | null;
}

interface MarkerFile {
  readonly product: 'energy-monitoring';
  readonly files: Record<string, MarkedFile>;
}

export function markerPath(dir: string): string {
  return join(dir, MARKER_NAME);
}

/** The marker's entries, or null when there is no marker (a fresh DATA_DIR, or one from before markers). */
export function readMarker(dir: string): Record<string, MarkedFile> | null {
  const path = markerPath(dir);
  if (!existsSync(path)) return null;
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as Partial<MarkerFile>;
    return parsed && typeof parsed.files === 'object' && parsed.files !== null ? parsed.files : {};
  } catch {
    // Unreadable: earlier use is evident, but not of which file.
    return {};
  }
}

/**
 * Updates one file's entry (write to a temporary file, then rename: never a half-written marker).
 * Returns false when the marker cannot be written (a full or read-only disk); callers go on, and
 * the next start then checks the file in full.
 */
export function updateMarker(dir: string, fileName: string, entry: MarkedFile): boolean {
  try {
    const files = { ...(readMarker(dir) ?? {}), [fileName]: entry };
    const path = markerPath(dir);
    const temporary = `${path}.${process.pid}.tmp`;
    writeFileSync(temporary, `${JSON.stringify({ product: 'energy-monitoring', files } satisfies MarkerFile, null, 2)}\n`);
    renameSync(temporary, path);
    return true;
  } catch {
    return false;
  }
}
