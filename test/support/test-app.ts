import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino, type Logger } from 'pino';
import { startApp, type App } from '../../src/app.js';
import { loadConfig } from '../../src/config/config.js';
import { tempDir, type Disposer } from './disposer.js';

/** One JSON log line of the app's captured logger. */
export interface LogLine {
  readonly level: number;
  readonly msg: string;
  readonly [key: string]: unknown;
}

/** A real pino logger whose lines (JSON, parsed) the test can inspect. */
export function captureLogger(level: 'trace' | 'debug' | 'info' = 'info'): { readonly logger: Logger; readonly lines: LogLine[] } {
  const lines: LogLine[] = [];
  const logger = pino({ level }, { write: (line: string) => void lines.push(JSON.parse(line) as LogLine) });
  return { logger, lines };
}

/** pino's numeric levels, for filtering `logs`. */
export const LOG_LEVEL = { info: 30, warn: 40, error: 50 } as const;

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
  /** Everything the app logged at info and above, parsed. */
  readonly logs: LogLine[];
  /** Stops the app (idempotent); keeps the data directory (for restart tests) unless `removeData`. */
  stop(options?: { removeData?: boolean }): Promise<void>;
}

export interface TestAppOptions {
  /** Wait, like a deployment waiting for /ready, until panels and the energy ledger are loaded (default true). */
  readonly waitForLoad?: boolean;
  /** Stops the app after the test, and removes the data directory unless the test gave one. */
  readonly cleanup?: Disposer;
  /** The level of the lines the test can inspect (default info). */
  readonly logLevel?: 'trace' | 'debug' | 'info';
}

/**
 * Starts the real product (same composition root as `npm start`) on ephemeral ports with a fresh
 * data directory (or `dataDir`, e.g. for a restart) and a logger whose lines the test can inspect.
 * Pass env overrides exactly as a user would set them.
 */
export async function startTestApp(env: Record<string, string> = {}, dataDir?: string, options: TestAppOptions = {}): Promise<TestApp> {
  const dir = dataDir ?? (options.cleanup ? tempDir(options.cleanup) : mkdtempSync(join(tmpdir(), 'energy-test-')));
  const { logger, lines: logs } = captureLogger(options.logLevel);
  const config = loadConfig({
    HOST: '127.0.0.1',
    PORT: '0',
    MQTT_PORT: '0',
    SIMULATE: 'false',
    DATA_DIR: dir,
    ...env,
  });
  const app = await startApp(config, logger);
  let stopped: Promise<void> | undefined;
  const stop = async (stopOptions?: { removeData?: boolean }) => {
    await (stopped ??= app.stop());
    if (stopOptions?.removeData) rmSync(dir, { recursive: true, force: true });
  };
  options.cleanup?.add(() => stop());
  if (options.waitForLoad ?? true) await app.warmedUp;
  const baseUrl = `http://127.0.0.1:${app.httpPort}`;
  return {
    app,
    baseUrl,
    httpUrl: `${baseUrl}/graphql`,
    wsUrl: `ws://127.0.0.1:${app.httpPort}/graphql`,
    mqttUrl: app.mqttUrl.replace('localhost', '127.0.0.1'),
    dataDir: dir,
    logs,
    stop,
  };
}

/** A unique topic root per test, so tests sharing one Mosquitto never see each other's messages. */
export function uniqueTopicRoot(label = 'T'): string {
  return `${label}_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
}

/** GET a JSON endpoint of the app (e.g. /ready) and return status and body. */
export async function getJson(url: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(url);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** The value of an unlabelled metric on the app's /metrics page (0 when absent). */
export async function metricValue(baseUrl: string, name: string): Promise<number> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  const line = text.split('\n').find((entry) => entry.startsWith(`${name} `));
  return line === undefined ? 0 : Number(line.slice(name.length + 1));
}
