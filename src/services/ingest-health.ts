import type { StoreWriteHealth } from '../ingest/ingest-service.js';
import type { RejectionCount, RejectionStats } from '../ingest/rejection-stats.js';

/** How far a remote store (InfluxDB) is behind the local journal. */
export interface StoreLag {
  readonly backlog: number;
  readonly oldestUnsentAgeMs: number | null;
}

export interface IngestStatus {
  readonly brokerConnected: boolean;
  /** null when readings are stored directly (embedded store): nothing can lag. */
  readonly storeLag: StoreLag | null;
  readonly rejections: readonly RejectionCount[];
  /** Whether readings can be stored (a full disk or a damaged store: nothing is acknowledged). */
  readonly storeWrites: StoreWriteHealth | null;
}

/** The health of the ingestion path, for /ready and the API. */
export class IngestHealth {
  #storeWrites: (() => StoreWriteHealth) | null = null;

  constructor(
    private readonly deps: {
      readonly rejections: RejectionStats;
      readonly brokerConnected: () => boolean;
      readonly storeLag: () => StoreLag | null;
    },
  ) {}

  /** Where writes are made durable (the ingest service), once it exists. */
  attachStoreWrites(storeWrites: () => StoreWriteHealth): void {
    this.#storeWrites = storeWrites;
  }

  status(panelId?: string): IngestStatus {
    return {
      brokerConnected: this.deps.brokerConnected(),
      storeLag: this.deps.storeLag(),
      rejections: this.deps.rejections.list(panelId),
      storeWrites: this.#storeWrites?.() ?? null,
    };
  }
}
