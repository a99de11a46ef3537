/**
 * Child process: the fan-out baseline. The parts the product stands on and nothing else: a bare
 * mqtt.js QoS 1 subscriber (persistent session, like the ingester) and a bare `ws` server that
 * broadcasts each reading to every socket, serialized once, in the shape of a graphql-ws `next`
 * message carrying the LiveReadings fields.
 */
import mqtt from 'mqtt';
import { WebSocketServer, type WebSocket } from 'ws';
import { childMain } from './child.js';

const server = new WebSocketServer({ host: '127.0.0.1', port: 0, maxPayload: 64 * 1024 });
await new Promise<void>((resolve) => server.once('listening', () => resolve()));
const address = server.address();
const port = typeof address === 'object' && address ? address.port : 0;
const sockets = new Set<WebSocket>();
server.on('connection', (socket) => {
  sockets.add(socket);
  socket.on('close', () => sockets.delete(socket));
});

interface Payload {
  data: { v: number[]; i: number[]; kw: string; kWh: string; pf: number; time: string };
}

const client = await mqtt.connectAsync(process.env.BENCH_MQTT_URL ?? '', {
  clientId: process.env.BENCH_MQTT_CLIENT_ID ?? `bench-ws-baseline-${process.pid}`,
  clean: false,
  protocolVersion: 5,
  properties: { sessionExpiryInterval: 3600 },
});
await client.subscribeAsync(process.env.BENCH_MQTT_TOPIC ?? '', { qos: 1 });
client.on('message', (topic, payload) => {
  const { data } = JSON.parse(payload.toString('utf8')) as Payload;
  const message = JSON.stringify({
    id: '1',
    type: 'next',
    payload: {
      data: {
        panelReading: {
          panelId: topic.slice(topic.lastIndexOf('/') + 1),
          // Meter-local wall time in the site zone (UTC+7, no daylight saving).
          time: new Date(`${data.time.replace(' ', 'T')}+07:00`).toISOString(),
          activePowerKw: Number(data.kw),
          energyKwh: Number(data.kWh),
          powerFactor: data.pf,
          voltage: { average: data.v[3] ?? null },
          current: { average: data.i[3] ?? null },
        },
      },
    },
  });
  for (const socket of sockets) socket.send(message);
});

childMain(async (message) => {
  if (message.type === 'stop') {
    for (const socket of sockets) socket.terminate();
    server.close();
    await client.endAsync();
    process.exit(0);
  }
});
process.send?.({ type: 'ready', port });
