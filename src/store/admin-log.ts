import { ADMIN_CHANGE_KINDS, adminChangeSchema, describeIssues, type AdminRecord } from '../models/admin-change.js';

/**
 * The append-only record of operators' and administrators' changes, kept in the store of record
 * (the embedded SQLite file, or InfluxDB), so every process of a site sees the same changes.
 */
export interface AdminLog {
  /** Appends durably; throws when the store of record cannot take it (the change did not happen). */
  append(record: AdminRecord): Promise<void>;
  /**
   * Every entry, oldest first (by time, then id): the records this version can interpret, and the
   * ones it cannot. Throws when an entry is damaged (its bytes are not JSON): that is corruption,
   * and start-up stops on it.
   */
  all(): Promise<AdminLogContents>;
}

export interface AdminLogContents {
  readonly records: readonly AdminRecord[];
  /** Entries that are intact JSON but not a change this version knows (see interpretEntries). */
  readonly unreadable: readonly UnreadableAdminEntry[];
}

/** An entry skipped because this version cannot interpret it; shown to operators and counted. */
export interface UnreadableAdminEntry {
  readonly id: string;
  readonly at: Date;
  readonly actor: string;
  /** The entry's `kind`, when it has one. */
  readonly kind: string | null;
  /**
   * The API key the entry names, if any. Such a key is treated as revoked: an entry this version
   * cannot read might be a revocation, and a key must not come back to life because of it.
   */
  readonly keyId: string | null;
  /** Why it was skipped, in one line. */
  readonly reason: string;
}

/** One entry as the store holds it: the change still as its JSON text. */
export interface StoredAdminEntry {
  readonly id: string;
  readonly at: Date;
  readonly actor: string;
  readonly changeJson: string;
}

/** Orders records by time, then id (two changes in the same millisecond keep a stable order). */
export function compareRecords(a: { id: string; at: Date }, b: { id: string; at: Date }): number {
  return a.at.getTime() - b.at.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** Longest reason kept for an unreadable entry (zod lists every issue; a few are enough). */
const MAX_REASON = 300;

/**
 * Interprets stored entries with the same schema the API checks changes with. An entry whose JSON
 * does not parse, or whose time is not a time, is damage: `damaged` makes the error to throw
 * (start-up stops with exit 2). An entry that is intact JSON but not a change this version knows
 * (another version wrote it: an unknown kind, a field added or narrowed) is skipped and returned
 * in `unreadable`.
 */
export function interpretEntries(entries: Iterable<StoredAdminEntry>, damaged: (entry: StoredAdminEntry, reason: string) => Error): AdminLogContents {
  const records: AdminRecord[] = [];
  const unreadable: UnreadableAdminEntry[] = [];
  for (const entry of entries) {
    const json = parseStoredJson(entry, damaged);
    const parsed = adminChangeSchema.safeParse(json);
    if (parsed.success) {
      records.push({ id: entry.id, at: entry.at, actor: entry.actor, change: parsed.data });
      continue;
    }
    const fields = typeof json === 'object' && json !== null && !Array.isArray(json) ? (json as Record<string, unknown>) : {};
    const kind = typeof fields.kind === 'string' ? fields.kind : null;
    const keyId = typeof fields.keyId === 'string' ? fields.keyId : null;
    const reason =
      kind === null ? 'not a change (no "kind")' : !ADMIN_CHANGE_KINDS.has(kind) ? `unknown kind (written by another version?)` : describeIssues(parsed.error, 'change');
    unreadable.push({ id: entry.id, at: entry.at, actor: entry.actor, kind: kind?.slice(0, 80) ?? null, keyId: keyId?.slice(0, 64) ?? null, reason: reason.slice(0, MAX_REASON) });
  }
  return { records: records.sort(compareRecords), unreadable: unreadable.sort(compareRecords) };
}

/** Checks that an entry is intact (its JSON parses, its time is a time); throws `damaged` if not. */
export function parseStoredJson(entry: StoredAdminEntry, damaged: (entry: StoredAdminEntry, reason: string) => Error): unknown {
  if (!Number.isFinite(entry.at.getTime())) throw damaged(entry, 'its time is not a time');
  try {
    return JSON.parse(entry.changeJson) as unknown;
  } catch (error) {
    throw damaged(entry, `its change is not JSON (${(error as Error).message})`);
  }
}
