import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { vi } from 'vitest';
import type { Disposer } from '../support/disposer.js';
import { freePort } from '../support/net.js';
import type { LogLine } from '../support/test-app.js';

/**
 * The product as `npm start` runs it, one OS process per test file: `node --max-old-space-size=512
 * src/main.ts` (tsx as a loader, so no build is needed and the pid is the product's own), with
 * JSON logs the test can read and its peak memory read from /proc.
 */
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const MAIN = fileURLToPath(new URL('../../src/main.ts', import.meta.url));

/** The heap limit of `npm start` and the image (package.json, Dockerfile). */
export const HEAP_LIMIT_FLAG = '--max-old-space-size=512';

export interface Product {
  readonly child: ChildProcess;
  readonly pid: number;
  readonly baseUrl: string;
  readonly httpUrl: string;
  readonly wsUrl: string;
  readonly httpPort: number;
  readonly mqttPort: number;
  readonly mqttUrl: string;
  /** JSON log lines so far (stdout). */
  readonly logs: LogLine[];
  /** Everything written to stderr. */
  stderr(): string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  alive(): boolean;
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
  options: {
    /**
     * Run without the capabilities that let root ignore file modes (CAP_DAC_OVERRIDE and
     * CAP_DAC_READ_SEARCH), still as root: the tests run as root, whom file modes do not stop,
     * and another user could not read the product's own files where the clone lies under /root.
     */
    readonly withoutFileOverride?: boolean;
    /** The open-file limit (RLIMIT_NOFILE) of the process, set by prlimit (which execs node: same pid). */
    readonly nofile?: number;
  } = {},
): Product {
  const { withoutFileOverride, nofile } = options;
  const node = [process.execPath, HEAP_LIMIT_FLAG, '--import', 'tsx', MAIN];
  const limited = nofile === undefined ? node : ['prlimit', `--nofile=${nofile}:${nofile}`, '--', ...node];
  const command = withoutFileOverride ? ['setpriv', '--bounding-set=-dac_override,-dac_read_search', '--', ...limited] : limited;
  const child = spawn(command[0]!, command.slice(1), {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
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
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: LogLine[] = [];
  let pending = '';
  child.stdout?.on('data', (chunk: Buffer) => {
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
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const alive = () => child.exitCode === null && child.signalCode === null;
  cleanup.add(async () => {
    if (alive()) {
      child.kill('SIGKILL');
      await exited;
    }
  });
  const baseUrl = `http://127.0.0.1:${ports.http}`;
  return {
    child,
    pid: child.pid ?? 0,
    baseUrl,
    httpUrl: `${baseUrl}/graphql`,
    wsUrl: `ws://127.0.0.1:${ports.http}/graphql`,
    httpPort: ports.http,
    mqttPort: ports.mqtt,
    mqttUrl: `mqtt://127.0.0.1:${ports.mqtt}`,
    logs,
    stderr: () => stderr,
    exited,
    alive,
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
    { timeout: 30_000, interval: 200 },
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
