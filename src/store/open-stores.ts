import { join } from 'node:path';
import type { Config } from '../config/config.js';
import type { Logger } from '../config/logger.js';
import type { AdminLog } from './admin-log.js';
import type { DayTotalsSource, LedgerCheckpointStore } from './day-totals.js';
import { InfluxAdminLog } from './influx/influx-admin-log.js';
import { InfluxLedgerCheckpoints } from './influx/influx-ledger-checkpoints.js';
import { checkInfluxAccess, ensureAdminBucket } from './influx/influx-check.js';
import { Forwarder, type ForwarderStats } from './influx/forwarder.js';
import { InfluxStore } from './influx/influx-store.js';
import { RecentReadings } from './influx/recent-readings.js';
import { MergedStore } from './merged-store.js';
import type { DurableWriter, ReadingStore } from './reading-store.js';
import { SqliteJournal } from './sqlite/sqlite-journal.js';
import { SqliteStore } from './sqlite/sqlite-store.js';
import type { CheckpointCounts } from './sqlite/wal-checkpointer.js';

/** How far InfluxDB is behind the local journal. */
export interface StoreLag {
  readonly backlog: number;
  readonly oldestUnsentAgeMs: number | null;
  readonly state: ForwarderStats['state'];
  readonly lastError: string | null;
}

/**
 * The stores of a running app. `writer` takes the durable write behind every acknowledgement;
 * `read` answers every query. Embedded: both are the SQLite store. With InfluxDB: the writer is the
 * local journal, and reads see InfluxDB merged with the journal's unconfirmed readings.
 */
export interface Stores {
  readonly writer: DurableWriter;
  readonly read: ReadingStore;
  /** The admin record, in the store of record. */
  readonly admin: AdminLog;
  /**
   * InfluxDB mode: where the energy ledger keeps checkpoints, and the store's day totals to check
   * them against, so a start-up walks only the days that changed (services/energy/ledger-checkpoints.ts);
   * null embedded (SQLite's own scan is fast enough).
   */
  readonly checkpoints: { readonly store: LedgerCheckpointStore; readonly totals: DayTotalsSource } | null;
  /** InfluxDB mode: readings other processes stored and InfluxDB may not have yet (the feed adds them); null embedded. */
  readonly recent: RecentReadings | null;
  /** Resolves once the store of record can be used (InfluxDB: reachable, the admin bucket there). */
  prepare(): Promise<void>;
  /** Readings were just written: forward them promptly (InfluxDB mode). */
  written(): void;
  /**
   * InfluxDB mode: resolves once InfluxDB has confirmed every reading written so far (with several
   * processes, acknowledgements to the broker wait for it). Undefined when nothing waits (embedded).
   */
  forwarded(): Promise<void> | undefined;
  /** How far InfluxDB is behind; null without InfluxDB. */
  lag(): StoreLag | null;
  /** The checkpoints of the writer's WAL (the SQLite store's, or the journal's) so far. */
  logCheckpoints(): CheckpointCounts;
  close(): Promise<void>;
}

export async function openStores(config: Config, logger: Logger): Promise<Stores> {
  const influx = config.store.influx;
  if (!influx) {
    const file = join(config.store.dataDir, 'readings.sqlite');
    const store = new SqliteStore({ file });
    logger.info({ file }, 'embedded store open');
    return {
      writer: store,
      read: store,
      admin: store.admin,
      checkpoints: null,
      recent: null,
      prepare: async () => {},
      written: () => {},
      forwarded: () => undefined,
      lag: () => null,
      logCheckpoints: () => store.checkpoints(),
      close: () => store.close(),
    };
  }

  // Wrong token, org or bucket: a configuration error (exit 2). Merely unreachable: start anyway,
  // journal locally and let the forwarder catch up when InfluxDB appears.
  const access = await checkInfluxAccess(influx);
  if (!access.reachable) logger.warn({ err: access.error, url: influx.url }, 'InfluxDB not reachable yet; journaling locally until it is');
  const adminConnection = { ...influx, bucket: influx.adminBucket };
  // Reachable now: a missing admin bucket the token may not create is a configuration error (exit 2).
  if (access.reachable) await ensureAdminBucket(adminConnection);
  const file = join(config.store.dataDir, 'journal.sqlite');
  const journal = new SqliteJournal({ file });
  const influxStore = new InfluxStore(influx);
  const recent = new RecentReadings();
  const forwarder = new Forwarder({ source: journal, writer: influxStore.http, logger: logger.child({ component: 'forwarder' }) });
  forwarder.start();
  logger.info({ journal: file, influx: influx.url, bucket: influx.bucket, waiting: journal.stats().count }, 'InfluxDB store with local journal open');
  const read = new MergedStore(influxStore, journal, recent);
  return {
    writer: journal,
    read,
    admin: new InfluxAdminLog(adminConnection),
    checkpoints: { store: new InfluxLedgerCheckpoints(adminConnection), totals: read },
    recent,
    async prepare() {
      const admin = await ensureAdminBucket(adminConnection);
      if (!admin.reachable) throw admin.error;
    },
    written: () => forwarder.notify(),
    forwarded: () => journal.whenForwarded(),
    lag: () => {
      const stats = forwarder.stats();
      return {
        backlog: stats.backlog,
        oldestUnsentAgeMs: stats.oldestUnsentAgeMs,
        state: stats.state,
        lastError: stats.lastError?.message ?? null,
      };
    },
    logCheckpoints: () => journal.checkpoints(),
    async close() {
      try {
        await forwarder.stop();
      } finally {
        await influxStore.close();
        await journal.close();
      }
    },
  };
}
