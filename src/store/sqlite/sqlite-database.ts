import { existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { StartupConfigError } from '../../config/startup-error.js';

/**
 * Opening a SQLite file the way every store here needs it: WAL, bounded WAL growth, a schema
 * version with ordered migrations, and a damaged or unexpected file refused with a message that
 * names it (exit code 2), never silently recreated.
 */

export interface Migration {
  /** The schema version this step produces. */
  readonly to: number;
  readonly sql: string;
}

export interface OpenOptions {
  readonly file: string;
  /** What the file is, for messages ("readings store", "journal"). */
  readonly role: string;
  /** Creates the tables of the current version (idempotent). */
  readonly schema: string;
  readonly version: number;
  /** Steps from older versions, ascending by `to`. */
  readonly migrations?: readonly Migration[];
}

/** The database file is damaged or not what this product wrote: an operator must act. */
export class DamagedDatabaseError extends StartupConfigError {
  constructor(file: string, role: string, what: string, options?: ErrorOptions) {
    super(
      `The ${role} ${file} is damaged (${what}). Stop the product, restore the file from a backup ` +
        `(or move it aside to start with an empty ${role}), then start again.`,
      options,
    );
    this.name = 'DamagedDatabaseError';
  }
}

/** SQLite result codes (primary, `code` of better-sqlite3's SqliteError) for a full or failing disk. */
const DISK_CODES = new Set(['SQLITE_FULL', 'SQLITE_IOERR', 'SQLITE_IOERR_WRITE', 'SQLITE_IOERR_FSYNC', 'SQLITE_IOERR_SHORT_READ']);
const CORRUPT_CODES = new Set(['SQLITE_CORRUPT', 'SQLITE_NOTADB', 'SQLITE_CORRUPT_INDEX', 'SQLITE_CORRUPT_VTAB', 'SQLITE_CORRUPT_SEQUENCE']);

/** Whether a SQLite error means the disk is full or failing (the write can succeed later). */
export function isDiskError(error: unknown): boolean {
  const code = errorCode(error);
  return code !== undefined && (DISK_CODES.has(code) || code.startsWith('SQLITE_IOERR') || code === 'SQLITE_FULL');
}

/** Whether a SQLite error means the file is damaged. */
export function isCorruptionError(error: unknown): boolean {
  const code = errorCode(error);
  return code !== undefined && (CORRUPT_CODES.has(code) || code.startsWith('SQLITE_CORRUPT'));
}

function errorCode(error: unknown): string | undefined {
  return error instanceof Error && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
}

/**
 * Opens (creating when missing) and migrates a database. Checks the file before trusting it:
 * SQLite's quick check of every page's structure, so a file with damaged pages is refused at
 * start-up instead of failing some queries later and accepting writes into a broken file.
 */
export function openDatabase(options: OpenOptions): Database.Database {
  const { file, role } = options;
  mkdirSync(dirname(file), { recursive: true });
  const existed = existsSync(file) && statSync(file).size > 0;
  let db: Database.Database;
  try {
    db = new Database(file);
  } catch (error) {
    throw openFailure(file, role, error);
  }
  try {
    // WAL: readers do not block the writer, and a commit is one append to the -wal file.
    db.pragma('journal_mode = WAL');
    // NORMAL in WAL mode: a commit reaches the OS before it returns, so a crash of this process
    // loses nothing; only a power cut can lose the last commits (the file stays consistent). That
    // is the durability acknowledgements rest on, at tens of microseconds per commit.
    db.pragma('synchronous = NORMAL');
    db.pragma('busy_timeout = 5000');
    // Keep the WAL small: checkpoint every 1,000 pages and truncate the file back to 16 MiB after
    // a checkpoint, so recovering from a full disk never needs room for a huge WAL.
    db.pragma('wal_autocheckpoint = 1000');
    db.pragma(`journal_size_limit = ${16 * 1024 * 1024}`);
    if (existed) checkIntegrity(db, file, role);
    migrate(db, options);
    return db;
  } catch (error) {
    db.close();
    throw openFailure(file, role, error);
  }
}

/** Structural check of every page (not of index contents): refuses a damaged file. */
function checkIntegrity(db: Database.Database, file: string, role: string): void {
  const rows = db.pragma('quick_check(5)') as Array<{ quick_check: string }>;
  const problems = rows.map((row) => row.quick_check).filter((text) => text !== 'ok');
  if (problems.length > 0) throw new DamagedDatabaseError(file, role, problems.join('; '));
}

function migrate(db: Database.Database, options: OpenOptions): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > options.version) {
    throw new StartupConfigError(
      `The ${options.role} ${options.file} has schema version ${version}, newer than this build understands ` +
        `(${options.version}). Run the newer version of the product, or restore an older backup.`,
    );
  }
  db.transaction(() => {
    if (version > 0) {
      for (const step of options.migrations ?? []) if (step.to > version) db.exec(step.sql);
    }
    db.exec(options.schema);
    if (version < options.version) db.pragma(`user_version = ${options.version}`);
  })();
}

/** A clear, path-naming start-up error for what can go wrong opening a database. */
function openFailure(file: string, role: string, error: unknown): Error {
  if (error instanceof StartupConfigError) return error;
  if (isCorruptionError(error)) return new DamagedDatabaseError(file, role, (error as Error).message, { cause: error });
  const code = errorCode(error);
  const message = error instanceof Error ? error.message : String(error);
  if (code === 'SQLITE_CANTOPEN' || code === 'SQLITE_READONLY' || code === 'SQLITE_PERM' || code === 'EACCES' || code === 'EROFS') {
    return new StartupConfigError(
      `Cannot open the ${role} ${file} for writing (${message}). Check that DATA_DIR exists and that this user may write to it.`,
      { cause: error },
    );
  }
  if (isDiskError(error)) {
    return new StartupConfigError(`Cannot open the ${role} ${file}: the disk is full or failing (${message}).`, { cause: error });
  }
  return new StartupConfigError(`Cannot open the ${role} ${file}: ${message}`, { cause: error });
}
