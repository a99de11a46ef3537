import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { connectAsync, type MqttClient } from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { everyAnswer } from '../support/answers.js';
import { gql, minutes, ready, repeatProperty, roundsTimeout, startCluster as startClusterWith, step, type Node } from './support.js';
import { disposer } from '../support/disposer.js';
import { subscribe, wsClient, type GraphqlResult, type LiveOperation } from '../support/graphql-client.js';
import { countPoints, realInflux } from '../support/influx.js';
import { freePort, runMain, tempDir, uniquePanelId, type MeterReading } from '../support/mqtt.js';
import { publishReading } from '../support/seed.js';

/**
 * Several product processes on one broker and one real InfluxDB (`npm run test:influx -- test/cluster`):
 * meters are shared out with an MQTT 5 shared subscription; every process tells the others what it
 * stored over the stored-readings feed (a topic on the same broker) and when it changed the admin
 * record. Three processes as real child processes, one of them killed with SIGKILL mid-burst.
 */
const cleanup = disposer();
afterEach(() => cleanup.run());

const key = (panelId: string, time: string | Date) => `${panelId}@${new Date(time).toISOString()}`;

async function backlog(node: Node): Promise<number> {
  return (await gql<{ ingestStatus: { backlog: number } }>(node, '{ ingestStatus { backlog } }')).ingestStatus.backlog;
}

/** The dashboard's answers, for comparing processes. */
const answers = (node: Node, panelIds: readonly string[]) => everyAnswer(`${node.url}/graphql`, panelIds, 12);

/** A private broker and an InfluxDB bucket for processes sharing the meters (support.ts). */
const startCluster = (tag: string, settings: Record<string, string>) => startClusterWith(cleanup, tag, settings);

describe.skipIf(!realInflux)('three processes, one broker, one InfluxDB', () => {
  const influx = realInflux!;

  it('shares the meters, fans every reading out once everywhere, answers alike, survives kill -9, shares admin changes', { timeout: roundsTimeout(150_000) }, async () => {
    await repeatProperty(
      'three processes: fan-out once, kill -9, same answers, time order, clean leave, gone for good, admin',
      async () => {
        const { broker, bucket, launch } = await startCluster('cluster', {
          OFFLINE_AFTER: '1h',
          // Quick adoption of a killed member's broker session, and a generous hold for time order on this shared machine.
          MQTT_SHARED_ADOPT_AFTER: '2s',
          MQTT_FEED_ORDER_HOLD: '1500ms',
        });
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
        for (const r of ordered.slice(0, half)) await publishReading(meter, r);
        const burst = Promise.all(ordered.slice(half).map((r) => publishReading(meter, r)));
        await expect.poll(() => live.results.length, { timeout: 30_000, interval: 20 }).toBeGreaterThan(half + 20);
        process.kill(-p3.main.child.pid!, 'SIGKILL');
        await p3.main.exited;
        await burst;
        // Replaced with its DATA_DIR (its journal and its broker session, holding what it had not acknowledged).
        p3.main = runMain(p3.env, cleanup);
        await ready(p3);

        await step('kill -9 and back: stored once, heard once', async () => {
          for (const node of nodes) await expect.poll(() => backlog(node), { timeout: 60_000 }).toBe(0);
          for (const id of ids) {
            await expect.poll(() => countPoints(influx, bucket.name, id), { timeout: 30_000 }).toBe(readings.length / ids.length);
          }
          // Every stored reading reached process 1's subscriber, each once, including those p3 stored.
          await expect.poll(() => live.results.length, { timeout: 30_000 }).toBeGreaterThanOrEqual(expected.size);
          const heard = live.results.map((result) => key(result.data!.panelReading.panelId, result.data!.panelReading.time));
          expect(heard.length).toBe(expected.size);
          expect(new Set(heard)).toEqual(expected);
        });

        await step('same answers on every process', async () => {
          const ofFirst = await answers(p1, ids);
          expect(await answers(p2, ids)).toEqual(ofFirst);
          expect(await answers(p3, ids)).toEqual(ofFirst);
        });

        await step('time order per panel', () => burstInTimeOrder(nodes, meter));
        await step('clean leave', () => memberLeavesCleanly(p2, [p1, p3], meter, bucket.name));
        p2.main = runMain(p2.env, cleanup);
        await ready(p2);
        await step('gone for good, adopted', () => memberGoneForGood(p3, [p1, p2], meter, bucket.name));
        p3.main = runMain(p3.env, cleanup);
        await ready(p3);

        // An admin change through process 2 is in force on process 3 (a notice on the feed, then a re-read).
        const tomorrow = new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10);
        await gql(p2, `mutation ($d: Date!) { setTariffPlan(input: { effectiveFrom: $d, plan: { kind: FLAT, ratePerKwh: 2222, name: "cluster" } }) { plan { effectiveFrom } } }`, { d: tomorrow });
        const versions = (node: Node) => gql<{ tariff: { versions: Array<{ effectiveFrom: string; name: string | null }> } }>(node, '{ tariff { versions { effectiveFrom name } } }');
        await expect.poll(async () => (await versions(p3)).tariff.versions.at(-1), { timeout: 10_000 }).toEqual({ effectiveFrom: tomorrow, name: 'cluster' });
        await renameAndCheck(p1, p3, ids[0]!);

        // A new process with an empty DATA_DIR answers the whole history, admin changes included.
        await step('a new process answers alike', async () => {
          const fresh = await launch('p4');
          await ready(fresh);
          expect(await answers(fresh, ids)).toEqual(await answers(p1, ids));
        });

        if (caddyInstalled) await step('through Caddy', () => throughCaddy([p1, p2, p3], meter, ids[0]!));
      },
      cleanup,
    );
  });

  it('announces the same status changes, at the same instants, on every process', { timeout: roundsTimeout(90_000) }, async () => {
    await repeatProperty(
      'same status changes everywhere',
      async () => {
        // 5 s: a process that hears the reading on the feed seconds later (a busy 2-core machine) must
        // still see it live, or it would rightly never announce ONLINE.
        const { broker, launch } = await startCluster('status', { OFFLINE_AFTER: '5s' });
        const nodes = [await launch('s1'), await launch('s2'), await launch('s3')];
        await Promise.all(nodes.map(ready));
        const panelId = uniquePanelId('CL_STATUS');
        type Change = { panelStatusChanged: { status: string; at: string } };
        const watchers = nodes.map((node) => {
          const ws = wsClient(`${node.url.replace('http', 'ws')}/graphql`);
          cleanup.add(() => ws.dispose());
          const live = subscribe<Change, { id: string }>(ws, 'subscription ($id: ID) { panelStatusChanged(panelId: $id) { status at } }', { id: panelId });
          cleanup.add(() => live.dispose());
          return live;
        });
        for (const node of nodes) await expect.poll(() => liveSubscriptions(node), { timeout: 10_000 }).toBe(1);

        // One reading, stored by one of the three: all announce ONLINE at its meter time, then OFFLINE
        // at exactly that time + OFFLINE_AFTER, each by its own clock.
        const meter = await connectAsync(broker.url, { protocolVersion: 5 });
        cleanup.add(() => meter.endAsync(true));
        // Meter time has whole seconds: the next one, so the reading is as fresh as it can be.
        const time = new Date(Math.ceil(Date.now() / 1000) * 1000);
        await publishReading(meter, { panelId, time, kwh: 100, kw: 5 });
        const expected = [
          { status: 'ONLINE', at: time.toISOString() },
          { status: 'OFFLINE', at: new Date(time.getTime() + 5_000).toISOString() },
        ];
        for (const live of watchers) {
          await expect.poll(() => live.results.map((result) => result.data!.panelStatusChanged), { timeout: 30_000 }).toEqual(expected);
        }
      },
      cleanup,
    );
  });
});

