import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { SUBSCRIBER_BUFFER } from '../../src/pipeline/pubsub.js';
import { liveSubscriptions, subscribe, wsClient } from '../support/graphql-client.js';
import { disposer } from '../support/disposer.js';
import { connectMeter } from '../support/mqtt.js';
import { publishReading, seed, series } from '../support/seed.js';
import { metricValue, startTestApp, type TestApp } from '../support/test-app.js';

const disposers = disposer();
afterEach(() => disposers.run());

const T0 = Date.now() - 60_000;
const at = (ms: number) => new Date(ms).toISOString();

/** The app with panels A, B and C each seen once about a minute ago (A at T0, B a second later, C two). */
async function start(): Promise<TestApp> {
  const api = await startTestApp({}, undefined, { cleanup: disposers });
  seed(api.app, ['EV_A', 'EV_B', 'EV_C'].map((panelId, k) => ({ panelId, time: new Date(T0 + k * 1_000), kwh: 10 * (k + 1) })));
  return api;
}

interface ReadingEvent {
  panelReadingChanged: { initial: boolean; panel: { panelId: string; name: string; status: string }; reading: { panelId: string; time: string } };
}

const READINGS = `subscription ($ids: [ID!]) {
  panelReadingChanged(panelIds: $ids) { initial panel { panelId name status } reading { panelId time } }
}`;

describe('panel subscriptions (the xxxChanged events)', () => {
  it('follow the listed panels only, mark the current state initial and carry the changed panel', async () => {
    const api = await start();
    const client = disposers.use(wsClient(api.wsUrl), (c) => c.dispose());
    const live = disposers.use(subscribe<ReadingEvent, { ids: string[] }>(client, READINGS, { ids: ['EV_A', 'EV_C'] }), (l) => l.dispose());
    await live.received(2);
    // The snapshot: each listed panel's newest reading, marked initial, with the panel itself.
    expect(live.results.map((r) => r.data?.panelReadingChanged)).toEqual([
      { initial: true, panel: { panelId: 'EV_A', name: 'Ev A', status: 'ONLINE' }, reading: { panelId: 'EV_A', time: at(T0) } },
      { initial: true, panel: { panelId: 'EV_C', name: 'Ev C', status: 'ONLINE' }, reading: { panelId: 'EV_C', time: at(T0 + 2_000) } },
    ]);

    const meter = await connectMeter(api.mqttUrl, disposers);
    const time = new Date(Date.now() - 1_000);
    for (const [panelId, kwh] of [['EV_B', 21], ['EV_C', 31], ['EV_A', 11]] as const) await publishReading(meter, { panelId, time, kwh });
    await live.received(4);
    // EV_B is not listed: only the changes of EV_C and EV_A, no longer initial.
    expect(live.results.slice(2).map((r) => r.data?.panelReadingChanged)).toEqual([
      { initial: false, panel: { panelId: 'EV_C', name: 'Ev C', status: 'ONLINE' }, reading: { panelId: 'EV_C', time: time.toISOString() } },
      { initial: false, panel: { panelId: 'EV_A', name: 'Ev A', status: 'ONLINE' }, reading: { panelId: 'EV_A', time: time.toISOString() } },
    ]);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(live.results).toHaveLength(4);
  });

  it('end at once with UNKNOWN_PANEL for a panel the caller does not see, as a query does', async () => {
    const api = await start();
    const client = disposers.use(wsClient(api.wsUrl), (c) => c.dispose());
    for (const query of [
      READINGS,
      'subscription ($ids: [ID!]) { panelStatusChanged(panelIds: $ids) { initial status } }',
      'subscription ($ids: [ID!]) { panelUsageChanged(panelIds: $ids) { initial date } }',
    ]) {
      const live = disposers.use(subscribe<unknown, { ids: string[] }>(client, query, { ids: ['EV_A', 'NO_SUCH_PANEL'] }), (l) => l.dispose());
      await live.ended();
      const errors = live.errors ?? live.results.flatMap((r) => r.errors ?? []);
      expect(errors, query).toEqual([expect.objectContaining({ message: expect.stringMatching(/unknown panel "NO_SUCH_PANEL"/), extensions: expect.objectContaining({ code: 'BAD_USER_INPUT', reason: 'UNKNOWN_PANEL' }) })]);
      expect(live.results.every((r) => r.data == null), query).toBe(true);
    }
  });

  it('status, usage and overview events start with the current state marked initial and carry their object', async () => {
    const api = await start();
    const client = disposers.use(wsClient(api.wsUrl), (c) => c.dispose());
    type Status = { panelStatusChanged: { initial: boolean; status: string; panel: { panelId: string; latestReading: { time: string } | null } } };
    type UsageEvent = { panelUsageChanged: { initial: boolean; panel: { panelId: string }; today: { energyKwh: number } } };
    type OverviewEvent = { overviewChanged: { initial: boolean; overview: { panelCount: number; onlineCount: number } } };
    const statuses = disposers.use(
      subscribe<Status, { ids: string[] }>(client, 'subscription ($ids: [ID!]) { panelStatusChanged(panelIds: $ids) { initial status panel { panelId latestReading { time } } } }', { ids: ['EV_B'] }),
      (l) => l.dispose(),
    );
    const usage = disposers.use(
      subscribe<UsageEvent, { ids: string[] }>(client, 'subscription ($ids: [ID!]) { panelUsageChanged(panelIds: $ids) { initial panel { panelId } today { energyKwh } } }', { ids: ['EV_B', 'EV_C'] }),
      (l) => l.dispose(),
    );
    const overview = disposers.use(subscribe<OverviewEvent, Record<string, never>>(client, 'subscription { overviewChanged { initial overview { panelCount onlineCount } } }', {}), (l) => l.dispose());
    expect((await statuses.next()).data?.panelStatusChanged).toEqual({ initial: true, status: 'ONLINE', panel: { panelId: 'EV_B', latestReading: { time: at(T0 + 1_000) } } });
    await usage.received(2);
    expect(usage.results.map((r) => [r.data?.panelUsageChanged.initial, r.data?.panelUsageChanged.panel.panelId])).toEqual([
      [true, 'EV_B'],
      [true, 'EV_C'],
    ]);
    expect((await overview.next()).data?.overviewChanged).toEqual({ initial: true, overview: { panelCount: 3, onlineCount: 3 } });

    // A change: usage of EV_C only, then the overview, neither initial.
    const meter = await connectMeter(api.mqttUrl, disposers);
    await publishReading(meter, { panelId: 'EV_C', time: new Date(Date.now() - 500), kwh: 32 });
    await usage.received(3);
    expect(usage.results[2]?.data?.panelUsageChanged).toMatchObject({ initial: false, panel: { panelId: 'EV_C' } });
    expect((await overview.next()).data?.overviewChanged.initial).toBe(false);
  });
});

