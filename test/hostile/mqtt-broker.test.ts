import { createConnection } from 'node:net';
import { connectAsync, type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpRequest } from '../support/graphql-client.js';
import { disposer, tempDir } from '../support/disposer.js';
import { connectMeter, meterPayload, minutesAgo, publishQos1, uniqueClientId, uniquePanelId } from '../support/mqtt.js';
import { HeapSampler, report, startProduct, type Product } from './product.js';

/**
 * The embedded broker against clients without credentials: packets beyond MQTT_MAX_PACKET_SIZE
 * and topics deeper than MQTT_MAX_TOPIC_LEVELS end that client's connection (nothing is stored),
 * retained messages are delivered but not kept, and meters keep publishing meanwhile.
 */
const cleanup = disposer();
let product: Product;

beforeAll(async () => {
  // The default time limits: the attackers below must be refused for what they send, not idled out
  // while a loaded machine builds twenty 20 MB packets (CI once closed 8 of 20 by MQTT_IDLE_TIMEOUT).
  product = await startProduct({ DATA_DIR: tempDir(cleanup, 'energy-hostile-mqtt-') }, cleanup);
}, 60_000);
afterAll(() => cleanup.run());

/** A client that does not reconnect, so a disconnect by the broker is final and observable. */
async function attacker(): Promise<MqttClient> {
  const client = await connectAsync(product.mqttUrl, { clientId: uniqueClientId('attacker'), reconnectPeriod: 0, connectTimeout: 5_000 });
  client.on('error', () => undefined);
  cleanup.add(() => client.endAsync(true));
  return client;
}

/** Resolves when the broker has closed the client's connection (an 'error' first is expected). */
function closed(client: MqttClient): Promise<void> {
  return new Promise((resolve) => client.once('close', () => resolve()));
}

async function limitHits(limit: string, of: Product = product): Promise<number> {
  const text = await (await fetch(`${of.baseUrl}/metrics`)).text();
  return Number(new RegExp(`^energy_limit_hits_total\\{limit="${limit}"\\} (\\d+)`, 'm').exec(text)?.[1] ?? Number.NaN);
}

async function panelStored(panelId: string): Promise<boolean> {
  // An unknown panel answers null with an UNKNOWN_PANEL error (docs/api.md); any other error is a failure.
  const result = await httpRequest<{ panel: { id: string } | null }, unknown>(product.httpUrl, `{ panel(id: "${panelId}") { id } }`);
  const unexpected = (result.errors ?? []).filter((error) => error.extensions?.reason !== 'UNKNOWN_PANEL');
  if (unexpected.length > 0) throw new Error(`panel(id: ${panelId}): ${JSON.stringify(unexpected)}`);
  return result.data?.panel != null;
}

describe('MQTT_MAX_PACKET_SIZE', () => {
  it('disconnects clients publishing 20 MB packets, stores nothing of them, and keeps serving meters', async () => {
    const heap = new HeapSampler(product);
    heap.start();
    const panel = uniquePanelId('HUGE');
    // A valid reading padded to 20 MB: it would be stored if the broker read it.
    const huge = meterPayload({ time: minutesAgo(1), padding: 'x'.repeat(20 * 1024 * 1024) });
    const clients = await Promise.all(Array.from({ length: 20 }, () => attacker()));
    await Promise.all(
      clients.map(async (client, i) => {
        const done = closed(client);
        client.publish(i % 2 === 0 ? `DATA/PM/${panel}` : `any/topic/${i}`, huge, { qos: 1, retain: true }, () => undefined);
        await done;
      }),
    );
    expect(await limitHits('MQTT_MAX_PACKET_SIZE')).toBe(20);
    expect(await panelStored(panel)).toBe(false);
    const meterPanel = uniquePanelId('METER');
    const meter = await connectMeter(product.mqttUrl, cleanup);
    await publishQos1(meter, `DATA/PM/${meterPanel}`, meterPayload({ time: minutesAgo(1) }));
    expect(await panelStored(meterPanel)).toBe(true);
    report('20 publishes of 20 MB (retained) to the embedded broker', { maxHeapUsedMiB: await heap.stop(), ...(await product.memory()) });
  });
});

describe('MQTT_RETAIN=false (the default)', () => {
  it('keeps no retained message: counted, and nothing is handed to later subscribers', async () => {
    const topic = `retained/${uniqueClientId('t')}`;
    const before = await limitHits('MQTT_RETAIN');
    const publisher = await attacker();
    await publisher.publishAsync(topic, Buffer.alloc(1024, 1), { qos: 1, retain: true });
    expect(await limitHits('MQTT_RETAIN')).toBe(before + 1);
    // The embedded broker serves no subscriptions at all (it only takes readings in), so a
    // retained message could not reach anyone either way; a later subscriber gets nothing.
    const subscriber = await attacker();
    const received: string[] = [];
    subscriber.on('message', (_topic, payload) => received.push(payload.toString('utf8')));
    const granted = await subscriber.subscribeAsync(topic, { qos: 1 }).catch((error: unknown) => error);
    expect(granted).toBeInstanceOf(Error);
    await publisher.publishAsync(topic, 'marker', { qos: 1 });
    // A round trip through the broker after the marker: anything delivered would have arrived.
    await subscriber.publishAsync(`retained/${uniqueClientId('t')}`, 'sync', { qos: 1 });
    expect(received).toEqual([]);
  });
});

describe('MQTT_MAX_TOPIC_LEVELS', () => {
  it('disconnects a client publishing or subscribing to a deeper topic', async () => {
    const deep = `DATA/PM/${'x/'.repeat(10)}end`;
    const publisher = await attacker();
    const publisherClosed = closed(publisher);
    publisher.publish(deep, meterPayload({ time: minutesAgo(1) }), { qos: 1 }, () => undefined);
    await publisherClosed;
    const subscriber = await attacker();
    const subscriberClosed = closed(subscriber);
    subscriber.subscribe(`${'a/'.repeat(20)}#`, { qos: 0 }, () => undefined);
    await subscriberClosed;
    expect(await limitHits('MQTT_MAX_TOPIC_LEVELS')).toBeGreaterThanOrEqual(2);
    expect(product.alive()).toBe(true);
  });
});

describe('MQTT_CONNECT_TIMEOUT and MQTT_IDLE_TIMEOUT', () => {
  // A product of its own with short limits, so waiting them out takes seconds.
  let timed: Product;
  beforeAll(async () => {
    timed = await startProduct({ DATA_DIR: tempDir(cleanup, 'energy-hostile-mqtt-timed-'), MQTT_CONNECT_TIMEOUT: '1s', MQTT_IDLE_TIMEOUT: '2s' }, cleanup);
  }, 60_000);

  it('closes a connection that never sends CONNECT, and one that goes silent after it', async () => {
    const silent = createConnection({ host: '127.0.0.1', port: timed.mqttPort });
    silent.on('error', () => undefined);
    cleanup.add(() => silent.destroy());
    await new Promise<void>((resolve) => silent.once('close', () => resolve()));
    expect(await limitHits('MQTT_CONNECT_TIMEOUT', timed)).toBeGreaterThanOrEqual(1);
    // Connected, keep-alive off, then nothing at all.
    const idle = await connectAsync(timed.mqttUrl, { clientId: uniqueClientId('idle'), reconnectPeriod: 0, keepalive: 0 });
    idle.on('error', () => undefined);
    cleanup.add(() => idle.endAsync(true));
    await closed(idle);
    expect(await limitHits('MQTT_IDLE_TIMEOUT', timed)).toBeGreaterThanOrEqual(1);
    expect(timed.alive()).toBe(true);
  });
});
