import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApp, type App } from '../../src/app.js';
import { loadConfig } from '../../src/config/config.js';
import { silentLogger } from '../../src/config/logger.js';

export interface TestApp {
  readonly app: App;
  /** http://127.0.0.1:<port>/graphql */
  readonly httpUrl: string;
  /** ws://127.0.0.1:<port>/graphql */
  readonly wsUrl: string;
  readonly baseUrl: string;
  /** Where meters publish: the embedded broker, or MQTT_URL. */
  readonly mqttUrl: string;
  readonly dataDir: string;
  /** Stops the app; keeps the data directory (for restart tests) unless `removeData`. */
  stop(options?: { removeData?: boolean }): Promise<void>;
}

/**
 * Starts the real product (same composition root as `npm start`) on ephemeral ports with a fresh
 * data directory. Pass env overrides exactly as a user would set them.
 */
export async function startTestApp(
  env: Record<string, string> = {},
  dataDir?: string,
  options: { readonly waitForLoad?: boolean } = {},
): Promise<TestApp> {
  const dir = dataDir ?? mkdtempSync(join(tmpdir(), 'energy-test-'));
  const config = loadConfig({
    HOST: '127.0.0.1',
    PORT: '0',
    MQTT_PORT: '0',
    SIMULATE: 'false',
    LOG_LEVEL: 'silent',
    DATA_DIR: dir,
    ...env,
  });
  const app = await startApp(config, silentLogger);
  // Like a deployment waiting for /ready: the panels and the energy ledger are loaded.
  if (options.waitForLoad ?? true) await app.warmedUp;
  const baseUrl = `http://127.0.0.1:${app.httpPort}`;
  return {
    app,
    baseUrl,
    httpUrl: `${baseUrl}/graphql`,
    wsUrl: `ws://127.0.0.1:${app.httpPort}/graphql`,
    mqttUrl: app.mqttUrl.replace('localhost', '127.0.0.1'),
    dataDir: dir,
    async stop(options) {
      await app.stop();
      if (options?.removeData) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A unique topic root per test, so tests sharing one Mosquitto never see each other's messages. */
export function uniqueTopicRoot(label = 'T'): string {
  return `${label}_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
}
