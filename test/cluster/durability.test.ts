import { rmSync } from 'node:fs';
import { connectAsync, type MqttClient } from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { disposer } from '../support/disposer.js';
import { subscribe, wsClient } from '../support/graphql-client.js';
import { InfluxStore } from '../../src/store/influx/influx-store.js';
import { countPoints, realInflux } from '../support/influx.js';
import { makeSparseReading } from '../support/readings.js';
import { tempDir, uniquePanelId, type MeterReading } from '../support/mqtt.js';
import { publishReading } from '../support/seed.js';
import { gql, logLines, metric, minutes, ready, repeatProperty, roundsTimeout, startCluster, tcpProxy, type Node } from './support.js';

/**
 * Several processes that survive losing a machine for good (`npm run test:influx -- test/cluster`):
 * with MQTT_SHARED_GROUP a reading is acknowledged to the broker only once InfluxDB has confirmed
 * it, so a member killed with SIGKILL whose DATA_DIR is never seen again takes no acknowledged
 * reading with it: what it had not acknowledged stays at the broker, and exactly one other member
 * adopts its session and stores it. CLUSTER_STRESS=20 repeats each property 20 times.
 */
const cleanup = disposer();
afterEach(() => cleanup.run());

/** Publishes readings at about `perSecond` (QoS 1, each acknowledged by the broker), returning when all are. */
async function stream(meter: MqttClient, readings: readonly MeterReading[], perSecond: number): Promise<void> {
  const started = Date.now();
  const sent: Array<Promise<unknown>> = [];
  for (let i = 0; i < readings.length; i++) {
    sent.push(publishReading(meter, readings[i]!));
    const due = started + ((i + 1) * 1000) / perSecond;
    if (due > Date.now()) await new Promise((resolve) => setTimeout(resolve, due - Date.now()));
  }
  await Promise.all(sent);
}

/** Readings of several panels interleaved in time order, as a building's meters send them. */
function interleaved(panels: readonly string[], perPanel: number): MeterReading[] {
  return panels
    .flatMap((id, i) => minutes(id, perPanel, i + 3))
    .sort((a, b) => a.time.getTime() - b.time.getTime() || (a.panelId < b.panelId ? -1 : 1));
}

async function allInInflux(bucket: string, panels: readonly string[], perPanel: number): Promise<void> {
  for (const id of panels) {
    await expect.poll(() => countPoints(realInflux!, bucket, id), { timeout: 90_000, interval: 500 }).toBe(perPanel);
  }
}

