import { afterEach, describe, expect, it, vi } from 'vitest';
import { getJson, LOG_LEVEL, metricValue, startTestApp, uniqueTopicRoot } from '../support/test-app.js';
import {
  EXAMPLE_PAYLOAD,
  EXAMPLE_TIME,
  MQTT_TEST_URL,
  collectStored,
  connectMeter,
  disposer,
  externalIngesterEnv,
  meterPayload,
  minutesAgo,
  peekStore,
  publishQos1,
  startPrivateMosquitto,
  tempDir,
  uniquePanelId,
} from '../support/mqtt.js';

/**
 * Issue 2 against an external broker (MQTT_URL): the shared Mosquitto (MQTT_TEST_URL, default
 * 127.0.0.1:1883), or a private one where the test kills the broker. Each test has its own topic
 * root and client id; persistent sessions left on the shared broker are ended afterwards.
 */
const cleanup = disposer();
afterEach(() => cleanup.run());

const versions = [{ protocol: 5 as const }, { protocol: 4 as const }];

/** An ingester on `url` reading the topics under `root`. */
const ingesterEnv = (url: string, protocol: 4 | 5, root: string) => ({ ...externalIngesterEnv(url, cleanup, protocol), MQTT_TOPIC: `${root}/PM/#` });

describe.each(versions)('ingestion from Mosquitto with MQTT $protocol', ({ protocol }) => {
  it('stores a published reading and publishes it on the pubsub', async () => {
    const root = uniqueTopicRoot('MOSQ');
    const app = await startTestApp(ingesterEnv(MQTT_TEST_URL, protocol, root), undefined, { cleanup });
    expect(app.app.mqttPort).toBeNull();
    const stored = collectStored(app.app, cleanup);
    const disk = peekStore(app.dataDir, cleanup);
    const meter = await connectMeter(MQTT_TEST_URL, cleanup);
    const panelId = uniquePanelId();

    await publishQos1(meter, `${root}/PM/${panelId}`, EXAMPLE_PAYLOAD);

    await vi.waitFor(() => expect(disk.count(panelId)).toBe(1));
    expect(disk.rows(panelId)[0]).toMatchObject({
      time_ms: EXAMPLE_TIME.getTime(),
      voltage_avg: 149.8,
      current_l2: 0.2,
      active_power_kw: 0.34,
      apparent_power_kva: 0.18,
      energy_kwh: 1532.08,
      power_factor: 0.92,
    });
    await vi.waitFor(() => expect(stored).toHaveLength(1));
    expect(stored[0]).toMatchObject({ panelId, time: EXAMPLE_TIME, energyKwh: 1532.08 });
    expect(await getJson(`${app.baseUrl}/ready`)).toMatchObject({ status: 200, body: { brokerConnected: true } });
  });

  it('stores, after a restart with the same client id and data, what was published while it was stopped', async () => {
    const root = uniqueTopicRoot('OFFLINE');
    const env = ingesterEnv(MQTT_TEST_URL, protocol, root);
    const dataDir = tempDir(cleanup);
    const panelId = uniquePanelId();
    const topic = `${root}/PM/${panelId}`;
    const meter = await connectMeter(MQTT_TEST_URL, cleanup);
    const times = [minutesAgo(4), minutesAgo(3), minutesAgo(2)];

    const first = await startTestApp(env, dataDir, { cleanup });
    await publishQos1(meter, topic, meterPayload({ kWh: '10.1', time: times[0] }));
    const disk = peekStore(dataDir, cleanup);
    await vi.waitFor(() => expect(disk.count(panelId)).toBe(1));
    disk.close();
    await first.stop();

    // The broker queues these for the ingester's session.
    await publishQos1(meter, topic, meterPayload({ kWh: '10.2', time: times[1] }));
    await publishQos1(meter, topic, meterPayload({ kWh: '10.3', time: times[2] }));

    const second = await startTestApp(env, dataDir, { cleanup });
    const again = peekStore(dataDir, cleanup);
    await vi.waitFor(() => expect(again.count(panelId)).toBe(3));
    expect(again.rows(panelId).map((row) => [row.time_ms, row.energy_kwh])).toEqual([
      [times[0]!.getTime(), 10.1],
      [times[1]!.getTime(), 10.2],
      [times[2]!.getTime(), 10.3],
    ]);
    expect(second.logs.some((line) => line.msg === 'connected to MQTT broker' && line.sessionPresent === true)).toBe(true);
  });

  it('does not acknowledge a reading the store failed to write, and stores it when the broker redelivers', async () => {
    const root = uniqueTopicRoot('STOREFAIL');
    const app = await startTestApp(ingesterEnv(MQTT_TEST_URL, protocol, root), undefined, { cleanup });
    const disk = peekStore(app.dataDir, cleanup);
    const saboteur = peekStore(app.dataDir, cleanup, { readonly: false });
    const live = collectStored(app.app, cleanup);
    const meter = await connectMeter(MQTT_TEST_URL, cleanup);
    const panelId = uniquePanelId();
    const times = [minutesAgo(3), minutesAgo(2), minutesAgo(1)];

    saboteur.db.exec(`CREATE TRIGGER injected_failure BEFORE INSERT ON readings BEGIN SELECT RAISE(ABORT, 'injected failure'); END;`);
    // Three readings while the store fails: the first fails, the two behind it must not be
    // acknowledged past it either.
    for (const [k, time] of times.entries()) {
      await publishQos1(meter, `${root}/PM/${panelId}`, meterPayload({ kWh: `5${k}.5`, time }));
    }
    await vi.waitFor(async () => expect(await metricValue(app.baseUrl, 'energy_store_write_failures_total')).toBeGreaterThanOrEqual(1));
    expect(disk.count(panelId)).toBe(0);
    expect(live).toEqual([]);
    expect(
      app.logs.some((line) => line.level === LOG_LEVEL.warn && line.msg === 'messages not acknowledged; reconnecting for redelivery'),
    ).toBe(true);

    saboteur.db.exec('DROP TRIGGER injected_failure');
    // Redelivered after the subscriber reconnects (1 s back-off).
    await vi.waitFor(() => expect(disk.count(panelId)).toBe(3), { timeout: 8_000, interval: 50 });
    expect(disk.rows(panelId).map((row) => [row.time_ms, row.energy_kwh])).toEqual(
      times.map((time, k) => [time.getTime(), 50 + k + 0.5]),
    );
    await vi.waitFor(() => expect(live.map((reading) => reading.time)).toEqual(times));
  });

  it('commits readings in groups, and a reading that cannot be written holds back only itself', async () => {
    const root = uniqueTopicRoot('GROUP');
    const app = await startTestApp(ingesterEnv(MQTT_TEST_URL, protocol, root), undefined, { cleanup });
    const disk = peekStore(app.dataDir, cleanup);
    const saboteur = peekStore(app.dataDir, cleanup, { readonly: false });
    const meter = await connectMeter(MQTT_TEST_URL, cleanup);
    const good = uniquePanelId('GOOD');
    const bad = uniquePanelId('BAD');
    saboteur.db.exec(
      `CREATE TRIGGER injected_failure BEFORE INSERT ON readings WHEN NEW.panel_id = '${bad}' BEGIN SELECT RAISE(ABORT, 'injected failure'); END;`,
    );
    // A burst, so messages of both panels arrive in the same group.
    const times = Array.from({ length: 40 }, (_, k) => minutesAgo(60 - k));
    await Promise.all(
      times.flatMap((time, k) => [
        publishQos1(meter, `${root}/PM/${good}`, meterPayload({ kWh: String(100 + k), time })),
        ...(k === 20 ? [publishQos1(meter, `${root}/PM/${bad}`, meterPayload({ kWh: '7', time }))] : []),
      ]),
    );
    await vi.waitFor(() => expect(disk.count(good)).toBe(40), { timeout: 30_000, interval: 50 });
    expect(disk.count(bad)).toBe(0);
    // Written one by one after the group failed: the good readings acknowledged, the bad one refused.
    expect(app.logs.some((line) => line.msg === 'messages not acknowledged; reconnecting for redelivery' && Number(line.acknowledged) > 0)).toBe(true);

    saboteur.db.exec('DROP TRIGGER injected_failure');
    await vi.waitFor(() => expect(disk.count(bad)).toBe(1), { timeout: 15_000, interval: 50 });
    expect(disk.count(good)).toBe(40);
  }, 60_000); // room for the waits above on a busy machine (redelivery goes through reconnects)
});

