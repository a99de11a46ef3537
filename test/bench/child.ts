import { fork, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import { fileURLToPath } from 'node:url';

/** A message between the benchmark and one of its child processes (always has a `type`). */
export interface ChildMessage {
  readonly type: string;
  readonly [key: string]: unknown;
}

/**
 * What a heap profile keeps (BENCH_HEAP_PROF=1): `all` allocations, freed or not; `live`, only what
 * is still on the heap when sampling stops (garbage promoted to the old generation included, until
 * the next full collection); `promoted`, what outlived the young generation, live or collected by a
 * full collection since (the objects whose marking full collections pay for).
 */
export type HeapSampling = 'all' | 'live' | 'promoted';

/** Where `BENCH_CPU_PROF=1` writes `.cpuprofile` files (git-ignored), one folder per child process. */
export const PROFILE_DIR = fileURLToPath(new URL('./results/profiles/', import.meta.url));

export interface BenchChild {
  readonly pid: number;
  readonly name: string;
  send(message: ChildMessage): void;
  /** The next message of this type (earlier messages of other types are kept for later). */
  next<T extends ChildMessage>(type: string, timeoutMs?: number): Promise<T>;
  /** send() then next(replyType). */
  request<T extends ChildMessage>(message: ChildMessage, replyType: string, timeoutMs?: number): Promise<T>;
  /** Peak and current resident set size from /proc (bytes), or null where unavailable. */
  memory(): { peakRss: number; rss: number } | null;
  /** Sends `stop`, waits for the exit; kills the process if it does not exit in time. */
  stop(timeoutMs?: number): Promise<void>;
}

/**
 * Runs a TypeScript entry script under test/bench/ in its own Node process (through tsx), with an
 * IPC channel. Products and load generators run in separate processes so they never share an
 * event loop, and the product's memory is its own.
 */
export async function startChild(
  script: string,
  env: Record<string, string>,
  name = script,
  options: { nodeOptions?: readonly string[]; tsx?: boolean } = {},
): Promise<BenchChild> {
  const execArgv = [...(options.tsx === false ? [] : ['--import', 'tsx']), ...benchNodeFlags(name), ...(options.nodeOptions ?? [])];
  const child: ChildProcess = fork(benchScript(script), [], {
    execArgv,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return benchChild(child, name);
}

/** A path relative to test/bench/ (TypeScript, run through tsx), or an absolute compiled script. */
export function benchScript(script: string): string {
  return isAbsolute(script) ? script : fileURLToPath(new URL(script, import.meta.url));
}

/** Node flags every benchmark child gets: --expose-gc, and with BENCH_CPU_PROF=1 a CPU profile. */
export function benchNodeFlags(name: string): string[] {
  // --expose-gc lets the product host report its live heap after a full collection.
  const flags = ['--expose-gc'];
  if (process.env.BENCH_CPU_PROF === '1') {
    // One directory per child: each thread (tsx's loader, the store's query worker) writes a
    // profile of its own; the largest file in the directory is the main thread's.
    const dir = `${PROFILE_DIR}${name}-${Date.now()}`;
    mkdirSync(dir, { recursive: true });
    flags.push('--cpu-prof', `--cpu-prof-dir=${dir}`);
  }
  return flags;
}

/** The benchmark's side of a child process with an IPC channel: typed messages, memory, stop. */
export function benchChild(child: ChildProcess, name: string): BenchChild {
  const queue: ChildMessage[] = [];
  const waiters: Array<{ type: string; resolve: (m: ChildMessage) => void; reject: (e: Error) => void }> = [];
  let exited: Error | null = null;

  const deliver = (message: ChildMessage) => {
    if (message.type === 'fatal') {
      const error = new Error(`${name}: ${String(message.message)}`);
      for (const waiter of waiters.splice(0)) waiter.reject(error);
      exited = error;
      return;
    }
    const index = waiters.findIndex((w) => w.type === message.type);
    if (index >= 0) waiters.splice(index, 1)[0]!.resolve(message);
    else queue.push(message);
  };
  child.on('message', (message) => deliver(message as ChildMessage));
  const exit = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exited ??= new Error(`${name} exited (code ${code}, signal ${signal})`);
      for (const waiter of waiters.splice(0)) waiter.reject(exited);
      resolve();
    });
  });

  const next = <T extends ChildMessage>(type: string, timeoutMs = 60_000): Promise<T> => {
    const index = queue.findIndex((m) => m.type === type);
    if (index >= 0) return Promise.resolve(queue.splice(index, 1)[0] as T);
    if (exited) return Promise.reject(exited);
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        const i = waiters.indexOf(waiter);
        if (i >= 0) waiters.splice(i, 1);
        reject(new Error(`${name}: no "${type}" within ${timeoutMs} ms`));
      }, timeoutMs);
      const waiter = {
        type,
        resolve: (m: ChildMessage) => {
          clearTimeout(timer);
          resolve(m as T);
        },
        reject: (e: Error) => {
          clearTimeout(timer);
          reject(e);
        },
      };
      waiters.push(waiter);
    });
  };

  const handle: BenchChild = {
    pid: child.pid ?? -1,
    name,
    send: (message) => {
      if (child.connected) child.send(message);
    },
    next,
    request: <T extends ChildMessage>(message: ChildMessage, replyType: string, timeoutMs?: number) => {
      const reply = next<T>(replyType, timeoutMs);
      handle.send(message);
      return reply;
    },
    memory: () => procMemory(child.pid),
    async stop(timeoutMs = 15_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      handle.send({ type: 'stop' });
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      await exit;
      clearTimeout(timer);
    },
  };
  return handle;
}

