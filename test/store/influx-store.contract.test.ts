import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe } from 'vitest';
import { InfluxStore } from '../../src/store/influx/influx-store.js';
import { MergedStore } from '../../src/store/merged-store.js';
import { SqliteJournal } from '../../src/store/sqlite/sqlite-journal.js';
import { paramsToReading } from '../../src/store/sqlite/sqlite-schema.js';
import { createBucket, realInflux } from '../support/influx.js';
import { seededRandom } from '../support/readings.js';
import { describeStoreContract } from './contract.js';

/**
 * The store contract against a REAL InfluxDB 2.7 (`npm run test:influx` builds and starts one):
 * InfluxDB alone, and InfluxDB merged with the local journal the way the product reads in
 * InfluxDB mode, with every write journaled first and a random part of the journal forwarded (as
 * the forwarder would, InfluxDB's 204 before the journal lets go), so answers mix both sources.
 */
const influx = realInflux;

describe.skipIf(!influx)('InfluxDB (real server)', () => {
  if (!influx) return;

  describeStoreContract(`InfluxStore (${influx.url})`, async () => {
    const bucket = await createBucket(influx, 'contract');
    const store = new InfluxStore({ ...influx, bucket: bucket.name, scanSliceDays: 7 });
    return {
      store,
      write: (readings) => store.writeBatch(readings),
      cleanup: async () => {
        await store.close();
        await bucket.remove();
      },
    };
  });

  describeStoreContract(`InfluxDB + journal, partly forwarded (${influx.url})`, async () => {
    const bucket = await createBucket(influx, 'merged');
    const dir = mkdtempSync(join(tmpdir(), 'merged-'));
    const journal = new SqliteJournal({ file: join(dir, 'journal.sqlite') });
    const influxStore = new InfluxStore({ ...influx, bucket: bucket.name, scanSliceDays: 7 });
    const random = seededRandom(42);
    return {
      store: new MergedStore(influxStore, journal),
      async write(readings) {
        journal.writeBatchSync(readings);
        const waiting = journal.peek(100_000);
        const forwarded = waiting.slice(0, Math.floor(random() * (waiting.length + 1)));
        await influxStore.writeBatch(forwarded.map((entry) => paramsToReading(entry.row)));
        journal.ack(forwarded.map((entry) => entry.seq));
      },
      cleanup: async () => {
        await journal.close();
        rmSync(dir, { recursive: true, force: true });
        await bucket.remove();
      },
    };
  });
});
