/**
 * Child process: the ingest baseline. A bare mqtt.js QoS 1 subscriber on a persistent session
 * (clean: false, MQTT 5 with a session expiry, like the product's ingester) that acknowledges
 * and discards every message: the limit of the broker and client library the product stands on.
 */
import mqtt from 'mqtt';
import { Arrivals, childMain } from './child.js';

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

const arrivals = new Arrivals();
// The panel id is the last topic level, as for the product.
client.on('message', (messageTopic) => arrivals.record(messageTopic.slice(messageTopic.lastIndexOf('/') + 1)));

childMain(async (message, reply) => {
  if (arrivals.answer(message, reply)) return;
  switch (message.type) {
    case 'stop':
      await client.endAsync();
      process.exit(0);
  }
});

process.send?.({ type: 'ready' });
