import { createServer, connect, type Server, type Socket } from 'node:net';
import { expect } from 'vitest';
import type { Disposer } from '../support/disposer.js';
import { httpData } from '../support/graphql-client.js';
import { createBucket, realInflux, type RealInflux } from '../support/influx.js';
import { freePort, runMain, startPrivateMosquitto, tempDir, type MainProcess, type MeterReading } from '../support/mqtt.js';

/** Helpers of the cluster suites: product processes sharing one broker and one real InfluxDB. */

export const MIN = 60_000;

/** Minute readings of one panel ending two minutes ago. */
export function minutes(panelId: string, count: number, seed: number): MeterReading[] {
  const end = Math.floor(Date.now() / MIN) * MIN - 2 * MIN;
  let kwh = 500 + seed * 31;
  return Array.from({ length: count }, (_, i) => {
    const kw = 4 + ((i * 7 + seed) % 9);
    kwh += kw / 60;
    return { panelId, time: new Date(end - (count - 1 - i) * MIN), kwh: Math.round(kwh * 1000) / 1000, kw };
  });
}

export interface Node {
  readonly name: string;
  readonly url: string;
  readonly env: Record<string, string>;
  main: MainProcess;
}

export async function ready(node: Node): Promise<void> {
  await expect
    .poll(async () => (await fetch(`${node.url}/ready`).catch(() => null))?.status ?? 0, { timeout: 60_000, interval: 250 })
    .toBe(200);
}

export const gql = <T,>(node: Node, query: string, variables: Record<string, unknown> = {}) =>
  httpData<T, Record<string, unknown>>(`${node.url}/graphql`, query, variables);

/** One value of the process's /metrics (NaN when absent). */
export async function metric(node: Node, name: string): Promise<number> {
  const text = await (await fetch(`${node.url}/metrics`)).text();
  return Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? Number.NaN);
}

/** The process's log lines (LOG_FORMAT=json) whose message is `msg`. */
export function logLines(node: Node, msg: string): Array<Record<string, unknown>> {
  return node.main
    .output()
    .split('\n')
    .flatMap((line) => {
      try {
        const entry = JSON.parse(line) as Record<string, unknown>;
        return entry.msg === msg ? [entry] : [];
      } catch {
        return [];
      }
    });
}

/**
 * A private broker and an InfluxDB bucket for processes sharing the meters, and `launch` to start
 * one more process on them (`settings`: the environment every process of this cluster gets).
 */
export async function startCluster(
  cleanup: Disposer,
  tag: string,
  settings: Record<string, string>,
  /** `influx`: another InfluxDB than the suite's (one a drill stops); `broker`: more mosquitto.conf lines (persistence, queue limits). */
  where: { readonly influx?: RealInflux; readonly broker?: string } = {},
) {
  const influx = where.influx ?? realInflux!;
  const broker = await startPrivateMosquitto(cleanup, { settings: where.broker });
  const bucket = await createBucket(influx, tag);
  cleanup.add(() => bucket.remove());
  const common = {
    INFLUX_URL: influx.url,
    INFLUX_TOKEN: influx.token,
    INFLUX_ORG: influx.org,
    INFLUX_BUCKET: bucket.name,
    INFLUX_ADMIN_BUCKET: `${bucket.name}_admin`,
    MQTT_URL: broker.url,
    MQTT_SHARED_GROUP: 'energy',
    MQTT_FEED_TOPIC: `feed/${bucket.name}`,
    SIMULATE: 'false',
    LOG_FORMAT: 'json',
    LOG_LEVEL: 'warn',
    ...settings,
  };
  const launch = async (name: string, dataDir = tempDir(cleanup), more: Record<string, string> = {}): Promise<Node> => {
    const port = await freePort();
    const env = { ...common, PORT: String(port), DATA_DIR: dataDir, ...more };
    return { name, url: `http://127.0.0.1:${port}`, env, main: runMain(env, cleanup) };
  };
  return { broker, bucket, launch, influx };
}

/**
 * Runs a cluster property once, or CLUSTER_STRESS times (a stress mode, not in CI by default:
 * `CLUSTER_STRESS=20 npm run test:influx -- test/cluster/durability.test.ts`), each time with a
 * fresh cluster, and fails with the number of failed rounds and the first failure.
 */
export async function repeatProperty(name: string, round: (n: number) => Promise<void>, cleanup: Disposer): Promise<void> {
  const rounds = Math.max(1, Number(process.env.CLUSTER_STRESS ?? 1) || 1);
  if (rounds === 1) return round(1);
  const failures: string[] = [];
  for (let n = 1; n <= rounds; n++) {
    try {
      await round(n);
    } catch (error) {
      // The assertion is on the message's last line (a custom message, such as a process's log, comes first).
      const at = error instanceof Error && STEP in error ? ` [${String(error[STEP])}]` : '';
      failures.push(`round ${n}${at}: ${(error instanceof Error ? error.message : String(error)).trim().split('\n').at(-1)}`);
    } finally {
      await cleanup.run();
    }
  }
  console.log(`[stress] ${name}: ${failures.length} of ${rounds} rounds failed${failures.map((failure) => `\n  ${failure}`).join('')}`);
  expect(failures, `${name}: ${failures.length} of ${rounds} rounds failed`).toEqual([]);
}

const STEP = Symbol('cluster property step');

/**
 * Runs one step of a property that checks several (the three-process walk-through): a failure
 * carries the step's name, so the stress report says which property failed, not only where.
 */
export async function step<T>(name: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof Error && !(STEP in error)) Object.defineProperty(error, STEP, { value: name });
    throw error;
  }
}

/** Every round's time budget: one round's, times the stress rounds. */
export const roundsTimeout = (oneRound: number) => oneRound * Math.max(1, Number(process.env.CLUSTER_STRESS ?? 1) || 1);

/**
 * A TCP proxy in front of InfluxDB that can be cut (open connections reset, new ones refused) and
 * restored: a network split between the members and InfluxDB, with InfluxDB itself running on.
 */
export async function tcpProxy(target: URL): Promise<{ url: string; cut(): void; restore(): void; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  let open = true;
  const server: Server = createServer((client) => {
    if (!open) return client.destroy();
    const upstream = connect(Number(target.port), target.hostname);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    cut: () => {
      open = false;
      for (const socket of sockets) socket.destroy();
    },
    restore: () => {
      open = true;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
