import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  connectMeter,
  disposer,
  EXAMPLE_PAYLOAD,
  freePort,
  meterPayload,
  minutesAgo,
  peekStore,
  publishQos1,
  startPrivateMosquitto,
  tempDir,
  uniqueClientId,
  uniquePanelId,
  type PrivateBroker,
} from '../support/mqtt.js';
import { StartupConfigError } from '../../src/config/startup-error.js';
import { startTestApp, type LogLine } from '../support/test-app.js';
import { makePasswordFile, makeTestCerts, type TestCerts } from './tls-certs.js';

const cleanup = disposer();
afterEach(() => cleanup.run());

const API_PASSWORD = 'api-Secret-5b7d19';
const GATEWAY_PASSWORD = 'gateway-Secret-c08e44';

/** A private Mosquitto with a password file, an ACL, its plain listener and a TLS listener. */
async function startSecuredMosquitto(): Promise<{ broker: PrivateBroker; tlsUrl: string; certs: TestCerts; dir: string }> {
  const dir = tempDir(cleanup, 'mosquitto-secured-');
  const certs = makeTestCerts(dir);
  const passwordFile = makePasswordFile(join(dir, 'passwd'), { 'energy-api': API_PASSWORD, 'gw-1': GATEWAY_PASSWORD });
  const aclFile = join(dir, 'acl');
  writeFileSync(aclFile, 'user energy-api\ntopic read DATA/PM/#\n\nuser gw-1\ntopic write DATA/PM/+\n');
  const tlsPort = await freePort();
  const broker = await startPrivateMosquitto(cleanup, {
    // Tests run as root here: keep Mosquitto from switching to a user that cannot read these files.
    settings: [
      'user root',
      'allow_anonymous false',
      `password_file ${passwordFile}`,
      `acl_file ${aclFile}`,
      `listener ${tlsPort} 127.0.0.1`,
      `cafile ${certs.caFile}`,
      `certfile ${certs.serverCertFile}`,
      `keyfile ${certs.serverKeyFile}`,
    ].join('\n'),
    probe: { username: 'gw-1', password: GATEWAY_PASSWORD },
  });
  return { broker, tlsUrl: `mqtts://127.0.0.1:${tlsPort}`, certs, dir };
}

describe('an external broker with accounts and TLS', () => {
  it('is used with MQTT_USERNAME, a password from MQTT_PASSWORD_FILE and the CA of MQTT_CA_FILE; the password appears nowhere', async () => {
    const { broker, tlsUrl, certs, dir } = await startSecuredMosquitto();
    const passwordFile = join(dir, 'api-password');
    writeFileSync(passwordFile, `${API_PASSWORD}\n`);
    const product = await startTestApp(
      { MQTT_URL: tlsUrl, MQTT_USERNAME: 'energy-api', MQTT_PASSWORD_FILE: passwordFile, MQTT_CA_FILE: certs.caFile, MQTT_CLIENT_ID: uniqueClientId('api') },
      undefined,
      { cleanup },
    );
    const panel = uniquePanelId();
    const gateway = await connectMeter(broker.url, cleanup, { username: 'gw-1', password: GATEWAY_PASSWORD });
    await publishQos1(gateway, `DATA/PM/${panel}`, meterPayload({ time: minutesAgo(1) }));
    await vi.waitFor(() => expect(peekStore(product.dataDir, cleanup).count(panel)).toBe(1));

    const everything = JSON.stringify(product.logs) + (await (await fetch(`${product.baseUrl}/metrics`)).text());
    expect(everything).not.toContain(API_PASSWORD);
  });

});

/**
 * Several processes connect the stored-readings feed before ingestion: its connection must fail
 * the start just as clearly. (The InfluxDB named here is never reached: the start fails first.)
 */
const clusterEnv = { MQTT_SHARED_GROUP: 'energy', INFLUX_URL: 'http://127.0.0.1:9', INFLUX_TOKEN: 'unused-token', INFLUX_ORG: 'site', INFLUX_BUCKET: 'energy_monitoring' };

