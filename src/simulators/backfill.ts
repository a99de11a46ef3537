import { setTimeout as sleep } from 'node:timers/promises';
import { silentLogger, type Logger } from '../config/logger.js';
import type { MqttClient } from 'mqtt';
import { redactUrl } from '../config/redact.js';
import { createMeterModel } from './meter-model.js';
import { toMeterPayload } from './meter-payload.js';
import { connectPublisher, meters, settleWithin, watchConnection, type MeterOptions } from './simulator.js';

export interface BackfillProgress {
  /** Readings of the history acknowledged by the broker so far. */
  readonly published: number;
  /** Readings in the history, as announced at the start; it does not change while it runs. */
  readonly total: number;
}

export interface BackfillOptions extends MeterOptions {
  /** History length ending at `to`; used when `from` is not given. */
  readonly days?: number;
  /** Start of the history (inclusive). */
  readonly from?: Date;
  /**
   * End of the history (exclusive). Default: now, followed by catch-up readings until the history
   * reaches the current time (counted apart, in `caughtUp`), so a live simulator continues right
   * after it.
   */
  readonly to?: Date;
  /** Time between two readings of a panel. Default 60 s; at least 1 s. */
  readonly stepMs?: number;
  /** PRNG seed; use the live simulator's so the counters continue. Default 1. */
  readonly seed?: number;
  /** Unacknowledged publishes allowed at once: fast, yet memory stays bounded. Default 200. */
  readonly concurrency?: number;
  /**
   * Readings published per second at most; 0 for no limit. Default 2000. PUBACKs only say the
   * broker has the message: a subscriber that falls behind is not slowing the publisher down, and
   * Mosquitto drops QoS 1 messages for a subscriber more than `max_queued_messages` (default 1000)
   * behind. Keep this below what the ingester can absorb.
   */
  readonly ratePerSecond?: number;
  /** Stops issuing readings; those in flight still get a short grace to be acknowledged. */
  readonly signal?: AbortSignal;
  readonly logger?: Logger;
  /** Called once with `published: 0` before the first publish, then after each acknowledgement. */
  readonly onProgress?: (progress: BackfillProgress) => void;
}

export interface BackfillResult {
  /** Readings of the history acknowledged; equal to `total` unless aborted. */
  readonly published: number;
  /** Readings in the history, the number announced at the start. */
  readonly total: number;
  /** Readings published after the history to reach the current time (only without `to`). */
  readonly caughtUp: number;
  readonly from: Date;
  /** Where the history ends (exclusive); later than the requested `to` only after catch-up. */
  readonly to: Date;
  /** True when `signal` stopped it before every reading was published. */
  readonly aborted: boolean;
}

const DEFAULT_STEP_MS = 60_000;
const DEFAULT_CONCURRENCY = 200;
const DEFAULT_RATE_PER_SECOND = 2_000;
/** Sleeping for less is not worth a timer; the pacer lets that much slack accumulate instead. */
const MIN_SLEEP_MS = 10;
const MS_PER_DAY = 86_400_000;
/** How long an aborted or failed backfill waits for PUBACKs before dropping the connection. */
const END_GRACE_MS = 5_000;

/** The reading times of a backfill: multiples of `stepMs` in `[from, to)`, so meters report on the minute. */
export function backfillTimes(from: Date, to: Date, stepMs: number): { first: number; count: number } {
  const first = Math.ceil(from.getTime() / stepMs) * stepMs;
  const count = Math.max(0, Math.ceil((to.getTime() - first) / stepMs));
  return { first, count };
}

/** Returns a function to await before each publish that keeps the average rate at `perSecond`. */
function pacer(perSecond: number): () => Promise<void> | undefined {
  if (perSecond === 0 || perSecond === Infinity) return () => undefined;
  const startedAt = performance.now();
  let issued = 0;
  return () => {
    const ahead = startedAt + (issued++ * 1000) / perSecond - performance.now();
    return ahead >= MIN_SLEEP_MS ? sleep(ahead) : undefined;
  };
}

function resolveRange(options: BackfillOptions): { from: Date; to: Date } {
  const to = options.to ?? new Date(Math.floor(Date.now() / 1000) * 1000);
  let from = options.from;
  if (!from) {
    if (options.days === undefined || !(options.days > 0)) throw new RangeError('give `days` (> 0) or `from`');
    // Rounded: fractional days (a 10-minute backfill) must not shift the first grid time.
    from = new Date(to.getTime() - Math.round(options.days * MS_PER_DAY));
  }
  if (Number.isNaN(from.getTime()) || Number.isNaN(to.getTime())) throw new RangeError('invalid from/to date');
  if (from.getTime() >= to.getTime()) throw new RangeError('`from` must be before `to`');
  return { from, to };
}

/**
 * Publishes the meters' history with past meter times (QoS 1), oldest first, every panel at each
 * time. The readings come from the same deterministic model as the live simulator, so the live
 * counters continue exactly where the history ends.
 */
