/**
 * `npm run simulate -- [options]`: publishes simulated meter readings to an MQTT broker, or a
 * history backfill. It reads the product's settings (the environment and `.env`, as `npm start`
 * does), so by default it publishes to the broker the product uses, on the product's topic.
 * Exit codes: 0 done or stopped with Ctrl-C, 1 runtime failure (e.g. no broker), 2 bad arguments
 * or environment, 130 backfill interrupted before it was complete.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import { IANAZone } from 'luxon';
import { configSchema } from '../config/config.js';
import { parseDuration } from '../config/duration.js';
import { createLogger, type Logger } from '../config/logger.js';
import { redactUrl } from '../config/redact.js';
import { backfill, type BackfillResult } from './backfill.js';
import { assertPanelId } from './meter-payload.js';
import { formatEta, ProgressRate, progressLines } from './progress.js';
import { startSimulator, type Simulator } from './simulator.js';

const USAGE = `Usage: npm run simulate -- [options]

Publishes simulated power-meter readings (QoS 1) to <prefix>/<panel>, where <prefix> is that of
$MQTT_TOPIC (DATA/PM/<panel> by default). Settings come from the environment and .env, as for
npm start, so by default it publishes to the broker the product uses.

Options:
  --url URL            broker URL (default: $MQTT_URL, else the embedded broker mqtt://localhost:$MQTT_PORT)
  --panels A,B,C       panel ids (default: $SIMULATE_PANELS)
  --count N            simulate PANEL_LANTAI_1..N instead of --panels
  --interval 60s       time between live readings of a panel (default: 60s, at least 1s)
  --rounds N           stop after N live rounds (default: until Ctrl-C)
  --backfill 30d       publish this much history, ending now, then stop (see --live)
  --live               after --backfill, keep publishing live readings
  --step 60s           time between backfilled readings (default: 60s)
  --rate N             backfill at most N readings per second, 0 = no limit (default: 2000);
                       a subscriber that falls far behind loses messages at the broker
  --timezone ZONE      the meters' clock timezone (default: $SITE_TIMEZONE or Asia/Jakarta)
  --username NAME      broker user (default: $MQTT_USERNAME)
  --password SECRET    broker password (default: $MQTT_PASSWORD)
  --ca FILE            for mqtts:// and wss://: the CA (PEM) that signed the broker's certificate
                       (default: $MQTT_CA_FILE; else the system's trusted CAs)
  --seed N             another deterministic building (default: 1, as the product's simulator)
  -h, --help           show this help

Progress of a backfill: a bar on a terminal, otherwise a line every 5 seconds (stderr).

Durations: 500ms, 30s, 5m, 1h, 1d. Examples:
  npm run simulate -- --backfill 30d
  npm run simulate -- --backfill 7d --count 5 --live
  npm run simulate -- --url mqtt://broker:1883 --panels PANEL_A,PANEL_B --interval 10s --rounds 6`;

const MAX_PANELS = 10_000;
/** How often a backfill prints a progress line when stderr is not a terminal. */
const PROGRESS_EVERY_MS = 5_000;

class UsageError extends Error {}

