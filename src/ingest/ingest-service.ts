import type { Logger } from '../config/logger.js';
import type { Reading } from '../models/reading.js';
import type { AfterWrite } from '../pipeline/after-write.js';
import type { Metrics } from '../services/metrics.js';
import type { DurableWriter } from '../store/reading-store.js';
import { parseReading, type ParseContext } from './parse-reading.js';
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

export interface IngestServiceDeps {
  readonly writer: DurableWriter;
  readonly parse: Omit<ParseContext, 'receivedAt'>;
  readonly rejections: RejectionStats;
  readonly metrics: Metrics;
  readonly logger: Logger;
  /** What follows each durable write (pipeline/after-write.ts). */
  readonly afterWrite: AfterWrite;
}

/**
 * Validates one MQTT message and makes it durable. Synchronous on purpose: the transports
 * (subscriber and embedded broker) acknowledge right after it returns, and mqtt.js holds the next
 * packet until then, so this is the whole per-message cost of ingestion.
 */
export class IngestService {
  constructor(private readonly deps: IngestServiceDeps) {}

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
    for (const { topic, payload } of messages) {
      const parsed = parseReading(topic, payload, { ...deps.parse, receivedAt });
      if (parsed.ok) {
        readings.push(parsed.reading);
        outcomes.push({ status: 'stored', reading: parsed.reading });
        continue;
      }
      deps.rejections.record({ panelId: parsed.panelId, reason: parsed.reason, detail: parsed.detail, topic, at: receivedAt });
      deps.metrics.readingsRejected.inc({ panel: deps.rejections.label(parsed.panelId) ?? '(invalid topic)', reason: parsed.reason });
      deps.logger.warn({ topic, panelId: parsed.panelId, reason: parsed.reason, detail: parsed.detail }, 'payload rejected');
      outcomes.push({ status: 'rejected', panelId: parsed.panelId, reason: parsed.reason, detail: parsed.detail });
    }
    if (readings.length === 0) return outcomes;
    try {
      deps.writer.writeBatchSync(readings);
    } catch (error) {
      deps.metrics.storeWriteFailures.inc();
      throw new StoreWriteError(messages.map((m) => m.topic).join(', '), error);
    }
    deps.metrics.readingsStored.inc(readings.length);
    deps.afterWrite(readings);
    return outcomes;
  }
}
