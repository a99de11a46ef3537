import { createServer } from 'node:http';
import { connectAsync } from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { gql, MIN, ready, startCluster, type Node } from '../cluster/support.js';
import { disposer } from '../support/disposer.js';
import { realInflux } from '../support/influx.js';
import { meterPayload, uniquePanelId } from '../support/mqtt.js';

/**
 * Alarms with three product processes on one broker and one real InfluxDB
 * (`npm run test:influx -- test/alarms/cluster.test.ts`): every process decides the same alarms with
 * the same ids, each notification is sent once by the cluster, and an acknowledgement made on one
 * process shows on the others.
 */
const cleanup = disposer();
afterEach(() => cleanup.run());

interface AlarmsAnswer {
  alarms: { edges: Array<{ node: { id: string; panelId: string; type: string; state: string; startedAt: string; clearedAt: string | null; acknowledgedBy: string | null } }> };
}
const ALARMS = '{ alarms(first: 100) { edges { node { id panelId type state startedAt clearedAt acknowledgedBy } } } }';

describe.skipIf(!realInflux)('alarms on three processes', () => {
  it('the same alarms and ids on every process, each notification sent once by the cluster, acknowledgements shared', { timeout: 150_000 }, async () => {
    const accepted: string[] = [];
    const kinds: string[] = [];
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        accepted.push(String(req.headers['idempotency-key']));
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { transition: { kind: string }; alarm: { panelId: string } };
        kinds.push(`${body.alarm.panelId} ${body.transition.kind}`);
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanup.add(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;

    const { broker, launch } = await startCluster(cleanup, 'alarms', {
      OFFLINE_AFTER: '1h',
      ALARM_WEBHOOK_URL: `http://127.0.0.1:${port}/hook`,
      ALARM_NOTIFY_RETRY_FIRST: '100ms',
      ALARM_NOTIFY_RETRY_MAX: '500ms',
      // A raise and its clear come within seconds here.
      ALARM_NOTIFY_MIN_INTERVAL: '1ms',
    });
    const nodes = [await launch('p1'), await launch('p2'), await launch('p3')];
    await Promise.all(nodes.map(ready));
    const [p1, p2, p3] = nodes as [Node, Node, Node];

    // Three panels: out of band for 8 minutes, then back in band for 7 (raised and cleared), or still out (open).
    const ids = [uniquePanelId('AL_A'), uniquePanelId('AL_B'), uniquePanelId('AL_C')];
    const end = Math.floor(Date.now() / MIN) * MIN - MIN;
    const meter = await connectAsync(broker.url, { protocolVersion: 5 });
    cleanup.add(() => meter.endAsync(true));
    for (let i = 0; i < 15; i++) {
      for (const [n, id] of ids.entries()) {
        const volts = n === 2 ? 190 : i < 8 ? 240 : 225;
        const time = new Date(end - (14 - i) * MIN);
        await meter.publishAsync(`DATA/PM/${id}`, meterPayload({ kWh: String(100 + i * 0.1), kw: '6', v: [volts, volts, volts, volts], time }), { qos: 1 });
      }
    }

    // Every process: the same two cleared and one open alarm, with the same ids.
    const mine = (answer: AlarmsAnswer) => answer.alarms.edges.map((e) => e.node).filter((a) => ids.includes(a.panelId)).sort((a, b) => a.id.localeCompare(b.id));
    await expect.poll(async () => mine(await gql<AlarmsAnswer>(p1, ALARMS)).map((a) => a.state).sort(), { timeout: 60_000 }).toEqual(['ACTIVE_UNACK', 'CLEARED_UNACK', 'CLEARED_UNACK']);
    const ofFirst = mine(await gql<AlarmsAnswer>(p1, ALARMS));
    for (const node of [p2, p3]) await expect.poll(async () => mine(await gql<AlarmsAnswer>(node, ALARMS)), { timeout: 30_000 }).toEqual(ofFirst);

    // Five transitions (three raises, two clears), each notified once by the cluster.
    await expect.poll(() => new Set(accepted).size, { timeout: 30_000 }).toBe(5);
    expect(accepted).toHaveLength(5);
    expect(kinds.map((k) => k.replace(/_[0-9A-F]+ /, ' ')).sort()).toEqual(['AL_A CLEARED', 'AL_A RAISED', 'AL_B CLEARED', 'AL_B RAISED', 'AL_C RAISED']);

    // Acknowledged on p2: shown on p1 and p3 (the admin notice on the stored-readings feed).
    // Within 2 s (issue 24): measured from the answer on p2 until both others show it.
    const open = ofFirst.find((a) => a.state === 'ACTIVE_UNACK')!;
    await gql(p2, 'mutation($id: ID!) { acknowledgeAlarm(input: { id: $id, note: "on it" }) { userErrors { code } } }', { id: open.id });
    const acknowledgedAt = Date.now();
    for (const node of [p1, p3]) {
      await expect.poll(async () => (await gql<{ alarm: { state: string } }>(node, 'query($id: ID!) { alarm(id: $id) { state } }', { id: open.id })).alarm.state, { timeout: 15_000, interval: 50 }).toBe('ACTIVE_ACK');
    }
    expect(Date.now() - acknowledgedAt).toBeLessThan(2_000);
    // Restarting a process neither loses nor duplicates: it reads the alarm log back from InfluxDB.
    process.kill(-p3.main.child.pid!, 'SIGTERM');
    await p3.main.exited;
    const again = await launch('p3-again');
    await ready(again);
    await expect.poll(async () => mine(await gql<AlarmsAnswer>(again, ALARMS)).map((a) => ({ ...a, acknowledgedBy: null })), { timeout: 30_000 }).toEqual(
      ofFirst.map((a) => ({ ...a, state: a.id === open.id ? 'ACTIVE_ACK' : a.state, acknowledgedBy: null })),
    );
    expect(accepted).toHaveLength(5);
  });
});
