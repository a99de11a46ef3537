import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { connectAsync, ErrorWithSubackPacket, type MqttClient } from 'mqtt';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { connectMeter, disposer, publishQos1, startPrivateMosquitto, tempDir, uniqueClientId } from '../support/mqtt.js';

/**
 * The compose Mosquitto's start script, run here for real: it writes the password file and the ACL
 * from the same variables compose passes, and a real Mosquitto then uses them.
 */

const cleanup = disposer();
afterEach(() => cleanup.run());

const SCRIPT = fileURLToPath(new URL('../../deploy/mosquitto/entrypoint.sh', import.meta.url));

function generate(env: Record<string, string>): { status: number | null; output: string; authDir: string } {
  const authDir = tempDir(cleanup, 'mosquitto-auth-');
  const result = spawnSync('sh', [SCRIPT, 'generate'], { env: { PATH: process.env.PATH ?? '', MOSQUITTO_AUTH_DIR: authDir, ...env }, encoding: 'utf8' });
  return { status: result.status, output: result.stdout + result.stderr, authDir };
}

async function grants(client: MqttClient, topics: string[]): Promise<number[]> {
  try {
    return (await client.subscribeAsync(topics, { qos: 1 })).map((grant) => grant.qos);
  } catch (error) {
    if (!(error instanceof ErrorWithSubackPacket)) throw error;
    return (error.packet as { granted: number[] }).granted;
  }
}

