import { randomBytes } from 'node:crypto';
import { connectAsync, type MqttClient } from 'mqtt';
import type { Logger } from '../config/logger.js';
import { redactUrl } from '../config/redact.js';
import { topicPrefix } from '../config/topic-pattern.js';
import { LocalTime } from '../time/local-time.js';
import { createMeterModel, type MeterModel } from './meter-model.js';
import { meterTopic, toMeterPayload } from './meter-payload.js';

export interface PublisherOptions {
  /** Broker URL, e.g. `mqtt://localhost:1883`. */
  readonly url: string;
  readonly username?: string;
  readonly password?: string;
  /** For mqtts:// and wss://: the CA (PEM) that signed the broker's certificate, when the system's do not. */
  readonly ca?: Buffer;
}

/** What the live simulator and the backfill share: which meters, where they publish, their clock. */
export interface MeterOptions extends PublisherOptions {
  /** Panel ids; each becomes a meter publishing to `<topic prefix>/<id>`. */
  readonly panels: readonly string[];
  /** The ingester's subscription (MQTT_TOPIC, e.g. `DATA/PM/#`): meters publish under its prefix. */
  readonly topic: string;
  /** IANA timezone of the meters' clocks and of the load profile. */
  readonly timezone: string;
}

export interface SimulatorOptions extends MeterOptions {
  /** Time between two readings of a panel; at least 1000 (the meter clock counts whole seconds). */
  readonly intervalMs: number;
  readonly logger: Logger;
  /** PRNG seed shared with `backfill` so both produce the same counters. Default 1. */
  readonly seed?: number;
  /** Stop by itself after this many rounds (one reading per panel each). Default: run until `stop()`. */
  readonly count?: number;
}

export interface Simulator {
  /** Stops publishing, waits briefly for unacknowledged readings, disconnects. Idempotent. */
  stop(): Promise<void>;
  /** Resolves once the simulator has stopped, by `stop()` or after `count` rounds. */
  readonly done: Promise<void>;
}

/** How long `stop()` waits for PUBACKs before it drops the connection anyway. */
const STOP_GRACE_MS = 5_000;

/**
 * Connects a publishing client. The first connection must succeed (a wrong URL or password should
 * fail loudly at startup); later losses are repaired by mqtt.js's reconnect.
 */
export async function connectPublisher(options: PublisherOptions, role: string): Promise<MqttClient> {
  try {
    return await connectAsync(options.url, {
      // Under the account's own name: brokers that let an account use only its client ids (the
      // embedded broker's MQTT_CLIENT_IDS=owned) accept `<user>-…`.
      clientId: `${options.username ? `${options.username}-` : ''}${role}-${randomBytes(4).toString('hex')}`,
      username: options.username,
      password: options.password,
      ...(options.ca ? { ca: options.ca } : {}),
      clean: true,
      reconnectPeriod: 1_000,
      connectTimeout: 10_000,
    });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`cannot connect to MQTT broker ${redactUrl(options.url)}: ${reason}`, { cause: error });
  }
}

/**
 * Logs connection losses once per outage instead of once per reconnect attempt, and keeps an
 * 'error' listener attached: without one, an EventEmitter 'error' would crash the process.
 */
export function watchConnection(client: MqttClient, logger: Logger): void {
  let down = false;
  client.on('error', (error) => {
    if (down) logger.debug({ err: error }, 'MQTT reconnect failed');
    else logger.warn({ err: error }, 'MQTT client error');
  });
  client.on('offline', () => {
    if (!down && !client.disconnecting) logger.warn('MQTT broker connection lost; reconnecting');
    down = true;
  });
  client.on('connect', () => {
    if (down) logger.info('MQTT broker connection restored');
    down = false;
  });
}

