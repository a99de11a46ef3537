import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { connectAsync, type MqttClient } from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { disposer } from '../support/disposer.js';
import { httpData, subscribe, wsClient, type GraphqlResult, type LiveOperation } from '../support/graphql-client.js';
import { createBucket, realInflux, type RealInflux } from '../support/influx.js';
import { freePort, meterPayload, runMain, startPrivateMosquitto, tempDir, uniquePanelId, type MainProcess } from '../support/mqtt.js';

/**
 * Several product processes on one broker and one real InfluxDB (`npm run test:influx -- test/cluster`):
 * meters are shared out with an MQTT 5 shared subscription; every process tells the others what it
 * stored over the stored-readings feed (a topic on the same broker) and when it changed the admin
 * record. Three processes as real child processes, one of them killed with SIGKILL mid-burst.
 */
const cleanup = disposer();
afterEach(() => cleanup.run());

const MIN = 60_000;

interface MeterReading {
  readonly panelId: string;
  readonly time: Date;
  readonly kwh: number;
  readonly kw: number;
}

/** Minute readings of one panel ending two minutes ago. */
function minutes(panelId: string, count: number, seed: number): MeterReading[] {
  const end = Math.floor(Date.now() / MIN) * MIN - 2 * MIN;
  let kwh = 500 + seed * 31;
  return Array.from({ length: count }, (_, i) => {
    const kw = 4 + ((i * 7 + seed) % 9);
    kwh += kw / 60;
    return { panelId, time: new Date(end - (count - 1 - i) * MIN), kwh: Math.round(kwh * 1000) / 1000, kw };
  });
}

const key = (panelId: string, time: string | Date) => `${panelId}@${new Date(time).toISOString()}`;

function publish(client: MqttClient, r: MeterReading): Promise<unknown> {
  return client.publishAsync(`DATA/PM/${r.panelId}`, meterPayload({ kWh: String(r.kwh), kw: String(r.kw), time: r.time }), { qos: 1 });
}

interface Node {
  readonly name: string;
  readonly url: string;
  readonly env: Record<string, string>;
  main: MainProcess;
}

async function ready(node: Node): Promise<void> {
  await expect
    .poll(async () => (await fetch(`${node.url}/ready`).catch(() => null))?.status ?? 0, { timeout: 60_000, interval: 250 })
    .toBe(200);
}

const gql = <T,>(node: Node, query: string, variables: Record<string, unknown> = {}) => httpData<T, Record<string, unknown>>(`${node.url}/graphql`, query, variables);

async function backlog(node: Node): Promise<number> {
  return (await gql<{ ingestStatus: { backlog: number } }>(node, '{ ingestStatus { backlog } }')).ingestStatus.backlog;
}

const USAGE = '{ energyKwh cost blocks { block energyKwh cost } }';
const POINT = '{ start end energyKwh cost readingCount activePowerKw voltage current powerFactor }';

/** The dashboard's answers, for comparing processes. */
async function everyAnswer(node: Node, panelIds: readonly string[]): Promise<unknown> {
  const now = new Date();
  const to = new Date(Math.ceil(now.getTime() / 3_600_000) * 3_600_000);
  const from = new Date(to.getTime() - 12 * 3_600_000);
  const jakarta = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Jakarta', year: 'numeric', month: 'numeric' }).formatToParts(now);
  const year = Number(jakarta.find((p) => p.type === 'year')!.value);
  const month = Number(jakarta.find((p) => p.type === 'month')!.value);
  const base = await gql(
    node,
    `query ($year: Int!, $month: Int!) {
      overview { panelCount onlineCount offlineCount todayUsage ${USAGE} }
      panels { id name status firstSeenAt lastSeenAt todayUsage ${USAGE} latestReading { time energyKwh activePowerKw } }
      thisMonth: monthlySummary(year: $year, month: $month) { total ${USAGE} days { date energyKwh cost } }
      thisYear: yearlySummary(year: $year) { total ${USAGE} months { month energyKwh cost } }
      tariff { versions { effectiveFrom kind name } }
    }`,
    { year, month },
  );
  const perPanel = [];
  for (const id of panelIds) {
    perPanel.push(
      await gql(
        node,
        `query ($id: ID!, $from: DateTime!, $to: DateTime!) {
          panel(id: $id) {
            m1: history(from: $from, to: $to, every: "1m") ${POINT}
            h1: history(from: $from, to: $to, every: "1h") ${POINT}
            raw: readings(from: $from, to: $to, every: "15m") { time energyKwh activePowerKw }
          }
        }`,
        { id, from: from.toISOString(), to: to.toISOString() },
      ),
    );
  }
  return { base, perPanel };
}

