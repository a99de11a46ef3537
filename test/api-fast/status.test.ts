import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { silentLogger } from '../../src/config/logger.js';
import type { PanelStatusChange } from '../../src/models/panel-status.js';
import { LiveState } from '../../src/pipeline/live-state.js';
import { createAppPubSub } from '../../src/pipeline/pubsub.js';
import { StatusMonitor } from '../../src/pipeline/status-monitor.js';
import { disposer } from '../support/disposer.js';
import { makeReading } from '../support/readings.js';

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
  const status = new StatusMonitor({ live, pubsub, offlineAfterMs: OFFLINE_AFTER, logger: silentLogger, now: () => Date.now() });
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
