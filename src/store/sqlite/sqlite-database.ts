import { existsSync, mkdirSync, statSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import Database from 'better-sqlite3';
import { formatSize } from '../../config/size.js';
import { StartupConfigError } from '../../config/startup-error.js';
import { errorCode, isCorruptionError, isDiskError } from '../store-errors.js';
import { markerPath, readMarker, updateMarker, type MarkedFile } from './data-dir-marker.js';

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
  /**
   * The bounded start-up check of a large file that was closed cleanly and not changed since: a
   * few index seeks into the big tables (quick_check reads every page: 1 s warm and 10 s cold for
   * 4.3 M readings). Tables not named in `largeTables` get SQLite's quick_check in full.
   */
  readonly probe?: (db: Database.Database) => void;
  /** Tables too large to check page by page at every start (checked in full after an unclean stop). */
  readonly largeTables?: readonly string[];
  /**
   * The log's length (pages) at which a commit checkpoints it on the committing thread. Default
   * 1,000 (4 MiB). A file checkpointed by a WalCheckpointer sets it higher: then it is only the bound.
   */
  readonly autocheckpointPages?: number;
}

/** Below this size the whole file gets quick_check at every start (a few ms per MiB). */
export const FULL_CHECK_MAX_BYTES = 64 * 1024 * 1024;

/** The database file is missing or empty although DATA_DIR shows it held data. */
export class MissingDatabaseError extends StartupConfigError {
  constructor(file: string, role: string, what: string) {
    super(
      `The ${role} ${file} is ${what}, but ${markerPath(dirname(file))} shows this DATA_DIR held it before. ` +
        `Restore the file from a backup (or mount the right volume) and start again; to start over with an empty ` +
        `${role} on purpose, delete ${markerPath(dirname(file))}.`,
    );
    this.name = 'MissingDatabaseError';
  }
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

/**
 * Whether an error shows a damaged file: SQLite's code, or its message when the error crossed a
 * worker thread (structured cloning keeps the message, not the code).
 */
export function looksDamaged(error: unknown): boolean {
  if (isCorruptionError(error)) return true;
  const message = error instanceof Error ? error.message : '';
  return /database disk image is malformed|file is not a database|SQLITE_CORRUPT|SQLITE_NOTADB/i.test(message);
}

/**
 * Opens (creating when missing) and migrates a database. Checks the file before trusting it:
 * SQLite's quick check of every page's structure after an unclean stop, when the file changed
 * since it was closed, or when it is small; a bounded check otherwise. A file with damaged pages is
 * refused at start-up instead of failing some queries later and accepting writes into a broken
 * file, and a file that went missing while DATA_DIR shows earlier use is not silently recreated.
 */
export function openDatabase(options: OpenOptions): Database.Database {
  const { file, role } = options;
  mkdirSync(dirname(file), { recursive: true });
  const dir = dirname(file);
  const name = basename(file);
  const marked = readMarker(dir)?.[name];
  const stat = existsSync(file) ? statSync(file) : null;
  const existed = stat !== null && stat.size > 0;
  if (!existed) {
    if (marked) throw new MissingDatabaseError(file, role, stat === null ? 'missing' : 'empty (0 bytes)');
    const wal = `${file}-wal`;
    if (existsSync(wal) && statSync(wal).size > 0) {
      throw new MissingDatabaseError(file, role, `${stat === null ? 'missing' : 'empty'} while its write-ahead log ${wal} is not`);
    }
  }
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
    // Keep the WAL small: checkpoint every 1,000 pages (4 MiB; at most 4,096 where a worker
    // checkpoints) and truncate the file back to 16 MiB after a checkpoint, so recovering from a
    // full disk never needs room for a huge WAL (STORE_MIN_FREE keeps more than that free).
    db.pragma(`wal_autocheckpoint = ${options.autocheckpointPages ?? 1000}`);
    db.pragma(`journal_size_limit = ${16 * 1024 * 1024}`);
    if (existed) {
      const unchanged = marked?.closedCleanly === true && !marked.damaged && marked.size === stat.size && marked.mtimeMs === stat.mtimeMs;
      if (unchanged && stat.size > FULL_CHECK_MAX_BYTES) checkBounded(db, options, stat.size);
      else checkIntegrity(db, file, role, marked?.damaged ?? null);
    }
    migrate(db, options);
  } catch (error) {
    db.close();
    throw openFailure(file, role, error);
  }
  // In use: until a clean close, the next start checks the whole file.
  updateMarker(dir, name, { createdAt: marked?.createdAt ?? new Date().toISOString(), role, closedCleanly: false, damaged: null });
  return db;
}

/**
 * Checkpoints the write-ahead log into the file, closes it and records the clean close (size and
 * modification time) in DATA_DIR's marker, so the next start may use the bounded check.
 */
export function closeDatabase(db: Database.Database, file: string, role: string): void {
  let checkpointed = false;
  try {
    db.pragma('wal_checkpoint(TRUNCATE)');
    checkpointed = true;
  } finally {
    db.close();
    const dir = dirname(file);
    const name = basename(file);
    const marked = readMarker(dir)?.[name];
    if (checkpointed && existsSync(file) && !marked?.damaged) {
      const stat = statSync(file);
      updateMarker(dir, name, { createdAt: marked?.createdAt ?? new Date().toISOString(), role, closedCleanly: true, size: stat.size, mtimeMs: stat.mtimeMs, damaged: null });
    }
  }
}

/** Records damage found while running: the next start checks (and refuses) the whole file. */
export function markDamaged(file: string, role: string, problem: string): void {
  const marked: MarkedFile | undefined = readMarker(dirname(file))?.[basename(file)];
  updateMarker(dirname(file), basename(file), { createdAt: marked?.createdAt ?? new Date().toISOString(), role, closedCleanly: false, damaged: problem });
}

/** Structural check of every page (not of index contents): refuses a damaged file. */
function checkIntegrity(db: Database.Database, file: string, role: string, damagedBefore: string | null): void {
  const rows = db.pragma('quick_check(5)') as Array<{ quick_check: string }>;
  const problems = rows.map((row) => row.quick_check).filter((text) => text !== 'ok');
  // A file restored since damage was recorded passes, and is used again.
  if (problems.length > 0) throw new DamagedDatabaseError(file, role, [...problems, ...(damagedBefore ? [`first seen while running: ${damagedBefore}`] : [])].join('; '));
}

/**
 * The start-up check of a large file that was closed cleanly and not changed since (size and
 * modification time as recorded at the close): the file is as long as its header says, the small
 * tables get quick_check, and the large ones are probed by index seeks. Bounded by the number of
 * panels, not by the number of readings.
 */
function checkBounded(db: Database.Database, options: OpenOptions, size: number): void {
  const pageSize = db.pragma('page_size', { simple: true }) as number;
  const pageCount = db.pragma('page_count', { simple: true }) as number;
  if (pageSize * pageCount > size) {
    throw new DamagedDatabaseError(options.file, options.role, `its header counts ${pageCount} pages of ${pageSize} bytes, but the file has only ${formatSize(size)}`);
  }
  const large = new Set(options.largeTables ?? []);
  const tables = (db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").all() as Array<{ name: string }>).map((row) => row.name);
  for (const table of tables) {
    if (large.has(table)) continue;
    const rows = db.pragma(`quick_check("${table.replaceAll('"', '""')}")`) as Array<{ quick_check: string }>;
    const problems = rows.map((row) => row.quick_check).filter((text) => text !== 'ok');
    if (problems.length > 0) throw new DamagedDatabaseError(options.file, options.role, problems.slice(0, 5).join('; '));
  }
  options.probe?.(db);
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