describe('several ingesters sharing the work (MQTT_SHARED_GROUP)', () => {
  it('stores each reading in exactly one of them', async () => {
    const root = uniqueTopicRoot('SHARED');
    const group = `writers_${root}`;
    const apps = [
      await startTestApp({ ...ingesterEnv(MQTT_TEST_URL, 5, root), MQTT_SHARED_GROUP: group }, undefined, { cleanup }),
      await startTestApp({ ...ingesterEnv(MQTT_TEST_URL, 5, root), MQTT_SHARED_GROUP: group }, undefined, { cleanup }),
    ];
    const disks = apps.map((app) => peekStore(app.dataDir, cleanup));
    const meter = await connectMeter(MQTT_TEST_URL, cleanup);
    const panelId = uniquePanelId();
    const times = Array.from({ length: 20 }, (_, k) => minutesAgo(30 - k));

    for (const [k, time] of times.entries()) {
      await publishQos1(meter, `${root}/PM/${panelId}`, meterPayload({ kWh: String(k), time }));
    }

    await vi.waitFor(() => expect(disks[0]!.count(panelId) + disks[1]!.count(panelId)).toBe(times.length));
    const stored = disks.flatMap((disk) => disk.rows(panelId).map((row) => row.time_ms));
    expect(stored.sort((a, b) => a - b)).toEqual(times.map((time) => time.getTime()));
    // Mosquitto balances a shared subscription between its members.
    for (const disk of disks) expect(disk.count(panelId)).toBeGreaterThan(0);
  });
});