describe('a slow client', () => {
  // A hang guard, not a time bound: 10,000 readings take seconds on a loaded 2-core machine.
  it('is told on its next event how many events it skipped', { timeout: 60_000 }, async () => {
    const api = await startTestApp({}, undefined, { cleanup: disposers });
    const panelId = `SKIP_${'X'.repeat(59)}`; // the longest id: big messages fill the slow socket sooner
    seed(api.app, [{ panelId, time: new Date('2024-12-31T00:00:00Z'), kwh: 0 }]);

    // The slow client: raw graphql-transport-ws, big messages, then it stops reading its socket.
    type Message = { type: string; payload?: { data?: { panelReadingChanged?: { reading: { time: string } } }; extensions?: { skipped?: number } } };
    const slow = disposers.use(new WebSocket(api.wsUrl, 'graphql-transport-ws'), (s) => s.terminate());
    await once(slow, 'open');
    const messages: Message[] = [];
    slow.on('message', (data: Buffer) => messages.push(JSON.parse(data.toString('utf8')) as Message));
    slow.send(JSON.stringify({ type: 'connection_init' }));
    await expect.poll(() => messages.some((m) => m.type === 'connection_ack')).toBe(true);
    const aliases = Array.from({ length: 19 }, (_, k) => `a${k}: panelId`).join(' ');
    const query = `subscription($ids: [ID!]) { panelReadingChanged(panelIds: $ids) { initial reading { ${aliases} time activePowerKw voltage { l1 l2 l3 average } current { l1 l2 l3 average } } } }`;
    slow.send(JSON.stringify({ id: 'slow', type: 'subscribe', payload: { query, variables: { ids: [panelId] } } }));
    await expect.poll(() => messages.filter((m) => m.type === 'next').length).toBe(1); // the initial reading
    slow.pause();

    // A fast client paces the readings, so the server itself never falls behind: every event the
    // slow client misses is one its own window dropped.
    const client = disposers.use(wsClient(api.wsUrl), (c) => c.dispose());
    const fast = disposers.use(subscribe<ReadingEvent, { ids: string[] }>(client, READINGS, { ids: [panelId] }), (f) => f.dispose());
    await fast.received(1);
    const total = Math.ceil((SUBSCRIBER_BUFFER + 6_000) / 100) * 100;
    const readings = series(panelId, new Date('2025-01-01T00:00:00Z'), total, { stepMs: 1_000, kwh0: 1, kwhStep: 0.001 });
    for (let sent = 0; sent < total; sent += 100) {
      seed(api.app, readings.slice(sent, sent + 100));
      await fast.received(1 + sent + 100);
    }
    expect(fast.results.map((r) => r.extensions?.skipped)).toEqual(Array.from({ length: total + 1 }, () => undefined));

    slow.resume();
    const last = new Date(readings.at(-1)!.time).toISOString();
    await expect.poll(() => messages.at(-1)?.payload?.data?.panelReadingChanged?.reading.time, { timeout: 10_000 }).toBe(last);
    const events = messages.filter((m) => m.type === 'next');
    const skipped = events.map((m) => m.payload?.extensions?.skipped ?? 0);
    // It really was stalled and skipped some, and the counts add up: every reading was either
    // received or counted as skipped, exactly once.
    expect(skipped.some((n) => n > 0), 'the slow client was never stalled: make its messages bigger').toBe(true);
    expect(events.length + skipped.reduce((a, b) => a + b, 0)).toBe(1 + total);
    // Operators see the same count (the fast client skipped none).
    expect(await metricValue(api.baseUrl, 'energy_live_events_skipped_total')).toBe(skipped.reduce((a, b) => a + b, 0));
    // The count comes on the first event after the gap, and the readings it received are in order.
    const times = events.slice(1).map((m) => m.payload?.data?.panelReadingChanged?.reading.time ?? '');
    expect(times).toEqual([...times].sort());
    expect(await liveSubscriptions(api.baseUrl)).toBe(2);
  });
});
