import type { ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, reachable, spawnListening } from '../support/net.js';

export interface Broker {
  readonly url: string;
  /** What the table prints about the broker. */
  readonly description: string;
  stop(): Promise<void>;
}


/**
 * A private Mosquitto on a free port, so nothing else on the machine shares the broker with the
 * benchmark. Falls back to the shared one at 127.0.0.1:1883 (with a note) when `mosquitto` cannot
 * be started; each benchmark still uses its own topic root there.
 */
export async function startBroker(dir: string): Promise<Broker> {
  const port = await freePort();
  const config = join(dir, 'mosquitto.conf');
  writeFileSync(
    config,
    [
      `listener ${port} 127.0.0.1`,
      'allow_anonymous true',
      'persistence false',
      // The production broker's queue and in-flight limits (deploy/mosquitto/mosquitto.conf).
      ...productionLimits(),
      'log_dest none',
      '',
    ].join('\n'),
  );
  let running: ChildProcess;
  try {
    running = await spawnListening('mosquitto', ['-c', config], port);
  } catch (error) {
    if (await reachable(1883)) {
      return {
        url: 'mqtt://127.0.0.1:1883',
        description: `shared Mosquitto at 127.0.0.1:1883 (private one failed: ${(error as Error).message}; default queue limits may drop bursts)`,
        stop: async () => {},
      };
    }
    throw new Error(`no MQTT broker: could not start mosquitto (${(error as Error).message}) and none at 127.0.0.1:1883`);
  }
  // Never outlive the benchmark, even when it dies on an error.
  const killOnExit = () => running.kill();
  process.once('exit', killOnExit);
  return {
    url: `mqtt://127.0.0.1:${port}`,
    description: `private mosquitto on 127.0.0.1:${port} (${productionLimits().join(', ')}, in-memory)`,
    stop: () =>
      new Promise<void>((resolve) => {
        process.off('exit', killOnExit);
        if (running.exitCode !== null || running.signalCode !== null) return resolve();
        running.once('exit', () => resolve());
        running.kill('SIGTERM');
      }),
  };
}

export { freePort };

/** The max_* settings of the compose stack's mosquitto.conf, so the benchmark's broker behaves the same. */
function productionLimits(): string[] {
  const conf = readFileSync(new URL('../../deploy/mosquitto/mosquitto.conf', import.meta.url), 'utf8');
  return conf.split('\n').filter((line) => /^max_(queued|inflight)_messages\s+\d+$/.test(line.trim())).map((line) => line.trim());
}