describe.each([
  { name: 'one process', env: {} },
  { name: 'a shared group (the feed connects first)', env: clusterEnv },
])('a broker that refuses the product ($name)', ({ env }) => {
  it('fails the start with the broker refusal for a wrong password, without the password', async () => {
    const { tlsUrl, certs } = await startSecuredMosquitto();
    const starting = startTestApp(
      { ...env, MQTT_URL: tlsUrl, MQTT_USERNAME: 'energy-api', MQTT_PASSWORD: 'not-the-Password-9d', MQTT_CA_FILE: certs.caFile, MQTT_CLIENT_ID: uniqueClientId('api') },
      undefined,
      { cleanup },
    );
    await expect(starting).rejects.toBeInstanceOf(StartupConfigError);
    const error = (await starting.then(
      () => {
        throw new Error('the product started');
      },
      (refused: unknown) => refused as Error,
    )) as Error;
    expect(error.message).toMatch(/refused the connection: .*(Not authorized|Bad username or password)/i);
    expect(error.message).not.toContain('not-the-Password-9d');
  });

  it('fails the start for a broker whose certificate no configured CA signed', async () => {
    const { tlsUrl } = await startSecuredMosquitto();
    const starting = startTestApp({ ...env, MQTT_URL: tlsUrl, MQTT_USERNAME: 'energy-api', MQTT_PASSWORD: API_PASSWORD, MQTT_CLIENT_ID: uniqueClientId('api') }, undefined, { cleanup });
    await expect(starting).rejects.toBeInstanceOf(StartupConfigError);
    await expect(starting).rejects.toThrow(/does not trust .*set MQTT_CA_FILE/);
  });
});

describe('a session takeover (another client with our client id)', () => {
  /** A client that keeps connecting with `clientId`, as a second installation would. */
  function rogue(url: string, clientId: string, protocolVersion: 4 | 5) {
    const client = mqtt.connect(url, { clientId, protocolVersion, clean: false, reconnectPeriod: 300 });
    client.on('error', () => undefined);
    cleanup.add(() => client.endAsync(true));
    return client;
  }
  const takeovers = (logs: LogLine[]) => logs.filter((line) => /^another client connected with this client id/.test(line.msg));

  for (const protocolVersion of [5, 4] as const) {
    it(`is logged as such, not as an unreachable broker (MQTT ${protocolVersion === 5 ? '5' : '3.1.1'})`, async () => {
      const broker = await startPrivateMosquitto(cleanup);
      const clientId = uniqueClientId('twin');
      const product = await startTestApp({ MQTT_URL: broker.url, MQTT_CLIENT_ID: clientId, MQTT_PROTOCOL_VERSION: String(protocolVersion) }, undefined, { cleanup });
      rogue(broker.url, clientId, protocolVersion);
      await vi.waitFor(() => expect(takeovers(product.logs).length).toBeGreaterThan(0), { timeout: 15_000, interval: 100 });
      expect(takeovers(product.logs)[0]).toMatchObject({ level: 50, clientId });
      expect(product.logs.some((line) => line.msg === 'MQTT broker unreachable')).toBe(false);
    });
  }
});

describe('the MQTT client library', () => {
  // Left to the `debug` package, mqtt.js's trace gathered its arguments for every packet even when off.
  it("puts mqtt.js's own trace in the product's log at trace level, and nothing of it below", async () => {
    const broker = await startPrivateMosquitto(cleanup);
    const start = (logLevel: 'trace' | 'debug', clientId: string) =>
      startTestApp({ MQTT_URL: broker.url, MQTT_CLIENT_ID: clientId }, undefined, { cleanup, logLevel });
    const fromMqttJs = (logs: readonly LogLine[]) => logs.filter((line) => line.component === 'mqtt.js');

    const traced = await start('trace', 'codec-traced');
    await publishQos1(await connectMeter(broker.url, cleanup), 'DATA/PM/CODEC_2', EXAMPLE_PAYLOAD);
    await vi.waitFor(() => expect(traced.app.services.panels.list(null)).toHaveLength(1));
    expect(fromMqttJs(traced.logs).some((line) => line.level === 10 && line.msg.includes('publish'))).toBe(true);
    await traced.stop();

    const quiet = await start('debug', 'codec-quiet');
    await publishQos1(await connectMeter(broker.url, cleanup), 'DATA/PM/CODEC_3', EXAMPLE_PAYLOAD);
    await vi.waitFor(() => expect(quiet.app.services.panels.list(null).map((panel) => panel.id)).toEqual(['CODEC_3']));
    expect(fromMqttJs(quiet.logs)).toEqual([]);
  });
});