interface CliOptions {
  readonly url: string;
  /** MQTT_TOPIC: the readings go under its prefix. */
  readonly topic: string;
  readonly username?: string;
  readonly password?: string;
  readonly ca?: Buffer;
  readonly panels: string[];
  readonly intervalMs: number;
  readonly rounds?: number;
  readonly backfillMs?: number;
  /** Publish live readings after the backfill. */
  readonly live: boolean;
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

function panelsOption(listText: string | undefined, countText: string | undefined, env: Env): string[] {
  if (listText !== undefined && countText !== undefined) throw new UsageError('give either --panels or --count, not both');
  const count = wholeOption('count', countText, 1, MAX_PANELS);
  if (count !== undefined) return Array.from({ length: count }, (_, index) => `PANEL_LANTAI_${index + 1}`);
  const [source, text] = listText === undefined ? ['SIMULATE_PANELS', fromEnv(env, 'SIMULATE_PANELS', envShape.SIMULATE_PANELS)] : ['--panels', listText];
  const panels = text.split(',').map((id) => id.trim());
  for (const panel of panels) {
    try {
      assertPanelId(panel);
    } catch (error) {
      throw new UsageError(`${source}: ${(error as Error).message}`);
    }
  }
  if (new Set(panels).size !== panels.length) throw new UsageError(`${source}: a panel id is listed twice`);
  return panels;
}

/** The CA file's contents (--ca, else MQTT_CA_FILE), for a TLS URL only. */
function caOption(option: string | undefined, env: Env, url: string): Buffer | undefined {
  const [source, file] = option !== undefined ? ['--ca', option] : ['MQTT_CA_FILE', fromEnv(env, 'MQTT_CA_FILE', envShape.MQTT_CA_FILE)];
  if (file === undefined || file === '') return undefined;
  if (!/^(mqtts|wss|ssl):/.test(url)) {
    if (option !== undefined) throw new UsageError(`--ca applies to mqtts:// and wss:// URLs only, not ${redactUrl(url)}`);
    return undefined;
  }
  try {
    return readFileSync(file);
  } catch (error) {
    throw new UsageError(`${source}: cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
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
        live: { type: 'boolean' },
        step: { type: 'string' },
        rate: { type: 'string' },
        timezone: { type: 'string' },
        username: { type: 'string' },
        password: { type: 'string' },
        ca: { type: 'string' },
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
  const topic = fromEnv(env, 'MQTT_TOPIC', envShape.MQTT_TOPIC);
  const timezone = values.timezone ?? fromEnv(env, 'SITE_TIMEZONE', envShape.SITE_TIMEZONE);
  if (!IANAZone.isValidZone(timezone)) throw new UsageError(`--timezone: "${timezone}" is not an IANA timezone such as Asia/Jakarta`);
  const username = values.username ?? fromEnv(env, 'MQTT_USERNAME', envShape.MQTT_USERNAME);
  const password = values.password ?? fromEnv(env, 'MQTT_PASSWORD', envShape.MQTT_PASSWORD);
  if (password !== undefined && username === undefined) throw new UsageError('a password was given without a username');
  const ca = caOption(values.ca, env, url);

  const intervalMs = durationOption('interval', values.interval, 60_000)!;
  if (intervalMs < 1_000) throw new UsageError('--interval must be at least 1s: the meter clock counts whole seconds');
  const stepMs = durationOption('step', values.step, 60_000)!;
  if (stepMs < 1_000) throw new UsageError('--step must be at least 1s: the meter clock counts whole seconds');
  const backfillMs = durationOption('backfill', values.backfill);
  if (backfillMs !== undefined && backfillMs < stepMs) throw new UsageError('--backfill must be at least one --step long');
  for (const name of ['step', 'rate', 'live'] as const) {
    if (values[name] !== undefined && backfillMs === undefined) throw new UsageError(`--${name} only applies with --backfill`);
  }
  const rounds = wholeOption('rounds', values.rounds, 0);

  return {
    url,
    topic,
    username,
    password,
    ...(ca ? { ca } : {}),
    panels: panelsOption(values.panels, values.count, env),
    intervalMs,
    rounds,
    backfillMs,
    // Asking for live rounds after a backfill is asking to keep publishing.
    live: backfillMs === undefined || values.live === true || (rounds !== undefined && rounds > 0),
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

/**
 * The backfill with its progress on stderr (stdout stays for logs): a bar on a terminal, else a
 * line every few seconds; both with an ETA from the rate over a moving window, and the same total
 * from the first line to the last.
 */
async function runBackfill(options: CliOptions, backfillMs: number, logger: Logger, signal: AbortSignal): Promise<BackfillResult> {
  const started = performance.now();
  const rate = new ProgressRate();
  const tty = process.stderr.isTTY === true;
  const bar = tty
    ? new cliProgress.SingleBar(
        { stream: process.stderr, format: 'backfill [{bar}] {percentage}% | {value}/{total} readings | ETA {steadyEta}', hideCursor: true },
        cliProgress.Presets.shades_classic,
      )
    : undefined;
  let lines: ReturnType<typeof progressLines> | undefined;
  const write = (line: string): void => void process.stderr.write(`backfill: ${line}\n`);
  let result: BackfillResult;
  try {
    result = await backfill({
      ...options,
      days: backfillMs / 86_400_000,
      logger,
      signal,
      onProgress: ({ published, total }) => {
        if (published === 0) {
          write(`${total.toLocaleString('en-US')} readings of ${options.panels.length} panel(s) to publish to ${redactUrl(options.url)}`);
          if (bar) bar.start(total, 0, { steadyEta: '?' });
          else lines = progressLines({ total, everyMs: PROGRESS_EVERY_MS, write, rate });
        }
        rate.record(published);
        lines?.update(published);
        bar?.update(published, { steadyEta: formatEta(rate.etaMs(total)) });
      },
    });
  } finally {
    bar?.stop();
    lines?.stop();
  }
  const seconds = Math.round((performance.now() - started) / 1000);
  const catchUp = result.caughtUp > 0 ? `, then ${result.caughtUp.toLocaleString('en-US')} to reach the current time` : '';
  write(
    `${result.aborted ? 'stopped' : 'done'}: ${result.published.toLocaleString('en-US')} of ${result.total.toLocaleString('en-US')} readings${catchUp} in ${seconds}s`,
  );
  return result;
}

/** `.env` as `npm start` reads it (variables already set win), so both talk to the same broker. */
function loadDotEnv(): string | null {
  try {
    process.loadEnvFile();
    return null;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    return `cannot read the .env file in ${process.cwd()}: ${(error as Error).message}`;
  }
}

async function main(argv: string[], env: Env): Promise<number> {
  const dotEnvProblem = loadDotEnv();
  if (dotEnvProblem !== null) {
    console.error(`simulate: ${dotEnvProblem}`);
    return 2;
  }
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
    if (!options.live || options.rounds === 0 || interrupt.signal.aborted) return 0;
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
