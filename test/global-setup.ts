import type { ChildProcess } from 'node:child_process';
import { freePort, reachable, spawnListening } from './support/net.js';

/**
 * The tests talk to a real Mosquitto. Use MQTT_TEST_URL, else the one at 127.0.0.1:1883, else
 * start a private one on a free port so `npm test` works on a machine that has none running.
 */
export default async function setup(): Promise<(() => void) | undefined> {
  if (!process.env.INFLUX_URL) {
    // Said once per run, so a green run without InfluxDB is never mistaken for a full one.
    console.warn(
      '\n[tests] No INFLUX_URL: the suites against a real InfluxDB are SKIPPED. ' +
        'Run them with `npm run test:influx` (builds and starts a local InfluxDB 2.7, see scripts/local-influxdb.sh).\n',
    );
  }
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
