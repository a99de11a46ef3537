import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { dateOfDayNumber, dayNumberOf, daysInMonth, isoDate, LocalTime, parseIsoDate, type WallTime } from '../../src/time/local-time.js';
import { seededRandom } from '../support/readings.js';

const ZONES = ['Asia/Jakarta', 'Asia/Makassar', 'Asia/Jayapura', 'Asia/Kathmandu', 'Europe/Berlin', 'America/New_York'];

describe('LocalTime agrees with luxon', () => {
  it('day number, hour of day and local midnight of 5,000 random instants across zones (DST included)', () => {
    const random = seededRandom(5);
    for (let n = 0; n < 5_000; n++) {
      const zone = ZONES[n % ZONES.length]!;
      const time = new LocalTime(zone);
      const t = Date.UTC(2000, 0, 1) + Math.floor(random() * 40 * 365 * 86_400_000);
      const dt = DateTime.fromMillis(t, { zone });
      expect(isoDate(time.dayNumber(t)), `${zone} ${t}`).toBe(dt.toISODate());
      expect(time.hourOfDay(t)).toBe(dt.hour);
      expect(time.startOfDay(t)).toBe(dt.startOf('day').toMillis());
      expect(time.nextMidnight(t)).toBe(dt.plus({ days: 1 }).startOf('day').toMillis());
    }
  });

  it('the instant of 2,000 random wall times, including spring-forward gaps and fall-back repeats', () => {
    const random = seededRandom(7);
    for (let n = 0; n < 2_000; n++) {
      const zone = ZONES[n % ZONES.length]!;
      const wall: WallTime = {
        year: 1990 + Math.floor(random() * 50),
        month: 1 + Math.floor(random() * 12),
        day: 1 + Math.floor(random() * 28),
        hour: Math.floor(random() * 24),
        minute: Math.floor(random() * 60),
        second: Math.floor(random() * 60),
        millisecond: Math.floor(random() * 1000),
      };
      const expected = DateTime.fromObject(wall, { zone });
      const actual = new LocalTime(zone).instantOf(wall);
      // A wall time repeated by a fall-back transition has two instants; either is right.
      if (expected.toMillis() !== actual) {
        expect(DateTime.fromMillis(actual, { zone }).toObject()).toEqual({ ...wall });
        expect(Math.abs(expected.toMillis() - actual)).toBeLessThanOrEqual(3_600_000);
      }
    }
  });

  it('moves a wall time inside a spring-forward gap ahead by the gap, like luxon', () => {
    const wall = { year: 2026, month: 3, day: 8, hour: 2, minute: 30, second: 0, millisecond: 0 };
    expect(new Date(new LocalTime('America/New_York').instantOf(wall)).toISOString()).toBe('2026-03-08T07:30:00.000Z');
  });

  it('a 23-hour and a 25-hour day are one day each', () => {
    const berlin = new LocalTime('Europe/Berlin');
    const day = dayNumberOf(2025, 3, 30);
    expect(berlin.dayStart(day + 1) - berlin.dayStart(day)).toBe(23 * 3_600_000);
    const autumn = dayNumberOf(2025, 10, 26);
    expect(berlin.dayStart(autumn + 1) - berlin.dayStart(autumn)).toBe(25 * 3_600_000);
  });

  it('refuses an unknown zone', () => {
    expect(() => new LocalTime('Mars/Olympus_Mons')).toThrow(/not an IANA timezone/);
  });
});

describe('calendar days', () => {
  it('day numbers are calendar arithmetic, independent of any zone', () => {
    expect(dayNumberOf(1970, 1, 1)).toBe(0);
    expect(isoDate(dayNumberOf(2024, 2, 29))).toBe('2024-02-29');
    expect(dateOfDayNumber(dayNumberOf(2025, 12, 31) + 1)).toEqual({ year: 2026, month: 1, day: 1 });
    expect([daysInMonth(2024, 2), daysInMonth(2025, 2), daysInMonth(2025, 12)]).toEqual([29, 28, 31]);
    expect(parseIsoDate('2025-02-29')).toBeNull();
    expect(parseIsoDate('2024-02-29')).toBe(dayNumberOf(2024, 2, 29));
    expect(parseIsoDate('2024-2-9')).toBeNull();
  });

  it("days in a month are Date's, in every year from -400 to 3000", () => {
    for (let year = -400; year <= 3000; year++) {
      for (let month = 1; month <= 12; month++) {
        const next = new Date(0);
        next.setUTCFullYear(year, month, 0);
        expect.soft(daysInMonth(year, month), `${year}-${month}`).toBe(next.getUTCDate());
      }
    }
  });

  it('formats wall clocks and offsets', () => {
    const wita = new LocalTime('Asia/Makassar');
    const t = Date.UTC(2026, 6, 1, 4, 30, 5);
    expect(wita.formatWallClock(t)).toBe('2026-07-01 12:30:05');
    expect(wita.formatIso(t)).toBe('2026-07-01T12:30:05+08:00');
  });
});
