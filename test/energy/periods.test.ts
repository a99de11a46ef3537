import { describe, expect, it } from 'vitest';
import {
  daysOfMonth,
  daysOfYear,
  monthPeriod,
  monthsOfYear,
  periodSlices,
  sliceBoundaries,
  startOfLocalDay,
  startOfLocalMonth,
  startOfPeriod,
  yearPeriod,
  type Period,
} from '../../src/services/energy/periods.js';

const iso = (d: Date) => d.toISOString();
const utc = (text: string) => new Date(text);

function expectContiguous(periods: readonly Period[]): void {
  for (let i = 1; i < periods.length; i++) expect(iso(periods[i]!.start)).toBe(iso(periods[i - 1]!.end));
}

describe('startOfLocalDay / startOfLocalMonth', () => {
  it('Asia/Jakarta (+7): local midnight is 17:00 UTC the day before', () => {
    expect(iso(startOfLocalDay(utc('2025-03-10T16:59:59.999Z'), 'Asia/Jakarta'))).toBe('2025-03-09T17:00:00.000Z');
    expect(iso(startOfLocalDay(utc('2025-03-10T17:00:00.000Z'), 'Asia/Jakarta'))).toBe('2025-03-10T17:00:00.000Z');
    // Just after UTC midnight is still the same local day (07:00 in Jakarta).
    expect(iso(startOfLocalDay(utc('2025-03-11T00:00:30Z'), 'Asia/Jakarta'))).toBe('2025-03-10T17:00:00.000Z');
    expect(iso(startOfLocalMonth(utc('2025-03-31T17:00:00Z'), 'Asia/Jakarta'))).toBe('2025-03-31T17:00:00.000Z');
    expect(iso(startOfLocalMonth(utc('2025-03-31T16:59:59Z'), 'Asia/Jakarta'))).toBe('2025-02-28T17:00:00.000Z');
  });

  it('Asia/Jayapura (+9): local midnight is 15:00 UTC', () => {
    expect(iso(startOfLocalDay(utc('2025-03-10T15:00:00Z'), 'Asia/Jayapura'))).toBe('2025-03-10T15:00:00.000Z');
    expect(iso(startOfLocalDay(utc('2025-03-10T14:59:00Z'), 'Asia/Jayapura'))).toBe('2025-03-09T15:00:00.000Z');
    // 2026-01-01 23:00 local: January, although UTC still says 14:00 on the 1st; 15:00 UTC on 31 Dec is already January.
    expect(iso(startOfPeriod(utc('2026-01-01T14:00:00Z'), 'month', 'Asia/Jayapura'))).toBe('2025-12-31T15:00:00.000Z');
    expect(iso(startOfPeriod(utc('2025-12-31T15:00:00Z'), 'month', 'Asia/Jayapura'))).toBe('2025-12-31T15:00:00.000Z');
    expect(iso(startOfPeriod(utc('2025-12-31T14:59:59Z'), 'month', 'Asia/Jayapura'))).toBe('2025-11-30T15:00:00.000Z');
  });

  it('Europe/Berlin: follows daylight saving', () => {
    expect(iso(startOfLocalDay(utc('2025-07-01T12:00:00Z'), 'Europe/Berlin'))).toBe('2025-06-30T22:00:00.000Z');
    expect(iso(startOfLocalDay(utc('2025-01-01T12:00:00Z'), 'Europe/Berlin'))).toBe('2024-12-31T23:00:00.000Z');
  });

  it('rejects unknown zones', () => {
    expect(() => startOfLocalDay(new Date(), 'Asia/Atlantis')).toThrow(RangeError);
  });
});