/** Waits for `promises` to settle, at most `ms`; true when they all did. */
export async function settleWithin(promises: Iterable<Promise<unknown>>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([Promise.allSettled([...promises]).then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** The meters as the simulator and the backfill publish them: topics and clock, checked before connecting. */
export interface Meters {
  /** The topic of each panel, in the order of `panels`. */
  readonly topics: readonly string[];
  readonly clock: LocalTime;
}

/** Checks what the simulator and the backfill share, before they connect anywhere. */
export function meters(options: MeterOptions): Meters {
  if (!LocalTime.isValidZone(options.timezone)) throw new RangeError(`unknown timezone "${options.timezone}"`);
  if (options.panels.length === 0) throw new RangeError('no panels to simulate');
  const prefix = topicPrefix(options.topic);
  const topics = options.panels.map((panel) => meterTopic(prefix, panel));
  if (new Set(options.panels).size !== options.panels.length) throw new RangeError('panel ids must be unique');
  return { topics, clock: new LocalTime(options.timezone) };
}

/** Publishes live readings of every panel each interval until stopped. */
export async function startSimulator(options: SimulatorOptions): Promise<Simulator> {
  const { panels, intervalMs, timezone, logger, count } = options;
  const { topics, clock } = meters(options);
  if (!Number.isFinite(intervalMs) || intervalMs < 1_000) throw new RangeError('intervalMs must be at least 1000');
  if (count !== undefined && !(Number.isInteger(count) && count >= 0)) throw new RangeError('count must be a whole number');
  const models = panels.map((panelId, index) => ({ model: createMeterModel({ panelId, timezone, seed: options.seed }), topic: topics[index]! }));

  const client = await connectPublisher(options, 'meter-sim');
  watchConnection(client, logger);
  logger.info({ url: redactUrl(options.url), panels, topic: topics[0], intervalMs }, 'meter simulator started');

  const publisher = new OnePerPanel(client, clock, logger, () => stopping !== undefined);
  let rounds = 0;
  let timer: NodeJS.Timeout | undefined;
  let stopping: Promise<void> | undefined;
  let resolveDone = (): void => {};
  const done = new Promise<void>((resolve) => {
    resolveDone = resolve;
  });
  const startedAt = Date.now();

  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      clearTimeout(timer);
      await publisher.end();
      logger.info({ rounds }, 'meter simulator stopped');
      resolveDone();
    })());

  let lastSecond = -1;
  const round = (): void => {
    if (stopping) return;
    if (count !== undefined && rounds >= count) {
      void stop();
      return;
    }
    const at = new Date();
    const second = Math.floor(at.getTime() / 1000);
    // Two readings in one meter second would be duplicates; a timer a hair early must not cause one.
    if (second === lastSecond) {
      timer = setTimeout(round, (second + 1) * 1000 - at.getTime());
      return;
    }
    lastSecond = second;
    for (const meter of models) publisher.publish(meter, at);
    rounds++;
    logger.debug({ round: rounds, at }, 'meter readings published');
    // On the grid of start + k·interval so it does not drift; slots missed while the event loop
    // was blocked are skipped rather than published in a burst with near-identical times.
    const elapsed = Date.now() - startedAt;
    const nextSlot = startedAt + (Math.floor(elapsed / intervalMs) + 1) * intervalMs;
    const delay = count !== undefined && rounds >= count ? 0 : Math.max(0, nextSlot - Date.now());
    timer = setTimeout(round, delay);
  };
  round();

  return { stop, done };
}

/**
 * At most one unacknowledged reading per panel: during an outage mqtt.js would otherwise queue
 * a reading per panel per interval for as long as the outage lasts.
 */
class OnePerPanel {
  readonly #client: MqttClient;
  readonly #clock: LocalTime;
  readonly #logger: Logger;
  readonly #stopping: () => boolean;
  readonly #inFlight = new Map<string, Promise<void>>();
  #backlogWarned = false;

  constructor(client: MqttClient, clock: LocalTime, logger: Logger, stopping: () => boolean) {
    this.#client = client;
    this.#clock = clock;
    this.#logger = logger;
    this.#stopping = stopping;
  }

  /** Publishes the meter's reading at `at`, or skips it while its previous one is unacknowledged. */
  publish({ model, topic }: { model: MeterModel; topic: string }, at: Date): void {
    if (this.#inFlight.has(model.panelId)) {
      if (!this.#backlogWarned) this.#logger.warn({ panel: model.panelId }, 'previous reading not acknowledged yet; skipping readings until it is');
      this.#backlogWarned = true;
      return;
    }
    const payload = JSON.stringify(toMeterPayload(model.next(at), this.#clock));
    const sent = this.#client
      .publishAsync(topic, payload, { qos: 1 })
      .then(
        () => {
          this.#backlogWarned = false;
        },
        (error: unknown) => {
          if (!this.#stopping()) this.#logger.warn({ err: error, panel: model.panelId }, 'meter reading not published');
        },
      )
      .finally(() => this.#inFlight.delete(model.panelId));
    this.#inFlight.set(model.panelId, sent);
  }

  /** Waits briefly for the unacknowledged readings, then disconnects. */
  async end(): Promise<void> {
    const acknowledged = await settleWithin(this.#inFlight.values(), STOP_GRACE_MS);
    if (!acknowledged) this.#logger.warn({ unacknowledged: this.#inFlight.size }, 'stopping with unacknowledged readings');
    // A graceful end would wait for the PUBACKs forever if the broker is gone.
    await this.#client.endAsync(!acknowledged || !this.#client.connected).catch((error: unknown) => {
      this.#logger.debug({ err: error }, 'MQTT client did not end cleanly');
    });
  }
}