describe('deploy/mosquitto/entrypoint.sh', () => {
  it('refuses to start without the API account', () => {
    const { status, output } = generate({});
    expect(status).toBe(2);
    expect(output).toMatch(/set MQTT_USERNAME and MQTT_PASSWORD/);
    expect(generate({ MQTT_USERNAME: 'energy-api', MQTT_PASSWORD: 'x', MQTT_GATEWAYS: 'gw:pw:DATA/#' }).status).toBe(2);
    expect(generate({ MQTT_USERNAME: 'energy-api', MQTT_PASSWORD: 'x', MQTT_GATEWAYS: 'no-password' }).status).toBe(2);
  });

  it('makes a Mosquitto where each gateway publishes only to its panels, only the API reads, and nobody is anonymous', async () => {
    const { status, output, authDir } = generate({
      MQTT_USERNAME: 'energy-api',
      MQTT_PASSWORD: 'api pass,word',
      MQTT_GATEWAYS: 'gw-1:se:cr:et:PANEL_A+PANEL_B,gw-all:every:*',
      MQTT_SIMULATOR_PASSWORD: 'sim-pass',
    });
    expect(status, output).toBe(0);
    // The password file holds hashes only.
    const passwd = spawnSync('cat', [`${authDir}/passwd`], { encoding: 'utf8' }).stdout;
    expect(passwd).toMatch(/^gw-1:\$7\$/m);
    expect(passwd).not.toContain('se:cr:et');

    const broker = await startPrivateMosquitto(cleanup, {
      // Tests run as root here: keep Mosquitto from switching to a user that cannot read the files.
      settings: `user root\ninclude_dir ${authDir}`,
      probe: { username: 'gw-1', password: 'se:cr:et' },
    });
    await expect(connectAsync(broker.url, { clientId: uniqueClientId('anon'), reconnectPeriod: 0 })).rejects.toMatchObject({ code: 5 });

    const api = await connectMeter(broker.url, cleanup, { username: 'energy-api', password: 'api pass,word' });
    const received: string[] = [];
    api.on('message', (topic) => received.push(topic));
    expect(await grants(api, ['DATA/PM/#'])).toEqual([1]);
    // Mosquitto grants wildcard subscriptions and applies the ACL to each message it would deliver:
    // $SYS (whose retained messages would arrive at once) stays closed even so.
    await grants(api, ['$SYS/#']);

    const gateway = await connectMeter(broker.url, cleanup, { username: 'gw-1', password: 'se:cr:et' });
    const overheard: string[] = [];
    gateway.on('message', (topic) => overheard.push(topic));
    await grants(gateway, ['DATA/PM/#', '#']);
    await publishQos1(gateway, 'DATA/PM/PANEL_C', '{}');
    await publishQos1(gateway, 'DATA/PM/PANEL_A', '{}');
    const all = await connectMeter(broker.url, cleanup, { username: 'gw-all', password: 'every' });
    await publishQos1(all, 'DATA/PM/PANEL_Z', '{}');
    await publishQos1(all, 'ELSEWHERE', '{}');
    const simulator = await connectMeter(broker.url, cleanup, { username: 'simulator', password: 'sim-pass' });
    await publishQos1(simulator, 'DATA/PM/PANEL_LANTAI_1', '{}');

    await vi.waitFor(() => expect(received).toContain('DATA/PM/PANEL_LANTAI_1'));
    expect(received).toEqual(['DATA/PM/PANEL_A', 'DATA/PM/PANEL_Z', 'DATA/PM/PANEL_LANTAI_1']);
    // A gateway reads nothing, not even what it published itself.
    expect(overheard).toEqual([]);
  });

  it("lets only the API's account publish on the stored-readings feed (issue 20 point 10): gateways and the simulator cannot", async () => {
    const { status, output, authDir } = generate({
      MQTT_USERNAME: 'energy-api',
      MQTT_PASSWORD: 'api-pass',
      MQTT_GATEWAYS: 'gw-1:gw-pass:PANEL_A,gw-all:every:*',
      MQTT_SIMULATOR_PASSWORD: 'sim-pass',
      MQTT_FEED_TOPIC: 'site-a/feed',
    });
    expect(status, output).toBe(0);
    const broker = await startPrivateMosquitto(cleanup, { settings: `user root\ninclude_dir ${authDir}`, probe: { username: 'energy-api', password: 'api-pass' } });
    // What another API process hears on the feed (MQTT 5: Mosquitto answers a refused publish with reason code 0x87).
    const listener = await connectMeter(broker.url, cleanup, { username: 'energy-api', password: 'api-pass', protocolVersion: 5 });
    const heard: string[] = [];
    listener.on('message', (topic, payload) => heard.push(`${topic} ${payload.toString()}`));
    expect(await grants(listener, ['site-a/feed/#'])).toEqual([1]);

    const forged = ['site-a/feed/readings/PANEL_A', 'site-a/feed/admin', 'site-a/feed/gone/energy-api-1'];
    for (const [username, password] of [['gw-1', 'gw-pass'], ['gw-all', 'every'], ['simulator', 'sim-pass']] as const) {
      const client = await connectMeter(broker.url, cleanup, { username, password, clientId: uniqueClientId(username), protocolVersion: 5 });
      for (const topic of forged) {
        await expect(client.publishAsync(topic, `forged by ${username}`, { qos: 1 }), `${username} on ${topic}`).rejects.toMatchObject({ code: 0x87 });
      }
    }
    const api = await connectMeter(broker.url, cleanup, { username: 'energy-api', password: 'api-pass', protocolVersion: 5 });
    await publishQos1(api, 'site-a/feed/admin', 'from the API');
    await vi.waitFor(() => expect(heard).toContain('site-a/feed/admin from the API'));
    // Published before the API's notice, none of the forged messages was delivered.
    expect(heard).toEqual(['site-a/feed/admin from the API']);
  });

  it('refuses a feed topic that overlaps the meters\' topics (gateways publish there)', () => {
    const base = { MQTT_USERNAME: 'energy-api', MQTT_PASSWORD: 'x' };
    expect(generate({ ...base, MQTT_FEED_TOPIC: 'DATA/PM/feed' })).toMatchObject({ status: 2, output: expect.stringMatching(/MQTT_FEED_TOPIC "DATA\/PM\/feed" must not be under MQTT_TOPIC's DATA\/PM\//) });
    expect(generate({ ...base, MQTT_FEED_TOPIC: 'DATA' }).status).toBe(2);
    expect(generate({ ...base, MQTT_FEED_TOPIC: 'site/#' }).status).toBe(2);
  });
});
