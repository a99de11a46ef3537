import { readFileSync } from 'node:fs';
import { vi } from 'vitest';
import type { Disposer } from '../support/disposer.js';
import { freePort } from '../support/net.js';
import { spawnMain, type ProductProcess, type ProductProcessOptions } from '../support/product-process.js';
import type { LogLine } from '../support/test-app.js';

/**
 * The product as `npm start` runs it (test/support/product-process.ts), one OS process per test
 * file, on loopback ports, with JSON logs the test can read and its peak memory read from /proc.
 */
export { HEAP_LIMIT_FLAG } from '../support/product-process.js';

export interface Product extends Pick<ProductProcess, 'child' | 'pid' | 'stderr' | 'exited' | 'alive'> {
  readonly baseUrl: string;
  readonly httpUrl: string;
  readonly wsUrl: string;
  readonly httpPort: number;
  readonly mqttPort: number;
  readonly mqttUrl: string;
  /** JSON log lines so far (stdout). */
  readonly logs: LogLine[];
  /** Peak resident memory (VmHWM) and current heap use of the process, in MiB. */
  memory(): Promise<Memory>;
}

export interface Memory {
  readonly peakRssMiB: number;
  readonly rssMiB: number;
  readonly heapUsedMiB: number;
}

/** Spawns the product with `env` (plus PATH and HOME only) and the given ports, without waiting. */
export function spawnProduct(
  env: Record<string, string>,
  cleanup: Disposer,
  ports: { http: number; mqtt: number },
  options: Pick<ProductProcessOptions, 'withoutFileOverride' | 'nofile'> = {},
): Product {
  const main = spawnMain(
    {
      HOST: '127.0.0.1',
      PORT: String(ports.http),
      MQTT_PORT: String(ports.mqtt),
      SIMULATE: 'false',
      LOG_FORMAT: 'json',
      LOG_LEVEL: 'info',
      // The attackers of these tests have no credentials; meters here neither.
      MQTT_ALLOW_ANONYMOUS: 'true',
      ...env,
    },
    cleanup,
    options,
  );
  const logs: LogLine[] = [];
  let pending = '';
  main.child.stdout?.on('data', (chunk: Buffer) => {
    pending += chunk.toString('utf8');
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      try {
        logs.push(JSON.parse(line) as LogLine);
      } catch {
        logs.push({ level: 0, msg: line });
      }
    }
  });
  const { child } = main;
  const baseUrl = `http://127.0.0.1:${ports.http}`;
  return {
    child,
    pid: main.pid,
    baseUrl,
    httpUrl: `${baseUrl}/graphql`,
    wsUrl: `ws://127.0.0.1:${ports.http}/graphql`,
    httpPort: ports.http,
    mqttPort: ports.mqtt,
    mqttUrl: `mqtt://127.0.0.1:${ports.mqtt}`,
    logs,
    stderr: main.stderr,
    exited: main.exited,
    alive: main.alive,
    memory: async () => {
      const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
      const kib = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN);
      const metrics = await (await fetch(`${baseUrl}/metrics`)).text();
      const heapUsed = Number(/^nodejs_heap_size_used_bytes (\S+)/m.exec(metrics)?.[1] ?? Number.NaN);
      return { peakRssMiB: Math.round(kib('VmHWM') / 1024), rssMiB: Math.round(kib('VmRSS') / 1024), heapUsedMiB: Math.round(heapUsed / 2 ** 20) };
    },
  };
}

/** Starts the product on free loopback ports and waits until /ready answers 200. */
export async function startProduct(env: Record<string, string>, cleanup: Disposer, options: { ready?: boolean; nofile?: number } = {}): Promise<Product> {
  const product = spawnProduct(env, cleanup, { http: await freePort(), mqtt: await freePort() }, options.nofile === undefined ? {} : { nofile: options.nofile });
  await waitReady(product, options);
  return product;
}

/** Waits until the product answers /ready (or /health) with 200; throws if it exits first. */
export async function waitReady(product: Product, options: { ready?: boolean } = {}): Promise<void> {
  await vi.waitFor(
    async () => {
      if (!product.alive()) throw new Error(`the product exited: ${product.stderr()}`);
      const response = await fetch(`${product.baseUrl}/${options.ready === false ? 'health' : 'ready'}`);
      if (response.status !== 200) throw new Error(`not ready: ${await response.text()}`);
    },
    // A start takes 2-5 s alone; beside the rest of the suite on a 2-core machine, once more than 30 s.
    { timeout: 60_000, interval: 200 },
  );
}

/** Heap used now (from /metrics), in MiB, sampled while an attack runs. */
export class HeapSampler {
  #max = 0;
  #timer: NodeJS.Timeout | null = null;

  constructor(private readonly product: Product) {}

  start(everyMs = 100): void {
    void this.#sample();
    this.#timer = setInterval(() => this.#sample(), everyMs);
  }

  /** The largest heap seen, including one last sample now. */
  async stop(): Promise<number> {
    if (this.#timer) clearInterval(this.#timer);
    await this.#sample();
    return this.#max;
  }

  #sample(): Promise<void> {
    return this.product
      .memory()
      .then((memory) => void (this.#max = Math.max(this.#max, memory.heapUsedMiB)))
      .catch(() => undefined);
  }
}

/** Prints one measured figure for docs/limits-and-faults.md ("Measured under attack"): `[hostile] attack: …`. */
export function report(attack: string, figures: Record<string, unknown>): void {
  console.info(`[hostile] ${attack}: ${JSON.stringify(figures)}`);
}

/** Log lines at error level (50) or above. */
export function errorLines(product: Product): LogLine[] {
  return product.logs.filter((line) => line.level >= 50);
}
