import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { installationClientId, INSTALLATION_ID_FILE } from '../../src/transports/installation-id.js';
import { disposer, freePort, runMain, startPrivateMosquitto, tempDir } from '../support/mqtt.js';
import { startTestApp } from '../support/test-app.js';
import { loadConfig } from '../../src/config/config.js';
import { configProblems } from '../support/config-problems.js';

const cleanup = disposer();
afterEach(() => cleanup.run());

/** An API key entry, so that production's HTTP side is configured and only the broker is in question. */
const API_KEYS = `ops:admin:${'ab'.repeat(32)}`;

describe('production without broker accounts', () => {
  it('refuses to start with exit code 2 and one line naming the settings (tsx src/main.ts)', async () => {
    const main = runMain(
      { NODE_ENV: 'production', LOG_LEVEL: 'silent', API_KEYS, HOST: '127.0.0.1', PORT: String(await freePort()), MQTT_PORT: String(await freePort()), DATA_DIR: tempDir(cleanup) },
      cleanup,
    );
    expect(await main.exited).toEqual({ code: 2, signal: null });
    const lines = main.output().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/embedded MQTT broker has no accounts and NODE_ENV=production: set MQTT_BROKER_PASSWORD_FILE .* or MQTT_ALLOW_ANONYMOUS=true/);
  });

  it('starts open when MQTT_ALLOW_ANONYMOUS=true says so, and warns', async () => {
    const product = await startTestApp({ NODE_ENV: 'production', API_KEYS, MQTT_ALLOW_ANONYMOUS: 'true' }, undefined, { cleanup, waitForLoad: false });
    expect(product.logs.some((line) => /embedded MQTT broker is OPEN.*MQTT_ALLOW_ANONYMOUS=true/.test(line.msg))).toBe(true);
  });
});

describe('MQTT settings', () => {

  it('refuses combinations that cannot work, naming the setting', () => {
    expect(configProblems({ MQTTS_PORT: '8883' })).toEqual([expect.stringMatching(/^MQTTS_PORT: MQTTS_PORT needs MQTTS_CERT_FILE and MQTTS_KEY_FILE/)]);
    expect(configProblems({ MQTT_USERNAME: 'a', MQTT_PASSWORD: 'b', MQTT_PASSWORD_FILE: '/run/secrets/mqtt' })).toEqual([
      expect.stringMatching(/^MQTT_PASSWORD_FILE: set MQTT_PASSWORD or MQTT_PASSWORD_FILE, not both/),
    ]);
    expect(configProblems({ MQTT_PASSWORD_FILE: '/run/secrets/mqtt' })).toEqual([expect.stringMatching(/^MQTT_USERNAME: MQTT_PASSWORD_FILE is set without MQTT_USERNAME/)]);
    expect(configProblems({ MQTT_CERT_FILE: '/c.pem' })).toEqual([expect.stringMatching(/^MQTT_CERT_FILE: MQTT_CERT_FILE and MQTT_KEY_FILE go together/)]);
  });

  it('binds the embedded broker (and its TLS listener) where HOST says unless MQTT_HOST (MQTTS_HOST) says otherwise', () => {
    expect(loadConfig({ HOST: '127.0.0.1' }).mqtt.broker.host).toBe('127.0.0.1');
    expect(loadConfig({ HOST: '0.0.0.0', MQTT_HOST: '127.0.0.1' }).mqtt.broker.host).toBe('127.0.0.1');
    const tls = loadConfig({ MQTT_HOST: '127.0.0.1', MQTTS_PORT: '8883', MQTTS_CERT_FILE: '/c', MQTTS_KEY_FILE: '/k' }).mqtt.broker.tls;
    expect(tls).toMatchObject({ port: 8883, host: '127.0.0.1' });
    expect(loadConfig({ MQTTS_HOST: '0.0.0.0', MQTTS_PORT: '8883', MQTTS_CERT_FILE: '/c', MQTTS_KEY_FILE: '/k' }).mqtt.broker.tls?.host).toBe('0.0.0.0');
  });
});

describe('SIMULATE default', () => {
  it('is on with the embedded broker and off when MQTT_URL points at another broker', () => {
    expect(loadConfig({}).simulator.enabled).toBe(true);
    expect(loadConfig({ MQTT_URL: 'mqtt://broker.site:1883' }).simulator.enabled).toBe(false);
    expect(loadConfig({ MQTT_URL: 'mqtt://broker.site:1883', SIMULATE: 'true' }).simulator.enabled).toBe(true);
  });
});

describe('the default MQTT client id', () => {
  it('is energy-api-<id>, made once per DATA_DIR and kept there; two installations differ', () => {
    const first = tempDir(cleanup);
    const second = tempDir(cleanup);
    const id = installationClientId(first);
    expect(id).toMatch(/^energy-api-[0-9a-f]{12}$/);
    expect(readFileSync(join(first, INSTALLATION_ID_FILE), 'utf8').trim()).toBe(id.slice('energy-api-'.length));
    expect(installationClientId(first)).toBe(id);
    expect(installationClientId(second)).not.toBe(id);
  });

  it('stays energy-api-ingester for a DATA_DIR an earlier version filled (its broker session may hold queued readings)', () => {
    const dir = tempDir(cleanup);
    writeFileSync(join(dir, 'readings.sqlite'), '');
    expect(installationClientId(dir)).toBe('energy-api-ingester');
    expect(installationClientId(dir)).toBe('energy-api-ingester');
  });

  it('is what the product connects with, the same after a restart; MQTT_CLIENT_ID overrides it', async () => {
    const broker = await startPrivateMosquitto(cleanup);
    const dataDir = tempDir(cleanup);
    const clientIdOf = (logs: ReadonlyArray<{ msg: string; [key: string]: unknown }>) => logs.find((line) => line.msg === 'connected to MQTT broker')?.clientId;

    const first = await startTestApp({ MQTT_URL: broker.url }, dataDir, { cleanup });
    const id = clientIdOf(first.logs);
    expect(id).toMatch(/^energy-api-[0-9a-f]{12}$/);
    await first.stop();
    const again = await startTestApp({ MQTT_URL: broker.url }, dataDir, { cleanup });
    expect(clientIdOf(again.logs)).toBe(id);
    await again.stop();

    const other = await startTestApp({ MQTT_URL: broker.url }, undefined, { cleanup });
    expect(clientIdOf(other.logs)).toMatch(/^energy-api-[0-9a-f]{12}$/);
    expect(clientIdOf(other.logs)).not.toBe(id);

    const fixedDir = tempDir(cleanup);
    const fixed = await startTestApp({ MQTT_URL: broker.url, MQTT_CLIENT_ID: 'site-a-ingester' }, fixedDir, { cleanup });
    expect(clientIdOf(fixed.logs)).toBe('site-a-ingester');
    expect(existsSync(join(fixedDir, INSTALLATION_ID_FILE))).toBe(false);
  });
});
