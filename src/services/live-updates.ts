import { Repeater, SlidingBuffer } from 'graphql-yoga';
import type { PanelStatusChange } from '../models/panel-status.js';
import type { Reading } from '../models/reading.js';
import type { Overview, PanelUsageUpdate } from '../models/usage.js';
import { SUBSCRIBER_BUFFER, type AppPubSub } from '../pipeline/pubsub.js';
import { runAt, systemClock, type Clock } from '../time/clock.js';
import { isoDate, type LocalTime } from '../time/local-time.js';
import type { EnergyService } from './energy/energy-service.js';
import type { PanelScope } from '../models/viewer.js';
import type { PanelService } from './panel-service.js';

export interface LiveUpdatesDeps {
  readonly pubsub: AppPubSub;
  readonly panels: PanelService;
  readonly energy: EnergyService;
  readonly time: LocalTime;
  /** The clock "today" and the coalescing are judged by (default: the system clock). */
  readonly clock?: Clock;
}

/**
 * One message of a live stream: `initial` on the current state sent first (so a client can tell
 * a snapshot it should take whole from a change it should merge).
 */
export type LiveEvent<T> = T & { readonly initial: boolean };

/**
 * Which panels a stream follows: these (checked by the caller), or null for every visible one. A
 * set: each event is looked up in it, however many panels a client lists.
 */
export type PanelFilter = ReadonlySet<string> | null;

/** The least time between two messages about the same panel (or the overview). */
const COALESCE_MS = 1_000;

/**
 * The live streams the dashboard subscribes to. Each starts with the current state (so a page
 * shows numbers at once, not at the next meter message), then follows the stored readings and
 * status changes. Usage and the overview are recomputed from the energy ledger when they may have
 * changed, at most once a second per panel, and at local midnight when "today" starts again.
 * Every stream keeps its own bounded buffer: a slow client skips to the newest values.
 */
export class LiveUpdates {
  readonly #deps: LiveUpdatesDeps;
  readonly #clock: Clock;

  constructor(deps: LiveUpdatesDeps) {
    this.#deps = deps;
    this.#clock = deps.clock ?? systemClock;
  }

  /** Each panel's newest reading now, then every stored reading. */
  readings(panelIds: PanelFilter, scope: PanelScope): AsyncIterable<LiveEvent<Reading>> {
    const { pubsub, panels } = this.#deps;
    const only = panelIds?.size === 1 ? [...panelIds][0]! : null;
    return this.#stream<Reading, Reading>(
      // One panel: woken only by its own readings; several or all: every reading, filtered.
      () => (only !== null ? pubsub.subscribe('panelReadingStored', only) : pubsub.subscribe('readingStored')),
      () => this.#panelIds(panelIds, scope).flatMap((id) => panels.latest(id) ?? []),
      (initial) => {
        // A reading both in the current state and in the stream is sent once.
        const sent = new Set(initial.map(readingKey));
        // With several processes the stream releases readings held for ordering (ReadingOrder) after
        // the newest was already in the current state: one older than what this subscriber got first
        // is late to it, so `late: false` readings never go back in time on any subscription.
        const first = new Map(initial.map((reading) => [reading.panelId, reading.time.getTime()]));
        return (reading) => {
          if (!this.#visible(reading.panelId, panelIds, scope) || sent.delete(readingKey(reading))) return [];
          const before = first.get(reading.panelId);
          return [before !== undefined && reading.late !== true && reading.time.getTime() <= before ? { ...reading, late: true } : reading];
        };
      },
    );
  }

