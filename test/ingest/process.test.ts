import { once } from 'node:events';
import { existsSync, statSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { StartupConfigError } from '../../src/config/startup-error.js';
import { PortInUseError } from '../../src/transports/embedded-broker.js';
import {
  connectMeter,
  disposer,
  freePort,
  meterPayload,
  minutesAgo,
  publishQos1,
  runMain,
  tempDir,
  uniquePanelId,
} from '../support/mqtt.js';
import { metricValue, startTestApp } from '../support/test-app.js';

/** The product as a user runs it: `src/main.ts` in its own process. */
const cleanup = disposer();
afterEach(() => cleanup.run());

/** A TCP server holding a port on every interface, as another broker would. */
async function holdPort(): Promise<number> {
  const server = createServer();
  // A client that reached the held port (the failed start's own MQTT client, on a slow machine)
  // would keep close() waiting: its sockets are ended with the server.
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.listen(0);
  await once(server, 'listening');
  cleanup.add(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  );
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

describe('embedded broker port already taken', () => {
  it('fails start-up with a message naming both ways out', async () => {
    const port = await holdPort();
    const starting = startTestApp({ MQTT_PORT: String(port) }, undefined, { cleanup });
    await expect(starting).rejects.toBeInstanceOf(PortInUseError);
    await expect(starting).rejects.toThrow(new RegExp(`MQTT_URL=mqtt://localhost:${port}.*MQTT_PORT`));
  });

  it('exits with code 2 and says so (tsx src/main.ts)', async () => {
    const port = await holdPort();
    const main = runMain(
      { PORT: String(await freePort()), MQTT_PORT: String(port), DATA_DIR: tempDir(cleanup), SIMULATE: 'false' },
      cleanup,
    );
    expect(await main.exited).toEqual({ code: 2, signal: null });
    expect(main.output()).toContain(`MQTT port ${port} is already in use`);
    expect(main.output()).toContain(`MQTT_URL=mqtt://localhost:${port}`);
    expect(main.output()).toContain('MQTT_PORT');
    expect(main.output()).not.toMatch(/\n\s+at /);
  });
});

describe('HTTP port already taken', () => {
  it('fails start-up with a configuration error naming PORT (exit code 2 in main)', async () => {
    const port = await holdPort();
    const starting = startTestApp({ PORT: String(port) }, undefined, { cleanup });
    await expect(starting).rejects.toBeInstanceOf(StartupConfigError);
    await expect(starting).rejects.toThrow(`HTTP port ${port} is already in use. Set PORT to a free port.`);
  });
});

describe('graceful shutdown', () => {
  it('exits 0 on SIGINT with every acknowledged reading in a consistent database', async () => {
    const dataDir = tempDir(cleanup);
    const httpPort = await freePort();
    const mqttPort = await freePort();
    const main = runMain(
      {
        PORT: String(httpPort),
        MQTT_PORT: String(mqttPort),
        DATA_DIR: dataDir,
        SIMULATE: 'true',
        SIMULATE_INTERVAL: '1s',
        LOG_FORMAT: 'json',
      },
      cleanup,
    );
    const baseUrl = `http://127.0.0.1:${httpPort}`;
    // The simulator's first round (three panels) is stored.
    await vi.waitFor(async () => expect(await metricValue(baseUrl, 'energy_readings_stored_total')).toBeGreaterThanOrEqual(3), {
      timeout: 10_000,
      interval: 100,
    });
    const meter = await connectMeter(`mqtt://127.0.0.1:${mqttPort}`, cleanup, { reconnectPeriod: 0 });
    const panelId = uniquePanelId();
    const time = minutesAgo(1);
    await publishQos1(meter, `DATA/PM/${panelId}`, meterPayload({ kWh: '42.42', time }));

    main.child.kill('SIGINT');
    expect(await main.exited).toEqual({ code: 0, signal: null });
    expect(main.output()).toContain('"msg":"stopped cleanly"');

    const file = join(dataDir, 'readings.sqlite');
    // Checkpointed on close: everything is in the database file itself.
    expect(!existsSync(`${file}-wal`) || statSync(`${file}-wal`).size === 0).toBe(true);
    const db = new Database(file, { readonly: true, fileMustExist: true });
    cleanup.add(() => db.close());
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    expect((db.prepare('SELECT count(*) AS n FROM readings').get() as { n: number }).n).toBeGreaterThanOrEqual(4);
    expect(db.prepare('SELECT energy_kwh, time_ms FROM readings WHERE panel_id = ?').get(panelId)).toEqual({
      energy_kwh: 42.42,
      time_ms: time.getTime(),
    });
    expect(
      (db.prepare('SELECT count(*) AS n FROM panels WHERE id LIKE ?').get('PANEL_LANTAI_%') as { n: number }).n,
    ).toBe(3);
  });
});
