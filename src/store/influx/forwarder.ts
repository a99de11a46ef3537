import type { Logger } from 'pino';
import { silentLogger } from '../../config/logger.js';
import { InfluxHttpError, InfluxUnreachableError, type EncodedLines } from './influx-http.js';
import { InvalidPointError, flatReadingToLine, type FlatReading } from './influx-points.js';
import { retryDelayMs, Sleeper, type BackoffOptions } from './backoff.js';

/**
 * Forwards readings from the local journal to InfluxDB.
 *
 * Guarantees:
 * - A reading leaves the journal only after InfluxDB answered 204 for a request containing it (or
 *   after it was quarantined as unwritable, see below). Anything else (errors, timeouts, a crash
 *   of this process) leaves it in the journal, to be sent again. Resending is harmless: the point
 *   has the same series and timestamp and InfluxDB merges it, so every reading ends up in
 *   InfluxDB exactly once.
 * - Outages are retried for as long as they last, with capped exponential backoff and jitter;
 *   429/503 Retry-After is honoured. The backlog is bounded only by the journal's disk.
 * - A batch InfluxDB rejects for its content (400 bad line protocol, 422 type conflict or beyond
 *   retention, 413 too large) is split in halves until the offending readings are isolated; those
 *   are quarantined: moved to the journal's quarantine table with InfluxDB's message, logged and
 *   counted, so nothing is silently dropped, and they no longer block the readings behind them.
 * - 401/403/404 (token, org or bucket wrong or revoked) are retried like an outage: the data is
 *   fine and an operator can fix the settings; the state stays `degraded` with the error meanwhile.
 * - Up to two requests are in flight, each for different points: a reading rewritten while its
 *   first version is on its way is sent only after that request ends, so it reaches InfluxDB
 *   after it (last write wins there). While requests are in flight the next batch is read from
 *   the journal, turned into lines and compressed, so that work overlaps InfluxDB's. After a
 *   failure, everything unconfirmed is read again from the journal after the backoff.
 */

/** The journal side: SqliteJournal satisfies this. */
export interface JournalSource {
  /** The oldest `limit` entries with a sequence number above `afterSeq`, oldest first; one per (panel, time). */
  peek(limit: number, afterSeq?: number): ReadonlyArray<{ readonly seq: number; readonly row: FlatReading }>;
  /** Removes confirmed entries (idempotent). */
  ack(seqs: readonly number[]): void;
  /** Removes the entries numbered fromSeq to toSeq, a whole batch read with peek() (idempotent). */
  ackRange(fromSeq: number, toSeq: number): void;
  /** Moves an entry InfluxDB can never store out of the way, keeping it with the reason. */
  quarantine(seq: number, reason: string): void;
  stats(): { readonly count: number; readonly oldestEnqueuedAt: Date | null };
}

/** The InfluxDB side: InfluxHttp satisfies this. */
export interface LineWriter {
  /** One request's body; may run while another request is in flight. */
  encode(lines: readonly string[]): Promise<EncodedLines>;
  /** Resolves only when InfluxDB answered 204; throws InfluxHttpError / InfluxUnreachableError. */
  writeEncoded(encoded: EncodedLines, signal?: AbortSignal): Promise<void>;
}

export interface ForwarderOptions {
  readonly source: JournalSource;
  readonly writer: LineWriter;
  /** Readings per request. Default 5,000. */
  readonly batchSize?: number;
  readonly backoff?: BackoffOptions;
  /** When idle, look at the journal this often even without notify() (another process may write it). Default 5 s. */
  readonly idlePollMs?: number;
  /** After notify(), wait this long so readings arriving together go in one request. Default 50 ms. */
  readonly lingerMs?: number;
  /** Default 5 s. */
  readonly stopDeadlineMs?: number;
  readonly logger?: Logger;
  /** The clock the backlog's age is read with (default Date.now). */
  readonly now?: () => number;
}

export type ForwarderState = 'ok' | 'degraded';

export interface ForwarderError {
  readonly message: string;
  readonly at: Date;
  /** HTTP status when InfluxDB answered. */
  readonly status?: number;
}

