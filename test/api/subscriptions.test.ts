import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { publishReading as publishToSubscribers } from '../../src/pipeline/after-write.js';
import { SUBSCRIBER_BUFFER } from '../../src/pipeline/pubsub.js';
import { DashboardDocument, LiveReadingsDocument } from '../generated/graphql.js';
import { httpData, liveSubscriptions, subscribe, wsClient } from '../support/graphql-client.js';
import { disposer } from '../support/disposer.js';
import { connectMeter } from '../support/mqtt.js';
import { publishReading, seed, series } from '../support/seed.js';
import { startTestApp } from '../support/test-app.js';

const disposers = disposer();
afterEach(() => disposers.run());

const start = () => startTestApp({}, undefined, { cleanup: disposers });

describe('panelReading', () => {
  it('delivers a reading published over MQTT to all-panel and matching subscribers only', async () => {
    const api = await start();
    const client = disposers.use(wsClient(api.wsUrl), (c) => c.dispose());
    const all = disposers.use(subscribe(client, LiveReadingsDocument, {}), (a) => a.dispose());
    const onlyA = disposers.use(subscribe(client, LiveReadingsDocument, { panelId: 'LIVE_A' }), (o) => o.dispose());
    await expect.poll(() => liveSubscriptions(api.baseUrl)).toBe(2);
    const meter = await connectMeter(api.mqttUrl, disposers);

    const time = new Date(Date.now() - 1_000);
    await publishReading(meter, { panelId: 'LIVE_A', time, kwh: 1234.5, kw: 7.25, voltage: [220, 221, 222, 221], current: [10, 11, 12, 11] });
    const first = await all.next();
    expect(first.errors).toBeUndefined();
    expect(first.data?.panelReading).toMatchObject({
      panelId: 'LIVE_A',
      time: time.toISOString(),
      meterEnergyKwh: 1234.5,
      activePowerKw: 7.25,
      powerFactor: 0.92,
      voltage: { average: 221 },
      current: { average: 11 },
    });
    expect((await onlyA.next()).data?.panelReading).toMatchObject({ panelId: 'LIVE_A', meterEnergyKwh: 1234.5 });

    // Another panel: the all-panel subscriber gets it, the LIVE_A one does not.
    await publishReading(meter, { panelId: 'LIVE_B', time, kwh: 10 });
    expect((await all.next()).data?.panelReading.panelId).toBe('LIVE_B');
    await publishReading(meter, { panelId: 'LIVE_A', time: new Date(time.getTime() + 500), kwh: 1234.6 });
    expect((await all.next()).data?.panelReading.panelId).toBe('LIVE_A');
    expect((await onlyA.next()).data?.panelReading.meterEnergyKwh).toBe(1234.6);
    expect(onlyA.results.map((r) => r.data?.panelReading.panelId)).toEqual(['LIVE_A', 'LIVE_A']);
    expect(all.results.map((r) => r.data?.panelReading.panelId)).toEqual(['LIVE_A', 'LIVE_B', 'LIVE_A']);
  });

  it('marks a reading older than one already delivered for its panel late, so a subscriber tells it from a new one', async () => {
    const api = await start();
    const client = disposers.use(wsClient(api.wsUrl), (c) => c.dispose());
    type Heard = { panelReading: { time: string; late: boolean } };
    const live = disposers.use(subscribe<Heard, { id: string }>(client, 'subscription ($id: ID) { panelReading(panelId: $id) { time late } }', { id: 'LATE_A' }), (l) => l.dispose());
    await expect.poll(() => liveSubscriptions(api.baseUrl)).toBe(1);
    const meter = await connectMeter(api.mqttUrl, disposers);

    const t = Date.now() - 60_000;
    // A gateway's backlog: the older reading arrives after the newer one.
    for (const [offset, kwh] of [[0, 10], [-30_000, 9], [1_000, 11]] as const) {
      await publishReading(meter, { panelId: 'LATE_A', time: new Date(t + offset), kwh });
      await live.received(live.results.length + 1);
    }
    expect(live.results.map((r) => r.data?.panelReading)).toEqual([
      { time: new Date(t).toISOString(), late: false },
      { time: new Date(t - 30_000).toISOString(), late: true },
      { time: new Date(t + 1_000).toISOString(), late: false },
    ]);
  });

  it('marks late a reading released after a subscription started that is older than the newest it got first', async () => {
    // With several processes ReadingOrder holds readings for MQTT_FEED_ORDER_HOLD after they are in
    // the live state, so a subscription started meanwhile gets the panel's newest first and the
    // held older one after it. Released here as ReadingOrder releases it (publishToSubscribers).
    const api = await start();
    const t = Date.now() - 60_000;
    const [held] = seed(api.app, [
      { panelId: 'LATE_B', time: new Date(t), kwh: 10 },
      { panelId: 'LATE_B', time: new Date(t + 1_000), kwh: 11 },
    ]);
    const client = disposers.use(wsClient(api.wsUrl), (c) => c.dispose());
    type Heard = { panelReading: { time: string; late: boolean } };
    const live = disposers.use(subscribe<Heard, { id: string }>(client, 'subscription ($id: ID) { panelReading(panelId: $id) { time late } }', { id: 'LATE_B' }), (l) => l.dispose());
    await live.received(1);
    publishToSubscribers(api.app.pubsub, held!);
    seed(api.app, [{ panelId: 'LATE_B', time: new Date(t + 2_000), kwh: 12 }]);
    await live.received(3);
    expect(live.results.map((r) => r.data?.panelReading)).toEqual([
      { time: new Date(t + 1_000).toISOString(), late: false },
      { time: new Date(t).toISOString(), late: true },
      { time: new Date(t + 2_000).toISOString(), late: false },
    ]);
  });

  it('shares one execution between identical subscriptions without tying their lifetimes together', async () => {
    const api = await start();
    const first = disposers.use(wsClient(api.wsUrl), (c) => c.dispose());
    const second = disposers.use(wsClient(api.wsUrl), (c) => c.dispose());
    const a = subscribe(first, LiveReadingsDocument, { panelId: 'SHARED' });
    const b = disposers.use(subscribe(second, LiveReadingsDocument, { panelId: 'SHARED' }), (s) => s.dispose());
    await expect.poll(() => liveSubscriptions(api.baseUrl)).toBe(2);
    const t0 = Date.now() - 60_000;
    seed(api.app, [{ panelId: 'SHARED', time: new Date(t0), kwh: 1 }]);
    expect((await a.next()).data?.panelReading.meterEnergyKwh).toBe(1);
    expect((await b.next()).data?.panelReading.meterEnergyKwh).toBe(1);

    // The first one leaves; the other keeps receiving, and a newcomer joins the running operation.
    a.dispose();
    await expect.poll(() => liveSubscriptions(api.baseUrl)).toBe(1);
    const c = disposers.use(subscribe(first, LiveReadingsDocument, { panelId: 'SHARED' }), (s) => s.dispose());
    await expect.poll(() => liveSubscriptions(api.baseUrl)).toBe(2);
    seed(api.app, [{ panelId: 'SHARED', time: new Date(t0 + 1_000), kwh: 2 }]);
    expect((await b.next()).data?.panelReading.meterEnergyKwh).toBe(2);
    expect((await c.next()).data?.panelReading.meterEnergyKwh).toBe(2);
    expect(a.results).toHaveLength(1);
  });

  // A hang guard, not a time bound: 10,000 readings take seconds on a loaded 2-core machine.
  it('does not let a client that stopped reading hold up a fast one, or the server', { timeout: 60_000 }, async () => {
    const api = await start();
    const panelId = `FLOOD_${'X'.repeat(58)}`; // the longest id: big messages fill the slow socket sooner

    // The slow client: raw graphql-transport-ws, subscribes to big messages, then never reads.
    const slow = disposers.use(new WebSocket(api.wsUrl, 'graphql-transport-ws'), (s) => s.terminate());
    await once(slow, 'open');
    const slowMessages: Array<{ type: string; payload?: { data?: { panelReading?: { meterEnergyKwh: number } } } }> = [];
    slow.on('message', (data: Buffer) => slowMessages.push(JSON.parse(data.toString('utf8')) as (typeof slowMessages)[number]));
    slow.send(JSON.stringify({ type: 'connection_init' }));
    await expect.poll(() => slowMessages.some((m) => m.type === 'connection_ack')).toBe(true);
    const aliases = Array.from({ length: 19 }, (_, k) => `a${k}: panelId`).join(' ');
    slow.send(
      JSON.stringify({
        id: 'slow',
        type: 'subscribe',
        payload: {
          query: `subscription($id: ID) { panelReading(panelId: $id) { ${aliases} time meterEnergyKwh activePowerKw voltage { l1 l2 l3 average } current { l1 l2 l3 average } } }`,
          variables: { id: panelId },
        },
      }),
    );
    await expect.poll(() => liveSubscriptions(api.baseUrl)).toBe(1);
    slow.pause();

    // The fast client: the dashboard's own subscription.
    const client = disposers.use(wsClient(api.wsUrl), (c) => c.dispose());
    const fast = disposers.use(subscribe(client, LiveReadingsDocument, { panelId }), (f) => f.dispose());
    await expect.poll(() => liveSubscriptions(api.baseUrl)).toBe(2);

    // Far more readings than the per-subscriber window (SUBSCRIBER_BUFFER) and yoga's pubsub limit
    // (1,024) plus what the stalled socket holds, in bursts the fast client must each receive
    // completely while the slow one stays stalled.
    // (How fast is the benchmark's business: test/bench/fanout.bench.ts.)
    const total = Math.ceil((Math.max(SUBSCRIBER_BUFFER, 1_024) + 6_000) / 100) * 100;
    const burst = 100;
    expect(total).toBeGreaterThan(Math.max(SUBSCRIBER_BUFFER, 1_024));
    const readings = series(panelId, new Date('2025-01-01T00:00:00Z'), total, { stepMs: 1_000, kwh0: 0, kwhStep: 0.001 });
    for (let sent = 0; sent < total; sent += burst) {
      seed(api.app, readings.slice(sent, sent + burst));
      await fast.received(sent + burst);
    }
    const kwh = fast.results.map((r) => r.data?.panelReading.meterEnergyKwh);
    expect(kwh).toHaveLength(total);
    expect(kwh).toEqual(readings.map((r) => r.kwh)); // every reading, in order
    expect(fast.results.every((r) => r.errors === undefined)).toBe(true);

    // The server is healthy and still answers queries and new subscribers.
    expect((await fetch(`${api.baseUrl}/health`)).status).toBe(200);
    expect((await httpData(api.httpUrl, DashboardDocument, {})).site.overview?.panelCount).toBe(1);
    const late = disposers.use(subscribe(client, LiveReadingsDocument, { panelId }), (l) => l.dispose());
    await expect.poll(() => liveSubscriptions(api.baseUrl)).toBe(3);
    seed(api.app, [{ panelId, time: new Date('2025-01-02T00:00:00Z'), kwh: 100 }]);
    expect((await late.next()).data?.panelReading.meterEnergyKwh).toBe(100);

    // Once it reads again, the slow client skips what it missed and catches up with the newest.
    slow.resume();
    await expect
      .poll(() => slowMessages.at(-1)?.payload?.data?.panelReading?.meterEnergyKwh, { timeout: 10_000 })
      .toBe(100);
    // It really was stalled (its socket buffers filled up), so it skipped readings rather than
    // making the server queue them or the ingester wait (its socket held about 2,700 readings).
    const slowReadings = slowMessages.filter((m) => m.type === 'next').length;
    expect(slowReadings, 'the slow client received everything: it was never stalled, make its messages bigger').toBeLessThan(total);
    expect(slowMessages.some((m) => m.type === 'error')).toBe(false);
  });
});
