import { describe, expect, it } from 'vitest';
import { AppliedReadings } from '../../src/pipeline/after-write.js';
import { combinePending, RecentReadings } from '../../src/store/influx/recent-readings.js';
import { makeSparseReading } from '../support/readings.js';

/** The in-memory parts behind several processes: other processes' recent readings, and the once-only rule. */
const at = (minute: number) => new Date(Date.UTC(2026, 0, 1, 0, minute));

describe('RecentReadings (readings other processes stored, until InfluxDB has them)', () => {
  it('answers by panel and time range, newest per panel, one reading per time', () => {
    const recent = new RecentReadings();
    recent.add([makeSparseReading('A', at(2), 2), makeSparseReading('A', at(0), 0), makeSparseReading('B', at(1), 10)]);
    recent.add([makeSparseReading('A', at(2), 2.5)]);
    expect(recent.readings('A', at(0).getTime(), at(3).getTime()).map((r) => r.energyKwh)).toEqual([0, 2.5]);
    expect(recent.readings('A', at(1).getTime(), at(2).getTime())).toEqual([]);
    expect(recent.latest(['A', 'B', 'C'])).toEqual(new Map([['A', makeSparseReading('A', at(2), 2.5)], ['B', makeSparseReading('B', at(1), 10)]]));
    expect(recent.panels().map((p) => [p.id, p.firstSeenAt, p.lastSeenAt])).toEqual([['A', at(0), at(2)], ['B', at(1), at(1)]]);
    expect(Array.from(recent.columns('A', at(1).getTime()).t)).toEqual([at(2).getTime()]);
  });

  it('forgets readings after the TTL and beyond the count bound, oldest arrivals first', () => {
    let now = 0;
    const recent = new RecentReadings({ ttlMs: 1_000, maxReadings: 3, now: () => now });
    recent.add([makeSparseReading('A', at(0), 0), makeSparseReading('A', at(1), 1)]);
    now = 600;
    recent.add([makeSparseReading('A', at(2), 2), makeSparseReading('A', at(3), 3)]);
    // Four readings, bound three: the first arrival goes.
    expect(recent.readings('A', 0, at(9).getTime()).map((r) => r.energyKwh)).toEqual([1, 2, 3]);
    now = 1_100;
    expect(recent.readings('A', 0, at(9).getTime()).map((r) => r.energyKwh)).toEqual([2, 3]);
    now = 1_700;
    expect(recent.size).toBe(2);
    expect(recent.latest(['A'])).toEqual(new Map());
    expect(recent.size).toBe(0);
    expect(recent.panels()).toEqual([]);
  });

  it('is merged with the journal, the journal winning on equal times', () => {
    const recent = new RecentReadings();
    const journal = new RecentReadings();
    recent.add([makeSparseReading('A', at(0), 0), makeSparseReading('A', at(1), 1)]);
    journal.add([makeSparseReading('A', at(1), 1.5), makeSparseReading('A', at(2), 2)]);
    const both = combinePending(journal, recent);
    expect(both.readings('A', 0, at(9).getTime()).map((r) => r.energyKwh)).toEqual([0, 1.5, 2]);
    expect(Array.from(both.columns('A', 0).kwh)).toEqual([0, 1.5, 2]);
    expect(both.latest(['A']).get('A')?.energyKwh).toBe(2);
    expect(both.panels()).toEqual([{ id: 'A', firstSeenAt: at(0), lastSeenAt: at(2) }]);
  });
});

describe('AppliedReadings (each stored reading applied once per process)', () => {
  it('claims a (panel, time) once, and forgets the oldest beyond its bound', () => {
    const applied = new AppliedReadings(2);
    expect(applied.claim(makeSparseReading('A', at(0), 0))).toBe(true);
    expect(applied.claim(makeSparseReading('A', at(0), 9))).toBe(false);
    expect(applied.claim(makeSparseReading('B', at(0), 0))).toBe(true);
    expect(applied.claim(makeSparseReading('A', at(1), 1))).toBe(true);
    // A@0 was the oldest of three: forgotten, so it counts as new again.
    expect(applied.claim(makeSparseReading('A', at(0), 0))).toBe(true);
  });
});
