import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { silentLogger } from '../../src/config/logger.js';
import type { PanelStatusChange } from '../../src/models/panel-status.js';
import { LiveState } from '../../src/pipeline/live-state.js';
import { createAppPubSub } from '../../src/pipeline/pubsub.js';
import { StatusMonitor } from '../../src/pipeline/status-monitor.js';
import { disposer } from '../support/disposer.js';
import type { Clock, TimerHandle } from '../../src/time/clock.js';
import { makeReading, seededRandom } from '../support/readings.js';

/**
 * Panel status on a fake clock: the monitor's timer announces OFFLINE at the threshold itself,
 * not at a later poll and not a millisecond early. (test/api/status.test.ts checks the same over
 * WebSocket on the real clock, where only the order of events can be asserted.)
 */

const OFFLINE_AFTER = 60_000;
const cleanup = disposer();

beforeEach(() => {
  vi.useFakeTimers({ now: new Date('2026-07-01T05:00:00Z') });
});
afterEach(async () => {
  await cleanup.run();
  vi.useRealTimers();
});

function monitor() {
  const live = new LiveState();
  const pubsub = createAppPubSub();
  const status = new StatusMonitor({ live, pubsub, offlineAfterMs: OFFLINE_AFTER, logger: silentLogger });
  cleanup.add(() => status.stop());
  const changes: PanelStatusChange[] = [];
  const events = pubsub.subscribe('statusChanged');
  const pump = (async () => {
    for await (const change of events) changes.push(change);
  })();
  cleanup.add(async () => {
    await events.return?.();
    await pump;
  });
  /** A reading arrives (as the after-write pipeline hands it on). */
  const arrive = (panelId: string, time: Date, kwh: number) => {
    if (live.apply(makeReading(panelId, time, kwh))) status.refresh(panelId, time);
  };
  return { status, changes, arrive };
}

describe('StatusMonitor', () => {
  it('announces OFFLINE exactly OFFLINE_AFTER after the newest reading, by its own timer', async () => {
    const { status, changes, arrive } = monitor();
    const t0 = new Date(Date.now());
    arrive('P1', t0, 1);
    await vi.advanceTimersByTimeAsync(0);
    expect(changes).toEqual([{ panelId: 'P1', status: 'ONLINE', at: t0 }]);

    // Still ONLINE at the threshold itself (inclusive), and nothing announced.
    await vi.advanceTimersByTimeAsync(OFFLINE_AFTER);
    expect(status.statusOf('P1')).toBe('ONLINE');
    expect(changes).toHaveLength(1);
    // One millisecond later: OFFLINE, announced with the instant it went silent.
    await vi.advanceTimersByTimeAsync(1);
    expect(status.statusOf('P1')).toBe('OFFLINE');
    expect(changes.at(-1)).toEqual({ panelId: 'P1', status: 'OFFLINE', at: new Date(t0.getTime() + OFFLINE_AFTER) });
    expect(changes).toHaveLength(2);
  });

  it('re-arms the timer on each newer reading, and a reading brings it back ONLINE at once', async () => {
    const { changes, arrive } = monitor();
    arrive('P1', new Date(Date.now()), 1);
    await vi.advanceTimersByTimeAsync(OFFLINE_AFTER / 2);
    const t1 = new Date(Date.now());
    arrive('P1', t1, 1.1);
    // The first reading's deadline passes without a change: the newer one counts.
    await vi.advanceTimersByTimeAsync(OFFLINE_AFTER / 2 + 1);
    expect(changes.map((c) => c.status)).toEqual(['ONLINE']);
    await vi.advanceTimersByTimeAsync(OFFLINE_AFTER / 2);
    expect(changes.map((c) => c.status)).toEqual(['ONLINE', 'OFFLINE']);

    const t2 = new Date(Date.now());
    arrive('P1', t2, 1.2);
    await vi.advanceTimersByTimeAsync(0);
    expect(changes.at(-1)).toEqual({ panelId: 'P1', status: 'ONLINE', at: t2 });
  });

  it('does not announce a late reading older than OFFLINE_AFTER, nor an older one than it has', async () => {
    const { status, changes, arrive } = monitor();
    arrive('LATE', new Date(Date.now() - OFFLINE_AFTER - 1), 1);
    await vi.advanceTimersByTimeAsync(10 * OFFLINE_AFTER);
    expect(status.statusOf('LATE')).toBe('OFFLINE');
    expect(changes).toEqual([]);

    const now = Date.now();
    arrive('P2', new Date(now), 2);
    arrive('P2', new Date(now - 1_000), 1.9); // out of order: not the newest, changes nothing
    await vi.advanceTimersByTimeAsync(OFFLINE_AFTER + 1);
    expect(changes.map((c) => [c.panelId, c.status, c.at.getTime()])).toEqual([
      ['P2', 'ONLINE', now],
      ['P2', 'OFFLINE', now + OFFLINE_AFTER],
    ]);
  });
});

