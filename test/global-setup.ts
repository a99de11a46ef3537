import { spawn, type ChildProcess } from 'node:child_process';
import { createConnection, createServer } from 'node:net';

/**
 * The tests talk to a real Mosquitto. Use MQTT_TEST_URL, else the one at 127.0.0.1:1883, else
 * start a private one on a free port so `npm test` works on a machine that has none running.
 */
export default async function setup(): Promise<(() => void) | undefined> {
  if (process.env.MQTT_TEST_URL) return undefined;
  if (await reachable(1883)) {
    process.env.MQTT_TEST_URL = 'mqtt://127.0.0.1:1883';
    return undefined;
  }
  const port = await freePort();
  let broker: ChildProcess;
  try {
    broker = spawn('mosquitto', ['-p', String(port)], { stdio: 'ignore' });
    await new Promise<void>((resolve, reject) => {
      broker.once('error', reject);
      const deadline = Date.now() + 5_000;
      const poll = async () => {
        if (await reachable(port)) return resolve();
        if (Date.now() > deadline) return reject(new Error('mosquitto did not start'));
        setTimeout(() => void poll(), 50);
      };
      void poll();
    });
  } catch (error) {
    throw new Error(
      `The tests need an MQTT broker: none at 127.0.0.1:1883 and 'mosquitto' could not be started (${(error as Error).message}). ` +
        'Install Mosquitto (apt-get install mosquitto) or set MQTT_TEST_URL.',
      { cause: error },
    );
  }
  process.env.MQTT_TEST_URL = `mqtt://127.0.0.1:${port}`;
  return () => {
    broker.kill();
  };
}

function reachable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}