type PanelReading = { panelReading: { panelId: string; time: string } };

const liveSubscriptions = async (node: Node) =>
  Number(/^energy_live_subscriptions (\d+)$/m.exec(await (await fetch(`${node.url}/metrics`)).text())?.[1] ?? Number.NaN);

/** Readings the process has stored since it started. */
const storedTotal = async (node: Node) =>
  Number(/^energy_readings_stored_total (\d+)$/m.exec(await (await fetch(`${node.url}/metrics`)).text())?.[1] ?? Number.NaN);

/** A live subscriber for one panel on a process, registered there before this returns. */
async function livePanel(node: Node, panelId: string): Promise<LiveOperation<PanelReading>> {
  const before = await liveSubscriptions(node);
  const ws = wsClient(`${node.url.replace('http', 'ws')}/graphql`);
  cleanup.add(() => ws.dispose());
  const live = subscribe<PanelReading, { id: string }>(ws, 'subscription ($id: ID) { panelReading(panelId: $id) { panelId time } }', { id: panelId });
  cleanup.add(() => live.dispose());
  await expect.poll(() => liveSubscriptions(node), { timeout: 10_000 }).toBeGreaterThan(before);
  return live;
}

/**
 * A burst of one panel's readings, spread by the broker over the three processes: a subscriber on
 * each process hears every reading once and in meter-time order, though most were stored elsewhere.
 */
async function burstInTimeOrder(nodes: readonly Node[], meter: MqttClient): Promise<void> {
  const panelId = uniquePanelId('CL_ORDER');
  const readings = minutes(panelId, 90, 7);
  const subscribers: Array<LiveOperation<PanelReading>> = [];
  for (const node of nodes) subscribers.push(await livePanel(node, panelId));
  await Promise.all(readings.map((r) => publishReading(meter, r)));
  const expected = readings.map((r) => r.time.toISOString());
  for (const live of subscribers) await expect.poll(() => live.results.length, { timeout: 30_000 }).toBeGreaterThanOrEqual(expected.length);
  // Nothing more came of the burst: the next reading heard is a later one, published after it.
  const sentinel = await publishSentinel(meter, readings);
  for (const live of subscribers) {
    await expect.poll(() => live.results.at(-1)?.data?.panelReading.time, { timeout: 30_000 }).toBe(sentinel);
    expect(live.results.map((result) => result.data!.panelReading.time)).toEqual([...expected, sentinel]);
  }
}

