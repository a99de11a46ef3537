import type { Logger } from '../config/logger.js';
import type { Reading } from '../models/reading.js';
import { parseReading, type ParseContext } from '../mqtt/parse-reading.js';
import type { Metrics } from './metrics.js';
import type { RejectionStats } from './rejection-stats.js';

/** The fast, durable local commit behind every acknowledgement (the SQLite store/journal). */
export interface DurableWriter {
  writeBatchSync(readings: readonly Reading[]): void;
}

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

export type StoredReadingListener = (reading: Reading) => void;

export interface IngestServiceDeps {
  readonly writer: DurableWriter;
  readonly parse: Omit<ParseContext, 'receivedAt'>;
  readonly rejections: RejectionStats;
  readonly metrics: Metrics;
  readonly logger: Logger;
  /** Called after each durable write, in order: live state, caches, the pubsub. */
  readonly onStored: readonly StoredReadingListener[];
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
    const { deps } = this;
    const parsed = parseReading(topic, payload, { ...deps.parse, receivedAt });
    if (!parsed.ok) {
      deps.rejections.record({ panelId: parsed.panelId, reason: parsed.reason, detail: parsed.detail, topic, at: receivedAt });
      deps.metrics.readingsRejected.inc({ panel: deps.rejections.label(parsed.panelId) ?? '(invalid topic)', reason: parsed.reason });
      deps.logger.warn({ topic, panelId: parsed.panelId, reason: parsed.reason, detail: parsed.detail }, 'payload rejected');
      return { status: 'rejected', panelId: parsed.panelId, reason: parsed.reason, detail: parsed.detail };
    }
    try {
      deps.writer.writeBatchSync([parsed.reading]);
    } catch (error) {
      deps.metrics.storeWriteFailures.inc();
      throw new StoreWriteError(topic, error);
    }
    deps.metrics.readingsStored.inc();
    for (const listener of deps.onStored) {
      try {
        listener(parsed.reading);
      } catch (error) {
        // The reading is already durable; a failing consumer must not turn into a redelivery.
        deps.logger.error({ err: error, panelId: parsed.reading.panelId }, 'stored-reading listener failed');
      }
    }
    return { status: 'stored', reading: parsed.reading };
  }
}