export interface ForwarderStats {
  /** `degraded` from a failed request until the next successful one. */
  readonly state: ForwarderState;
  readonly running: boolean;
  /** Readings waiting in the journal. */
  readonly backlog: number;
  /** How long the oldest waiting reading has been waiting (since it was journaled), or null. */
  readonly oldestUnsentAgeMs: number | null;
  readonly lastError: ForwarderError | null;
  readonly lastSuccessAt: Date | null;
  readonly consecutiveFailures: number;
  /** Readings confirmed by InfluxDB since start. */
  readonly sentTotal: number;
  /** Write requests made since start, successful or not. */
  readonly requestsTotal: number;
  readonly quarantinedTotal: number;
}

export interface QuarantinedReading {
  readonly seq: number;
  readonly row: FlatReading;
  readonly line: string | null;
  readonly reason: string;
}

export interface StopResult {
  /** Readings confirmed while stopping. */
  readonly flushed: number;
  /** Readings left in the journal for the next start. */
  readonly left: number;
}

const STILL_FAILING_LOG_MS = 5 * 60_000;

interface Entry {
  readonly seq: number;
  readonly row: FlatReading;
  readonly line: string;
}

const NOTHING: EncodedLines = { count: 0, body: Buffer.alloc(0) };

/**
 * Write requests in flight at once. InfluxDB handles concurrent writes in parallel (most of a
 * request's time is its own work and the WAL's sync), and two keep it busy while the next batch
 * is prepared; more would only queue there.
 */
const MAX_IN_FLIGHT = 2;

/** Journal rows read at a time while a batch is made. */
const PEEK_CHUNK = 1_000;

function pointKey(row: FlatReading): string {
  return `${row[0]}\u0000${row[1]}`;
}

/**
 * A batch read from the journal, ready to send. It keeps only its request body, its range of
 * sequence numbers and its point keys, not the rows and lines it was made of: those die young, so
 * the garbage collector never copies or promotes them while the request is in flight (it spent a
 * third of the forwarder's time on that). A batch InfluxDB refuses for its content is read again
 * from the journal to be split.
 */
interface Prepared {
  /** Journal entries read (some may have been quarantined instead of becoming lines). */
  readonly peeked: number;
  /** The lowest and the highest sequence number read: the next batch starts after lastSeq. */
  readonly firstSeq: number;
  readonly lastSeq: number;
  /** The points (panel and time) it writes. */
  readonly keys: ReadonlySet<string>;
  readonly encoded: EncodedLines;
}

export class Forwarder {
  private readonly source: JournalSource;
  private readonly writer: LineWriter;
  private batchSize: number;
  private readonly backoff: BackoffOptions;
  private readonly idlePollMs: number;
  private readonly lingerMs: number;
  private readonly stopDeadlineMs: number;
  private readonly log: Logger;
  private readonly now: () => number;

  private loop: Promise<void> | undefined;
  private stopping = false;
  private stopped: Promise<StopResult> | undefined;
  /** Aborted at the stop deadline: cancels a request still in flight then. */
  private readonly deadline = new AbortController();
  private readonly idle = new Sleeper();
  private readonly retry = new Sleeper();
  private notified = false;

  private consecutiveFailures = 0;
  private lastWarnAt = 0;
  private lastError: ForwarderError | null = null;
  private lastSuccessAt: Date | null = null;
  private sentTotal = 0;
  private requestsTotal = 0;
  private quarantinedTotal = 0;

  constructor(options: ForwarderOptions) {
    this.source = options.source;
    this.writer = options.writer;
    this.batchSize = options.batchSize ?? 5_000;
    if (!(Number.isInteger(this.batchSize) && this.batchSize > 0)) throw new RangeError(`batchSize must be a positive integer, got ${this.batchSize}`);
    this.backoff = options.backoff ?? {};
    this.idlePollMs = options.idlePollMs ?? 5_000;
    this.lingerMs = options.lingerMs ?? 50;
    this.stopDeadlineMs = options.stopDeadlineMs ?? 5_000;
    this.log = (options.logger ?? silentLogger).child({ component: 'influx-forwarder' });
    this.now = options.now ?? Date.now;
  }

