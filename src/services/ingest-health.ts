import type { StoreWriteHealth } from '../ingest/ingest-service.js';
import type { RejectionCount, RejectionStats } from '../ingest/rejection-stats.js';
import type { PanelScope } from '../models/viewer.js';

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

/**
 * What GET /ready reports. Anyone may ask, so `details` holds short codes only (booleans, counts,
 * words such as `ok`, `loading`, `unreachable`, `refused`); what a code stands for (a path, an
 * error's text) goes to `problems`, which the server logs for operators (who also see the store's
 * problem in ingestStatus) and never answers with.
 */
export interface Readiness {
  readonly ready: boolean;
  readonly details: Readonly<Record<string, string | number | boolean | null>>;
  /** Keyed by the detail they explain; empty when there is nothing to tell. */
  readonly problems: Readonly<Record<string, string>>;
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

  /**
   * A caller limited to some panels sees only those panels' rejections (not the ones of invalid
   * topics, which name no panel of theirs); the health of the path itself concerns everyone.
   */
  status(panelId?: string, scope: PanelScope = null): IngestStatus {
    const rejections = this.deps.rejections.list(panelId);
    return {
      brokerConnected: this.deps.brokerConnected(),
      storeLag: this.deps.storeLag(),
      rejections: scope === null ? rejections : rejections.filter((r) => r.panelId !== null && scope.has(r.panelId)),
      storeWrites: this.#storeWrites?.() ?? null,
    };
  }
}
