import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Disposer } from './disposer.js';
import type { RealInflux } from './influx.js';

const run = promisify(execFile);

/**
 * A private InfluxDB a test may stop and start (an outage), through the repository's script
 * (scripts/local-influxdb.sh); available when `npm run test:influx` set LOCAL_INFLUXDB_SCRIPT.
 * Restarting keeps the data, the port and the token.
 */
export interface PrivateInfluxDB extends RealInflux {
  stop(): Promise<void>;
  start(): Promise<void>;
}

export const localInfluxdbScript = process.env.LOCAL_INFLUXDB_SCRIPT?.trim() || null;

export async function startPrivateInfluxDB(cleanup: Disposer): Promise<PrivateInfluxDB> {
  if (!localInfluxdbScript) throw new Error('LOCAL_INFLUXDB_SCRIPT is not set (run the suite with `npm run test:influx`)');
  const script = localInfluxdbScript;
  const dir = mkdtempSync(join(tmpdir(), 'private-influxdb-'));
  const start = async () => {
    const { stdout } = await run(script, ['start', dir], { timeout: 60_000 });
    return Object.fromEntries(stdout.trim().split('\n').map((line) => line.split('=', 2) as [string, string]));
  };
  const env = await start();
  const stop = async () => {
    await run(script, ['stop', dir], { timeout: 30_000 });
  };
  cleanup.add(async () => {
    await stop();
    rmSync(dir, { recursive: true, force: true });
  });
  return {
    url: env.INFLUX_URL!,
    token: env.INFLUX_TOKEN!,
    org: env.INFLUX_ORG!,
    stop,
    start: async () => {
      await start();
    },
  };
}
