import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Reading } from '../../src/models/reading.js';
import { ReadingOrder } from '../../src/pipeline/reading-order.js';
import { makeReading } from '../support/readings.js';

const T0 = Date.parse('2026-11-30T01:00:00Z');
const at = (panelId: string, minute: number): Reading => makeReading(panelId, new Date(T0 + minute * 60_000), 100 + minute);
const key = (r: Reading) => `${r.panelId}@${(r.time.getTime() - T0) / 60_000}`;

describe('ReadingOrder', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  function make(holdMs: number) {
    const released: Reading[] = [];
    const late: Reading[] = [];
    const order = new ReadingOrder({ holdMs, release: (r) => released.push(r), late: (r) => late.push(r), now: () => Date.now() });
    return { order, released, late };
  }

  it('holds each reading, then releases its panel in meter-time order', () => {
    const { order, released, late } = make(500);
    order.push(at('A', 2));
    order.push(at('B', 1));
    vi.advanceTimersByTime(100);
    order.push(at('A', 1)); // stored by another process a moment earlier, heard later
    expect(released).toEqual([]);
    vi.advanceTimersByTime(400);
    // A@2's hold is over: A@1 goes first; B@1 is due at the same moment.
    expect(released.map(key)).toEqual(['A@1', 'A@2', 'B@1']);
    vi.advanceTimersByTime(1_000);
    expect(released.map(key)).toEqual(['A@1', 'A@2', 'B@1']);
    expect(late).toEqual([]);
  });

  it('releases a reading later than the hold all the same, and reports it', () => {
    const { order, released, late } = make(500);
    order.push(at('A', 5));
    vi.advanceTimersByTime(600);
    order.push(at('A', 4));
    expect(released.map(key)).toEqual(['A@5', 'A@4']);
    expect(late.map(key)).toEqual(['A@4']);
    // A subscriber tells the late one from a new one.
    expect(released.map((r) => r.late ?? false)).toEqual([false, true]);
  });

  it('releases a burst a slice per turn of the event loop, so no subscriber gets more than its pubsub takes at once', () => {
    const { order, released } = make(500);
    // One panel and many: 3,000 readings held together (a burst heard on the feed).
    for (let m = 0; m < 1_500; m++) order.push(at('A', m));
    for (let m = 0; m < 1_500; m++) order.push(at(`P${m}`, 0));
    const perTurn: number[] = [];
    vi.advanceTimersByTime(500);
    perTurn.push(released.length);
    while (released.length < 3_000) {
      const before = released.length;
      vi.advanceTimersToNextTimer();
      perTurn.push(released.length - before);
    }
    expect(Math.max(...perTurn)).toBeLessThanOrEqual(256);
    const times = released.filter((r) => r.panelId === 'A').map((r) => r.time.getTime());
    expect(times).toEqual([...times].sort((x, y) => x - y));
    expect(new Set(released.map(key)).size).toBe(3_000);
  });

  it('flush() releases everything held, in order', () => {
    const { order, released } = make(60_000);
    order.push(at('A', 3));
    order.push(at('A', 1));
    order.push(at('A', 2));
    order.flush();
    expect(released.map(key)).toEqual(['A@1', 'A@2', 'A@3']);
  });

  it('on random arrivals within the hold, every reading comes out once and each panel in time order', () => {
    let seed = 42;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let round = 0; round < 20; round++) {
      const { order, released, late } = make(300);
      const readings = ['A', 'B', 'C'].flatMap((panel) => Array.from({ length: 40 }, (_, m) => at(panel, m)));
      // Each reading arrives at its meter minute's slot (10 ms apart) plus a delay below the hold.
      const arrivals = readings
        .map((reading) => ({ reading, when: ((reading.time.getTime() - T0) / 60_000) * 10 + Math.floor(random() * 290) }))
        .sort((a, b) => a.when - b.when);
      let now = 0;
      for (const { reading, when } of arrivals) {
        vi.advanceTimersByTime(when - now);
        now = when;
        order.push(reading);
      }
      vi.advanceTimersByTime(1_000);
      expect(late).toEqual([]);
      expect(released).toHaveLength(readings.length);
      for (const panel of ['A', 'B', 'C']) {
        const times = released.filter((r) => r.panelId === panel).map((r) => r.time.getTime());
        expect(times).toEqual([...times].sort((a, b) => a - b));
        expect(new Set(times).size).toBe(40);
      }
    }
  });
});
