import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { connectAsync, ErrorWithSubackPacket, type ErrorWithReasonCode, type MqttClient } from 'mqtt';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  connectMeter,
  disposer,
  meterPayload,
  minutesAgo,
  peekStore,
  publishQos1,
  tempDir,
  uniqueClientId,
  uniquePanelId,
} from '../support/mqtt.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { makePasswordFile } from './tls-certs.js';

const cleanup = disposer();
afterEach(() => cleanup.run());

/** A distinctive password, searched for in logs and metrics afterwards. */
const GATEWAY_PASSWORD = 'gw1-Pa55word-7f3a9c';
const WRONG_PASSWORD = 'wrong-Pa55word-e41b02';
/** gw-1's login, with a client id of its own (MQTT_CLIENT_IDS=owned: gw-1 or gw-1-…). */
const GW_1 = { username: 'gw-1', password: GATEWAY_PASSWORD, clientId: uniqueClientId('gw-1') };

async function refusedCount(app: TestApp, reason: string): Promise<number> {
  const text = await (await fetch(`${app.baseUrl}/metrics`)).text();
  const match = new RegExp(`^energy_mqtt_refused_total\\{reason="${reason}"\\} (\\d+)$`, 'm').exec(text);
  if (!match) throw new Error(`energy_mqtt_refused_total{reason="${reason}"} is not on /metrics`);
  return Number(match[1]);
}

/** The product's embedded broker with two gateways: gw-1 may publish to PANEL_A only, gw-2 to PANEL_B. */
async function startWithAccounts(panels: { a: string; b: string }, env: Record<string, string> = {}) {
  const dir = tempDir(cleanup, 'mqtt-access-');
  const passwordFile = makePasswordFile(join(dir, 'passwd'), { 'gw-1': GATEWAY_PASSWORD, 'gw-2': 'other-password' });
  const aclFile = join(dir, 'acl');
  writeFileSync(aclFile, `user gw-1\ntopic write DATA/PM/${panels.a}\n\nuser gw-2\ntopic write DATA/PM/${panels.b}\n`);
  return startTestApp({ MQTT_BROKER_PASSWORD_FILE: passwordFile, MQTT_BROKER_ACL_FILE: aclFile, ...env }, undefined, { cleanup });
}

async function connectError(url: string, options: Parameters<typeof connectAsync>[1]): Promise<ErrorWithReasonCode> {
  const error = await connectAsync(url, { clientId: uniqueClientId('probe'), reconnectPeriod: 0, connectTimeout: 5_000, ...options }).then(
    async (client) => {
      await client.endAsync(true);
      throw new Error('the broker accepted the client');
    },
    (refused: unknown) => refused as ErrorWithReasonCode,
  );
  return error;
}

/** The SUBACK codes for `topics` (mqtt.js rejects when any is a failure; the codes are on the error). */
async function grants(client: MqttClient, topics: string[]): Promise<number[]> {
  try {
    return (await client.subscribeAsync(topics, { qos: 0 })).map((grant) => grant.qos);
  } catch (error) {
    if (!(error instanceof ErrorWithSubackPacket)) throw error;
    return (error.packet as { granted: number[] }).granted;
  }
}

