/**
 * Child process: the real product, started through its composition root exactly like
 * `npm start` (startApp + loadConfig), with the environment the benchmark passes in
 * BENCH_APP_ENV. Runs in its own process so its event loop and its memory are its own.
 *
 * Instrumentation, none of it in src/:
 * - counts `readingStored` events through the app's own pubsub (`app.pubsub.subscribe`);
 * - counts and times calls to the store of record by wrapping the prototype methods of SqliteStore
 *   and InfluxStore (reads: scan, latestReadings, readings, downsample, panels) and the durable
 *   writes (`writeBatchSync` of SqliteStore and of the InfluxDB mode's journal); the app has no
 *   hook to wrap the stores it opens;
 * - records the forwarder's write requests to the readings bucket (InfluxHttp.encode/writeEncoded: lines,
 *   first request sent, last 204 received, on the benchmark's shared clock).
 */
import { Session } from 'node:inspector/promises';
import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as AppModule from '../../src/app.js';
import type * as ConfigModule from '../../src/config/config.js';
import type * as LoggerModule from '../../src/config/logger.js';
import type * as InfluxHttpModule from '../../src/store/influx/influx-http.js';
import type * as InfluxStoreModule from '../../src/store/influx/influx-store.js';
import type * as SqliteJournalModule from '../../src/store/sqlite/sqlite-journal.js';
import type * as SqliteStoreModule from '../../src/store/sqlite/sqlite-store.js';
import { Arrivals, childMain, sharedNow, type HeapSampling } from './child.js';

// BENCH_SRC=<copy of src/> benchmarks a prototype without touching src/ (see docs/benchmarks.md).
const srcRoot = process.env.BENCH_SRC ? pathToFileURL(`${resolve(process.env.BENCH_SRC)}/`) : new URL('../../src/', import.meta.url);
const load = async <T>(path: string) => (await import(new URL(path, srcRoot).href)) as T;
const { startApp } = await load<typeof AppModule>('app.js');
const { loadConfig } = await load<typeof ConfigModule>('config/config.js');
const { silentLogger } = await load<typeof LoggerModule>('config/logger.js');
const { SqliteStore } = await load<typeof SqliteStoreModule>('store/sqlite/sqlite-store.js');
const { SqliteJournal } = await load<typeof SqliteJournalModule>('store/sqlite/sqlite-journal.js');
const { InfluxStore } = await load<typeof InfluxStoreModule>('store/influx/influx-store.js');
const { InfluxHttp } = await load<typeof InfluxHttpModule>('store/influx/influx-http.js');

const rssAfterImport = process.memoryUsage().rss;

/** Store methods counted as round trips (reads) or writes. */
const READ_METHODS = ['scan', 'latestReadings', 'readings', 'downsample', 'panels'] as const;
const STORE_METHODS = [...READ_METHODS, 'writeBatchSync'] as const;
type StoreMethod = (typeof STORE_METHODS)[number];

const calls = Object.fromEntries(STORE_METHODS.map((m) => [m, 0])) as Record<StoreMethod, number>;
const callMs = Object.fromEntries(STORE_METHODS.map((m) => [m, 0])) as Record<StoreMethod, number>;
type Methods = Record<string, ((...args: unknown[]) => unknown) | undefined>;
const wrap = (prototype: Methods, methods: readonly StoreMethod[]) => {
  for (const method of methods) {
    const original = prototype[method];
    if (typeof original !== 'function') throw new Error(`bench instrumentation: the store has no method ${method} any more`);
    prototype[method] = function (this: unknown, ...args: unknown[]) {
      calls[method]++;
      // Time inside the call: the whole query for synchronous SQLite work; only the hand-off for
      // reads sent to a worker thread or to InfluxDB, and only the start of a scan (a generator).
      const started = performance.now();
      try {
        return original.apply(this, args);
      } finally {
        callMs[method] += performance.now() - started;
      }
    };
  }
};
wrap(SqliteStore.prototype as unknown as Methods, STORE_METHODS);
wrap(InfluxStore.prototype as unknown as Methods, READ_METHODS);
wrap(SqliteJournal.prototype as unknown as Methods, ['writeBatchSync']);

const env = JSON.parse(process.env.BENCH_APP_ENV ?? '{}') as Record<string, string>;

