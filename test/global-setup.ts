import type { ChildProcess } from 'node:child_process';
import { REQUIREMENTS, skipLines } from './requirements.js';
import { freePort, reachable, spawnListening } from './support/net.js';

/**
 * The tests talk to a real Mosquitto. Use MQTT_TEST_URL, else the one at 127.0.0.1:1883, else
 * start a private one on a free port so `npm test` works on a machine that has none running.
 * Without Mosquitto installed, the suites that need it are left out (test/requirements.ts).
 */
export default async function setup(): Promise<(() => void) | undefined> {
  // Said once per run, so a green run without them is never mistaken for a full one.
  for (const line of skipLines()) console.warn(`\n${line}`);
  if (!REQUIREMENTS.find((r) => r.what === 'Mosquitto')?.present) return undefined;
  if (process.env.MQTT_TEST_URL) return undefined;
  if (await reachable(1883)) {
    process.env.MQTT_TEST_URL = 'mqtt://127.0.0.1:1883';
    return undefined;
  }
  const port = await freePort();
  let broker: ChildProcess;
  try {
    broker = await spawnListening('mosquitto', ['-p', String(port)], port);
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