export async function backfill(options: BackfillOptions): Promise<BackfillResult> {
  const { panels, timezone, signal } = options;
  const logger = options.logger ?? silentLogger;
  const { topics, clock } = meters(options);
  const { stepMs, concurrency, ratePerSecond } = settings(options);
  const range = resolveRange(options);
  const models = panels.map((panelId) => createMeterModel({ panelId, timezone, seed: options.seed }));
  const history = backfillTimes(range.from, range.to, stepMs);
  const total = history.count * panels.length;
  let to = range.to;

  const client = await connectPublisher(options, 'meter-backfill');
  watchConnection(client, logger);
  logger.info({ url: redactUrl(options.url), panels, topic: topics[0], from: range.from, to, stepMs, total, ratePerSecond }, 'backfill started');

  const window = new PublishWindow(client, concurrency, signal);
  const pace = pacer(ratePerSecond);
  const counts = { published: 0, caughtUp: 0, catchUpIssued: 0 };
  const historyAcknowledged = (): void => {
    counts.published++;
    options.onProgress?.({ published: counts.published, total });
  };
  const catchUpAcknowledged = (): void => {
    counts.caughtUp++;
  };

  /** Every panel at each grid time, oldest first; false when stopped before the end. */
  const publishTimes = async ({ first, count }: { first: number; count: number }, onAcknowledged: () => void): Promise<boolean> => {
    for (let index = 0; index < count; index++) {
      const at = new Date(first + index * stepMs);
      for (const [panel, model] of models.entries()) {
        await window.slot();
        await pace();
        if (signal?.aborted) return false;
        window.publish(topics[panel]!, JSON.stringify(toMeterPayload(model.next(at), clock)), onAcknowledged);
      }
    }
    return true;
  };

  try {
    options.onProgress?.({ published: 0, total });
    let complete = await publishTimes(history, historyAcknowledged);
    // "Until now" moved while a long history was published: catch up, or the live simulator
    // would start after a gap as long as the backfill took.
    while (complete && !options.to) {
      const now = new Date(Math.floor(Date.now() / 1000) * 1000);
      const times = backfillTimes(to, now, stepMs);
      to = now;
      if (times.count === 0) break;
      counts.catchUpIssued += times.count * panels.length;
      complete = await publishTimes(times, catchUpAcknowledged);
    }
    // An outage is repaired by reconnecting, so wait for every PUBACK unless asked to stop.
    await window.drained();
  } finally {
    await window.close();
  }
  const { published, caughtUp } = counts;
  const aborted = published < total || caughtUp < counts.catchUpIssued;
  logger.info({ published, total, caughtUp, aborted }, 'backfill finished');
  return { published, total, caughtUp, from: range.from, to, aborted };
}

/** The options' step, concurrency and rate, with their defaults, checked. */
function settings(options: BackfillOptions): { stepMs: number; concurrency: number; ratePerSecond: number } {
  const stepMs = options.stepMs ?? DEFAULT_STEP_MS;
  const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
  const ratePerSecond = options.ratePerSecond ?? DEFAULT_RATE_PER_SECOND;
  if (!Number.isFinite(stepMs) || stepMs < 1_000) throw new RangeError('stepMs must be at least 1000');
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new RangeError('concurrency must be a positive integer');
  if (!(ratePerSecond >= 0)) throw new RangeError('ratePerSecond must be 0 (no limit) or positive');
  return { stepMs, concurrency, ratePerSecond };
}

/**
 * QoS 1 publishes with at most `concurrency` unacknowledged at once. The first failure stops the
 * backfill (thrown by the next slot() or drained()); an abort stops the waiting.
 */
class PublishWindow {
  readonly #client: MqttClient;
  readonly #concurrency: number;
  readonly #signal: AbortSignal | undefined;
  readonly #inFlight = new Set<Promise<void>>();
  #slotFreed: (() => void) | undefined;
  #failure: unknown;
  readonly #wake = (): void => {
    const resolve = this.#slotFreed;
    this.#slotFreed = undefined;
    resolve?.();
  };

  constructor(client: MqttClient, concurrency: number, signal: AbortSignal | undefined) {
    this.#client = client;
    this.#concurrency = concurrency;
    this.#signal = signal;
    signal?.addEventListener('abort', this.#wake);
  }

  /** Issues one reading; `onAcknowledged` counts it where it belongs (history or catch-up). */
  publish(topic: string, payload: string, onAcknowledged: () => void): void {
    const sent: Promise<void> = this.#client
      .publishAsync(topic, payload, { qos: 1 })
      .then(onAcknowledged)
      .catch((error: unknown) => {
        this.#failure ??= error;
      })
      .finally(() => {
        this.#inFlight.delete(sent);
        this.#wake();
      });
    this.#inFlight.add(sent);
  }

  /** Waits until another publish may be issued (or the signal aborts); throws the first failure. */
  slot(): Promise<void> {
    return this.#waitWhile(() => this.#inFlight.size >= this.#concurrency);
  }

  /** Waits for every acknowledgement (or the signal aborts); throws the first failure. */
  drained(): Promise<void> {
    return this.#waitWhile(() => this.#inFlight.size > 0);
  }

  /** Ends the connection, after a short grace for the acknowledgements still outstanding. */
  async close(): Promise<void> {
    this.#signal?.removeEventListener('abort', this.#wake);
    const settled = this.#inFlight.size === 0 || (await settleWithin(this.#inFlight, END_GRACE_MS));
    // A graceful end would wait for the PUBACKs forever if the broker is gone.
    await this.#client.endAsync(!settled || !this.#client.connected).catch(() => {});
  }

  async #waitWhile(busy: () => boolean): Promise<void> {
    while (busy() && !this.#signal?.aborted && this.#failure === undefined) {
      await new Promise<void>((resolve) => (this.#slotFreed = resolve));
    }
    if (this.#failure !== undefined) throw this.#failure;
  }
}
