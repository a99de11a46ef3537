import { join } from 'node:path';
import type { Config } from '../config/config.js';
import type { Logger } from '../config/logger.js';
import type { Reading } from '../models/reading.js';
import type { StoreLag } from '../services/ingest-health.js';
import { checkInfluxAccess } from './influx/influx-check.js';
import { Forwarder } from './influx/forwarder.js';
import { InfluxStore } from './influx/influx-store.js';
import { JournaledStore } from './journaled-store.js';
import type { ReadingStore } from './reading-store.js';
import { SqliteStore } from './sqlite/sqlite-store.js';

/**
 * The stores of a running app. `journal` takes the durable write behind every acknowledgement;
 * `read` answers queries. With the embedded default both are the same SQLite database; with
 * InfluxDB, `read` is InfluxDB fed from the journal by the forwarder.
 */
export interface Stores {
  readonly journal: SqliteStore;
  readonly read: ReadingStore;
  /** Tell the stores a reading was just written to the journal. */
  written(reading: Reading): void;
  /** Listen for readings becoming visible to `read` queries. */
  onVisible(listener: (reading: Reading) => void): void;
  /** How far `read` is behind the journal; null when it cannot be (same store). */
  lag(): StoreLag | null;
  close(): Promise<void>;
}

export async function openStores(config: Config, logger: Logger): Promise<Stores> {
  const journalFile = join(config.store.dataDir, 'readings.sqlite');
  const listeners: Array<(reading: Reading) => void> = [];
  const announce = (reading: Reading) => {
    for (const listener of listeners) listener(reading);
  };
  const influx = config.store.influx;

  if (!influx) {
    const journal = new SqliteStore({ file: journalFile, timezone: config.site.timezone, counterRule: config.site.counterRule });
    logger.info({ file: journalFile }, 'embedded store open');
    return {
      journal,
      read: journal,
      written: announce,
      onVisible: (listener) => listeners.push(listener),
      lag: () => null,
      close: () => journal.close(),
    };
  }

  // Wrong token, org or bucket: a configuration error (exit 2). Merely unreachable: start anyway,
  // journal locally and let the forwarder catch up when InfluxDB appears.
  const access = await checkInfluxAccess(influx);
  if (!access.reachable) logger.warn({ err: access.error, url: influx.url }, 'InfluxDB not reachable yet; journaling locally until it is');
  const journal = new SqliteStore({
    file: journalFile,
    timezone: config.site.timezone,
    counterRule: config.site.counterRule,
    outbox: true,
  });
  const influxStore = new InfluxStore({ ...influx, timezone: config.site.timezone, counterRule: config.site.counterRule });
  const forwarder = new Forwarder({ source: journal, writer: influxStore.http, logger: logger.child({ component: 'forwarder' }) });
  const store = new JournaledStore({ journal, influx: influxStore, forwarder }).start();
  // Caches must forget a day only when InfluxDB (which answers energy queries) has the reading.
  store.onConfirmed((readings) => readings.forEach(announce));
  logger.info({ journal: journalFile, influx: influx.url, bucket: influx.bucket }, 'InfluxDB store with local journal open');
  return {
    journal,
    read: store,
    written: () => forwarder.notify(),
    onVisible: (listener) => listeners.push(listener),
    lag: () => store.lag(),
    close: () => store.close(),
  };
}
