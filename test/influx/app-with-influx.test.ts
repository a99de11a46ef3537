import { spawn } from 'node:child_process';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StartupConfigError } from '../../src/config/startup-error.js';
import { freePort } from '../support/net.js';
import { startFakeInflux, type FakeInfluxDB } from '../support/fake-influx.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/** The product wired to InfluxDB (here the protocol-checking fake) through the composition root. */
let fake: FakeInfluxDB;
let running: TestApp | undefined;

beforeEach(async () => {
  fake = await startFakeInflux();
});
afterEach(async () => {
  await running?.stop({ removeData: true });
  running = undefined;
  await fake.stop();
});

function influxEnv(overrides: Record<string, string> = {}): Record<string, string> {
  return { INFLUX_URL: fake.url, INFLUX_TOKEN: fake.connection.token, INFLUX_ORG: fake.connection.org, INFLUX_BUCKET: fake.connection.bucket, ...overrides };
}

function payload(kwh: number, time: string): Buffer {
  return Buffer.from(
    JSON.stringify({ status: 'OK', data: { v: [220, 221, 222], i: [1, 1, 1], kw: '0.6', kWh: String(kwh), pf: 0.9, time } }),
  );
}

async function ready(app: TestApp): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${app.baseUrl}/ready`);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function ingestStatus(app: TestApp): Promise<{ lagging: boolean; backlog: number }> {
  const response = await fetch(app.httpUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: '{ ingestStatus { lagging backlog } }' }),
  });
  const body = (await response.json()) as { data: { ingestStatus: { lagging: boolean; backlog: number } } };
  return body.data.ingestStatus;
}

describe('the product with INFLUX_URL set', () => {
  it('acknowledges from the local journal and forwards every reading to InfluxDB', async () => {
    running = await startTestApp(influxEnv());
    const outcome = running.app.ingest.ingest('DATA/PM/PANEL_A', payload(100.5, '2026-03-01 10:00:00'));
    expect(outcome.status).toBe('stored');
    await fake.waitForAcceptedWrites(1);
    const [point] = fake.storedPoints();
    expect(point).toMatchObject({ measurement: 'panel_energy', tags: { panel_id: 'PANEL_A' }, time: Date.parse('2026-03-01T03:00:00Z') });
    expect(point?.fields.energy_kwh ?? point?.fields.energyKwh).toBe(100.5);
    await expect.poll(() => ingestStatus(running!)).toEqual({ lagging: false, backlog: 0 });
    expect((await ready(running)).status).toBe(200);
  });

  it('keeps ingesting through an InfluxDB outage, reports the lag, then delivers everything exactly once', async () => {
    running = await startTestApp(influxEnv());
    await fake.down();
    for (let minute = 0; minute < 5; minute++) {
      const outcome = running.app.ingest.ingest('DATA/PM/PANEL_B', payload(200 + minute, `2026-03-01 10:0${minute}:00`));
      expect(outcome.status).toBe('stored');
    }
    await expect.poll(() => ingestStatus(running!)).toEqual({ lagging: true, backlog: 5 });
    const during = await ready(running);
    expect(during.status).toBe(200);
    expect(during.body).toMatchObject({ degraded: true, backlog: 5 });
    // Latest readings come from the journal, so the dashboard stays right during the outage.
    expect(running.app.services.panels.latest('PANEL_B')?.energyKwh).toBe(204);

    await fake.up();
    await expect.poll(() => ingestStatus(running!), { timeout: 10_000 }).toEqual({ lagging: false, backlog: 0 });
    const times = fake.storedPoints().filter((p) => p.tags.panel_id === 'PANEL_B').map((p) => p.time);
    expect(times).toHaveLength(5);
    expect(new Set(times).size).toBe(5);
  });

  it('starts while InfluxDB is unreachable and journals until it appears', async () => {
    const closedPort = await freePort();
    running = await startTestApp(influxEnv({ INFLUX_URL: `http://127.0.0.1:${closedPort}` }));
    running.app.ingest.ingest('DATA/PM/PANEL_C', payload(1, '2026-03-01 10:00:00'));
    await expect.poll(() => ingestStatus(running!)).toEqual({ lagging: true, backlog: 1 });
  });

  it('refuses to start with a wrong token, naming the setting', async () => {
    await expect(startTestApp(influxEnv({ INFLUX_TOKEN: 'wrong-token' }))).rejects.toSatisfy(
      (error: unknown) => error instanceof StartupConfigError && /token/i.test((error as Error).message),
    );
  });

  it('exits with code 2 on a wrong bucket', async () => {
    // Asynchronous: the fake InfluxDB answering the child runs on this process's event loop.
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      env: {
        ...process.env,
        ...influxEnv({ INFLUX_BUCKET: 'no_such_bucket' }),
        PORT: '0',
        MQTT_PORT: '0',
        SIMULATE: 'false',
        LOG_FORMAT: 'json',
        DATA_DIR: `/tmp/influx-exit-${process.pid}`,
      },
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(2);
    expect(output).toMatch(/no_such_bucket/);
  });
});
