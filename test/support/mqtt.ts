import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { connectAsync, type IClientOptions, type MqttClient } from 'mqtt';
import { vi } from 'vitest';
import type { App } from '../../src/app.js';
import type { Reading } from '../../src/models/reading.js';
import type { ReadingRow } from '../../src/store/sqlite/sqlite-schema.js';
import { LocalTime } from '../../src/time/local-time.js';
import { tempDir, type Disposer } from './disposer.js';
import { freePort } from './net.js';
import { spawnMain, type ProductProcess } from './product-process.js';

/** The shared Mosquitto of these machines (127.0.0.1:1883), or another broker for CI. */
export const MQTT_TEST_URL = process.env.MQTT_TEST_URL ?? 'mqtt://127.0.0.1:1883';

/** The example payload of issue 2, byte for byte. Its time is 2026-07-01 05:30:05Z in Asia/Jakarta. */
export const EXAMPLE_PAYLOAD =
  '{"status":"OK","data":{"v":[224.7,224.7,0,149.8],"i":[0,0.2,0.02,0.07],"kw":"0.34","kVA":"0.18",' +
  '"kWh":"1532.08","pf":0.92,"vunbal":0.009,"iunbal":0.099,"time":"2026-07-01 12:30:05"}}';
export const EXAMPLE_TIME = new Date(Date.UTC(2026, 6, 1, 5, 30, 5));

/** One LocalTime per zone: a fresh one asks the time zone database for every call (~40 µs each). */
const zones = new Map<string, LocalTime>();
function zoneTime(zone: string): LocalTime {
  let time = zones.get(zone);
  if (!time) zones.set(zone, (time = new LocalTime(zone)));
  return time;
}

/**
 * The meter's wall-clock text in `zone`: `YYYY-MM-DD HH:mm:ss` exactly as the firmware sends it
 * (the product's own formatting), with `.SSS` appended only when the instant has milliseconds
 * (the ingester accepts fractions too).
 */
export function meterTime(instant: Date, zone = 'Asia/Jakarta'): string {
  const text = zoneTime(zone).formatWallClock(instant.getTime());
  const ms = instant.getUTCMilliseconds();
  return ms === 0 ? text : `${text}.${String(ms).padStart(3, '0')}`;
}

/**
 * A meter payload in the firmware's shape: the example's values with `data` fields overridden
 * (a Date `time` is written as the meter's local clock, whole seconds).
 */
export function meterPayload(data: Record<string, unknown> & { time?: Date | string } = {}, zone = 'Asia/Jakarta'): string {
  const example = JSON.parse(EXAMPLE_PAYLOAD) as { status: string; data: Record<string, unknown> };
  const { time, ...rest } = data;
  const fields: Record<string, unknown> = { ...example.data, ...rest };
  if (time !== undefined) fields.time = time instanceof Date ? meterTime(time, zone) : time;
  return JSON.stringify({ status: 'OK', data: fields });
}

/** A recent whole-second instant `minutesAgo` before now (meters may not be ahead of the receiver). */
export function minutesAgo(minutes: number): Date {
  return new Date(Math.floor(Date.now() / 1000) * 1000 - minutes * 60_000);
}

/** A client id no other test or run uses (letters, digits, `-` and `_` only, as MQTT_CLIENT_ID requires). */
export function uniqueClientId(label: string): string {
  return `${label}-${process.pid}-${randomBytes(4).toString('hex')}`;
}


export { disposer, tempDir, type Disposer } from './disposer.js';
export { uniquePanelId } from './readings.js';

/**
 * A real mqtt.js meter client, connected. Reconnects quickly (100 ms) so tests where the broker
 * drops it (a refused publish) are fast; its QoS 1 publishes stay in its outgoing store until
 * acknowledged and are resent on every reconnect.
 */
export async function connectMeter(url: string, cleanup: Disposer, options: IClientOptions = {}): Promise<MqttClient> {
  const client = await connectAsync(url, {
    clientId: uniqueClientId('meter'),
    reconnectPeriod: 100,
    connectTimeout: 5_000,
    ...options,
  });
  // Errors (e.g. the broker closing the socket) are expected in fault tests; mqtt.js reconnects.
  client.on('error', () => undefined);
  cleanup.add(() => client.endAsync(true));
  return client;
}

/** Publishes with QoS 1; resolves when the broker's PUBACK arrives. */
export async function publishQos1(client: MqttClient, topic: string, payload: string | Buffer): Promise<void> {
  await client.publishAsync(topic, payload, { qos: 1 });
}

/** A reading as the end-to-end tests make them up: the counter (kWh) and the power (kW) at a time; published by seed.ts's publishReading. */
export interface MeterReading {
  readonly panelId: string;
  readonly time: Date;
  readonly kwh: number;
  readonly kw: number;
}

/**
 * Settings of an ingester on an external broker at `url` (MQTT_URL), with a fresh client id whose
 * persistent session is ended after the test; add MQTT_TOPIC and the rest as the test needs.
 */
export function externalIngesterEnv(url: string, cleanup: Disposer, protocol: 4 | 5 = 5): Record<string, string> {
  const clientId = uniqueClientId(`ingester-v${protocol}`);
  cleanup.add(() => endSession(url, clientId, protocol));
  return { MQTT_URL: url, MQTT_CLIENT_ID: clientId, MQTT_PROTOCOL_VERSION: String(protocol), MQTT_SESSION_EXPIRY: '2m' };
}