  /** Starts the send loop (idempotent; a stopped forwarder does not start again, make a new one). */
  start(): void {
    if (this.loop || this.stopping) return;
    this.loop = this.run().catch((error: unknown) => {
      // run() handles every expected error itself; this is a bug or a broken journal.
      this.log.fatal({ err: error }, 'InfluxDB forwarder stopped unexpectedly; readings stay in the journal');
      this.recordFailure(error);
    });
  }

  /** New readings were journaled: send them promptly instead of at the next poll. */
  notify(): void {
    this.notified = true;
    this.idle.wake();
  }

  get state(): ForwarderState {
    return this.consecutiveFailures === 0 ? 'ok' : 'degraded';
  }

  stats(): ForwarderStats {
    const outbox = this.source.stats();
    return {
      state: this.state,
      running: this.loop !== undefined && !this.stopping,
      backlog: outbox.count,
      oldestUnsentAgeMs: outbox.oldestEnqueuedAt === null ? null : Math.max(0, this.now() - outbox.oldestEnqueuedAt.getTime()),
      lastError: this.lastError,
      lastSuccessAt: this.lastSuccessAt,
      consecutiveFailures: this.consecutiveFailures,
      sentTotal: this.sentTotal,
      requestsTotal: this.requestsTotal,
      quarantinedTotal: this.quarantinedTotal,
    };
  }

  /**
   * Stops: sends what it can until the deadline (no more backoff; the first failure ends it),
   * aborts a request still running at the deadline, and leaves everything unsent in the journal.
   */
  stop(options: { deadlineMs?: number } = {}): Promise<StopResult> {
    // Once: a second call (a close() after a shutdown handler, say) gets the first one's result.
    this.stopped ??= this.stopOnce(options.deadlineMs ?? this.stopDeadlineMs);
    return this.stopped;
  }

  private async stopOnce(deadlineMs: number): Promise<StopResult> {
    const sentBefore = this.sentTotal;
    this.stopping = true;
    this.idle.wake();
    this.retry.wake();
    const timer = setTimeout(() => this.deadline.abort(new Error(`forwarder stop deadline of ${deadlineMs} ms reached`)), deadlineMs);
    // Never started: still send what is waiting, within the same deadline.
    this.loop ??= this.flushForStop();
    try {
      await this.loop;
    } finally {
      clearTimeout(timer);
    }
    const left = this.source.stats().count;
    const flushed = this.sentTotal - sentBefore;
    this.log.info({ flushed, left }, left > 0 ? 'forwarder stopped; unsent readings stay in the journal' : 'forwarder stopped');
    return { flushed, left };
  }

  private async run(): Promise<void> {
    // Requests in flight, oldest first (at most MAX_IN_FLIGHT; see the class comment).
    const inFlight: Array<{ readonly batch: Prepared; readonly done: Promise<void> }> = [];
    // The highest sequence number handed to a request: the next batch is read after it.
    let cursor = 0;
    for (;;) {
      if (this.stopping) {
        await Promise.allSettled(inFlight.map((request) => request.done));
        return this.flushForStop();
      }
      if (inFlight.length < MAX_IN_FLIGHT) {
        if (inFlight.length === 0) {
          // Nothing in flight: read from the start (what a failed request held is there again).
          // Cleared before reading: a notify() from here on is for readings this read may miss.
          this.notified = false;
          cursor = 0;
        }
        const batch = await this.prepare(cursor, inFlight);
        if (batch.peeked > 0) {
          cursor = batch.lastSeq;
          if (batch.encoded.count > 0) {
            const done = this.send(batch, this.deadline.signal);
            done.catch(() => undefined); // awaited below, in order
            inFlight.push({ batch, done });
          }
          continue;
        }
        if (inFlight.length === 0) {
          if (this.consecutiveFailures > 0) this.recordSuccess(); // everything left was quarantined
          await this.idle.sleep(this.idlePollMs);
          // Let readings that arrive together go out together (unless stopping).
          if (this.notified && this.lingerMs > 0 && !this.stopping) await this.retry.sleep(this.lingerMs);
          continue;
        }
      }
      // The window is full, or nothing more can go now: wait for the oldest request.
      const oldest = inFlight.shift()!;
      try {
        await oldest.done;
        this.recordSuccess();
      } catch (error) {
        this.recordFailure(error);
        // The others may succeed or fail on their own; then everything unconfirmed is read again.
        await Promise.allSettled(inFlight.map((request) => request.done));
        inFlight.length = 0;
        if (this.stopping) continue;
        const retryAfter = error instanceof InfluxHttpError ? error.retryAfterMs : undefined;
        const delay = retryDelayMs(this.consecutiveFailures, this.backoff, retryAfter);
        this.log.debug({ delayMs: delay, failures: this.consecutiveFailures }, 'retrying InfluxDB write');
        // Only stop() cuts this short: new readings must not make us hammer a failing server.
        await this.retry.sleep(delay);
      }
    }
  }

