import { afterEach, describe, expect, it, vi } from 'vitest';
import { getJson, LOG_LEVEL, metricValue, startTestApp, uniqueTopicRoot } from '../support/test-app.js';
import {
  EXAMPLE_PAYLOAD,
  EXAMPLE_TIME,
  collectStored,
  connectMeter,
  disposer,
  meterPayload,
  minutesAgo,
  peekStore,
  publishQos1,
  uniquePanelId,
} from '../support/mqtt.js';

/**
 * Issue 2 on the embedded default (no MQTT_URL): a real mqtt.js meter publishes over TCP to the
 * Aedes broker inside the app, readings land in the real SQLite file. A second SQLite connection
 * checks what is on disk, independent of the app.
 */
const cleanup = disposer();
afterEach(() => cleanup.run());

async function embeddedApp() {
  const root = uniqueTopicRoot('EMB');
  const app = await startTestApp({ MQTT_TOPIC: `${root}/PM/#` }, undefined, { cleanup });
  return { ...app, topic: (panelId: string) => `${root}/PM/${panelId}`, root };
}

describe('ingestion through the embedded broker', () => {
  it('stores the example payload and publishes it on the pubsub; a PUBACK means the row is on disk', async () => {
    const app = await embeddedApp();
    expect(app.app.mqttPort).toBeGreaterThan(0);
    const stored = collectStored(app.app, cleanup);
    const disk = peekStore(app.dataDir, cleanup);
    const meter = await connectMeter(app.mqttUrl, cleanup);
    const panelId = uniquePanelId();

    await publishQos1(meter, app.topic(panelId), EXAMPLE_PAYLOAD);

    // No waiting: the broker acknowledged only after the durable write.
    expect(disk.rows(panelId)).toEqual([
      {
        panel_id: panelId,
        time_ms: EXAMPLE_TIME.getTime(),
        voltage_l1: 224.7,
        voltage_l2: 224.7,
        voltage_l3: 0,
        voltage_avg: 149.8,
        current_l1: 0,
        current_l2: 0.2,
        current_l3: 0.02,
        current_avg: 0.07,
        active_power_kw: 0.34,
        apparent_power_kva: 0.18,
        energy_kwh: 1532.08,
        power_factor: 0.92,
        reactive_energy_kvarh: null,
        voltage_unbalance: 0.009,
        current_unbalance: 0.099,
      },
    ]);
    await vi.waitFor(() => expect(stored).toHaveLength(1));
    expect(stored[0]).toMatchObject({ panelId, time: EXAMPLE_TIME, energyKwh: 1532.08, activePowerKw: 0.34 });
    expect((await getJson(`${app.baseUrl}/ready`)).status).toBe(200);
  });

  it('acknowledges every reading of a burst only once it is durable', async () => {
    const app = await embeddedApp();
    const disk = peekStore(app.dataDir, cleanup);
    const meter = await connectMeter(app.mqttUrl, cleanup);
    const panelId = uniquePanelId();
    const times = Array.from({ length: 50 }, (_, k) => minutesAgo(60 - k));

    await Promise.all(
      times.map(async (time, k) => {
        await publishQos1(meter, app.topic(panelId), meterPayload({ kWh: String(100 + k / 10), time }));
        // Checked at the moment this reading's PUBACK arrived, not after the whole burst.
        expect(disk.rows(panelId).map((row) => row.time_ms)).toContain(time.getTime());
      }),
    );
    expect(disk.count(panelId)).toBe(50);
  });

  it('stores a duplicate delivery (same panel and time) once', async () => {
    const app = await embeddedApp();
    const disk = peekStore(app.dataDir, cleanup);
    const meter = await connectMeter(app.mqttUrl, cleanup);
    const otherMeter = await connectMeter(app.mqttUrl, cleanup);
    const panelId = uniquePanelId();
    const time = minutesAgo(3);

    await publishQos1(meter, app.topic(panelId), meterPayload({ kWh: '10.5', time }));
    await publishQos1(meter, app.topic(panelId), meterPayload({ kWh: '10.5', time }));
    await publishQos1(otherMeter, app.topic(panelId), meterPayload({ kWh: '10.5', time }));

    expect(disk.rows(panelId)).toHaveLength(1);
    expect(disk.rows(panelId)[0]).toMatchObject({ time_ms: time.getTime(), energy_kwh: 10.5 });
  });

  it('withholds the PUBACK while the store fails, and stores the reading when the meter resends it', async () => {
    const app = await embeddedApp();
    const disk = peekStore(app.dataDir, cleanup);
    const saboteur = peekStore(app.dataDir, cleanup, { readonly: false });
    const live = collectStored(app.app, cleanup);
    // clean:false so the meter keeps its session; mqtt.js resends unacknowledged QoS 1 on reconnect.
    const meter = await connectMeter(app.mqttUrl, cleanup, { clean: false });
    const panelId = uniquePanelId();
    const time = minutesAgo(2);

    saboteur.db.exec(`CREATE TRIGGER injected_failure BEFORE INSERT ON readings BEGIN SELECT RAISE(ABORT, 'injected failure'); END;`);
    let acknowledged = false;
    const publishing = publishQos1(meter, app.topic(panelId), meterPayload({ kWh: '77.7', time })).then(() => {
      acknowledged = true;
    });

    // Refused at least twice: once, then again after the meter reconnected and resent it.
    await vi.waitFor(async () => expect(await metricValue(app.baseUrl, 'energy_store_write_failures_total')).toBeGreaterThanOrEqual(2), {
      timeout: 5_000,
    });
    expect(acknowledged).toBe(false);
    expect(disk.count(panelId)).toBe(0);
    expect(live).toEqual([]);
    expect(app.logs.some((line) => line.level === LOG_LEVEL.error && /injected failure/.test(JSON.stringify(line)))).toBe(true);

    saboteur.db.exec('DROP TRIGGER injected_failure');
    await publishing;
    expect(disk.rows(panelId)).toEqual([expect.objectContaining({ time_ms: time.getTime(), energy_kwh: 77.7 })]);
    expect(await metricValue(app.baseUrl, 'energy_readings_stored_total')).toBe(1);
    await vi.waitFor(() => expect(live.map((reading) => reading.panelId)).toEqual([panelId]));
  });
});