describe('embedded broker with a password file and an ACL', () => {
  it('refuses clients without credentials (CONNACK 5) and with wrong ones (CONNACK 4), counts and logs why, never the password', async () => {
    const product = await startWithAccounts({ a: uniquePanelId('A'), b: uniquePanelId('B') });

    expect((await connectError(product.mqttUrl, {})).code).toBe(5);
    expect((await connectError(product.mqttUrl, { username: 'gw-1', password: WRONG_PASSWORD })).code).toBe(4);
    expect((await connectError(product.mqttUrl, { username: 'nobody', password: GATEWAY_PASSWORD })).code).toBe(4);
    // gw-2's password is not gw-1's.
    expect((await connectError(product.mqttUrl, { username: 'gw-1', password: 'other-password' })).code).toBe(4);
    const ok = await connectMeter(product.mqttUrl, cleanup, GW_1);
    expect(ok.connected).toBe(true);

    expect(await refusedCount(product, 'no_credentials')).toBe(1);
    expect(await refusedCount(product, 'bad_credentials')).toBe(3);
    const refusals = product.logs.filter((line) => line.reason === 'bad_credentials');
    expect(refusals.map((line) => line.username)).toEqual(['gw-1', 'nobody', 'gw-1']);
    expect(product.logs.some((line) => line.reason === 'no_credentials' && /anonymous access is off/.test(line.msg))).toBe(true);

    const everything = JSON.stringify(product.logs) + (await (await fetch(`${product.baseUrl}/metrics`)).text());
    for (const secret of [GATEWAY_PASSWORD, WRONG_PASSWORD, 'other-password']) expect(everything).not.toContain(secret);
  });

  it("refuses a gateway's publish to another panel's topic: nothing is stored, its own panel still is", async () => {
    const panels = { a: uniquePanelId('A'), b: uniquePanelId('B') };
    const product = await startWithAccounts(panels);
    const store = peekStore(product.dataDir, cleanup);
    const gateway = await connectMeter(product.mqttUrl, cleanup, GW_1);

    // Acknowledged and dropped (MQTT 3.1.1 has no negative PUBACK): the connection stays up.
    await publishQos1(gateway, `DATA/PM/${panels.b}`, meterPayload({ time: minutesAgo(2), kWh: '99999' }));
    await publishQos1(gateway, 'ELSEWHERE/topic', 'not a reading');
    await publishQos1(gateway, `DATA/PM/${panels.a}`, meterPayload({ time: minutesAgo(1) }));
    expect(gateway.connected).toBe(true);

    // The allowed one, published last on the same connection, is stored: the refused ones were handled before it.
    expect(store.count(panels.a)).toBe(1);
    expect(store.count(panels.b)).toBe(0);
    expect(await refusedCount(product, 'publish_denied')).toBe(2);
    const lines = product.logs.filter((line) => line.reason === 'publish_denied');
    expect(lines.map((line) => [line.username, line.topic])).toEqual([
      ['gw-1', `DATA/PM/${panels.b}`],
      ['gw-1', 'ELSEWHERE/topic'],
    ]);
  });

  it('refuses every subscription, $SYS and # included (SUBACK 0x80), and keeps the connection', async () => {
    const product = await startWithAccounts({ a: uniquePanelId('A'), b: uniquePanelId('B') });
    const client = await connectMeter(product.mqttUrl, cleanup, GW_1);
    expect(await grants(client, ['#', '$SYS/#', 'DATA/PM/#', 'DATA/PM/+'])).toEqual([128, 128, 128, 128]);
    expect(client.connected).toBe(true);
    expect(await refusedCount(product, 'subscribe_denied')).toBe(4);
  });

  it('rate-limits the log of refusals, and counts every one', async () => {
    // Twelve failures in a row: with the default MQTT_LOGIN_DELAY_MAX (10 s) the last ones would wait 10 s each.
    const product = await startWithAccounts({ a: uniquePanelId('A'), b: uniquePanelId('B') }, { MQTT_LOGIN_DELAY_MAX: '100ms', MQTT_LOGIN_USER_DELAY_MAX: '100ms' });
    for (let i = 0; i < 12; i++) await connectError(product.mqttUrl, { username: 'gw-1', password: WRONG_PASSWORD });
    expect(await refusedCount(product, 'bad_credentials')).toBe(12);
    expect(product.logs.filter((line) => line.reason === 'bad_credentials').length).toBe(5);
  });
});

describe('embedded broker files that cannot be used', () => {
  it('stop the start with the setting, the file and the line, never a password', async () => {
    const dir = tempDir(cleanup, 'mqtt-files-');
    const plain = join(dir, 'passwd');
    writeFileSync(plain, 'gw-1:plain-Text-pass\n');
    await expect(startTestApp({ MQTT_BROKER_PASSWORD_FILE: plain }, undefined, { cleanup })).rejects.toThrow(
      new RegExp(`^MQTT_BROKER_PASSWORD_FILE: ${plain} line 1: .*mosquitto_passwd -U`),
    );
    await expect(startTestApp({ MQTT_BROKER_PASSWORD_FILE: plain }, undefined, { cleanup })).rejects.not.toThrow(/plain-Text-pass/);
    await expect(startTestApp({ MQTT_BROKER_PASSWORD_FILE: join(dir, 'missing') }, undefined, { cleanup })).rejects.toThrow(/^MQTT_BROKER_PASSWORD_FILE: cannot read .*missing: ENOENT/);
    const acl = join(dir, 'acl');
    writeFileSync(acl, 'user gw-1\ntopic write DATA/#/x\n');
    await expect(startTestApp({ MQTT_BROKER_ACL_FILE: acl }, undefined, { cleanup })).rejects.toThrow(new RegExp(`^MQTT_BROKER_ACL_FILE: ${acl} line 2`));
  });
});

describe('embedded broker in development without accounts', () => {
  it('lets anonymous clients publish and says loudly that it is open', async () => {
    const product = await startTestApp({}, undefined, { cleanup });
    expect(product.logs.some((line) => line.level === 40 && /embedded MQTT broker is OPEN/.test(line.msg))).toBe(true);
    const panel = uniquePanelId();
    const meter = await connectMeter(product.mqttUrl, cleanup);
    await publishQos1(meter, `DATA/PM/${panel}`, meterPayload({ time: minutesAgo(1) }));
    await vi.waitFor(() => expect(peekStore(product.dataDir, cleanup).count(panel)).toBe(1));
    // Even open, it serves no subscriptions.
    expect(await grants(meter, ['#'])).toEqual([128]);
  });

  it('listens where MQTT_HOST says, HOST by default', async () => {
    const product = await startTestApp({ HOST: '127.0.0.1' }, undefined, { cleanup });
    expect(product.app.mqttUrl).toMatch(/^mqtt:\/\/127\.0\.0\.1:\d+$/);
    expect(product.logs.find((line) => line.msg === 'embedded MQTT broker listening')?.host).toBe('127.0.0.1');
  });
});