  /** Each panel's status now, then every change. */
  statuses(panelIds: PanelFilter, scope: PanelScope): AsyncIterable<LiveEvent<PanelStatusChange>> {
    const { pubsub, panels } = this.#deps;
    const only = panelIds?.size === 1 ? [...panelIds][0]! : null;
    return this.#stream<PanelStatusChange, PanelStatusChange>(
      () => (only !== null ? pubsub.subscribe('panelStatusChanged', only) : pubsub.subscribe('statusChanged')),
      () =>
        this.#panelIds(panelIds, scope).map((id) => ({
          panelId: id,
          status: panels.status(id),
          at: panels.latest(id)?.time ?? new Date(this.#clock.now()),
        })),
      () => (change) => (this.#visible(change.panelId, panelIds, scope) ? [change] : []),
    );
  }

  /** Each panel's usage today now, then whenever it changes (at most once a second per panel). */
  todayUsage(panelIds: PanelFilter, scope: PanelScope): AsyncIterable<LiveEvent<PanelUsageUpdate>> {
    return this.#coalesced<PanelUsageUpdate>(
      () => this.#panelIds(panelIds, scope),
      (reading) => (this.#visible(reading.panelId, panelIds, scope) ? reading.panelId : null),
      false,
      async (ids) => {
        const usage = await this.#deps.energy.todayUsage(ids);
        const date = isoDate(this.#deps.energy.today());
        const at = new Date(this.#clock.now());
        return ids.map((id) => ({ panelId: id, date, today: usage.get(id)!, at }));
      },
    );
  }

  /** The building's overview now, then whenever it changes (at most once a second). */
  overview(scope: PanelScope): AsyncIterable<LiveEvent<Overview>> {
    return this.#coalesced<Overview>(
      () => ['building'],
      (reading) => (this.#visible(reading.panelId, null, scope) ? 'building' : null),
      true,
      async () => [await this.#deps.panels.overview(scope)],
    );
  }

  #panelIds(panelIds: PanelFilter, scope: PanelScope): string[] {
    if (panelIds !== null) return [...panelIds].filter((id) => this.#deps.panels.get(id, scope));
    return this.#deps.panels.list(scope).map((panel) => panel.id);
  }

  /** Whether an event of `id` belongs to a stream of `panelIds` (or all visible panels). */
  #visible(id: string, panelIds: PanelFilter, scope: PanelScope): boolean {
    // Out of the caller's scope nothing is visible, even a panel asked for by id.
    if (scope !== null && !scope.has(id)) return false;
    if (panelIds !== null) return panelIds.has(id);
    return !this.#deps.panels.isHidden(id);
  }

  /**
   * Subscribes first, then takes the current state (the pipeline publishes synchronously, so no
   * event can fall between the two), sends it, then the filtered events.
   */
  #stream<E, T>(
    subscribe: () => AsyncIterableIterator<E>,
    current: () => T[],
    filterFor: (initial: T[]) => (event: E) => T[],
  ): AsyncIterable<LiveEvent<T>> {
    return new Repeater<LiveEvent<T>>(async (push, stop) => {
      const events = subscribe();
      const iterator = events[Symbol.asyncIterator]();
      const first = iterator.next();
      void stop.then(() => iterator.return?.());
      const initial = current();
      const filter = filterFor(initial);
      for (const item of initial) await push({ ...item, initial: true });
      for (let next = await first; !next.done; next = await iterator.next()) {
        for (const item of filter(next.value)) await push({ ...item, initial: false });
      }
    }, new SlidingBuffer(SUBSCRIBER_BUFFER));
  }

  /**
   * Sends `compute(keys)` for every key at once, then for keys touched by events, each key at most
   * once per `COALESCE_MS`; at local midnight everything again (a new "today").
   */
  #coalesced<T>(
    keys: () => string[],
    keyOf: (reading: Reading) => string | null,
    alsoOnStatus: boolean,
    compute: (keys: string[]) => Promise<T[]>,
  ): AsyncIterable<LiveEvent<T>> {
    const { pubsub, time } = this.#deps;
    return new Repeater<LiveEvent<T>>(async (push, stop) => {
      const dirty = new Set<string>();
      const lastSent = new Map<string, number>();
      let timer: NodeJS.Timeout | undefined;
      let cancelMidnight = () => {};
      let flushing = false;
      const subscriptions: Array<AsyncIterableIterator<unknown>> = [];

      const flush = async () => {
        timer = undefined;
        if (flushing) return schedule();
        flushing = true;
        try {
          const now = this.#clock.now();
          const due = [...dirty].filter((key) => now - (lastSent.get(key) ?? -Infinity) >= COALESCE_MS);
          for (const key of due) {
            dirty.delete(key);
            lastSent.set(key, now);
          }
          if (due.length > 0) for (const item of await compute(due)) await push({ ...item, initial: false });
        } catch (error) {
          stop(error);
        } finally {
          flushing = false;
        }
        schedule();
      };
      const schedule = () => {
        if (timer !== undefined || dirty.size === 0) return;
        const now = this.#clock.now();
        const wait = Math.min(...[...dirty].map((key) => Math.max(0, (lastSent.get(key) ?? -Infinity) + COALESCE_MS - now)));
        timer = setTimeout(() => void flush(), wait);
      };
      const touch = (key: string | null) => {
        if (key === null) return;
        dirty.add(key);
        schedule();
      };
      // Judged by the clock, not by the timer (which may fire early): "today" has changed when it runs.
      const armMidnight = () => {
        cancelMidnight = runAt(this.#clock, time.nextMidnight(this.#clock.now()), () => {
          for (const key of keys()) touch(key);
          armMidnight();
        });
      };

      const follow = async <E>(events: AsyncIterableIterator<E>, onEvent: (event: E) => void) => {
        subscriptions.push(events);
        for await (const event of events) onEvent(event);
      };
      const readings = pubsub.subscribe('readingStored');
      void follow(readings, (reading) => touch(keyOf(reading)));
      if (alsoOnStatus) void follow(pubsub.subscribe('statusChanged'), () => touch(keys()[0] ?? null));
      armMidnight();

      const initialKeys = keys();
      const now = this.#clock.now();
      for (const key of initialKeys) lastSent.set(key, now);
      for (const item of await compute(initialKeys)) await push({ ...item, initial: true });

      await stop;
      clearTimeout(timer);
      cancelMidnight();
      for (const events of subscriptions) await events.return?.();
    }, new SlidingBuffer(SUBSCRIBER_BUFFER));
  }
}

function readingKey(reading: Reading): string {
  return `${reading.panelId}@${reading.time.getTime()}`;
}