/** VmHWM (peak RSS) and VmRSS of a process, from /proc/<pid>/status. */
export function procMemory(pid: number | undefined): { peakRss: number; rss: number } | null {
  if (pid === undefined) return null;
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN) * 1024;
    return { peakRss: kb('VmHWM'), rss: kb('VmRSS') };
  } catch {
    return null;
  }
}

/** Clock ticks per second of /proc/<pid>/stat's times (USER_HZ: 100 on Linux everywhere). */
const USER_HZ = 100;

/**
 * Starts watching another process's CPU (user + system, from /proc/<pid>/stat): the function
 * returned gives its share of one core since this call, or null where /proc cannot be read.
 */
export function cpuShareSince(pid: number): () => number | null {
  const startMs = procCpuMs(pid);
  const started = performance.now();
  return () => {
    const nowMs = procCpuMs(pid);
    return startMs === null || nowMs === null ? null : (nowMs - startMs) / (performance.now() - started);
  };
}

/** CPU time a process has used so far (user + system, ms), from /proc/<pid>/stat; null where unavailable. */
function procCpuMs(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces: count the fields after its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name.
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / USER_HZ;
  } catch {
    return null;
  }
}

/**
 * The child side: reports an uncaught failure to the parent and exits, and gives each request
 * handler a typed reply function.
 */
export function childMain(handler: (message: ChildMessage, reply: (m: ChildMessage) => void) => Promise<void> | void): void {
  const reply = (message: ChildMessage) => process.send?.(message);
  const fail = (error: unknown) => {
    reply({ type: 'fatal', message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
    setTimeout(() => process.exit(1), 100);
  };
  process.on('uncaughtException', fail);
  process.on('unhandledRejection', fail);
  process.on('disconnect', () => process.exit(0));
  process.on('message', (message) => {
    Promise.resolve(handler(message as ChildMessage, reply)).catch(fail);
  });
}

/** A clock shared by the benchmark's processes (ms since the epoch, sub-millisecond). */
export function sharedNow(): number {
  return performance.timeOrigin + performance.now();
}

/**
 * Counts the arrivals of one benchmark round (readings of panels whose id starts with the
 * expected prefix) and when the first and last arrived, on the shared clock.
 */
export class Arrivals {
  #prefix: string | null = null;
  count = 0;
  firstAt = 0;
  lastAt = 0;

  expect(prefix: string): void {
    this.#prefix = prefix;
    this.count = 0;
    this.firstAt = 0;
    this.lastAt = 0;
  }

  record(panelId: string): void {
    if (this.#prefix === null || !panelId.startsWith(this.#prefix)) return;
    const now = sharedNow();
    if (this.count === 0) this.firstAt = now;
    this.lastAt = now;
    this.count++;
  }

  status(): { count: number; firstAt: number; lastAt: number } {
    return { count: this.count, firstAt: this.firstAt, lastAt: this.lastAt };
  }

  /** Answers the parent's `expect` and `status` messages; false for any other message. */
  answer(message: ChildMessage, reply: (message: ChildMessage) => void, extra: Record<string, unknown> = {}): boolean {
    if (message.type === 'expect') {
      this.expect(String(message.prefix));
      reply({ type: 'expecting' });
      return true;
    }
    if (message.type === 'status') {
      reply({ type: 'status', ...this.status(), ...extra });
      return true;
    }
    return false;
  }
}
