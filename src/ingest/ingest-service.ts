import { LogLimiter } from '../config/log-limiter.js';
import type { Logger } from '../config/logger.js';
import type { Reading } from '../models/reading.js';
import type { AfterWrite } from '../pipeline/after-write.js';
import type { LimitName, Metrics } from '../config/metrics.js';
import { StoreFullError, type DiskSpace } from '../store/disk-space.js';
import type { DurableWriter } from '../store/reading-store.js';
import { DamagedStoreError, storeConditionOf } from '../store/store-condition.js';
import { isCorruptionError, isDiskError } from '../store/store-errors.js';
import type { PanelAdmission } from './panel-admission.js';
import { parseReading, type ParseContext } from './parse-reading.js';
import type { RejectReason } from './reject-reasons.js';
import type { RejectionStats } from './rejection-stats.js';

export type IngestOutcome =
  | { readonly status: 'stored'; readonly reading: Reading }
  | { readonly status: 'rejected'; readonly panelId: string | null; readonly reason: string; readonly detail: string };

/** The reading could not be made durable: the message must not be acknowledged. */
export class StoreWriteError extends Error {
  constructor(topic: string, cause: unknown) {
    super(`durable write failed for a message on ${topic}: ${cause instanceof Error ? cause.message : String(cause)}`, {
      cause,
    });
    this.name = 'StoreWriteError';
  }
}

/** Whether readings can be stored now, and if not, since when and why (ingestStatus, /ready). */
export interface StoreWriteHealth {
  readonly writable: boolean;
  /** Why not: the disk is full, failing, or the store is damaged (names the file or DATA_DIR). */
  readonly problem: string | null;
  /** When writes started failing (null while they succeed). */
  readonly failingSince: Date | null;
  /** The last write error, kept after recovery. */
  readonly lastError: string | null;
  readonly lastErrorAt: Date | null;
  /** Writes refused since writes started failing. */
  readonly refusedWrites: number;
  /** Free space of DATA_DIR and the reserve kept there (STORE_MIN_FREE); null when unknown. */
  readonly freeBytes: number | null;
  readonly minFreeBytes: number | null;
}

export interface IngestServiceDeps {
  readonly writer: DurableWriter;
  readonly parse: Omit<ParseContext, 'receivedAt'>;
  readonly rejections: RejectionStats;
  readonly metrics: Metrics;
  readonly logger: Logger;
  /** What follows each durable write (pipeline/after-write.ts). */
  readonly afterWrite: AfterWrite;
  /** Retired panels and MAX_PANELS; without it every panel is admitted. */
  readonly admission?: PanelAdmission;
  /** DATA_DIR's free space and the reserve (STORE_MIN_FREE) kept there; without it, no reserve. */
  readonly space?: DiskSpace;
}

/** The limit a rejection reason stands for, for energy_limit_hits_total. */
const LIMIT_OF: Partial<Record<RejectReason, LimitName>> = { panel_limit: 'MAX_PANELS', time_too_old: 'METER_TIME_FLOOR' };

/** How often a store that keeps failing is reported again. */
const FAILING_REPORT_MS = 60_000;

/**
 * Validates one MQTT message and makes it durable. Synchronous on purpose: the transports
 * (subscriber and embedded broker) acknowledge right after it returns, and mqtt.js holds the next
 * packet until then, so this is the whole per-message cost of ingestion.
 */
export class IngestService {
  readonly #rejectionLog = new LogLimiter({ perWindow: 10, windowMs: 60_000 });
  #failingSince: number | null = null;
  #lastReportAt = 0;
  #refused = 0;
  #lastError: string | null = null;
  #lastErrorAt: number | null = null;

  constructor(private readonly deps: IngestServiceDeps) {
    const { space } = deps;
    if (space) deps.metrics.probes.storeFreeBytes = () => space.freeBytes();
    deps.metrics.probes.storeWritable = () => this.storeHealth().writable;
  }

  /** @throws StoreWriteError when the reading could not be stored: do not acknowledge. */
  ingest(topic: string, payload: Uint8Array, receivedAt: Date = new Date()): IngestOutcome {
    const [outcome] = this.ingestBatch([{ topic, payload }], receivedAt);
    return outcome!;
  }

