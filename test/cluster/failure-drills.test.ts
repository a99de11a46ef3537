import { randomBytes } from 'node:crypto';
import { appendFileSync, existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { connectAsync, type MqttClient } from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { disposer } from '../support/disposer.js';
import { subscribe, wsClient, type LiveOperation } from '../support/graphql-client.js';
import { realInflux, type RealInflux } from '../support/influx.js';
import { localInfluxdbScript, startPrivateInfluxDB } from '../support/local-influxdb.js';
import { meterPayload, runMain, tempDir } from '../support/mqtt.js';
import { metric, ready, startCluster, tcpProxy, type Node } from './support.js';

/**
 * The failure table of docs/several-processes.md, measured: real Mosquitto, real InfluxDB 2.7 and
 * three real product processes in one shared group, one failure per row, and for each row the
 * counts of readings published, acknowledged by the broker to the meters, stored in InfluxDB
 * (one point per panel and meter time: stored at most once by construction) and heard by a live
 * subscriber on a surviving process (each once?).
 *
 * Not part of the normal run (a drill takes minutes, "InfluxDB down" an hour):
 *   FAILURE_DRILLS=all npm run test:influx -- test/cluster/failure-drills.test.ts
 *   FAILURE_DRILLS=influx-down FAILURE_DRILL_OUTAGE=1h npm run test:influx -- test/cluster/failure-drills.test.ts
 * Rows: kill (kill -9, back on its DATA_DIR), gone (kill -9, DATA_DIR deleted), influx-down,
 * broker (kill -9 of Mosquitto with persistence on), split (one member cut from InfluxDB).
 * Each row prints one line `[drill] {...}` and appends it to FAILURE_DRILLS_REPORT when set.
 */
const selected = new Set((process.env.FAILURE_DRILLS ?? '').split(',').map((row) => row.trim()).filter(Boolean));
const runs = (row: string) => selected.has('all') || selected.has(row);
const cleanup = disposer();
afterEach(() => cleanup.run());

/** The compose broker's settings (deploy/mosquitto/mosquitto.conf), persistence in `dir`. */
const composeBroker = (dir: string, more = '') =>
  `persistence true\npersistence_location ${dir}/\nautosave_interval 60\nmax_queued_messages 1000000\nmax_inflight_messages 100\nsys_interval 10\n${more}`;

function duration(text: string | undefined, fallbackMs: number): number {
  const match = /^(\d+)(ms|s|m|h)$/.exec(text?.trim() ?? '');
  if (!match) return fallbackMs;
  return Number(match[1]) * { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 }[match[2] as 'ms' | 's' | 'm' | 'h'];
}

const key = (panelId: string, time: Date | string) => `${panelId}@${new Date(time).toISOString()}`;

/** Publishes meter readings (QoS 1) and remembers which the broker acknowledged. */
class Meters {
  readonly published = new Set<string>();
  readonly acknowledged = new Set<string>();
  readonly #client: MqttClient;
  readonly #pending = new Set<Promise<void>>();
  #kwh = new Map<string, number>();

  private constructor(client: MqttClient) {
    this.#client = client;
  }

  static async connect(url: string): Promise<Meters> {
    // clean: false, so readings published while the broker is away are sent again when it returns.
    const client = await connectAsync(url, { protocolVersion: 5, reconnectPeriod: 500, clean: false, clientId: `drill-meters-${randomBytes(4).toString('hex')}`, properties: { sessionExpiryInterval: 3_600 } });
    cleanup.add(() => client.endAsync(true));
    return new Meters(client);
  }

  publish(panelId: string, time: Date): void {
    const kwh = (this.#kwh.get(panelId) ?? 1_000) + 0.1;
    this.#kwh.set(panelId, kwh);
    const k = key(panelId, time);
    this.published.add(k);
    const sent = this.#client
      .publishAsync(`DATA/PM/${panelId}`, meterPayload({ kWh: kwh.toFixed(3), kw: '6', time }), { qos: 1 })
      .then(
        () => void this.acknowledged.add(k),
        () => undefined,
      )
      .finally(() => this.#pending.delete(sent));
    this.#pending.add(sent);
  }

  /** Waits for the broker's answer to every publish so far (those it never answers stay unacknowledged). */
  async settled(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.#pending.size > 0 && Date.now() < deadline) await Promise.race([...this.#pending, new Promise((resolve) => setTimeout(resolve, 1_000))]);
  }
}

/** `count` panels of one row; their ids share a prefix for the stored-points query. */
function panelsOf(row: string, count: number): { prefix: string; ids: string[] } {
  const prefix = `DR_${row.replace(/\W/g, '')}_${randomBytes(3).toString('hex').toUpperCase()}`;
  return { prefix, ids: Array.from({ length: count }, (_, i) => `${prefix}_${String(i).padStart(2, '0')}`) };
}

/**
 * Readings over `spanMs` at `perSecond` overall: each panel in turn, meter times one second apart
 * per panel (in the past, so they are distinct and never in the future).
 */
async function burst(meters: Meters, ids: readonly string[], total: number, perSecond: number, during?: (sent: number) => Promise<void> | void): Promise<void> {
  const start = Date.now();
  const base = Math.floor(Date.now() / 1000) * 1000 - total * 1000;
  for (let i = 0; i < total; i++) {
    meters.publish(ids[i % ids.length]!, new Date(base + i * 1000));
    await during?.(i + 1);
    const due = start + ((i + 1) * 1000) / perSecond;
    if (due > Date.now()) await new Promise((resolve) => setTimeout(resolve, due - Date.now()));
  }
}

/** The (panel, meter time) pairs InfluxDB holds for panels whose id starts with `prefix`. */
async function storedKeys(influx: RealInflux, bucket: string, prefix: string): Promise<Set<string>> {
  const response = await fetch(`${influx.url}/api/v2/query?org=${encodeURIComponent(influx.org)}`, {
    method: 'POST',
    headers: { Authorization: `Token ${influx.token}`, 'Content-Type': 'application/vnd.flux', Accept: 'application/csv' },
    body: `from(bucket: "${bucket}") |> range(start: 0) |> filter(fn: (r) => r._measurement == "panel_energy" and r._field == "energy_kwh" and strings.hasPrefix(v: r.panel_id, prefix: "${prefix}")) |> keep(columns: ["panel_id", "_time"])`.replace(/^/, 'import "strings"\n'),
    signal: AbortSignal.timeout(60_000),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`stored points of ${prefix}: HTTP ${response.status} ${text.slice(0, 300)}`);
  const keys = new Set<string>();
  let panel = -1;
  let time = -1;
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() === '') continue;
    const cells = line.split(',');
    if (cells.includes('panel_id') && cells.includes('_time')) {
      panel = cells.indexOf('panel_id');
      time = cells.indexOf('_time');
      continue;
    }
    if (panel >= 0 && cells[panel] && cells[time]) keys.add(key(cells[panel]!, cells[time]!));
  }
  return keys;
}

type Listener = LiveOperation<{ panelReading: { panelId: string; time: string; late: boolean } }>;

/** A live subscriber on a process hearing every reading (LiveOperation keeps them all, counted when reporting). */
function listen(node: Node): Listener {
  const ws = wsClient(`${node.url.replace('http', 'ws')}/graphql`);
  cleanup.add(() => ws.dispose());
  const live = subscribe<{ panelReading: { panelId: string; time: string; late: boolean } }, Record<string, never>>(ws, 'subscription { panelReading { panelId time late } }');
  cleanup.add(() => live.dispose());
  return live;
}

interface Tally {
  readonly row: string;
  readonly published: number;
  readonly acknowledged: number;
  /** Acknowledged readings InfluxDB holds. */
  readonly storedOfAcknowledged: number;
  /** Acknowledged readings InfluxDB does not hold at the end. */
  readonly lost: number;
  /** Readings InfluxDB holds that the broker never acknowledged to the meters (sent on, or stored before the PUBACK was lost). */
  readonly storedUnacknowledged: number;
  /** Stored readings the subscriber on a surviving process heard once, more than once, never. */
  readonly heardOnce: number;
  readonly heardTwice: number;
  readonly notHeard: number;
  /** Deliveries to that subscriber marked `late` (older than one of the panel delivered before). */
  readonly heardLate: number;
  /** From the failure's end (or the kill) until InfluxDB held every acknowledged reading, seconds. */
  readonly completeAfterSeconds: number | null;
  readonly notes: Record<string, unknown>;
}

async function tally(
  row: string,
  meters: Meters,
  influx: RealInflux,
  bucket: string,
  prefix: string,
  listener: Listener,
  since: number,
  options: { readonly waitMs: number; readonly notes?: Record<string, unknown> },
): Promise<Tally> {
  await meters.settled(60_000);
  const deadline = Date.now() + options.waitMs;
  let stored = await storedKeys(influx, bucket, prefix);
  const missing = () => [...meters.acknowledged].filter((k) => !stored.has(k)).length;
  let completeAt: number | null = missing() === 0 ? Date.now() : null;
  while (completeAt === null && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    stored = await storedKeys(influx, bucket, prefix);
    if (missing() === 0) completeAt = Date.now();
  }
  // The subscriber hears what is stored; give its feed the time to catch up (counted, not assumed).
  const heardKeys = () => {
    const counts = new Map<string, number>();
    for (const result of listener.results) {
      const reading = result.data?.panelReading;
      if (!reading?.panelId.startsWith(prefix)) continue;
      const k = key(reading.panelId, reading.time);
      counts.set(k, (counts.get(k) ?? 0) + 1);
    }
    return counts;
  };
  const subscriberDeadline = Date.now() + 60_000;
  // One count per pass (not one per key: that was quadratic, minutes for an hour's readings).
  const allHeard = () => {
    const counts = heardKeys();
    return [...stored].every((k) => counts.has(k));
  };
  while (!allHeard() && Date.now() < subscriberDeadline) await new Promise((resolve) => setTimeout(resolve, 1_000));
  const heard = heardKeys();
  const result: Tally = {
    row,
    published: meters.published.size,
    acknowledged: meters.acknowledged.size,
    storedOfAcknowledged: [...meters.acknowledged].filter((k) => stored.has(k)).length,
    lost: missing(),
    storedUnacknowledged: [...stored].filter((k) => !meters.acknowledged.has(k)).length,
    heardOnce: [...stored].filter((k) => heard.get(k) === 1).length,
    heardTwice: [...stored].filter((k) => (heard.get(k) ?? 0) > 1).length,
    notHeard: [...stored].filter((k) => !heard.has(k)).length,
    heardLate: listener.results.filter((r) => r.data?.panelReading.panelId.startsWith(prefix) && r.data.panelReading.late).length,
    completeAfterSeconds: completeAt === null ? null : Math.round((completeAt - since) / 100) / 10,
    notes: options.notes ?? {},
  };
  const line = `[drill] ${JSON.stringify(result)}`;
  console.log(line);
  if (process.env.FAILURE_DRILLS_REPORT) appendFileSync(process.env.FAILURE_DRILLS_REPORT, `${line}\n`);
  return result;
}

/**
 * Three members of one shared group; member 1 carries the live subscriber. The broker has the
 * compose settings unless told otherwise: with the test broker's defaults (max_queued_messages
 * 1,000) Mosquitto drops what it queues for a member away more than a few seconds at these rates
 * (a kill-row run with them: 5,901 of 6,000 readings in InfluxDB minutes later, every member at 0
 * unacknowledged), which measures the broker's setting, not the product.
 */
async function threeMembers(row: string, settings: Record<string, string> = {}, where: Parameters<typeof startCluster>[3] = {}) {
  const broker = where.broker ?? composeBroker(tempDir(cleanup, 'mosquitto-data-'));
  const cluster = await startCluster(cleanup, row.replace(/\W/g, ''), { OFFLINE_AFTER: '1h', LOG_LEVEL: 'info', ...settings }, { ...where, broker });
  const dirs = [tempDir(cleanup), tempDir(cleanup), tempDir(cleanup)];
  const nodes = [await cluster.launch('m1', dirs[0]), await cluster.launch('m2', dirs[1]), await cluster.launch('m3', dirs[2])];
  await Promise.all(nodes.map(ready));
  const listener = listen(nodes[0]!);
  await expect.poll(() => metric(nodes[0]!, 'energy_live_subscriptions'), { timeout: 30_000 }).toBe(1);
  return { ...cluster, nodes: nodes as [Node, Node, Node], dirs, listener };
}

async function readyOf(node: Node): Promise<Record<string, unknown>> {
  const response = await fetch(`${node.url}/ready`).catch(() => null);
  if (!response) return { http: 'unreachable' };
  return { http: response.status, ...((await response.json()) as Record<string, unknown>) };
}

function killGroup(node: Node): Promise<unknown> {
  process.kill(-node.main.child.pid!, 'SIGKILL');
  return node.main.exited;
}

const HOUR = 3_600_000;

describe.skipIf(!realInflux || selected.size === 0)('failure drills (FAILURE_DRILLS=…): what happens to acknowledged readings', () => {
  it.runIf(runs('kill'))('a process killed (kill -9) mid-burst and restarted on its DATA_DIR', { timeout: 20 * 60_000 }, async () => {
    const { broker, bucket, nodes, listener, influx } = await threeMembers('kill', { MQTT_SHARED_ADOPT_AFTER: '30s' });
    const meters = await Meters.connect(broker.url);
    const { prefix, ids } = panelsOf('kill', 20);
    let killedAt = 0;
    await burst(meters, ids, 6_000, 500, async (sent) => {
      if (sent === 2_000) {
        killedAt = Date.now();
        await killGroup(nodes[2]);
        // Back within MQTT_SHARED_ADOPT_AFTER: it resumes its own session and journal.
        nodes[2].main = runMain(nodes[2].env, cleanup);
      }
    });
    await ready(nodes[2]);
    const result = await tally('process killed (kill -9), back on its DATA_DIR', meters, influx, bucket.name, prefix, listener, killedAt, { waitMs: 10 * 60_000 });
    expect(result.lost).toBe(0);
  });

  it.runIf(runs('gone'))('a machine gone for good (kill -9 mid-burst, DATA_DIR deleted)', { timeout: 20 * 60_000 }, async () => {
    // MQTT_SHARED_ADOPT_AFTER at its default (30 s), as in production.
    const { broker, bucket, nodes, dirs, listener, influx } = await threeMembers('gone');
    const meters = await Meters.connect(broker.url);
    const { prefix, ids } = panelsOf('gone', 20);
    let killedAt = 0;
    await burst(meters, ids, 6_000, 500, async (sent) => {
      if (sent === 2_000) {
        killedAt = Date.now();
        await killGroup(nodes[2]);
        rmSync(dirs[2]!, { recursive: true, force: true });
      }
    });
    const result = await tally('machine gone for good (kill -9, DATA_DIR deleted)', meters, influx, bucket.name, prefix, listener, killedAt, {
      waitMs: 10 * 60_000,
      notes: { adoptAfter: '30s' },
    });
    expect(result.lost).toBe(0);
  });

  it.runIf(runs('split'))('a network split between one member and InfluxDB', { timeout: 20 * 60_000 }, async () => {
    const proxy = await tcpProxy(new URL(realInflux!.url));
    cleanup.add(() => proxy.close());
    const cluster = await startCluster(cleanup, 'split', { OFFLINE_AFTER: '1h', LOG_LEVEL: 'info' }, { broker: composeBroker(tempDir(cleanup, 'mosquitto-data-')) });
    const nodes = [await cluster.launch('m1'), await cluster.launch('m2'), await cluster.launch('m3', undefined, { INFLUX_URL: proxy.url })] as [Node, Node, Node];
    await Promise.all(nodes.map(ready));
    const listener = listen(nodes[0]);
    await expect.poll(() => metric(nodes[0], 'energy_live_subscriptions'), { timeout: 30_000 }).toBe(1);
    const meters = await Meters.connect(cluster.broker.url);
    const { prefix, ids } = panelsOf('split', 20);
    const SPLIT_MS = 120_000;
    let healedAt = 0;
    const during: Record<string, unknown> = {};
    // 20 panels, one reading each per second for 4 minutes; the split lasts the middle 2.
    await burst(meters, ids, 20 * 240, 20, async (sent) => {
      if (sent === 20 * 60) proxy.cut();
      if (sent === 20 * 170) {
        during.m3 = await readyOf(nodes[2]);
        during.m1 = await readyOf(nodes[0]);
      }
      if (sent === 20 * 60 + (SPLIT_MS / 1000) * 20) {
        proxy.restore();
        healedAt = Date.now();
      }
    });
    const result = await tally('network split between one member and InfluxDB (2 min)', meters, cluster.influx, cluster.bucket.name, prefix, listener, healedAt, { waitMs: 10 * 60_000, notes: { during } });
    expect(result.lost).toBe(0);
  });

  it.runIf(runs('broker'))('the broker killed (kill -9) with persistence on, and restarted', { timeout: 20 * 60_000 }, async () => {
    const dir = tempDir(cleanup, 'mosquitto-data-');
    const autosave = process.env.FAILURE_DRILL_BROKER_AUTOSAVE ?? '';
    const { broker, bucket, listener, influx } = await threeMembers('broker', {}, { broker: composeBroker(dir, autosave) });
    const meters = await Meters.connect(broker.url);
    const { prefix, ids } = panelsOf('broker', 20);
    let restartedAt = 0;
    // 20 readings/s for 3 minutes; the broker is killed after 100 s (a snapshot every 60 s), back 2 s later.
    await burst(meters, ids, 20 * 180, 20, async (sent) => {
      if (sent === 20 * 100) {
        await broker.kill();
        await new Promise((resolve) => setTimeout(resolve, 2_000));
        await broker.start();
        restartedAt = Date.now();
      }
    });
    const result = await tally('broker killed (kill -9, persistence on) and restarted', meters, influx, bucket.name, prefix, listener, restartedAt, {
      waitMs: 5 * 60_000,
      notes: { brokerSettings: composeBroker('<dir>', autosave).trim().split('\n'), snapshotExisted: existsSync(join(dir, 'mosquitto.db')) },
    });
    // What a kill -9 of the broker may lose is what it accepted since its last snapshot: measured, not asserted.
    expect(result.storedOfAcknowledged).toBeGreaterThan(0);
  });

  it.runIf(runs('influx-down') && localInfluxdbScript !== null)('InfluxDB down for an hour at the production rate', { timeout: 4 * HOUR }, async () => {
    const outageMs = duration(process.env.FAILURE_DRILL_OUTAGE, HOUR);
    const own = await startPrivateInfluxDB(cleanup);
    const dir = tempDir(cleanup, 'mosquitto-data-');
    const { broker, bucket, nodes, listener } = await threeMembers('influxdown', {}, { influx: own, broker: composeBroker(dir) });
    const meters = await Meters.connect(broker.url);
    // 50 panels each reporting every 10 s (5 readings/s, 18,000 an hour): more than 30 panels a minute.
    const panels = Number(process.env.FAILURE_DRILL_PANELS ?? 50);
    const everyMs = duration(process.env.FAILURE_DRILL_EVERY, 10_000);
    const { prefix, ids } = panelsOf('down', panels);
    let stopped = false;
    const ticks = (async () => {
      while (!stopped) {
        const time = new Date(Math.floor(Date.now() / 1000) * 1000);
        for (const id of ids) meters.publish(id, time);
        await new Promise((resolve) => setTimeout(resolve, everyMs - (Date.now() % 1000)));
      }
    })();
    // The broker's own count of messages it holds ($SYS, every 10 s).
    const sys = await connectAsync(broker.url, { protocolVersion: 5 });
    cleanup.add(() => sys.endAsync(true));
    let brokerStored = Number.NaN;
    sys.on('message', (_topic, payload) => (brokerStored = Number(payload.toString())));
    await sys.subscribeAsync('$SYS/broker/store/messages/count');
    const samples: Array<Record<string, unknown>> = [];
    const sample = async (phase: string) => {
      const members = await Promise.all(
        nodes.map(async (node) => ({
          ...(await readyOf(node)),
          metricUnacknowledged: await metric(node, 'energy_mqtt_unacknowledged_messages').catch(() => Number.NaN),
          metricOldestSeconds: await metric(node, 'energy_mqtt_oldest_unacknowledged_seconds').catch(() => Number.NaN),
        })),
      );
      const entry = { at: new Date().toISOString(), phase, published: meters.published.size, acknowledged: meters.acknowledged.size, brokerStoredMessages: brokerStored, members };
      samples.push(entry);
      console.log(`[drill sample] ${JSON.stringify(entry)}`);
    };
    await new Promise((resolve) => setTimeout(resolve, 60_000));
    await sample('before');
    await own.stop();
    const downAt = Date.now();
    while (Date.now() - downAt < outageMs) {
      await new Promise((resolve) => setTimeout(resolve, Math.min(5 * 60_000, outageMs / 4, outageMs - (Date.now() - downAt))));
      await sample('InfluxDB down');
    }
    await own.start();
    const backAt = Date.now();
    await new Promise((resolve) => setTimeout(resolve, 60_000));
    await sample('InfluxDB back for 1 min');
    stopped = true;
    await ticks;
    const result = await tally(`InfluxDB down for ${outageMs / 60_000} min, ${panels} panels every ${everyMs / 1000} s`, meters, own, bucket.name, prefix, listener, backAt, {
      waitMs: 30 * 60_000,
      notes: { samples: samples.map((s) => ({ ...s, members: (s.members as Array<Record<string, unknown>>).map(({ http, unacknowledged, oldestUnacknowledgedAgeSeconds, backlog, influx, metricUnacknowledged }) => ({ http, unacknowledged, oldestUnacknowledgedAgeSeconds, backlog, influx, metricUnacknowledged })) })) },
    });
    await sample('after');
    expect(result.lost).toBe(0);
  });
});
