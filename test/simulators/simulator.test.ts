import { afterEach, describe, expect, it, vi } from 'vitest';
import { silentLogger } from '../../src/config/logger.js';
import { startSimulator } from '../../src/simulators/simulator.js';
import { startPrivateMosquitto } from '../support/mqtt.js';
import { freePort } from '../support/net.js';
import { BROKER_URL, captureLogger, collect, disposer, expectMeterPayload, meterInstant, testPanels, TOPIC } from './support.js';

const ZONE = 'Asia/Makassar';
const cleanup = disposer();
afterEach(() => cleanup.run());

describe('startSimulator', () => {
  it('publishes `count` rounds of every panel with live local meter times, then stops by itself', async () => {
    const panels = testPanels(2);
    const received = await collect(panels);
    cleanup.add(() => received.close());
    const startedAt = Date.now();

    const simulator = await startSimulator({ url: BROKER_URL, topic: TOPIC, panels, intervalMs: 1_000, timezone: ZONE, logger: silentLogger, count: 3 });
    cleanup.add(() => simulator.stop());
    await simulator.done;
    await vi.waitFor(() => expect(received.messages).toHaveLength(6), { timeout: 5_000 });

    for (const panel of panels) {
      const readings = received.forPanel(panel).map((message) => {
        expect(message.qos).toBe(1);
        return expectMeterPayload(message.payload);
      });
      expect(readings).toHaveLength(3);
      const times = readings.map((reading) => meterInstant(reading.time, ZONE).getTime());
      expect(new Set(times).size).toBe(3);
      for (const time of times) {
        expect(time).toBeGreaterThanOrEqual(Math.floor(startedAt / 1000) * 1000);
        expect(time).toBeLessThanOrEqual(Date.now());
      }
      for (let index = 1; index < readings.length; index++) {
        expect(readings[index]!.kwh).toBeGreaterThanOrEqual(readings[index - 1]!.kwh);
      }
    }
  });

  it('publishes under the prefix of MQTT_TOPIC', async () => {
    const panels = testPanels(1);
    const received = await collect(panels, BROKER_URL, 'site/meters');
    cleanup.add(() => received.close());
    const simulator = await startSimulator({ url: BROKER_URL, topic: '$share/writers/site/meters/#', panels, intervalMs: 1_000, timezone: ZONE, logger: silentLogger, count: 1 });
    cleanup.add(() => simulator.stop());
    await simulator.done;
    await vi.waitFor(() => expect(received.forPanel(panels[0]!)).toHaveLength(1));
    expectMeterPayload(received.messages[0]!.payload);
  });

  it('stops on demand, idempotently', async () => {
    const panels = testPanels(1);
    const received = await collect(panels);
    cleanup.add(() => received.close());
    const simulator = await startSimulator({ url: BROKER_URL, topic: TOPIC, panels, intervalMs: 1_000, timezone: ZONE, logger: silentLogger });
    cleanup.add(() => simulator.stop());
    await vi.waitFor(() => expect(received.messages.length).toBeGreaterThan(0));

    await Promise.all([simulator.stop(), simulator.stop()]);
    await simulator.done;
  });

  it('rejects bad options before connecting, and an unreachable broker with its address', async () => {
    const base = { url: BROKER_URL, topic: TOPIC, intervalMs: 1_000, timezone: ZONE, logger: silentLogger };
    await expect(startSimulator({ ...base, panels: [] })).rejects.toThrow(/no panels/);
    await expect(startSimulator({ ...base, panels: ['A/B'] })).rejects.toThrow(/panel id/);
    await expect(startSimulator({ ...base, panels: ['A', 'A'] })).rejects.toThrow(/unique/);
    await expect(startSimulator({ ...base, panels: ['A'], intervalMs: 500 })).rejects.toThrow(/intervalMs/);
    await expect(startSimulator({ ...base, panels: ['A'], timezone: 'Mars/Base' })).rejects.toThrow(/timezone/);
    await expect(startSimulator({ ...base, panels: ['A'], topic: 'DATA/PM' })).rejects.toThrow(/MQTT topic pattern/);
    const port = await freePort();
    await expect(startSimulator({ ...base, panels: ['A'], url: `mqtt://127.0.0.1:${port}` })).rejects.toThrow(
      new RegExp(`cannot connect to MQTT broker mqtt://127.0.0.1:${port}`),
    );
  });

  it('survives a broker outage, logs it once, and resumes publishing after the broker returns', async () => {
    const broker = await startPrivateMosquitto(cleanup);
    const url = broker.url;
    const panels = testPanels(2);
    const { logger, lines } = captureLogger();
    const simulator = await startSimulator({ url, topic: TOPIC, panels, intervalMs: 1_000, timezone: ZONE, logger });
    cleanup.add(() => simulator.stop());
    const before = await collect(panels, url);
    await vi.waitFor(() => expect(before.messages.length).toBeGreaterThanOrEqual(2), { timeout: 5_000 });
    await before.close();

    await broker.kill();
    await vi.waitFor(() => expect(lines.some((line) => line.msg.includes('connection lost'))).toBe(true), { timeout: 5_000 });
    // While the broker is away, a panel keeps at most one reading queued instead of one per interval.
    await vi.waitFor(() => expect(lines.some((line) => line.msg.includes('not acknowledged yet'))).toBe(true), { timeout: 5_000 });

    await broker.start();
    const after = await collect(panels, url);
    cleanup.add(() => after.close());
    await vi.waitFor(() => expect(lines.some((line) => line.msg.includes('connection restored'))).toBe(true), { timeout: 10_000 });
    await vi.waitFor(() => expect(new Set(after.messages.map((message) => message.panelId))).toEqual(new Set(panels)), {
      timeout: 5_000,
    });
    for (const once of ['connection lost', 'not acknowledged yet']) {
      expect(lines.filter((line) => line.msg.includes(once))).toHaveLength(1);
    }

    await simulator.stop();
  });
});
