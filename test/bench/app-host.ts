/**
 * Child process: the real product, started through its composition root exactly like
 * `npm start` (startApp + loadConfig), with the environment the benchmark passes in
 * BENCH_APP_ENV. Runs in its own process so its event loop and its memory are its own.
 *
 * Instrumentation, none of it in src/:
 * - counts `readingStored` events through the app's own pubsub (`app.pubsub.subscribe`);
 * - counts and times calls to the SQLite store by wrapping SqliteStore's prototype methods
 *   (the app has no hook to wrap the store it opens; see the README section).
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as AppModule from '../../src/app.js';
import type * as ConfigModule from '../../src/config/config.js';
import type * as LoggerModule from '../../src/config/logger.js';
import type * as SqliteStoreModule from '../../src/store/sqlite/sqlite-store.js';
import { Arrivals, childMain } from './child.js';

// BENCH_SRC=<copy of src/> benchmarks a prototype without touching src/ (see the README section).
const srcRoot = process.env.BENCH_SRC ? pathToFileURL(`${resolve(process.env.BENCH_SRC)}/`) : new URL('../../src/', import.meta.url);
const { startApp } = (await import(new URL('app.js', srcRoot).href)) as typeof AppModule;
const { loadConfig } = (await import(new URL('config/config.js', srcRoot).href)) as typeof ConfigModule;
const { silentLogger } = (await import(new URL('config/logger.js', srcRoot).href)) as typeof LoggerModule;
const { SqliteStore } = (await import(new URL('store/sqlite/sqlite-store.js', srcRoot).href)) as typeof SqliteStoreModule;

const rssAfterImport = process.memoryUsage().rss;

/** Store methods counted as round trips (reads) or writes. */
const STORE_METHODS = ['energy', 'latestReadings', 'readings', 'downsample', 'panels', 'writeBatch', 'writeBatchSync'] as const;
type StoreMethod = (typeof STORE_METHODS)[number];

const calls = Object.fromEntries(STORE_METHODS.map((m) => [m, 0])) as Record<StoreMethod, number>;
const callMs = Object.fromEntries(STORE_METHODS.map((m) => [m, 0])) as Record<StoreMethod, number>;
const prototype = SqliteStore.prototype as unknown as Record<StoreMethod, (...args: unknown[]) => unknown>;
for (const method of STORE_METHODS) {
  const original = prototype[method];
  prototype[method] = function (this: unknown, ...args: unknown[]) {
    calls[method]++;
    // Time inside the call: the whole query for synchronous SQLite work; only the hand-off for
    // queries the store sends to its worker thread.
    const started = performance.now();
    try {
      return original.apply(this, args);
    } finally {
      callMs[method] += performance.now() - started;
    }
  };
}

/** Largest values seen by a 50 ms sampler: where the product's memory goes. */
const peak = { rss: 0, heapUsed: 0, heapTotal: 0, external: 0, arrayBuffers: 0 };
const sampleMemory = () => {
  const usage = process.memoryUsage();
  for (const key of Object.keys(peak) as Array<keyof typeof peak>) peak[key] = Math.max(peak[key], usage[key]);
};
setInterval(sampleMemory, 50).unref();

const env = JSON.parse(process.env.BENCH_APP_ENV ?? '{}') as Record<string, string>;
const started = performance.now();
const app = await startApp(loadConfig(env), silentLogger);
const startupMs = performance.now() - started;

const arrivals = new Arrivals();
let countedAll = 0;
void (async () => {
  for await (const reading of app.pubsub.subscribe('readingStored')) {
    countedAll++;
    arrivals.record(reading.panelId);
  }
})();

childMain(async (message, reply) => {
  switch (message.type) {
    case 'expect':
      arrivals.expect(String(message.prefix));
      reply({ type: 'expecting' });
      break;
    case 'status':
      reply({ type: 'status', ...arrivals.status(), countedAll });
      break;
    case 'store-calls': {
      reply({ type: 'store-calls', calls: { ...calls }, callMs: { ...callMs } });
      for (const method of STORE_METHODS) {
        calls[method] = 0;
        callMs[method] = 0;
      }
      break;
    }
    case 'memory': {
      sampleMemory();
      const now = process.memoryUsage();
      // What is still reachable after a full collection: live data, as opposed to garbage the
      // collector had not yet reclaimed when RSS peaked.
      (globalThis as { gc?: () => void }).gc?.();
      reply({ type: 'memory', peak: { ...peak }, now, afterGc: process.memoryUsage() });
      break;
    }
    case 'stop':
      await app.stop();
      process.exit(0);
  }
});

// Measure the steady state: wait until the start-up warm-up (this year's daily energy, computed
// in the store's query workers) has finished, so it does not compete for the two cores.
const warmStarted = performance.now();
await app.warmedUp;
const warmUpMs = Math.round(performance.now() - warmStarted);
process.send?.({ type: 'ready', httpPort: app.httpPort, startupMs, rssAfterImport, warmUpMs });
