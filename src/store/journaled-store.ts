import type { StoreLag } from '../services/ingest-health.js';
import type { Logger } from 'pino';
import type { CounterRuleParams, EnergyQuery, EnergyRow } from '../models/energy.js';
import type { PanelRecord, Reading } from '../models/reading.js';
import { Forwarder, type ForwarderOptions, type ForwarderStats, type OutboxSource } from './influx/forwarder.js';
import type { InfluxConnection } from './influx/influx-http.js';
import { InfluxStore } from './influx/influx-store.js';
import type { ReadingStore } from './reading-store.js';
import { SqliteStore } from './sqlite/sqlite-store.js';

/**
 * The production composition: InfluxDB as the store of record, fed from a durable local journal.
 *
 * - writeBatch → the SQLite journal only (one local transaction that also enqueues the readings
 *   in its outbox), then nudges the forwarder. Ingestion never waits for InfluxDB, so it goes on
 *   at full speed while InfluxDB is slow or down.
 * - latestReadings / panels → the journal: they are right the moment a reading is journaled,
 *   outage or not (panel status and cards must not lag).
 * - readings / downsample / energy → InfluxDB, which holds the full history. During an outage
 *   they miss the readings still in the outbox; `lag()` says how far behind InfluxDB is, for
 *   /ready and the API to report.
 */

/** The journal: SqliteStore with `outbox: true`. */
export type JournalStore = ReadingStore & OutboxSource;

export interface JournaledStoreOptions {
  readonly journal: JournalStore;
  readonly influx: ReadingStore;
  /** Forwards journal.outbox to InfluxDB; owned (started and stopped) by this store. */
  readonly forwarder: Forwarder;
  /** How long close() may spend flushing the backlog to InfluxDB. Default 5 s. */
  readonly closeDeadlineMs?: number;
}

export type { StoreLag };

export class JournaledStore implements ReadingStore {
  readonly journal: JournalStore;
  readonly influx: ReadingStore;
  readonly forwarder: Forwarder;
  private readonly closeDeadlineMs: number;
  private closed = false;

  constructor(options: JournaledStoreOptions) {
    this.journal = options.journal;
    this.influx = options.influx;
    this.forwarder = options.forwarder;
    this.closeDeadlineMs = options.closeDeadlineMs ?? 5_000;
  }

  /** Starts forwarding (also sends whatever an earlier run left in the journal). */
  start(): this {
    this.forwarder.start();
    return this;
  }

  async writeBatch(readings: readonly Reading[]): Promise<void> {
    await this.journal.writeBatch(readings);
    if (readings.length > 0) this.forwarder.notify();
  }

  latestReadings(panelIds: readonly string[]): Promise<Map<string, Reading>> {
    return this.journal.latestReadings(panelIds);
  }

  panels(): Promise<PanelRecord[]> {
    return this.journal.panels();
  }

  readings(panelId: string, from: Date, to: Date, limit?: number): Promise<Reading[]> {
    return this.influx.readings(panelId, from, to, limit);
  }

  downsample(panelId: string, from: Date, to: Date, everyMs: number): Promise<Reading[]> {
    return this.influx.downsample(panelId, from, to, everyMs);
  }

  energy(query: EnergyQuery): Promise<EnergyRow[]> {
    return this.influx.energy(query);
  }

  /**
   * Answers when the journal does: the product keeps ingesting during an InfluxDB outage, which
   * `lag()` and `forwarderStats().state` report as degraded rather than not ready.
   */
  ping(): Promise<void> {
    return this.journal.ping();
  }

  /** Whether InfluxDB itself answers (for a detailed health report). */
  pingInflux(): Promise<void> {
    return this.influx.ping();
  }

  lag(): StoreLag {
    const { backlog, oldestUnsentAgeMs } = this.forwarder.stats();
    return { backlog, oldestUnsentAgeMs };
  }

  forwarderStats(): ForwarderStats {
    return this.forwarder.stats();
  }

  /** Calls `listener` with readings once InfluxDB has confirmed them (e.g. to invalidate caches of history). */
  onConfirmed(listener: (readings: readonly Reading[]) => void): () => void {
    return this.forwarder.onConfirmed(listener);
  }

  /** Flushes what it can within the deadline, leaves the rest in the journal, closes both stores. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await this.forwarder.stop({ deadlineMs: this.closeDeadlineMs });
    } finally {
      await Promise.allSettled([this.influx.close()]);
      await this.journal.close();
    }
  }
}

export interface JournaledInfluxStoreOptions {
  /** The SQLite journal file (created if missing), e.g. `${DATA_DIR}/journal.sqlite`. */
  readonly journalFile: string;
  readonly timezone: string;
  readonly counterRule: CounterRuleParams;
  readonly influx: InfluxConnection;
  readonly logger?: Logger;
  /** Forwarder tuning (batch size, backoff, ...). */
  readonly forwarder?: Omit<ForwarderOptions, 'source' | 'writer' | 'logger'>;
  readonly closeDeadlineMs?: number;
  /** Clock (ms since epoch) for journal enqueue times and lag. Default Date.now. */
  readonly now?: () => number;
}

/**
 * Wires journal, InfluxDB store and forwarder from settings (not started: call start()). Run
 * checkInfluxAccess() first to fail fast on a wrong token, org or bucket.
 */
export function createJournaledInfluxStore(options: JournaledInfluxStoreOptions): JournaledStore {
  const journal = new SqliteStore({
    file: options.journalFile,
    timezone: options.timezone,
    counterRule: options.counterRule,
    outbox: true,
    now: options.now,
  });
  try {
    const influx = new InfluxStore({ ...options.influx, timezone: options.timezone, counterRule: options.counterRule });
    const forwarder = new Forwarder({ now: options.now, ...options.forwarder, source: journal, writer: influx.http, logger: options.logger });
    return new JournaledStore({ journal, influx, forwarder, closeDeadlineMs: options.closeDeadlineMs });
  } catch (error) {
    void journal.close();
    throw error;
  }
}