/** How many points of one panel InfluxDB holds, straight from InfluxDB. */
async function countPoints(influx: RealInflux, bucket: string, panelId: string): Promise<number> {
  const response = await fetch(`${influx.url}/api/v2/query?org=${encodeURIComponent(influx.org)}`, {
    method: 'POST',
    headers: { Authorization: `Token ${influx.token}`, 'Content-Type': 'application/vnd.flux', Accept: 'application/csv' },
    body: `from(bucket: "${bucket}") |> range(start: 0) |> filter(fn: (r) => r._measurement == "panel_energy" and r.panel_id == "${panelId}" and r._field == "energy_kwh") |> count()`,
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`count query: HTTP ${response.status} ${text}`);
  const lines = text.trim().split(/\r?\n/);
  const column = (lines[0] ?? '').split(',').indexOf('_value');
  const row = lines.find((line) => line.startsWith(',_result'));
  return row ? Number(row.split(',')[column]) : 0;
}

describe.skipIf(!realInflux)('three processes, one broker, one InfluxDB', () => {
  const influx = realInflux!;

  it('shares the meters, fans every reading out once everywhere, answers alike, survives kill -9, shares admin changes', { timeout: 150_000 }, async () => {
    const broker = await startPrivateMosquitto(cleanup);
    const bucket = await createBucket(influx, 'cluster');
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
      OFFLINE_AFTER: '1h',
      SIMULATE: 'false',
      LOG_FORMAT: 'json',
      LOG_LEVEL: 'warn',
    };
    const launch = async (name: string, dataDir = tempDir(cleanup)): Promise<Node> => {
      const port = await freePort();
      const env = { ...common, PORT: String(port), DATA_DIR: dataDir };
      return { name, url: `http://127.0.0.1:${port}`, env, main: runMain(env, cleanup) };
    };
    const nodes = [await launch('p1'), await launch('p2'), await launch('p3')];
    await Promise.all(nodes.map(ready));
    const [p1, p2, p3] = nodes as [Node, Node, Node];

    const ids = [uniquePanelId('CL_A'), uniquePanelId('CL_B')];
    const readings = ids.flatMap((id, i) => minutes(id, 240, i + 1));
    const expected = new Set(readings.map((r) => key(r.panelId, r.time)));

    // A live subscriber on process 1, for every panel.
    const ws = wsClient(`${p1.url.replace('http', 'ws')}/graphql`);
    cleanup.add(() => ws.dispose());
    const live = subscribe<{ panelReading: { panelId: string; time: string } }, Record<string, never>>(ws, 'subscription { panelReading { panelId time } }');
    cleanup.add(() => live.dispose());
    await expect.poll(async () => (await fetch(`${p1.url}/metrics`)).text(), { timeout: 10_000 }).toMatch(/energy_live_subscriptions 1/);

    const meter = await connectAsync(broker.url, { protocolVersion: 5, reconnectPeriod: 200 });
    cleanup.add(() => meter.endAsync(true));
    // First half one by one, as meters send; the second half in a burst, during which p3 dies.
    const half = readings.length / 2;
    const ordered = [...readings].sort((a, b) => a.time.getTime() - b.time.getTime());
    for (const r of ordered.slice(0, half)) await publish(meter, r);
    const burst = Promise.all(ordered.slice(half).map((r) => publish(meter, r)));
    await expect.poll(() => live.results.length, { timeout: 30_000, interval: 20 }).toBeGreaterThan(half + 20);
    process.kill(-p3.main.child.pid!, 'SIGKILL');
    await p3.main.exited;
    await burst;
    // Replaced with its DATA_DIR (its journal and its broker session, holding what it had not acknowledged).
    p3.main = runMain(p3.env, cleanup);
    await ready(p3);

    for (const node of nodes) await expect.poll(() => backlog(node), { timeout: 60_000 }).toBe(0);
    for (const id of ids) {
      await expect.poll(() => countPoints(influx, bucket.name, id), { timeout: 30_000 }).toBe(readings.length / ids.length);
    }
    // Every stored reading reached process 1's subscriber, each once, including those p3 stored.
    await expect.poll(() => live.results.length, { timeout: 30_000 }).toBeGreaterThanOrEqual(expected.size);
    const heard = live.results.map((result) => key(result.data!.panelReading.panelId, result.data!.panelReading.time));
    expect(heard.length).toBe(expected.size);
    expect(new Set(heard)).toEqual(expected);

    const answers = await everyAnswer(p1, ids);
    expect(await everyAnswer(p2, ids)).toEqual(answers);
    expect(await everyAnswer(p3, ids)).toEqual(answers);

    // An admin change through process 2 is in force on process 3 (a notice on the feed, then a re-read).
    const tomorrow = new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10);
    await gql(p2, `mutation ($d: Date!) { setTariffPlan(effectiveFrom: $d, plan: { kind: "FLAT", ratePerKwh: 2222, name: "cluster" }) { effectiveFrom } }`, { d: tomorrow });
    const versions = (node: Node) => gql<{ tariff: { versions: Array<{ effectiveFrom: string; name: string | null }> } }>(node, '{ tariff { versions { effectiveFrom name } } }');
    await expect.poll(async () => (await versions(p3)).tariff.versions.at(-1), { timeout: 10_000 }).toEqual({ effectiveFrom: tomorrow, name: 'cluster' });
    await renameAndCheck(p1, p3, ids[0]!);

    // A new process with an empty DATA_DIR answers the whole history, admin changes included.
    const fresh = await launch('p4');
    await ready(fresh);
    expect(await everyAnswer(fresh, ids)).toEqual(await everyAnswer(p1, ids));

    if (caddyInstalled) await throughCaddy([p1, p2, p3], meter, ids[0]!);
  });
});

