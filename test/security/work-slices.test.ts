import { describe, expect, it } from 'vitest';
import { WorkSlices } from '../../src/services/work-slices.js';

/** Holds the thread for `ms` (the walks being sliced are synchronous work). */
function spin(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until);
}

// Long enough that a busy machine's scheduling cannot move a check across it.
const SLICE_MS = 100;

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * The slices long walks share (src/services/work-slices.ts): how long they may hold the event loop
 * in one turn, and that a walk starting on a fresh turn is not sent to the back of the queue.
 */
describe('work slices', () => {
  it('are due once the walks of one turn have held the loop for the slice, and not before', () => {
    const slices = new WorkSlices(SLICE_MS);
    expect(slices.due()).toBe(false);
    spin(40);
    expect(slices.due()).toBe(false);
    spin(70);
    expect(slices.due()).toBe(true);
  });

  it('start afresh when the loop has turned: a walk starting long after the last pause is not paused at its first step', async () => {
    const slices = new WorkSlices(SLICE_MS);
    expect(slices.due()).toBe(false);
    spin(110);
    expect(slices.due()).toBe(true);
    // The loop turns without anyone pausing (a request answered, say), then a new walk begins.
    await turn();
    await turn();
    expect(slices.breathe()).toBeUndefined();
    spin(110);
    expect(slices.breathe()).toBeInstanceOf(Promise);
  });

  it('make every walk waiting share one turn, and give the first to resume a fresh slice', async () => {
    const slices = new WorkSlices(SLICE_MS);
    slices.due();
    spin(110);
    const first = slices.breathe();
    const second = slices.breathe();
    expect(first).toBe(second);
    let resumedAt = 0;
    const walk = first!.then(() => {
      resumedAt = performance.now();
      return slices.due();
    });
    expect(await walk).toBe(false);
    expect(resumedAt).toBeGreaterThan(0);
    spin(110);
    expect(slices.due()).toBe(true);
  });

  it('queue a walk that starts while others wait behind them, whatever is left of the slice', async () => {
    // A slice that never runs out: only the walks waiting make a newcomer wait.
    const slices = new WorkSlices(60_000);
    expect(slices.due()).toBe(false);
    const order: string[] = [];
    const paused = slices.pause().then(() => order.push('paused first'));
    expect(slices.due()).toBe(true);
    const newcomer = slices.breathe();
    expect(newcomer).toBeInstanceOf(Promise);
    await Promise.all([paused, newcomer!.then(() => order.push('started while it waited'))]);
    expect(order).toEqual(['paused first', 'started while it waited']);
    // Both resumed: nobody waits, and the slice is fresh.
    expect(slices.due()).toBe(false);
  });
});