/** The forwarder's requests to the readings bucket (the admin record's writes go elsewhere). */
const writes = { requests: 0, failed: 0, lines: 0, firstSentAt: 0, lastOkAt: 0 };
type Encoded = InfluxHttpModule.EncodedLines;
const httpPrototype = InfluxHttp.prototype as unknown as {
  encode: (this: InfluxHttpModule.InfluxHttp, lines: readonly string[]) => Promise<Encoded>;
  writeEncoded: (this: InfluxHttpModule.InfluxHttp, encoded: Encoded, signal?: AbortSignal) => Promise<void>;
};
const { encode, writeEncoded } = httpPrototype;
// Timed from the first batch's encoding (the bare writer's clock also runs while it encodes).
httpPrototype.encode = function (lines) {
  if (this.connection.bucket === env.INFLUX_BUCKET && writes.firstSentAt === 0) writes.firstSentAt = sharedNow();
  return encode.call(this, lines);
};
httpPrototype.writeEncoded = async function (encoded, signal) {
  if (this.connection.bucket !== env.INFLUX_BUCKET) return writeEncoded.call(this, encoded, signal);
  writes.requests++;
  if (writes.firstSentAt === 0) writes.firstSentAt = sharedNow();
  try {
    await writeEncoded.call(this, encoded, signal);
  } catch (error) {
    writes.failed++;
    throw error;
  }
  writes.lines += encoded.count;
  writes.lastOkAt = sharedNow();
};

/** Largest values seen by a 50 ms sampler: where the product's memory goes. */
const peak = { rss: 0, heapUsed: 0, heapTotal: 0, external: 0, arrayBuffers: 0 };
const sampleMemory = () => {
  const usage = process.memoryUsage();
  for (const key of Object.keys(peak) as Array<keyof typeof peak>) peak[key] = Math.max(peak[key], usage[key]);
};
setInterval(sampleMemory, 50).unref();

const started = performance.now();
const app = await startApp(loadConfig(env), silentLogger);
const startupMs = performance.now() - started;
// Listening: requests are answered from here on (/ready says 503 until the ledger is loaded).
process.send?.({ type: 'listening', httpPort: app.httpPort, startupMs });

const inspector = new Session();
const arrivals = new Arrivals();
let countedAll = 0;
void (async () => {
  for await (const reading of app.pubsub.subscribe('readingStored')) {
    countedAll++;
    arrivals.record(reading.panelId);
  }
})();

childMain(async (message, reply) => {
  if (arrivals.answer(message, reply, { countedAll })) return;
  switch (message.type) {
    case 'store-calls': {
      reply({ type: 'store-calls', calls: { ...calls }, callMs: { ...callMs } });
      for (const method of STORE_METHODS) {
        calls[method] = 0;
        callMs[method] = 0;
      }
      break;
    }
    case 'cpu':
      // The product's CPU time (µs, user and system, every thread): a phase's cost per request
      // without the waiting a busy machine adds to its latency.
      reply({ type: 'cpu', usage: process.cpuUsage() });
      break;
    case 'forwarder':
      reply({ type: 'forwarder', writes: { ...writes }, lag: app.services.ingest.status().storeLag, now: sharedNow() });
      break;
    case 'memory': {
      sampleMemory();
      const now = process.memoryUsage();
      // What is still reachable after a full collection: live data, as opposed to garbage the
      // collector had not yet reclaimed when RSS peaked.
      (globalThis as { gc?: () => void }).gc?.();
      reply({ type: 'memory', peak: { ...peak }, now, afterGc: process.memoryUsage() });
      break;
    }
    case 'allocations': {
      // BENCH_HEAP_PROF=1: V8's sampling heap profiler, freed objects included, over one phase of a
      // line: what is allocated there, garbage or not (open the file in Chrome's DevTools).
      if (message.action === 'start') {
        inspector.connect();
        const keep = message.keep as HeapSampling;
        await inspector.post('HeapProfiler.startSampling', {
          samplingInterval: 16_384,
          includeObjectsCollectedByMajorGC: keep !== 'live',
          includeObjectsCollectedByMinorGC: keep === 'all',
        });
        reply({ type: 'allocations' });
        break;
      }
      const { profile } = await inspector.post('HeapProfiler.stopSampling');
      inspector.disconnect();
      // The benchmark's own folder: this host may run from a compiled copy that is deleted after the run.
      mkdirSync(String(message.dir), { recursive: true });
      const file = `${String(message.dir)}allocations-${String(message.phase)}-${Date.now()}.heapprofile`;
      writeFileSync(file, JSON.stringify(profile));
      reply({ type: 'allocations', file });
      break;
    }
    case 'stop':
      await app.stop();
      process.exit(0);
  }
});

// Measure the steady state: wait until the start-up load (panels, and the energy ledger walking
// every stored reading) has finished, so it does not compete for the two cores.
const warmStarted = performance.now();
await app.warmedUp;
const warmUpMs = Math.round(performance.now() - warmStarted);
process.send?.({ type: 'ready', httpPort: app.httpPort, startupMs, rssAfterImport, warmUpMs });
