import type { Logger } from '../config/logger.js';
import type { Reading } from '../models/reading.js';
import type { LiveState } from './live-state.js';
import type { ReadingOrder } from './reading-order.js';
import type { AppPubSub } from './pubsub.js';
import type { StatusMonitor } from './status-monitor.js';

export interface AfterWriteDeps {
  /** Forwards the journal to InfluxDB soon (a no-op for the embedded store). */
  readonly forward: () => void;
  readonly live: LiveState;
  readonly status: StatusMonitor;
  /**
   * The energy ledger (services/energy/energy-ledger.ts): only the step this pipeline takes, so the
   * pipeline does not import the floor above it (the services are built on it, not it on them).
   */
  readonly ledger: { applyStored(reading: Reading): void };
  /**
   * The hourly averages history charts read (services/hourly-averages.ts): a stored reading drops
   * its hour, like the ledger only the step, so the pipeline does not import the floor above it.
   */
  readonly averages: { applyStored(reading: Reading): void };
  readonly pubsub: AppPubSub;
  readonly logger: Logger;
  /**
   * The alarm rules (services/alarms), after the energy ledger. `local`: the reading was ingested
   * by this process (it then owns the notifications the reading causes; the others only show them).
   */
  readonly alarms?: { applyReading(reading: Reading, local: boolean): void };
  /**
   * Several processes (MQTT_SHARED_GROUP with InfluxDB): what this process already applied, so a
   * reading stored twice (redelivered to another member after a crash) or heard twice is applied
   * once; and the feed that tells the other processes about readings stored here.
   */
  readonly cluster?: {
    readonly applied: AppliedReadings;
    readonly announce: (readings: readonly Reading[]) => void;
    /** Puts each panel's readings in time order for live subscribers (several processes store them). */
    readonly order: ReadingOrder;
  };
}

/**
 * The (panel, meter time) pairs recently applied, bounded: the oldest are forgotten first. A
 * reading is one per (panel, time) in the store, so it is one event for the live parts too.
 */
export class AppliedReadings {
  readonly #keys = new Set<string>();
  readonly #max: number;

  constructor(max = 100_000) {
    this.#max = max;
  }

  /** True when the reading is new here (and remembers it). */
  claim(reading: Reading): boolean {
    const key = `${reading.panelId}\u0000${reading.time.getTime()}`;
    if (this.#keys.has(key)) return false;
    this.#keys.add(key);
    if (this.#keys.size > this.#max) this.#keys.delete(this.#keys.values().next().value!);
    return true;
  }
}

/** What follows the durable write of readings (called once per committed group, in order). */
export type AfterWrite = (readings: readonly Reading[]) => void;

/**
 * Everything that happens after readings are durable, in order, in one place. A reading is
 * queryable as soon as it is durable (embedded store, or the journal merged into InfluxDB's
 * answers), so there is no second stage:
 * 1. nudge the forwarder, so InfluxDB gets the readings promptly;
 * 2. the panel's newest reading (panel cards, the panel list);
 * 3. its status, when the reading is its newest (ONLINE again, and the OFFLINE timer re-armed);
 * 4. the energy ledger (today's kWh and Rupiah, summaries, bills), and the hourly averages of
 *    history charts (every reading written, also one the cluster already applied: a correction
 *    with the same time changes the averages);
 * 4a. the alarm rules, on meter time (services/alarms);
 * 5. live subscribers, last: a subscriber never hears of a reading the API cannot answer for
 *    (with several processes, through ReadingOrder: each panel's readings in time order).
 * A failure of one step for one reading is logged and does not stop the others: the reading is
 * already durable, and withholding its acknowledgement would only bring it back again.
 */
export function createAfterWrite(deps: AfterWriteDeps): AfterWrite {
  return (readings) => {
    step(deps.logger, 'forward', undefined, deps.forward);
    for (const reading of readings) step(deps.logger, 'hourly averages', reading, () => deps.averages.applyStored(reading));
    const fresh = deps.cluster ? readings.filter((r) => deps.cluster!.applied.claim(r)) : readings;
    for (const reading of fresh) applyOne(deps, reading, true);
    // 6. with several processes: the others apply the same steps to what was stored here.
    if (deps.cluster && fresh.length > 0) step(deps.logger, 'announce', undefined, () => deps.cluster!.announce(fresh));
  };
}

/**
 * The same steps for readings another process stored (heard on the stored-readings feed): made
 * queryable here first (`remember`, the in-memory overlay until InfluxDB has them), then steps 2-5.
 * Readings already applied here are skipped.
 */
export function createAfterRemoteWrite(deps: AfterWriteDeps, remember: (readings: readonly Reading[]) => void): AfterWrite {
  return (readings) => {
    const fresh = deps.cluster ? readings.filter((r) => deps.cluster!.applied.claim(r)) : readings;
    if (fresh.length === 0) return;
    step(deps.logger, 'remember', undefined, () => remember(fresh));
    for (const reading of fresh) step(deps.logger, 'hourly averages', reading, () => deps.averages.applyStored(reading));
    for (const reading of fresh) applyOne(deps, reading, false);
  };
}

function applyOne(deps: AfterWriteDeps, reading: Reading, local: boolean): void {
  const newest = step(deps.logger, 'live state', reading, () => deps.live.apply(reading)) ?? false;
  if (newest) step(deps.logger, 'status', reading, () => deps.status.refresh(reading.panelId, reading.time));
  step(deps.logger, 'energy ledger', reading, () => deps.ledger.applyStored(reading));
  if (deps.alarms) step(deps.logger, 'alarms', reading, () => deps.alarms!.applyReading(reading, local));
  // One process delivers in the order readings are stored: one older than the panel's newest is late.
  step(deps.logger, 'pubsub', reading, () => (deps.cluster ? deps.cluster.order.push(reading) : publishReading(deps.pubsub, newest ? reading : { ...reading, late: true })));
}

/** Tells live subscribers about a stored reading. */
export function publishReading(pubsub: AppPubSub, reading: Reading): void {
  pubsub.publish('readingStored', reading);
  pubsub.publish('panelReadingStored', reading.panelId, reading);
}

function step<T>(logger: Logger, name: string, reading: Reading | undefined, run: () => T): T | undefined {
  try {
    return run();
  } catch (error) {
    logger.error({ err: error, step: name, panelId: reading?.panelId, time: reading?.time }, 'after-write step failed');
    return undefined;
  }
}