describe('acknowledgement of rejected messages', () => {
  // Also what shows that Mosquitto takes the subscriber's PUBACKs (mqtt-codec.ts, pubackBytes) in both versions.
  it.each(versions)('acknowledges garbage, so a restarted ingester is not handed it again (MQTT $protocol)', async ({ protocol }) => {
    const root = uniqueTopicRoot('REJECTACK');
    const env = ingesterEnv(MQTT_TEST_URL, protocol, root);
    const dataDir = tempDir(cleanup);
    const meter = await connectMeter(MQTT_TEST_URL, cleanup);
    const panelId = uniquePanelId();
    const topic = `${root}/PM/${panelId}`;

    const first = await startTestApp(env, dataDir, { cleanup });
    const disk = peekStore(dataDir, cleanup);
    await publishQos1(meter, topic, 'not json');
    await publishQos1(meter, topic, meterPayload({ kWh: '1', time: minutesAgo(2) }));
    await vi.waitFor(() => expect(disk.count(panelId)).toBe(1));
    expect(first.app.services.ingest.status(panelId).rejections).toMatchObject([{ reason: 'invalid_json', count: 1 }]);
    await first.stop();

    const second = await startTestApp(env, dataDir, { cleanup });
    // A reading published after the restart arrives after anything the session still held.
    await publishQos1(meter, topic, meterPayload({ kWh: '2', time: minutesAgo(1) }));
    await vi.waitFor(() => expect(disk.count(panelId)).toBe(2));
    expect(second.app.services.ingest.status().rejections).toEqual([]);
  });
});

describe('an external broker that goes away and comes back', () => {
  it('reports not ready while it is gone, reconnects, and ingestion resumes', async () => {
    const broker = await startPrivateMosquitto(cleanup);
    const root = uniqueTopicRoot('RESTART');
    const app = await startTestApp(ingesterEnv(broker.url, 5, root), undefined, { cleanup });
    const disk = peekStore(app.dataDir, cleanup);
    const meter = await connectMeter(broker.url, cleanup);
    const panelId = uniquePanelId();
    const topic = `${root}/PM/${panelId}`;

    await publishQos1(meter, topic, meterPayload({ kWh: '1.0', time: minutesAgo(2) }));
    await vi.waitFor(() => expect(disk.count(panelId)).toBe(1));
    expect((await getJson(`${app.baseUrl}/ready`)).status).toBe(200);

    await broker.kill();
    await vi.waitFor(async () =>
      expect(await getJson(`${app.baseUrl}/ready`)).toMatchObject({ status: 503, body: { status: 'not ready', brokerConnected: false } }),
    );
    expect(app.app.services.ingest.status().brokerConnected).toBe(false);

    await broker.start();
    // Ready again means subscribed again (the restarted broker kept no session).
    await vi.waitFor(async () => expect((await getJson(`${app.baseUrl}/ready`)).status).toBe(200), { timeout: 8_000, interval: 50 });
    await vi.waitFor(() => expect(meter.connected).toBe(true));
    await publishQos1(meter, topic, meterPayload({ kWh: '1.1', time: minutesAgo(1) }));
    await vi.waitFor(() => expect(disk.count(panelId)).toBe(2));
  });
});
