import { afterEach, describe, expect, it, vi } from 'vitest';
import { formatEta, ProgressRate, progressLine, progressLines } from '../../src/simulators/progress.js';

afterEach(() => {
  vi.useRealTimers();
});

/** A clock the test moves by hand. */
function manualClock(): { now: () => number; advance: (ms: number) => void } {
  let t = 0;
  return { now: () => t, advance: (ms) => void (t += ms) };
}

describe('ProgressRate', () => {
  it('has no rate or ETA until it has seen a second of progress', () => {
    const clock = manualClock();
    const rate = new ProgressRate(clock.now);
    expect(rate.perSecond()).toBeNull();
    rate.record(0);
    clock.advance(500);
    rate.record(1_000);
    expect(rate.perSecond()).toBeNull();
    expect(rate.etaMs(10_000)).toBeNull();
    expect(formatEta(rate.etaMs(10_000))).toBe('?');
  });

  it('keeps the ETA steady through bursts of acknowledgements', () => {
    const clock = manualClock();
    const rate = new ProgressRate(clock.now);
    const total = 100_000;
    let done = 0;
    const etas: number[] = [];
    // 1,000 a second on average, arriving as 500 at once every half second (as PUBACKs do).
    for (let tick = 0; tick < 60; tick++) {
      for (let k = 0; k < 500; k++) rate.record(++done);
      clock.advance(500);
      if (tick >= 4) etas.push(rate.etaMs(total)!);
    }
    // Each estimate is within 2% of the true remaining time at 1,000/s, and it counts down
    // smoothly (half a second per half second) instead of jumping with each burst.
    etas.forEach((eta, index) => {
      const remaining = total - 500 * (index + 5);
      expect(Math.abs(eta - remaining) / remaining, `estimate ${index}`).toBeLessThan(0.02);
      if (index > 0) expect(etas[index - 1]! - eta, `step ${index}`).toBeCloseTo(500, -2);
    });
  });

  it('follows a change of rate within its window and says 0 when done', () => {
    const clock = manualClock();
    const rate = new ProgressRate(clock.now);
    let done = 0;
    for (let second = 0; second < 30; second++) {
      clock.advance(1_000);
      rate.record((done += 2_000));
    }
    expect(rate.perSecond()).toBeCloseTo(2_000);
    for (let second = 0; second < 30; second++) {
      clock.advance(1_000);
      rate.record((done += 500));
    }
    // The window (20 s) holds only the slow part now.
    expect(rate.perSecond()).toBeCloseTo(500);
    expect(rate.etaMs(done)).toBe(0);
  });
});

describe('progress lines', () => {
  it('formats counts, rate and ETA', () => {
    const clock = manualClock();
    const rate = new ProgressRate(clock.now);
    rate.record(0);
    clock.advance(10_000);
    rate.record(20_000);
    expect(progressLine(20_000, 86_400, rate)).toBe('20,000 of 86,400 readings (23%), 2,000/s, ETA 34s');
    expect(formatEta(3_725_000)).toBe('1h 02m');
    expect(formatEta(245_000)).toBe('4m 05s');
  });

  it('prints a line every interval, also while nothing moves, and nothing after stop', () => {
    vi.useFakeTimers();
    const clock = manualClock();
    const rate = new ProgressRate(clock.now);
    const lines: string[] = [];
    const progress = progressLines({ total: 1_000, everyMs: 5_000, write: (line) => lines.push(line), rate });
    rate.record(0);
    progress.update(0);
    vi.advanceTimersByTime(4_999);
    expect(lines).toEqual([]);
    clock.advance(5_000);
    rate.record(250);
    progress.update(250);
    vi.advanceTimersByTime(1);
    expect(lines).toEqual(['250 of 1,000 readings (25%), 50/s, ETA 15s']);
    // Stalled: still reported, the rate falling as the window shows no progress.
    clock.advance(5_000);
    vi.advanceTimersByTime(5_000);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(/^250 of 1,000 readings \(25%\)/);
    progress.stop();
    vi.advanceTimersByTime(60_000);
    expect(lines).toHaveLength(2);
  });
});