  private async flushForStop(): Promise<void> {
    const signal = this.deadline.signal;
    while (!signal.aborted) {
      const batch = await this.prepare(0);
      if (batch.peeked === 0) return;
      try {
        await this.send(batch, signal);
        this.recordSuccess();
      } catch (error) {
        this.recordFailure(error);
        return;
      }
    }
  }

  /**
   * Reads the next batch after `afterSeq` and makes its request body. Readings that cannot become
   * a point are quarantined here. The journal holds one entry per (panel, time), so every line of
   * a batch is a different point.
   */
  private async prepare(afterSeq: number, inFlight: ReadonlyArray<{ readonly batch: Prepared }> = []): Promise<Prepared> {
    const lines: string[] = [];
    const keys = new Set<string>();
    let peeked = 0;
    let firstSeq = afterSeq;
    let lastSeq = afterSeq;
    let blocked = false;
    // Read in chunks, so only a chunk's rows are alive at once (they become garbage as their lines
    // are made, before the collector has to copy them).
    while (!blocked && peeked < this.batchSize) {
      const wanted = Math.min(PEEK_CHUNK, this.batchSize - peeked);
      const chunk = this.source.peek(wanted, lastSeq);
      for (const { seq, row } of chunk) {
        const key = pointKey(row);
        // A newer version of a reading still in flight waits for that request: two requests for
        // one point could reach InfluxDB in either order, and the older version would win.
        if (inFlight.some((request) => request.batch.keys.has(key))) {
          blocked = true;
          break;
        }
        keys.add(key);
        if (peeked === 0) firstSeq = seq;
        lastSeq = seq;
        peeked++;
        const line = this.lineOrQuarantine(seq, row);
        if (line !== null) lines.push(line);
      }
      if (chunk.length < wanted) break;
    }
    return {
      peeked,
      firstSeq,
      lastSeq,
      keys,
      // encode() joins the lines before it yields, so they are garbage from here on.
      encoded: lines.length === 0 ? NOTHING : await this.writer.encode(lines),
    };
  }

  /** The reading's line, or null when it cannot be a point (then it is quarantined). */
  private lineOrQuarantine(seq: number, row: FlatReading): string | null {
    try {
      return flatReadingToLine(row);
    } catch (error) {
      if (!(error instanceof InvalidPointError)) throw error;
      this.quarantine({ seq, row, line: null, reason: error.message });
      return null;
    }
  }

  /** Writes a prepared batch; one InfluxDB refuses for its content is read again and split. */
  private async send(batch: Prepared, signal: AbortSignal): Promise<void> {
    if (batch.encoded.count === 0) return;
    this.requestsTotal++;
    try {
      await this.writer.writeEncoded(batch.encoded, signal);
    } catch (error) {
      if (!(error instanceof InfluxHttpError && error.rejectsContent)) throw error;
      // The entries still waiting in the batch's range (a reading rewritten since has a higher
      // number and goes in a later batch).
      const entries: Entry[] = [];
      for (const { seq, row } of this.source.peek(batch.peeked, batch.firstSeq - 1)) {
        if (seq > batch.lastSeq) break;
        const line = this.lineOrQuarantine(seq, row);
        if (line !== null) entries.push({ seq, row, line });
      }
      await this.rejected(entries, error, signal);
      return;
    }
    // The batch's numbers are a contiguous run of the journal (its quarantined ones already gone).
    this.source.ackRange(batch.firstSeq, batch.lastSeq);
    this.sentTotal += batch.encoded.count;
  }

