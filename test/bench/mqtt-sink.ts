/**
 * Child process: the ingest baseline. A bare mqtt.js QoS 1 subscriber on a persistent session
 * (clean: false, MQTT 5 with a session expiry, like the product's ingester) that acknowledges
 * and discards every message: the limit of the broker and client library the product stands on.
 */
import mqtt from 'mqtt';
import { childMain, sharedNow } from './child.js';

const url = process.env.BENCH_MQTT_URL ?? '';
const topic = process.env.BENCH_MQTT_TOPIC ?? '';
const client = await mqtt.connectAsync(url, {
  clientId: process.env.BENCH_MQTT_CLIENT_ID ?? `bench-sink-${process.pid}`,
  clean: false,
  protocolVersion: 5,
  properties: { sessionExpiryInterval: 3600 },
  reconnectPeriod: 0,
});
await client.subscribeAsync(topic, { qos: 1 });

let prefix: string | null = null;
let count = 0;
let firstAt = 0;
let lastAt = 0;
client.on('message', (messageTopic) => {
  // The panel id is the last topic level, as for the product.
  if (prefix === null || !messageTopic.startsWith(prefix, messageTopic.lastIndexOf('/') + 1)) return;
  const now = sharedNow();
  if (count === 0) firstAt = now;
  lastAt = now;
  count++;
});

childMain(async (message, reply) => {
  switch (message.type) {
    case 'expect':
      prefix = String(message.prefix);
      count = 0;
      firstAt = 0;
      lastAt = 0;
      reply({ type: 'expecting' });
      break;
    case 'status':
      reply({ type: 'status', count, firstAt, lastAt });
      break;
    case 'stop':
      await client.endAsync();
      process.exit(0);
  }
});

process.send?.({ type: 'ready' });
