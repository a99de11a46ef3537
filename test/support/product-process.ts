import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Disposer } from './disposer.js';

/**
 * The one way the tests run the product in a child process: `node --max-old-space-size=512
 * --import tsx src/main.ts`, as `npm start` runs the built product (tsx as a loader, so no build is
 * needed and the pid is the product's own), with exactly `env` (plus PATH and HOME), so nothing
 * leaks in from the test runner's environment. Its own process group, killed after the test if
 * still running. test/hostile/product.ts adds ports, JSON logs and memory on top; runMain
 * (test/support/mqtt.ts) hands it to tests that read the raw output; the benchmarks
 * (test/bench/product.ts) run their instrumented host of the same composition root through it.
 */
export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** src/main.ts, the entry point behind `npm start`. */
export const MAIN = fileURLToPath(new URL('../../src/main.ts', import.meta.url));
/** tsx's loader by absolute path, so any working directory works. */
const TSX_LOADER = new URL('../../node_modules/tsx/dist/loader.mjs', import.meta.url).href;
/** The heap limit of `npm start` and the image (package.json, Dockerfile). */
export const HEAP_LIMIT_FLAG = '--max-old-space-size=512';

/**
 * package.json's start script in parts: the environment it sets before `node`
 * (MALLOC_ARENA_MAX=2), the Node flags, and the whole command after the environment.
 */
export function startScript(): { env: Record<string, string>; nodeFlags: string[]; command: string[] } {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { scripts: { start: string } };
  const words = pkg.scripts.start.split(/\s+/);
  const env: Record<string, string> = {};
  while (words.length > 0 && /^[A-Z_][A-Z0-9_]*=/.test(words[0]!)) {
    const [name, ...value] = words.shift()!.split('=');
    env[name!] = value.join('=');
  }
  return { env, nodeFlags: words[0] === 'node' ? words.slice(1).filter((word) => word.startsWith('--')) : [], command: words };
}

export interface ProductProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  /** stdout and stderr so far, interleaved. */
  output(): string;
  /** stdout so far. */
  stdout(): string;
  /** stderr so far. */
  stderr(): string;
  /** Resolves with the exit code (null when killed by a signal) and signal. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  alive(): boolean;
}

export interface ProductProcessOptions {
  /** The working directory (default: the project's root). */
  readonly cwd?: string;
  /** The open-file limit (RLIMIT_NOFILE), set by prlimit (which execs node: same pid). */
  readonly nofile?: number;
  /**
   * Run without the capabilities that let root ignore file modes (CAP_DAC_OVERRIDE and
   * CAP_DAC_READ_SEARCH), still as root: the tests run as root, whom file modes do not stop, and
   * another user could not read the product's own files where the clone lies under /root.
   */
  readonly withoutFileOverride?: boolean;
  /**
   * The entry script (default src/main.ts). The benchmarks run test/bench/app-host.ts: startApp
   * with loadConfig as main.ts calls them, plus instrumentation that reports over IPC.
   */
  readonly entry?: string;
  /** Node's flags (default: the heap limit of `npm start`). */
  readonly nodeFlags?: readonly string[];
  /** Load the entry through tsx (default); false for a compiled entry. */
  readonly tsx?: boolean;
  /** An IPC channel to the child (its process.send), for a host that reports over it. */
  readonly ipc?: boolean;
  /** Keep stdout and stderr (default: `output()` and friends), or pass them through to this process's. */
  readonly output?: 'keep' | 'inherit';
}

/** src/main.ts in a child process, killed (with its process group) after the test if still running. */
export function spawnMain(env: Record<string, string>, cleanup: Disposer, options: ProductProcessOptions = {}): ProductProcess {
  return spawnProduct(env, options, cleanup);
}

/** The product (or another entry, see `entry`) in a child process; `cleanup`, when given, kills it after the test. */
export function spawnProduct(env: Record<string, string>, options: ProductProcessOptions = {}, cleanup?: Disposer): ProductProcess {
  const loader = options.tsx === false ? [] : ['--import', TSX_LOADER];
  const node = [process.execPath, ...(options.nodeFlags ?? [HEAP_LIMIT_FLAG]), ...loader, options.entry ?? MAIN];
  const limited = options.nofile === undefined ? node : ['prlimit', `--nofile=${options.nofile}:${options.nofile}`, '--', ...node];
  const command = options.withoutFileOverride ? ['setpriv', '--bounding-set=-dac_override,-dac_read_search', '--', ...limited] : limited;
  const child = spawn(command[0]!, command.slice(1), {
    cwd: options.cwd ?? ROOT,
    // What the start script sets (MALLOC_ARENA_MAX), then exactly `env`.
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...startScript().env, ...env },
    stdio: ['ignore', options.output === 'inherit' ? 'inherit' : 'pipe', options.output === 'inherit' ? 'inherit' : 'pipe', ...(options.ipc ? (['ipc'] as const) : [])],
    // Its own process group: cleanup (and a test simulating a crash) kills everything under it.
    detached: true,
  });
  let output = '';
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    const text = chunk.toString('utf8');
    output += text;
    stdout += text;
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    const text = chunk.toString('utf8');
    output += text;
    stderr += text;
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const alive = () => child.exitCode === null && child.signalCode === null;
  cleanup?.add(async () => {
    if (alive() && child.pid !== undefined) {
      process.kill(-child.pid, 'SIGKILL');
      await exited;
    }
  });
  return { child, pid: child.pid ?? 0, output: () => output, stdout: () => stdout, stderr: () => stderr, exited, alive };
}
