import { join } from 'node:path';
import type { Config } from '../../config/config.js';
import type { Logger } from '../../config/logger.js';
import type { Reading } from '../../models/reading.js';
import type { StoreLag } from '../ingest-health.js';
import type { ReadingStore } from './reading-store.js';
import { SqliteStore } from './sqlite-store.js';

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
  const journal = new SqliteStore({
    file: join(config.store.dataDir, 'readings.sqlite'),
    timezone: config.site.timezone,
    counterRule: config.site.counterRule,
    outbox: config.store.influx !== undefined,
  });
  logger.info({ file: join(config.store.dataDir, 'readings.sqlite') }, 'embedded store open');
  const listeners: Array<(reading: Reading) => void> = [];
  return {
    journal,
    read: journal,
    written: (reading) => {
      for (const listener of listeners) listener(reading);
    },
    onVisible: (listener) => listeners.push(listener),
    lag: () => null,
    close: () => journal.close(),
  };
}