const caddyInstalled = spawnSync('caddy', ['version']).status === 0;

/**
 * Caddy (where installed) in front of the processes, as compose runs it but with the replicas'
 * addresses listed (no Docker DNS here, so also its active /ready checks): queries and a live
 * subscription pass through it, and a stopped replica is left out.
 */
async function throughCaddy(nodes: readonly Node[], meter: MqttClient, panelId: string): Promise<void> {
  const port = await freePort();
  const dir = tempDir(cleanup, 'caddy-');
  const file = join(dir, 'Caddyfile');
  const upstreams = nodes.map((node) => node.url.replace('http://', '')).join(' ');
  writeFileSync(
    file,
    `{\n\tauto_https off\n\tadmin off\n\tstorage file_system ${dir}\n}\n:${port} {\n\treverse_proxy ${upstreams} {\n` +
      '\t\thealth_uri /ready\n\t\thealth_interval 500ms\n\t\tlb_policy round_robin\n\t\tlb_try_duration 5s\n\t\tflush_interval -1\n\t}\n}\n',
  );
  const caddy = spawn('caddy', ['run', '--adapter', 'caddyfile', '--config', file], { stdio: 'ignore', env: { ...process.env, HOME: dir, XDG_DATA_HOME: dir, XDG_CONFIG_HOME: dir } });
  cleanup.add(async () => {
    if (caddy.exitCode === null && caddy.signalCode === null) {
      const exited = once(caddy, 'exit');
      caddy.kill('SIGTERM');
      await exited;
    }
  });
  const proxy: Node = { name: 'caddy', url: `http://127.0.0.1:${port}`, env: {}, main: nodes[0]!.main };
  await ready(proxy);
  // One replica stopped: the health checks leave it out, every request still answered.
  process.kill(-nodes[1]!.main.child.pid!, 'SIGKILL');
  await nodes[1]!.main.exited;
  for (let i = 0; i < 6; i++) {
    await expect.poll(async () => (await gql<{ panel: { id: string } }>(proxy, `{ panel(id: "${panelId}") { id } }`).catch(() => null))?.panel.id, { timeout: 10_000 }).toBe(panelId);
  }
  // A WebSocket subscription through the proxy hears a new reading.
  // The proxy may still try the stopped replica for a connection it opens before its passive
  // check has marked it down: a client reconnects, as the dashboard does.
  let live: LiveOperation<{ panelReading: { panelId: string; time: string } }> | null = null;
  let first: GraphqlResult<{ panelReading: { panelId: string; time: string } }> | null = null;
  for (let attempt = 1; first === null; attempt++) {
    const ws = wsClient(`ws://127.0.0.1:${port}/graphql`);
    cleanup.add(() => ws.dispose());
    live = subscribe<{ panelReading: { panelId: string; time: string } }, { id: string }>(ws, 'subscription ($id: ID) { panelReading(panelId: $id) { panelId time } }', { id: panelId });
    const current = live;
    cleanup.add(() => current.dispose());
    try {
      first = await live.next(10_000);
    } catch (error) {
      if (attempt >= 5) throw error;
    }
  }
  expect(first.data?.panelReading.panelId).toBe(panelId);
  // A new reading reaches the subscriber through the proxy. The stopped replica's persistent
  // shared-subscription session may still be handed a message by the broker (it is delivered when
  // that replica returns), so publish a fresh reading each time until one is heard.
  const published = new Set<string>();
  let heard: { panelId: string; time: string } | undefined;
  for (let attempt = 1; heard === undefined; attempt++) {
    const time = new Date(Math.floor(Date.now() / 1000) * 1000);
    published.add(time.toISOString());
    await publish(meter, { panelId, time, kwh: 1_000 + attempt * 0.001, kw: 5 });
    try {
      heard = (await live!.next(5_000)).data?.panelReading;
    } catch (error) {
      if (attempt >= 6) throw error;
    }
    await new Promise((resolve) => setTimeout(resolve, 1_100));
  }
  expect(heard?.panelId).toBe(panelId);
  expect(published.has(heard?.time ?? '')).toBe(true);
}

/** A panel renamed through one process carries the name on another. */
async function renameAndCheck(from: Node, to: Node, panelId: string): Promise<void> {
  await gql(from, 'mutation ($id: ID!) { setPanelName(panelId: $id, name: "Cluster panel") { __typename } }', { id: panelId });
  await expect.poll(async () => (await gql<{ panel: { name: string } }>(to, '{ panel(id: $id) { name } }'.replace('$id', `"${panelId}"`))).panel.name, { timeout: 10_000 }).toBe('Cluster panel');
}
