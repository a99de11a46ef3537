/**
 * What a failed write means, whichever store raised it (the ingest path decides from this whether
 * to hold the acknowledgement and retry, or to stop writing into a damaged file): SQLite's result
 * codes (the stores that write files are SQLite's).
 */

/** SQLite result codes (primary, `code` of better-sqlite3's SqliteError) for a full or failing disk. */
const DISK_CODES = new Set(['SQLITE_FULL', 'SQLITE_IOERR', 'SQLITE_IOERR_WRITE', 'SQLITE_IOERR_FSYNC', 'SQLITE_IOERR_SHORT_READ']);
const CORRUPT_CODES = new Set(['SQLITE_CORRUPT', 'SQLITE_NOTADB', 'SQLITE_CORRUPT_INDEX', 'SQLITE_CORRUPT_VTAB', 'SQLITE_CORRUPT_SEQUENCE']);

/** Whether an error means the disk is full or failing (the write can succeed later). */
export function isDiskError(error: unknown): boolean {
  const code = errorCode(error);
  return code !== undefined && (DISK_CODES.has(code) || code.startsWith('SQLITE_IOERR'));
}

/** Whether an error means the store's file is damaged. */
export function isCorruptionError(error: unknown): boolean {
  const code = errorCode(error);
  return code !== undefined && (CORRUPT_CODES.has(code) || code.startsWith('SQLITE_CORRUPT'));
}

/** The `code` of a SQLite or Node error. */
export function errorCode(error: unknown): string | undefined {
  return error instanceof Error && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
}
