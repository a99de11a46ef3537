/**
 * `npm run simulate -- [options]`: publishes simulated meter readings to an MQTT broker, optionally
 * after a history backfill. Exit codes: 0 done or stopped with Ctrl-C, 1 runtime failure (e.g. no
 * broker), 2 bad arguments or environment, 130 backfill interrupted before it was complete.
 */
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import { IANAZone } from 'luxon';
import { configSchema } from '../config/config.js';
import { parseDuration } from '../config/duration.js';
import { createLogger, type Logger } from '../config/logger.js';
import { backfill, type BackfillResult } from './backfill.js';
import { assertPanelId } from './meter-payload.js';
import { startSimulator, type Simulator } from './simulator.js';

const USAGE = `Usage: npm run simulate -- [options]

Publishes simulated power-meter readings to DATA/PM/<panel> (QoS 1).

Options:
  --url URL            broker URL (default: $MQTT_URL or mqtt://localhost:$MQTT_PORT, port 1883)
  --panels A,B,C       panel ids (default: PANEL_LANTAI_1,PANEL_LANTAI_2,PANEL_LANTAI_3)
  --count N            simulate PANEL_LANTAI_1..N instead of --panels
  --interval 60s       time between live readings of a panel (default: 60s, at least 1s)
  --rounds N           stop after N live rounds; 0 = backfill only (default: until Ctrl-C)
  --backfill 30d       first publish this much history, ending now
  --step 60s           time between backfilled readings (default: 60s)
  --rate N             backfill at most N readings per second, 0 = no limit (default: 2000);
                       a subscriber that falls far behind loses messages at the broker
  --timezone ZONE      the meters' clock timezone (default: $SITE_TIMEZONE or Asia/Jakarta)
  --username NAME      broker user (default: $MQTT_USERNAME)
  --password SECRET    broker password (default: $MQTT_PASSWORD)
  --seed N             another deterministic building (default: 1, as the product's simulator)
  -h, --help           show this help

Durations: 500ms, 30s, 5m, 1h, 1d. Examples:
  npm run simulate -- --backfill 30d --count 5
  npm run simulate -- --url mqtt://broker:1883 --panels PANEL_A,PANEL_B --interval 10s --rounds 6`;

const DEFAULT_PANELS = ['PANEL_LANTAI_1', 'PANEL_LANTAI_2', 'PANEL_LANTAI_3'];
const MAX_PANELS = 10_000;

class UsageError extends Error {}

interface CliOptions {
  readonly url: string;
  readonly username?: string;
  readonly password?: string;
  readonly panels: string[];
  readonly intervalMs: number;
  readonly rounds?: number;
  readonly backfillMs?: number;
  readonly stepMs: number;
  readonly ratePerSecond?: number;
  readonly timezone: string;
  readonly seed: number;
}

type Env = Record<string, string | undefined>;

interface EnvSchema<T> {
  safeParse(value: unknown): { success: true; data: T } | { success: false; error: { issues: ReadonlyArray<{ message: string }> } };
}

/** Reads one setting through the product's config schema, so the CLI and the server agree on it. */
function fromEnv<T>(env: Env, key: string, schema: EnvSchema<T>): T {
  const result = schema.safeParse(env[key]);
  if (!result.success) {
    throw new UsageError(`${key}="${env[key]}" in the environment: ${result.error.issues[0]?.message ?? 'invalid'}`);
  }
  return result.data;
}

const envShape = configSchema.in.shape;

function durationOption(name: string, text: string | undefined, fallback?: number): number | undefined {
  if (text === undefined) return fallback;
  const ms = parseDuration(text);
  if (ms === null) throw new UsageError(`--${name}: "${text}" is not a duration like 30s, 5m, 1h or 30d`);
  return ms;
}

function wholeOption(name: string, text: string | undefined, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
  if (text === undefined) return undefined;
  const value = /^\d+$/.test(text.trim()) ? Number(text) : NaN;
  if (!(value >= min && value <= max)) throw new UsageError(`--${name}: "${text}" is not a whole number from ${min} to ${max}`);
  return value;
}

function panelsOption(listText: string | undefined, countText: string | undefined): string[] {
  if (listText !== undefined && countText !== undefined) throw new UsageError('give either --panels or --count, not both');
  const count = wholeOption('count', countText, 1, MAX_PANELS);
  if (count !== undefined) return Array.from({ length: count }, (_, index) => `PANEL_LANTAI_${index + 1}`);
  if (listText === undefined) return DEFAULT_PANELS;
  const panels = listText.split(',').map((id) => id.trim());
  for (const panel of panels) {
    try {
      assertPanelId(panel);
    } catch (error) {
      throw new UsageError(`--panels: ${(error as Error).message}`);
    }
  }
  if (new Set(panels).size !== panels.length) throw new UsageError('--panels: a panel id is listed twice');
  return panels;
}

