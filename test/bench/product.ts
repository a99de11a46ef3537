import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { spawnProduct, startScript } from '../support/product-process.js';
import { benchChild, benchNodeFlags, benchScript, PROFILE_DIR, startChild, type BenchChild, type ChildMessage, type HeapSampling } from './child.js';

/** The product's answer to `ready`. */
export interface ProductReady extends ChildMessage {
  readonly httpPort: number;
  readonly startupMs: number;
  readonly rssAfterImport: number;
  /** How long the energy ledger's start-up load took after startApp returned. */
  readonly warmUpMs: number;
}

export interface Product {
  readonly child: BenchChild;
  readonly ready: ProductReady;
  readonly httpUrl: string;
  readonly wsUrl: string;
  /** The topic root meters publish under: `<root>/PM/<panel>`. */
  readonly topicRoot: string;
}

/** A topic root / client id no other benchmark or test on the broker uses. */
export function uniqueName(label: string): string {
  return `${label}_${process.pid}_${randomBytes(4).toString('hex')}`;
}

/** How the product is run: compiled (default, like `npm start`) or through tsx (BENCH_TSX=1). */
export interface ProductRuntime {
  /** Compiled host script, or null to run test/bench/app-host.ts through tsx. */
  readonly hostScript: string | null;
  /** Where the compiled baseline servers are, or null to run them through tsx. */
  readonly scriptDir: string | null;
  /** Directory of the product sources the host loads; null for src/. */
  readonly srcRoot: string | null;
  readonly description: string;
}

let runtime: ProductRuntime = { hostScript: null, scriptDir: null, srcRoot: process.env.BENCH_SRC ?? null, description: 'src/ through tsx' };

export function setProductRuntime(value: ProductRuntime): void {
  runtime = value;
}

/** Starts a baseline server script of test/bench/ the way the product runs (compiled or tsx). */
export function startBaseline(script: 'mqtt-sink' | 'ws-baseline-host', env: Record<string, string>, name: string): Promise<BenchChild> {
  return runtime.scriptDir
    ? startChild(join(runtime.scriptDir, `${script}.js`), env, name, { tsx: false })
    : startChild(`./${script}.ts`, env, name);
}

export interface ProductOptions {
  readonly dataDir: string;
  readonly mqttUrl: string;
  readonly name: string;
  /** More settings for loadConfig (INFLUX_URL, …). */
  readonly env?: Record<string, string>;
  /** HTTP port; default 0 (ephemeral, reported by the host once listening). */
  readonly port?: number;
  /** How long start-up (including the energy ledger's load) may take. Default 120 s. */
  readonly readyTimeoutMs?: number;
}

/** A product process being started: the child right away, `ready` once the ledger is loaded. */
export interface LaunchedProduct {
  readonly child: BenchChild;
  /** performance.now() of this process just before the fork. */
  readonly spawnedAt: number;
  readonly topicRoot: string;
  readonly ready: Promise<Product>;
}

/**
 * Starts the real product in a child process (test/bench/app-host.ts → startApp) with a config
 * from loadConfig: ephemeral HTTP port, no simulator, silent logs, the given data directory, and
 * an external broker with a unique topic root and client id.
 */
export async function startProduct(options: ProductOptions): Promise<Product> {
  return (await launchProduct(options)).ready;
}

export async function launchProduct(options: ProductOptions): Promise<LaunchedProduct> {
  const topicRoot = uniqueName('BENCH');
  const env = {
    NODE_ENV: 'production',
    // Measured without credentials (open API and /metrics on loopback), as the baselines are.
    AUTH: 'optional',
    METRICS_AUTH: 'open',
    MQTT_ALLOW_ANONYMOUS: 'true',
    // Line 4 opens 1,000 subscribers and one live-usage client: above the default of 1,000.
    WS_MAX_CONNECTIONS: '2000',
    HOST: '127.0.0.1',
    PORT: String(options.port ?? 0),
    SIMULATE: 'false',
    LOG_LEVEL: 'silent',
    DATA_DIR: options.dataDir,
    MQTT_URL: options.mqttUrl,
    MQTT_TOPIC: `${topicRoot}/PM/#`,
    MQTT_CLIENT_ID: uniqueName('bench-ingester'),
    ...options.env,
  };
  // The product runs with the Node flags of `npm start` (e.g. its heap limit);
  // BENCH_PRODUCT_NODE_OPTIONS="--max-old-space-size=128" tries other runtime flags instead.
  const nodeOptions = (process.env.BENCH_PRODUCT_NODE_OPTIONS ?? startScript().nodeFlags.join(' ')).split(/\s+/).filter(Boolean);
  const spawnedAt = performance.now();
  // Started as the tests start the product (test/support/product-process.ts), with its own host as
  // the entry: its environment is exactly what it is given, nothing inherited from the benchmark's.
  const product = spawnProduct(
    { BENCH_APP_ENV: JSON.stringify(env), NODE_ENV: 'production', ...(runtime.srcRoot ? { BENCH_SRC: runtime.srcRoot } : {}) },
    {
      entry: benchScript(runtime.hostScript ?? './app-host.ts'),
      tsx: runtime.hostScript === null,
      nodeFlags: [...benchNodeFlags(options.name), ...nodeOptions],
      ipc: true,
      output: 'inherit',
    },
  );
  const child = benchChild(product.child, options.name);
  const ready = child.next<ProductReady>('ready', options.readyTimeoutMs ?? 120_000).then(
    (message): Product => ({
      child,
      ready: message,
      httpUrl: `http://127.0.0.1:${message.httpPort}/graphql`,
      wsUrl: `ws://127.0.0.1:${message.httpPort}/graphql`,
      topicRoot,
    }),
    async (error: unknown) => {
      await child.stop(5_000);
      throw error;
    },
  );
  // Handled by whoever awaits it; never an unhandled rejection meanwhile.
  ready.catch(() => {});
  return { child, spawnedAt, topicRoot, ready };
}

/**
 * With BENCH_HEAP_PROF=1, the product's allocations during `work` (sampled, freed objects included;
 * with BENCH_HEAP_LIVE=1 only those not yet collected when it ends; with BENCH_HEAP_PROMOTED=1 those
 * that outlived the young generation, collected by a full collection since or not).
 */
export async function allocationsDuring<T>(product: Product, phase: string, work: () => Promise<T>): Promise<T> {
  if (process.env.BENCH_HEAP_PROF !== '1') return work();
  const keep: HeapSampling = process.env.BENCH_HEAP_LIVE === '1' ? 'live' : process.env.BENCH_HEAP_PROMOTED === '1' ? 'promoted' : 'all';
  await product.child.request({ type: 'allocations', action: 'start', keep }, 'allocations');
  const result = await work();
  const { file } = await product.child.request<ChildMessage & { file: string }>({ type: 'allocations', action: 'stop', phase, dir: PROFILE_DIR }, 'allocations');
  console.log(`allocations during ${phase}: ${file}`);
  return result;
}