  /** Splits entries InfluxDB refused for their content in halves until the refused ones are alone; quarantines those. */
  private async rejected(entries: readonly Entry[], error: InfluxHttpError, signal: AbortSignal): Promise<void> {
    if (error.status === 413 && entries.length > 1) {
      // Too large for this server's limit: use smaller batches from now on.
      this.batchSize = Math.max(1, Math.floor(entries.length / 2));
    }
    if (entries.length === 1) {
      const [entry] = entries as [Entry];
      this.quarantine({ seq: entry.seq, row: entry.row, line: entry.line, reason: error.message });
      return;
    }
    if (entries.length === 0) return;
    this.log.warn(
      { status: error.status, code: error.code, detail: error.detail, lines: entries.length },
      'InfluxDB rejected a batch; splitting it to isolate the rejected readings',
    );
    const middle = Math.ceil(entries.length / 2);
    await this.write(entries.slice(0, middle), signal);
    await this.write(entries.slice(middle), signal);
  }

  /** Writes some entries of a refused batch, splitting again on content errors. */
  private async write(entries: readonly Entry[], signal: AbortSignal): Promise<void> {
    this.requestsTotal++;
    try {
      await this.writer.writeEncoded(await this.writer.encode(entries.map((e) => e.line)), signal);
    } catch (error) {
      if (!(error instanceof InfluxHttpError && error.rejectsContent)) throw error;
      await this.rejected(entries, error, signal);
      return;
    }
    this.source.ack(entries.map((e) => e.seq));
    this.sentTotal += entries.length;
  }

  private quarantine(entry: QuarantinedReading): void {
    this.source.quarantine(entry.seq, entry.reason);
    this.quarantinedTotal++;
    this.log.error(
      { panelId: entry.row[0], time: new Date(entry.row[1]), values: entry.row.slice(2), line: entry.line, reason: entry.reason },
      'reading quarantined: InfluxDB cannot store it; it is kept in the journal\'s quarantine table and not forwarded',
    );
  }

  private recordSuccess(): void {
    const wasDegraded = this.consecutiveFailures > 0;
    this.consecutiveFailures = 0;
    this.lastSuccessAt = new Date(this.now());
    if (wasDegraded) {
      this.log.info({ backlog: this.backlogForLog() }, 'InfluxDB writes succeed again');
    }
  }

  private recordFailure(error: unknown): void {
    const message = error instanceof Error ? error.message : String(error);
    const status = error instanceof InfluxHttpError ? error.status : undefined;
    this.lastError = { message, at: new Date(this.now()), ...(status === undefined ? {} : { status }) };
    this.consecutiveFailures++;
    const now = this.now();
    if (this.consecutiveFailures > 1 && now - this.lastWarnAt >= STILL_FAILING_LOG_MS) {
      // A long outage is logged every few minutes with the growing backlog, not on every retry.
      this.lastWarnAt = now;
      this.log.warn({ err: error, status, failures: this.consecutiveFailures, backlog: this.backlogForLog() }, 'InfluxDB writes still failing');
    }
    if (this.consecutiveFailures === 1) {
      this.lastWarnAt = now;
      const hint =
        error instanceof InfluxHttpError && error.isAccessProblem
          ? 'check INFLUX_TOKEN, INFLUX_ORG and INFLUX_BUCKET'
          : error instanceof InfluxUnreachableError
            ? 'InfluxDB is unreachable or slow'
            : undefined;
      this.log.warn({ err: error, status, hint }, 'InfluxDB write failed; readings stay in the journal and are retried');
    }
  }

  /** The backlog for a log line; a journal that cannot say must not turn logging into a crash. */
  private backlogForLog(): number | undefined {
    try {
      return this.source.stats().count;
    } catch {
      return undefined;
    }
  }

}