/** Returns null when help was asked for. */
function parseCli(argv: string[], env: Env): CliOptions | null {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        url: { type: 'string' },
        panels: { type: 'string' },
        count: { type: 'string' },
        interval: { type: 'string' },
        rounds: { type: 'string' },
        backfill: { type: 'string' },
        step: { type: 'string' },
        rate: { type: 'string' },
        timezone: { type: 'string' },
        username: { type: 'string' },
        password: { type: 'string' },
        seed: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const values = parsed.values;
  if (values.help) return null;

  const url = values.url ?? fromEnv(env, 'MQTT_URL', envShape.MQTT_URL) ?? `mqtt://localhost:${fromEnv(env, 'MQTT_PORT', envShape.MQTT_PORT)}`;
  if (!/^(mqtts?|wss?|tcp|ssl):\/\/[^/]/.test(url)) throw new UsageError(`--url: "${url}" must look like mqtt://host:1883`);
  const timezone = values.timezone ?? fromEnv(env, 'SITE_TIMEZONE', envShape.SITE_TIMEZONE);
  if (!IANAZone.isValidZone(timezone)) throw new UsageError(`--timezone: "${timezone}" is not an IANA timezone such as Asia/Jakarta`);
  const username = values.username ?? fromEnv(env, 'MQTT_USERNAME', envShape.MQTT_USERNAME);
  const password = values.password ?? fromEnv(env, 'MQTT_PASSWORD', envShape.MQTT_PASSWORD);
  if (password !== undefined && username === undefined) throw new UsageError('a password was given without a username');

  const intervalMs = durationOption('interval', values.interval, 60_000)!;
  if (intervalMs < 1_000) throw new UsageError('--interval must be at least 1s: the meter clock counts whole seconds');
  const stepMs = durationOption('step', values.step, 60_000)!;
  if (stepMs < 1_000) throw new UsageError('--step must be at least 1s: the meter clock counts whole seconds');
  const backfillMs = durationOption('backfill', values.backfill);
  if (backfillMs !== undefined && backfillMs < stepMs) throw new UsageError('--backfill must be at least one --step long');
  for (const name of ['step', 'rate'] as const) {
    if (values[name] !== undefined && backfillMs === undefined) throw new UsageError(`--${name} only applies with --backfill`);
  }

  return {
    url,
    username,
    password,
    panels: panelsOption(values.panels, values.count),
    intervalMs,
    rounds: wholeOption('rounds', values.rounds, 0),
    backfillMs,
    stepMs,
    ratePerSecond: wholeOption('rate', values.rate, 0),
    timezone,
    seed: wholeOption('seed', values.seed, 0, 2 ** 32 - 1) ?? 1,
  };
}

function cliLogger(env: Env): Logger {
  const level = fromEnv(env, 'LOG_LEVEL', envShape.LOG_LEVEL);
  const format = fromEnv(env, 'LOG_FORMAT', envShape.LOG_FORMAT);
  return createLogger({ level, format: format ?? 'pretty' });
}

async function runBackfill(options: CliOptions, backfillMs: number, logger: Logger, signal: AbortSignal): Promise<BackfillResult> {
  // The bar goes to stderr so stdout stays clean for logs; cli-progress draws nothing without a TTY.
  const bar = new cliProgress.SingleBar(
    { stream: process.stderr, format: 'backfill [{bar}] {percentage}% | {value}/{total} readings | ETA {eta_formatted}', hideCursor: true },
    cliProgress.Presets.shades_classic,
  );
  bar.start(1, 0);
  try {
    return await backfill({
      ...options,
      days: backfillMs / 86_400_000,
      logger,
      signal,
      onProgress: ({ published, total }) => {
        bar.setTotal(total);
        bar.update(published);
      },
    });
  } finally {
    bar.stop();
  }
}

async function main(argv: string[], env: Env): Promise<number> {
  let options: CliOptions | null;
  let logger: Logger;
  try {
    options = parseCli(argv, env);
    if (options === null) {
      console.log(USAGE);
      return 0;
    }
    logger = cliLogger(env);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`simulate: ${error.message}\nRun with --help for usage.`);
    return 2;
  }

  const interrupt = new AbortController();
  let simulator: Simulator | undefined;
  const onSignal = (): void => {
    // A second Ctrl-C means "now", e.g. when the broker is gone and PUBACKs never come.
    if (interrupt.signal.aborted) process.exit(130);
    logger.info('stopping (press Ctrl-C again to force)');
    interrupt.abort();
    void simulator?.stop();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    if (options.backfillMs !== undefined) {
      const result = await runBackfill(options, options.backfillMs, logger, interrupt.signal);
      if (result.aborted) return 130;
    }
    if (options.rounds === 0 || interrupt.signal.aborted) return 0;
    simulator = await startSimulator({ ...options, logger, count: options.rounds });
    // Ctrl-C may have come while connecting, before there was a simulator to stop.
    if (interrupt.signal.aborted) await simulator.stop();
    await simulator.done;
    return 0;
  } catch (error) {
    // Straight to stderr: the logger may be silenced, and this is the one line the user needs.
    console.error(`simulate: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

main(process.argv.slice(2), process.env).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  },
);