/**
 * Ends a persistent session the app left on a shared broker (connect with its client id and a
 * clean start, then leave), so test runs do not pile up sessions in Mosquitto.
 */
export async function endSession(url: string, clientId: string, protocolVersion: 4 | 5 = 4): Promise<void> {
  const client = await connectAsync(url, {
    clientId,
    clean: true,
    protocolVersion,
    reconnectPeriod: 0,
    ...(protocolVersion === 5 ? { properties: { sessionExpiryInterval: 0 } } : {}),
  });
  await client.endAsync();
}

/** Every reading published on the app's pubsub after this call, in order. */
export function collectStored(app: Pick<App, 'pubsub'>, cleanup: Disposer): Reading[] {
  const readings: Reading[] = [];
  const events = app.pubsub.subscribe('readingStored');
  const pump = (async () => {
    for await (const reading of events) readings.push(reading);
  })();
  cleanup.add(async () => {
    await events.return?.();
    await pump;
  });
  return readings;
}

/** A row of the readings table, as a second (read-only) connection sees it. */
export type StoredRow = ReadingRow;

/**
 * A second connection to the app's SQLite file, independent of the app: what it sees is on disk
 * (in the database or its WAL), not in the app's memory.
 */
export interface StorePeek {
  readonly db: Database.Database;
  rows(panelId: string): StoredRow[];
  count(panelId: string): number;
  close(): void;
}

export function peekStore(dataDir: string, cleanup: Disposer, options: { readonly?: boolean } = {}): StorePeek {
  const db = new Database(join(dataDir, 'readings.sqlite'), { readonly: options.readonly ?? true, fileMustExist: true });
  db.pragma('busy_timeout = 5000');
  const rows = db.prepare<[string], StoredRow>('SELECT * FROM readings WHERE panel_id = ? ORDER BY time_ms');
  const count = db.prepare<[string], { n: number }>('SELECT count(*) AS n FROM readings WHERE panel_id = ?');
  const peek: StorePeek = {
    db,
    rows: (panelId) => rows.all(panelId),
    count: (panelId) => count.get(panelId)?.n ?? 0,
    close: () => {
      if (db.open) db.close();
    },
  };
  cleanup.add(() => peek.close());
  return peek;
}


/** Resolves once a real MQTT client can connect to `url`. */
export async function waitForBroker(url: string, timeout = 5_000, options: IClientOptions = {}): Promise<void> {
  await vi.waitFor(
    async () => {
      const probe = await connectAsync(url, { reconnectPeriod: 0, connectTimeout: 1_000, ...options });
      await probe.endAsync(true);
    },
    { timeout, interval: 50 },
  );
}

/**
 * A private Mosquitto (no persistence) that a test may kill and start again on the same port,
 * unlike the shared one.
 */
export interface PrivateBroker {
  readonly port: number;
  readonly url: string;
  /** Kills the broker (SIGKILL: a crash, no goodbye to clients) and waits for it to exit. */
  kill(): Promise<void>;
  /** Starts it again on the same port; resolves once it accepts connections. */
  start(): Promise<void>;
}

export async function startPrivateMosquitto(
  cleanup: Disposer,
  /**
   * `settings`: more mosquitto.conf lines (e.g. `password_file`, a TLS listener) after the plain
   * listener; without an `allow_anonymous` line anonymous clients are allowed. `probe`: how the
   * start-up check logs in (credentials for a broker that requires them).
   */
  options: { readonly settings?: string; readonly probe?: IClientOptions } = {},
): Promise<PrivateBroker> {
  const port = await freePort();
  const dir = tempDir(cleanup, 'mosquitto-');
  const configFile = join(dir, 'mosquitto.conf');
  const settings = options.settings ?? '';
  const anonymous = /^allow_anonymous /m.test(settings) ? '' : 'allow_anonymous true\n';
  writeFileSync(configFile, `per_listener_settings false\n${anonymous}persistence false\n${settings}\nlistener ${port} 127.0.0.1\n`);
  const url = `mqtt://127.0.0.1:${port}`;
  let child: ChildProcess | null = null;

  const kill = async () => {
    const running = child;
    child = null;
    if (running && running.exitCode === null && running.signalCode === null) {
      const exited = once(running, 'exit');
      running.kill('SIGKILL');
      await exited;
    }
  };
  const start = async () => {
    if (child) throw new Error('mosquitto is already running');
    child = spawn('mosquitto', ['-c', configFile], { stdio: 'ignore' });
    await waitForBroker(url, 5_000, options.probe);
  };
  cleanup.add(kill);
  await start();
  return { port, url, kill, start };
}

export { MAIN } from './product-process.js';

/** The product in a child process, as the tests that read its raw output see it. */
export type MainProcess = Pick<ProductProcess, 'child' | 'output' | 'exited'>;

/**
 * Runs the product (test/support/product-process.ts) with exactly `env` (plus PATH and HOME), so
 * nothing leaks in from the test runner's environment; killed after the test if still running.
 */
export function runMain(env: Record<string, string>, cleanup: Disposer, options: { cwd?: string } = {}): MainProcess {
  return spawnMain(env, cleanup, options);
}

export { freePort };