  /**
   * Validates several messages and makes the valid ones durable in ONE commit (group commit: a
   * commit costs about as much for one reading as for hundreds), then runs the after-write
   * pipeline on them in arrival order. Rejections are recorded whatever happens to the rest.
   * @throws StoreWriteError when the readings could not be stored: acknowledge none of them.
   */
  ingestBatch(messages: ReadonlyArray<{ readonly topic: string; readonly payload: Uint8Array }>, receivedAt: Date = new Date()): IngestOutcome[] {
    const { deps } = this;
    const outcomes: IngestOutcome[] = [];
    const readings: Reading[] = [];
    const newPanels = new Set<string>();
    // One context for the group (a copy per message was a tenth of what parsing allocated).
    const context: ParseContext = { ...deps.parse, receivedAt };
    for (const { topic, payload } of messages) {
      const parsed = parseReading(topic, payload, context);
      if (parsed.ok) {
        const refusal = deps.admission?.check(parsed.reading.panelId, newPanels) ?? null;
        if (refusal === null) {
          readings.push(parsed.reading);
          outcomes.push({ status: 'stored', reading: parsed.reading });
          continue;
        }
        outcomes.push(this.#reject(topic, parsed.reading.panelId, refusal.reason, refusal.detail, receivedAt));
        continue;
      }
      outcomes.push(this.#reject(topic, parsed.panelId, parsed.reason, parsed.detail, receivedAt));
    }
    if (readings.length === 0) return outcomes;
    try {
      const damaged = storeConditionOf(deps.writer)?.damaged;
      if (damaged) throw new DamagedStoreError(damaged);
      deps.space?.check();
      deps.writer.writeBatchSync(readings);
    } catch (error) {
      deps.metrics.storeWriteFailures.inc();
      this.#writeFailed(error);
      throw new StoreWriteError(messages.map((m) => m.topic).join(', '), error);
    }
    if (this.#failingSince !== null) this.#recovered();
    deps.metrics.readingsStored.inc(readings.length);
    deps.afterWrite(readings);
    return outcomes;
  }

  /** Whether readings can be stored now (also without traffic: the disk's free space and the store's condition). */
  storeHealth(): StoreWriteHealth {
    const { space, writer } = this.deps;
    const free = space?.freeBytes() ?? null;
    const damaged = storeConditionOf(writer)?.damaged ?? null;
    const full = space !== undefined && free !== null && free < space.minFreeBytes;
    const problem = damaged ?? (full ? new StoreFullError(space.dir, free, space.minFreeBytes).message : this.#failingSince !== null ? this.#lastError : null);
    return {
      writable: problem === null,
      problem,
      failingSince: this.#failingSince === null ? null : new Date(this.#failingSince),
      lastError: this.#lastError,
      lastErrorAt: this.#lastErrorAt === null ? null : new Date(this.#lastErrorAt),
      refusedWrites: this.#refused,
      freeBytes: free,
      minFreeBytes: space?.minFreeBytes ?? null,
    };
  }

  #reject(topic: string, panelId: string | null, reason: RejectReason, detail: string, at: Date): IngestOutcome {
    const { deps } = this;
    deps.rejections.record({ panelId, reason, detail, topic, at });
    deps.metrics.readingsRejected.inc({ panel: deps.rejections.label(panelId) ?? '(invalid topic)', reason });
    const limit = LIMIT_OF[reason];
    if (limit) deps.metrics.limitHits.inc({ limit });
    // Anyone can publish garbage as fast as the broker takes it: at most 10 lines per reason a minute.
    const { log, suppressed } = this.#rejectionLog.take(reason);
    if (log) deps.logger.warn({ topic: topic.slice(0, 200), panelId, reason, detail, ...(suppressed > 0 ? { suppressed } : {}) }, 'payload rejected');
    return { status: 'rejected', panelId, reason, detail };
  }

  #writeFailed(error: unknown): void {
    const now = Date.now();
    const problem = describeWriteFailure(error, this.deps.space);
    this.#lastError = problem;
    this.#lastErrorAt = now;
    this.#refused++;
    if (error instanceof StoreFullError) this.deps.metrics.limitHits.inc({ limit: 'STORE_MIN_FREE' });
    if (this.#failingSince === null) {
      this.#failingSince = now;
      this.#lastReportAt = now;
      // Once, with the cause; then once a minute while it lasts (a full disk fails every message).
      this.deps.logger.error({ problem, code: errorCode(error) }, 'readings cannot be stored: nothing is acknowledged until they can (meters keep them and send again)');
    } else if (now - this.#lastReportAt >= FAILING_REPORT_MS) {
      this.#lastReportAt = now;
      this.deps.logger.warn(
        { problem, failingForSeconds: Math.round((now - this.#failingSince) / 1000), refusedWrites: this.#refused },
        'readings still cannot be stored',
      );
    }
  }

  #recovered(): void {
    const since = this.#failingSince ?? Date.now();
    this.deps.logger.info({ afterSeconds: Math.round((Date.now() - since) / 1000), refusedWrites: this.#refused }, 'readings are stored again');
    this.#failingSince = null;
    this.#refused = 0;
  }
}

function describeWriteFailure(error: unknown, space: DiskSpace | undefined): string {
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof StoreFullError || error instanceof DamagedStoreError) return message;
  if (isDiskError(error)) return `the disk of ${space?.dir ?? 'DATA_DIR'} is full or failing (${message})`;
  if (isCorruptionError(error)) return `the store is damaged (${message})`;
  return message;
}

function errorCode(error: unknown): string | undefined {
  return error instanceof Error && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
}