/**
 * A clock whose timers fire early or late by a random amount (as Node's timers do against
 * `Date.now()`, and a busy event loop does by far more): time moves only when the test says so.
 */
class SkewedClock implements Clock {
  #now: number;
  #nextId = 0;
  readonly #timers = new Map<number, { fireAt: number; callback: () => void }>();

  constructor(
    start: number,
    private readonly skew: () => number,
  ) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  setTimeout(callback: () => void, ms: number): TimerHandle {
    const id = this.#nextId++;
    this.#timers.set(id, { fireAt: this.#now + ms + this.skew(), callback });
    return id as unknown as TimerHandle;
  }

  clearTimeout(handle: TimerHandle): void {
    this.#timers.delete(handle as unknown as number);
  }

  /** Moves the clock to `to`, running every timer whose (skewed) moment has come, in order. */
  advanceTo(to: number): void {
    for (;;) {
      let next: [number, { fireAt: number; callback: () => void }] | undefined;
      for (const entry of this.#timers) if (entry[1].fireAt <= to && (!next || entry[1].fireAt < next[1].fireAt)) next = entry;
      if (!next) break;
      this.#timers.delete(next[0]);
      this.#now = Math.max(this.#now, next[1].fireAt);
      next[1].callback();
    }
    this.#now = Math.max(this.#now, to);
  }
}

describe('StatusMonitor with timers that fire early and late', () => {
  it.each([
    ['early by up to 5 ms', -5, 0],
    ['late by up to 250 ms', 0, 250],
    ['either way', -5, 250],
  ])('announces every change exactly once, at its meter-time instant, never before the threshold (%s)', (_, early, late) => {
    const random = seededRandom(19);
    const start = Date.parse('2026-07-01T05:00:00Z');
    const clock = new SkewedClock(start, () => early + Math.floor(random() * (late - early + 1)));
    const live = new LiveState();
    const changes: Array<PanelStatusChange & { announcedAt: number }> = [];
    const pubsub = createAppPubSub();
    const publish = pubsub.publish.bind(pubsub) as (topic: string, ...payload: unknown[]) => void;
    // Record the clock at the moment of each announcement (the pubsub delivers asynchronously).
    const recording = Object.assign(pubsub, {
      publish: ((topic: string, ...payload: unknown[]) => {
        if (topic === 'statusChanged') changes.push({ ...(payload[0] as PanelStatusChange), announcedAt: clock.now() });
        publish(topic, ...payload);
      }) as typeof pubsub.publish,
    });
    const status = new StatusMonitor({ live, pubsub: recording, offlineAfterMs: OFFLINE_AFTER, logger: silentLogger, clock });
    cleanup.add(() => status.stop());

    // 400 panels, each with bursts of readings and silences longer than OFFLINE_AFTER, in 1-100 ms steps.
    const panels = Array.from({ length: 400 }, (_, i) => `P${i}`);
    const expected = new Map<string, Array<[string, number]>>(panels.map((p) => [p, []]));
    const newest = new Map<string, number>();
    const end = start + 6 * OFFLINE_AFTER;
    let t = start;
    while (t < end) {
      t += 1 + Math.floor(random() * 100);
      clock.advanceTo(t);
      if (random() < 0.3) {
        const panel = panels[Math.floor(random() * panels.length)]!;
        const previous = newest.get(panel);
        const events = expected.get(panel)!;
        if (previous !== undefined && t > previous + OFFLINE_AFTER) events.push(['OFFLINE', previous + OFFLINE_AFTER]);
        if (previous === undefined || t > previous + OFFLINE_AFTER) events.push(['ONLINE', t]);
        newest.set(panel, t);
        if (live.apply(makeReading(panel, new Date(t), 1))) status.refresh(panel, new Date(t));
      }
    }
    clock.advanceTo(end + OFFLINE_AFTER + late + 1);
    for (const [panel, last] of newest) if (last + OFFLINE_AFTER < end + OFFLINE_AFTER + late + 1) expected.get(panel)!.push(['OFFLINE', last + OFFLINE_AFTER]);

    for (const panel of panels) {
      const got = changes.filter((c) => c.panelId === panel);
      expect(got.map((c) => [c.status, c.at.getTime()]), panel).toEqual(expected.get(panel));
      for (const change of got.filter((c) => c.status === 'OFFLINE')) {
        // Never before the threshold by the clock; at most the timer's lateness after it.
        expect(change.announcedAt).toBeGreaterThan(change.at.getTime());
        expect(change.announcedAt).toBeLessThanOrEqual(change.at.getTime() + 1 + late + 100);
      }
    }
    expect(changes.filter((c) => c.status === 'OFFLINE').length).toBeGreaterThan(300);
  });
});
