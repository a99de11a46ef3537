import { describe, expect, it } from 'vitest';
import { createAppPubSub } from '../../src/pipeline/pubsub.js';
import { makeReading } from '../support/readings.js';

const T0 = Date.parse('2026-11-30T01:00:00Z');
const reading = (panelId: string, minute: number) => makeReading(panelId, new Date(T0 + minute * 60_000), 100 + minute);

describe('the in-process pubsub', () => {
  it('joins on the first next(), so nothing published before it is heard, and everything after is, in order', async () => {
    const pubsub = createAppPubSub();
    const events = pubsub.subscribe('readingStored');
    pubsub.publish('readingStored', reading('A', 0));
    const first = events.next();
    pubsub.publish('readingStored', reading('A', 1));
    pubsub.publish('readingStored', reading('B', 2));
    expect((await first).value).toEqual(reading('A', 1));
    expect((await events.next()).value).toEqual(reading('B', 2));
    await events.return?.();
  });

  it('routes by id: a panel subscriber hears only its panel', async () => {
    const pubsub = createAppPubSub();
    const onlyB = pubsub.subscribe('panelReadingStored', 'B');
    const pending = onlyB.next();
    pubsub.publish('panelReadingStored', 'A', reading('A', 1));
    pubsub.publish('panelReadingStored', 'B', reading('B', 2));
    expect((await pending).value).toEqual(reading('B', 2));
    await onlyB.return?.();
  });

  it('keeps a slow subscriber to the newest events of its window, without holding up the publisher or the others', async () => {
    const pubsub = createAppPubSub(3);
    const slow = pubsub.subscribe('readingStored');
    const fast = pubsub.subscribe('readingStored');
    const firstSlow = slow.next();
    const heardFast: number[] = [];
    const pump = (async () => {
      for await (const event of fast) {
        heardFast.push(event.energyKwh);
        if (heardFast.length === 10) break;
      }
    })();
    for (let minute = 0; minute < 10; minute++) {
      pubsub.publish('readingStored', reading('A', minute));
      // The fast one reads between two events; the slow one does not.
      await new Promise((resolve) => setImmediate(resolve));
    }
    await pump;
    expect(heardFast).toEqual([100, 101, 102, 103, 104, 105, 106, 107, 108, 109]);
    // The first event went to the waiting next(); of the nine after it, the window kept the newest three.
    expect((await firstSlow).value?.energyKwh).toBe(100);
    const rest = [(await slow.next()).value?.energyKwh, (await slow.next()).value?.energyKwh, (await slow.next()).value?.energyKwh];
    expect(rest).toEqual([107, 108, 109]);
    await slow.return?.();
  });

  it('ends a waiting reader on return(), and a subscriber that left hears nothing more', async () => {
    const pubsub = createAppPubSub();
    const events = pubsub.subscribe('statusChanged');
    const waiting = events.next();
    await events.return?.();
    expect(await waiting).toEqual({ value: undefined, done: true });
    pubsub.publish('statusChanged', { panelId: 'A', status: 'ONLINE', at: new Date(T0) });
    expect(await events.next()).toEqual({ value: undefined, done: true });
  });
});
