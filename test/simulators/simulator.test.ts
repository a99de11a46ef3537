import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { connectAsync } from 'mqtt';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { silentLogger } from '../../src/config/logger.js';
import { startSimulator } from '../../src/simulators/simulator.js';
import { BROKER_URL, captureLogger, collect, disposer, expectMeterPayload, meterInstant, testPanels } from './support.js';

const ZONE = 'Asia/Makassar';
const cleanup = disposer();
afterEach(() => cleanup.run());

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** A private Mosquitto the test may kill, unlike the shared one. */
async function startBroker(port: number): Promise<ChildProcess> {
  const broker = spawn('mosquitto', ['-p', String(port)], { stdio: 'ignore' });
  cleanup.add(async () => {
    if (broker.exitCode === null && broker.signalCode === null) {
      broker.kill('SIGTERM');
      await once(broker, 'exit');
    }
  });
  await vi.waitFor(
    async () => {
      const probe = await connectAsync(`mqtt://127.0.0.1:${port}`, { reconnectPeriod: 0 });
      await probe.endAsync();
    },
    { timeout: 5_000, interval: 100 },
  );
  return broker;
}

describe('startSimulator', () => {
  it('publishes `count` rounds of every panel with live local meter times, then stops by itself', async () => {
    const panels = testPanels(2);
    const received = await collect(panels);
    cleanup.add(() => received.close());
    const startedAt = Date.now();

    const simulator = await startSimulator({ url: BROKER_URL, panels, intervalMs: 1_000, timezone: ZONE, logger: silentLogger, count: 3 });
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

  it('stops on demand, idempotently', async () => {
    const panels = testPanels(1);
    const received = await collect(panels);
    cleanup.add(() => received.close());
    const simulator = await startSimulator({ url: BROKER_URL, panels, intervalMs: 1_000, timezone: ZONE, logger: silentLogger });
    cleanup.add(() => simulator.stop());
    await vi.waitFor(() => expect(received.messages.length).toBeGreaterThan(0));

    await Promise.all([simulator.stop(), simulator.stop()]);
    await simulator.done;
  });

  it('rejects bad options before connecting, and an unreachable broker with its address', async () => {
    const base = { url: BROKER_URL, intervalMs: 1_000, timezone: ZONE, logger: silentLogger };
    await expect(startSimulator({ ...base, panels: [] })).rejects.toThrow(/no panels/);
    await expect(startSimulator({ ...base, panels: ['A/B'] })).rejects.toThrow(/panel id/);
    await expect(startSimulator({ ...base, panels: ['A', 'A'] })).rejects.toThrow(/unique/);
    await expect(startSimulator({ ...base, panels: ['A'], intervalMs: 500 })).rejects.toThrow(/intervalMs/);
    await expect(startSimulator({ ...base, panels: ['A'], timezone: 'Mars/Base' })).rejects.toThrow(/timezone/);
    const port = await freePort();
    await expect(startSimulator({ ...base, panels: ['A'], url: `mqtt://127.0.0.1:${port}` })).rejects.toThrow(
      new RegExp(`cannot connect to MQTT broker mqtt://127.0.0.1:${port}`),
    );
  });

  it('survives a broker outage, logs it once, and resumes publishing after the broker returns', async () => {
    const port = await freePort();
    const url = `mqtt://127.0.0.1:${port}`;
    const panels = testPanels(2);
    const { logger, lines } = captureLogger();
    const broker = await startBroker(port);
    const simulator = await startSimulator({ url, panels, intervalMs: 1_000, timezone: ZONE, logger });
    cleanup.add(() => simulator.stop());
    const before = await collect(panels, url);
    await vi.waitFor(() => expect(before.messages.length).toBeGreaterThanOrEqual(2), { timeout: 5_000 });
    await before.close();

    broker.kill('SIGTERM');
    await once(broker, 'exit');
    await vi.waitFor(() => expect(lines.some((line) => line.msg.includes('connection lost'))).toBe(true), { timeout: 5_000 });
    // While the broker is away, a panel keeps at most one reading queued instead of one per interval.
    await vi.waitFor(() => expect(lines.some((line) => line.msg.includes('not acknowledged yet'))).toBe(true), { timeout: 5_000 });

    await startBroker(port);
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