/** One more reading of the panel, a minute after the last of `readings`, as an event that ends a wait for "nothing more"; its time. */
async function publishSentinel(meter: MqttClient, readings: readonly MeterReading[]): Promise<string> {
  const last = readings.at(-1)!;
  const time = new Date(last.time.getTime() + 60_000);
  await publishReading(meter, { panelId: last.panelId, time, kwh: last.kwh + 0.1, kw: last.kw });
  return time.toISOString();
}

/**
 * A member that stops cleanly while readings stream in: it stores what it has in flight and
 * announces it on the feed before the feed closes, so the others' subscribers hear every reading
 * once, and nothing is left at the broker for its session.
 */
async function memberLeavesCleanly(leaving: Node, others: readonly Node[], meter: MqttClient, bucket: string): Promise<void> {
  const panelId = uniquePanelId('CL_LEAVE');
  const readings = minutes(panelId, 300, 13);
  const live: Array<LiveOperation<PanelReading>> = [];
  for (const node of others) live.push(await livePanel(node, panelId));
  const before = await storedTotal(leaving);
  // A steady stream (about 2 s), so that readings keep reaching the leaving process while it stops.
  const burst = (async () => {
    for (const r of readings) {
      await publishReading(meter, r);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  })();
  // Once the leaving process is storing part of the burst.
  await expect.poll(() => storedTotal(leaving), { timeout: 30_000, interval: 10 }).toBeGreaterThan(before);
  process.kill(leaving.main.child.pid!, 'SIGTERM');
  expect((await leaving.main.exited).code).toBe(0);
  await burst;
  await expect.poll(() => countPoints(realInflux!, bucket, panelId), { timeout: 60_000, interval: 500 }).toBe(readings.length);
  const expected = new Set(readings.map((r) => r.time.toISOString()));
  for (const operation of live) await expect.poll(() => operation.results.length, { timeout: 30_000 }).toBeGreaterThanOrEqual(expected.size);
  // Nothing more came of the stream (no reading twice): the next heard is a later one, published after it.
  const sentinel = await publishSentinel(meter, readings);
  for (const operation of live) {
    await expect.poll(() => operation.results.some((result) => result.data?.panelReading.time === sentinel), { timeout: 30_000 }).toBe(true);
    const heard = operation.results.map((result) => result.data!.panelReading.time).filter((time) => time !== sentinel);
    expect(heard).toHaveLength(expected.size);
    expect(new Set(heard)).toEqual(expected);
  }
}

/**
 * A member killed for good: the broker keeps handing its persistent session a share of the meters'
 * messages, its Will tells the others when it stays away, and one of them adopts the session and
 * stores what it holds. Every reading of a burst after the kill is stored once, without it.
 */
async function memberGoneForGood(gone: Node, others: readonly Node[], meter: MqttClient, bucket: string): Promise<void> {
  process.kill(-gone.main.child.pid!, 'SIGKILL');
  await gone.main.exited;
  const panelId = uniquePanelId('CL_GONE');
  const readings = minutes(panelId, 60, 11);
  const live: Array<LiveOperation<PanelReading>> = [];
  for (const node of others) live.push(await livePanel(node, panelId));
  await Promise.all(readings.map((r) => publishReading(meter, r)));
  await expect.poll(() => countPoints(realInflux!, bucket, panelId), { timeout: 60_000, interval: 500 }).toBe(readings.length);
  const expected = new Set(readings.map((r) => r.time.toISOString()));
  for (const operation of live) {
    await expect.poll(() => operation.results.length, { timeout: 30_000 }).toBeGreaterThanOrEqual(expected.size);
    const heard = operation.results.map((result) => result.data!.panelReading.time);
    expect(heard).toHaveLength(expected.size);
    expect(new Set(heard)).toEqual(expected);
  }
  for (const node of others) {
    const { panel } = await gql<{ panel: { latestReading: { time: string } | null } }>(node, `{ panel(id: "${panelId}") { latestReading { time } } }`);
    expect(panel.latestReading?.time).toBe(readings.at(-1)!.time.toISOString());
  }
}

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
    // Meter time has whole seconds: the next one, so the reading is as fresh as it can be.
    const time = new Date(Math.ceil(Date.now() / 1000) * 1000);
    published.add(time.toISOString());
    await publishReading(meter, { panelId, time, kwh: 1_000 + attempt * 0.001, kw: 5 });
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
  await gql(from, 'mutation ($id: ID!) { updatePanel(input: { id: $id, name: "Cluster panel" }) { __typename } }', { id: panelId });
  await expect.poll(async () => (await gql<{ panel: { name: string } }>(to, '{ panel(id: $id) { name } }'.replace('$id', `"${panelId}"`))).panel.name, { timeout: 10_000 }).toBe('Cluster panel');
}