describe.skipIf(!realInflux)('several processes: nothing acknowledged lives only on one member’s disk', () => {
  it('a member killed mid-burst whose DATA_DIR is gone for good: every reading reaches InfluxDB, and exactly one member adopts its session', { timeout: roundsTimeout(180_000) }, async () => {
    await repeatProperty(
      'killed for good',
      async () => {
        const { broker, bucket, launch } = await startCluster(cleanup, 'gone', {
          OFFLINE_AFTER: '1h',
          MQTT_SHARED_ADOPT_AFTER: '2s',
          // The adoption decisions are logged at info.
          LOG_LEVEL: 'info',
        });
        const goneDir = tempDir(cleanup);
        const nodes = [await launch('d1'), await launch('d2'), await launch('d3', goneDir)];
        await Promise.all(nodes.map(ready));
        const [d1, d2, d3] = nodes as [Node, Node, Node];
        const d3ClientId = await clientIdOf(d3);

        const panels = [uniquePanelId('DU_A'), uniquePanelId('DU_B')];
        const perPanel = 400;
        const meter = await connectAsync(broker.url, { protocolVersion: 5, reconnectPeriod: 200 });
        cleanup.add(() => meter.endAsync(true));
        // 800 readings at about 400/s; d3 dies (SIGKILL) once it has stored some of them, and its
        // disk is not seen again.
        const burst = stream(meter, interleaved(panels, perPanel), 400);
        await expect.poll(() => metric(d3, 'energy_readings_stored_total'), { timeout: 30_000, interval: 10 }).toBeGreaterThan(50);
        process.kill(-d3.main.child.pid!, 'SIGKILL');
        await d3.main.exited;
        rmSync(goneDir, { recursive: true, force: true });
        await burst;

        // Every reading the broker accepted is in InfluxDB, without d3 ever coming back.
        await allInInflux(bucket.name, panels, perPanel);
        for (const node of [d1, d2]) await expect.poll(() => unacknowledged(node), { timeout: 30_000 }).toBe(0);

        // Both survivors decided about d3's session, and exactly one adopted it.
        const decided = (node: Node) =>
          logLines(node, 'a shared-group member went away without a clean stop: adopting its broker session').length +
          logLines(node, 'another member claimed the session of a member that went away first; leaving it to that member').length;
        for (const node of [d1, d2]) await expect.poll(() => decided(node), { timeout: 30_000 }).toBeGreaterThanOrEqual(1);
        const adopters = [d1, d2].filter((node) =>
          logLines(node, 'a shared-group member went away without a clean stop: adopting its broker session').some((line) => line.clientId === d3ClientId),
        );
        expect(adopters.map((node) => node.name)).toHaveLength(1);
        for (const node of [d1, d2]) expect(logLines(node, 'another client connected with this client id').length).toBe(0);
      },
      cleanup,
    );
  });

  for (const when of ['before', 'while'] as const) {
    it(`the member that won the claim on a gone member's session dies ${when} adopting it: another member adopts it, and every reading reaches InfluxDB`, { timeout: roundsTimeout(180_000) }, async () => {
      await repeatProperty(
        `adopter dies ${when} adopting`,
        async () => {
          const { broker, bucket, launch } = await startCluster(cleanup, 'adopter', { OFFLINE_AFTER: '1h', MQTT_SHARED_ADOPT_AFTER: '2s', LOG_LEVEL: 'info' });
          const goneDir = tempDir(cleanup);
          const nodes = [await launch('e1'), await launch('e2'), await launch('e3', goneDir)];
          await Promise.all(nodes.map(ready));
          const [e1, e2, e3] = nodes as [Node, Node, Node];
          const goneId = await clientIdOf(e3);

          // e3 is gone for good; the broker keeps handing its session a share of what meters send.
          process.kill(-e3.main.child.pid!, 'SIGKILL');
          await e3.main.exited;
          rmSync(goneDir, { recursive: true, force: true });
          const panels = [uniquePanelId('AD_A'), uniquePanelId('AD_B')];
          const perPanel = 300;
          const meter = await connectAsync(broker.url, { protocolVersion: 5, reconnectPeriod: 200 });
          cleanup.add(() => meter.endAsync(true));
          await Promise.all(interleaved(panels, perPanel).map((r) => publishReading(meter, r)));

          // The member that wins the claim dies as soon as it has won it, or once it is connected
          // with the gone member's client id and draining its session.
          const won = (node: Node) => logLines(node, 'won the claim on the session of a member that went away').some((line) => line.clientId === goneId);
          const draining = (node: Node) => logLines(node, 'connected to MQTT broker').some((line) => line.clientId === goneId && line.adopted === true);
          const dies = when === 'before' ? won : draining;
          await expect.poll(() => [e1, e2].some(dies), { timeout: 60_000, interval: 5 }).toBe(true);
          const [adopter, survivor] = (dies(e1) ? [e1, e2] : [e2, e1]) as [Node, Node];
          process.kill(-adopter.main.child.pid!, 'SIGKILL');
          await adopter.main.exited;

          // Its own Will lapses the claim it won: the survivor claims that session again (and the
          // adopter's own), adopts them, and everything the meters sent is in InfluxDB.
          await allInInflux(bucket.name, panels, perPanel);
          await expect.poll(() => unacknowledged(survivor), { timeout: 30_000 }).toBe(0);
          const adoptedThere = (node: Node) =>
            logLines(node, 'a shared-group member went away without a clean stop: adopting its broker session').some((line) => line.clientId === goneId);
          if (when === 'before') {
            expect(logLines(adopter, 'adopted the session of a shared-group member that went away, stored what it held and ended it')).toEqual([]);
            await expect.poll(() => adoptedThere(survivor), { timeout: 30_000 }).toBe(true);
          }
          expect(logLines(survivor, 'another client connected with this client id').length).toBe(0);
        },
        cleanup,
      );
    });
  }

  it('while InfluxDB is unreachable the members acknowledge nothing, show the backlog, and store everything when it returns', { timeout: roundsTimeout(150_000) }, async () => {
    await repeatProperty(
      'InfluxDB away',
      async () => {
        const proxy = await tcpProxy(new URL(realInflux!.url));
        cleanup.add(() => proxy.close());
        const { broker, bucket, launch } = await startCluster(cleanup, 'away', { OFFLINE_AFTER: '1h', INFLUX_URL: proxy.url });
        const nodes = [await launch('a1'), await launch('a2')];
        await Promise.all(nodes.map(ready));
        const panels = [uniquePanelId('AW_A')];
        const perPanel = 200;

        // A network split between the members and InfluxDB.
        proxy.cut();
        const meter = await connectAsync(broker.url, { protocolVersion: 5, reconnectPeriod: 200 });
        cleanup.add(() => meter.endAsync(true));
        await stream(meter, interleaved(panels, perPanel), 400);
        // Every reading is received and stored locally, none acknowledged: the broker holds them.
        await expect.poll(async () => (await Promise.all(nodes.map(unacknowledged))).reduce((a, b) => a + b, 0), { timeout: 30_000 }).toBe(perPanel);
        for (const node of nodes) {
          const details = await readyDetails(node);
          expect(details.unacknowledged).toBe(await metric(node, 'energy_mqtt_unacknowledged_messages'));
          expect(details.influx).toBe('degraded');
        }
        expect(await countPoints(realInflux!, bucket.name, panels[0]!)).toBe(0);

        proxy.restore();
        await allInInflux(bucket.name, panels, perPanel);
        for (const node of nodes) await expect.poll(() => unacknowledged(node), { timeout: 30_000 }).toBe(0);
        // And what every member answers comes to agree with InfluxDB: a reading another member
        // stored reaches this one over the stored-readings feed, a moment after its acknowledgement.
        const newest = minutes(panels[0]!, perPanel, 3).at(-1)!.time.toISOString();
        for (const node of nodes) {
          await expect
            .poll(async () => (await gql<{ panel: { latestReading: { time: string } | null } }>(node, `{ panel(id: "${panels[0]}") { latestReading { time } } }`)).panel.latestReading?.time, { timeout: 15_000 })
            .toBe(newest);
        }
      },
      cleanup,
    );
  });

  it('a reading delivered after a newer one of its panel reaches live subscribers marked late', { timeout: roundsTimeout(60_000) }, async () => {
    await repeatProperty(
      'late flag',
      async () => {
        const { broker, launch } = await startCluster(cleanup, 'late', { OFFLINE_AFTER: '1h' });
        const nodes = [await launch('l1'), await launch('l2')];
        await Promise.all(nodes.map(ready));
        const panelId = uniquePanelId('LATE');
        type Heard = { panelReading: { time: string; late: boolean } };
        const watchers = nodes.map((node) => {
          const ws = wsClient(`${node.url.replace('http', 'ws')}/graphql`);
          cleanup.add(() => ws.dispose());
          const live = subscribe<Heard, { id: string }>(ws, 'subscription ($id: ID) { panelReading(panelId: $id) { time late } }', { id: panelId });
          cleanup.add(() => live.dispose());
          return live;
        });
        for (const node of nodes) await expect.poll(() => metric(node, 'energy_live_subscriptions'), { timeout: 10_000 }).toBe(1);
        const meter = await connectAsync(broker.url, { protocolVersion: 5 });
        cleanup.add(() => meter.endAsync(true));
        const [older, newer] = minutes(panelId, 2, 5) as [MeterReading, MeterReading];
        await publishReading(meter, newer);
        for (const live of watchers) await expect.poll(() => live.results.length, { timeout: 15_000 }).toBe(1);
        // A gateway sending its backlog: the older reading comes after the newer one was delivered.
        await publishReading(meter, older);
        const expected = [
          { time: newer.time.toISOString(), late: false },
          { time: older.time.toISOString(), late: true },
        ];
        for (const live of watchers) await expect.poll(() => live.results.map((r) => r.data!.panelReading), { timeout: 15_000 }).toEqual(expected);
      },
      cleanup,
    );
  });

  it('a process stopped a few seconds after its start stops cleanly: nothing is logged after "stopped cleanly"', { timeout: roundsTimeout(60_000) }, async () => {
    await repeatProperty(
      'clean stop',
      async () => {
        const { bucket, launch } = await startCluster(cleanup, 'stop', { LOG_LEVEL: 'info' });
        // A history to walk at start-up (20 panels × 5 days of minutes), so the energy ledger is
        // still reading the stores when the stop comes.
        const store = new InfluxStore({ ...realInflux!, bucket: bucket.name });
        const start = Date.now() - 6 * 86_400_000;
        for (let p = 0; p < 20; p++) {
          const panelId = uniquePanelId(`ST_${p}`);
          await store.writeBatch(Array.from({ length: 5 * 1440 }, (_, i) => makeSparseReading(panelId, new Date(start + i * 60_000), 100 + i * 0.1)));
        }
        const node = await launch('c1');
        // Stopped while it is still starting (walking the history): the case seen to log
        // "The database connection is not open" after its last words.
        // Answering HTTP: its signal handlers are in place (they are set once the app has started).
        await expect.poll(async () => (await fetch(`${node.url}/health`).catch(() => null))?.status ?? 0, { timeout: 30_000, interval: 20 }).toBe(200);
        expect(logLines(node, 'panels and energy ledger loaded')).toEqual([]);
        process.kill(node.main.child.pid!, 'SIGTERM');
        expect((await node.main.exited).code, node.main.output()).toBe(0);
        const lines = node.main.output().trim().split('\n');
        const last = lines.findIndex((line) => line.includes('"stopped cleanly"'));
        expect(last, node.main.output()).toBeGreaterThanOrEqual(0);
        expect(lines.slice(last + 1)).toEqual([]);
        expect(node.main.output()).not.toMatch(/TypeError|database connection is not open|"level":50|"level":60/);
      },
      cleanup,
    );
  });
});

async function readyDetails(node: Node): Promise<Record<string, unknown>> {
  const body = (await (await fetch(`${node.url}/ready`)).json()) as { details?: Record<string, unknown> } & Record<string, unknown>;
  return body.details ?? body;
}

const unacknowledged = (node: Node) => metric(node, 'energy_mqtt_unacknowledged_messages');

/** The ingest client id of a process (logged when it connects to the broker). */
async function clientIdOf(node: Node): Promise<string> {
  await expect.poll(() => logLines(node, 'connected to MQTT broker').length, { timeout: 30_000 }).toBeGreaterThan(0);
  return String(logLines(node, 'connected to MQTT broker')[0]!.clientId);
}