describe('enumerating periods', () => {
  it('days of a leap February in Jakarta', () => {
    const days = daysOfMonth(2024, 2, 'Asia/Jakarta');
    expect(days).toHaveLength(29);
    expect(iso(days[0]!.start)).toBe('2024-01-31T17:00:00.000Z');
    expect(iso(days[28]!.start)).toBe('2024-02-28T17:00:00.000Z');
    expect(iso(days[28]!.end)).toBe('2024-02-29T17:00:00.000Z');
    expectContiguous(days);
    expect(daysOfMonth(2025, 2, 'Asia/Jakarta')).toHaveLength(28);
  });

  it('days of a year', () => {
    expect(daysOfYear(2024, 'Asia/Jayapura')).toHaveLength(366);
    const days = daysOfYear(2025, 'Asia/Jayapura');
    expect(days).toHaveLength(365);
    expect(iso(days[0]!.start)).toBe('2024-12-31T15:00:00.000Z');
    expect(iso(days.at(-1)!.end)).toBe('2025-12-31T15:00:00.000Z');
    expectContiguous(days);
  });

  it('months of a year in Jayapura', () => {
    const months = monthsOfYear(2025, 'Asia/Jayapura');
    expect(months).toHaveLength(12);
    expect(iso(months[0]!.start)).toBe('2024-12-31T15:00:00.000Z');
    expect(iso(months[1]!.start)).toBe('2025-01-31T15:00:00.000Z');
    expect(iso(months[11]!.end)).toBe('2025-12-31T15:00:00.000Z');
    expectContiguous(months);
    expect(monthPeriod(2025, 12, 'Asia/Jakarta')).toEqual({ start: utc('2025-11-30T17:00:00Z'), end: utc('2025-12-31T17:00:00Z') });
    expect(yearPeriod(2026, 'Asia/Jakarta')).toEqual({ start: utc('2025-12-31T17:00:00Z'), end: utc('2026-12-31T17:00:00Z') });
  });

  it('a 23-hour and a 25-hour day in Europe/Berlin', () => {
    const march = daysOfMonth(2025, 3, 'Europe/Berlin');
    expect(march).toHaveLength(31);
    const springForward = march[29]!; // 30 March
    expect(iso(springForward.start)).toBe('2025-03-29T23:00:00.000Z');
    expect(iso(springForward.end)).toBe('2025-03-30T22:00:00.000Z');
    const october = daysOfMonth(2025, 10, 'Europe/Berlin');
    const fallBack = october[25]!; // 26 October
    expect(fallBack.end.getTime() - fallBack.start.getTime()).toBe(25 * 3_600_000);
    expectContiguous(march);
    expectContiguous(october);
  });

  it('rejects bad months', () => {
    expect(() => daysOfMonth(2025, 13, 'Asia/Jakarta')).toThrow(RangeError);
    expect(() => daysOfMonth(2025, 0, 'Asia/Jakarta')).toThrow(RangeError);
  });
});

describe('periodSlices', () => {
  it('cuts an unaligned interval at local midnights, labelling each slice with its day', () => {
    const slices = periodSlices(utc('2025-03-10T10:00:00Z'), utc('2025-03-12T03:00:00Z'), 'day', 'Asia/Jakarta');
    expect(slices.map((s) => [iso(s.periodStart), iso(s.start), iso(s.end)])).toEqual([
      ['2025-03-09T17:00:00.000Z', '2025-03-10T10:00:00.000Z', '2025-03-10T17:00:00.000Z'],
      ['2025-03-10T17:00:00.000Z', '2025-03-10T17:00:00.000Z', '2025-03-11T17:00:00.000Z'],
      ['2025-03-11T17:00:00.000Z', '2025-03-11T17:00:00.000Z', '2025-03-12T03:00:00.000Z'],
    ]);
    expect(sliceBoundaries(slices)).toEqual([
      Date.parse('2025-03-10T10:00:00Z'),
      Date.parse('2025-03-10T17:00:00Z'),
      Date.parse('2025-03-11T17:00:00Z'),
      Date.parse('2025-03-12T03:00:00Z'),
    ]);
  });

  it('months across a year end, and the whole interval for total', () => {
    const from = utc('2025-11-30T17:00:00Z');
    const to = utc('2026-01-31T17:00:00Z');
    expect(periodSlices(from, to, 'month', 'Asia/Jakarta').map((s) => iso(s.periodStart))).toEqual([
      '2025-11-30T17:00:00.000Z',
      '2025-12-31T17:00:00.000Z',
    ]);
    expect(periodSlices(from, to, 'total', 'Asia/Jakarta')).toEqual([{ periodStart: from, start: from, end: to }]);
  });

  it('matches daysOfMonth for a whole month in any zone', () => {
    for (const zone of ['Asia/Jakarta', 'Asia/Makassar', 'Asia/Jayapura', 'Europe/Berlin', 'America/New_York']) {
      const days = daysOfMonth(2025, 3, zone);
      const slices = periodSlices(days[0]!.start, days.at(-1)!.end, 'day', zone);
      expect(slices.map((s) => ({ start: s.start, end: s.end }))).toEqual(days);
      expect(slices.map((s) => s.periodStart)).toEqual(days.map((d) => d.start));
    }
  });

  it('is empty for an empty or inverted interval', () => {
    const t = utc('2025-03-10T10:00:00Z');
    expect(periodSlices(t, t, 'day', 'Asia/Jakarta')).toEqual([]);
    expect(periodSlices(t, utc('2025-03-01T00:00:00Z'), 'total', 'Asia/Jakarta')).toEqual([]);
    expect(sliceBoundaries([])).toEqual([]);
  });
});
