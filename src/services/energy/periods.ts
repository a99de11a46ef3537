import { DateTime, IANAZone } from 'luxon';
import type { EnergyGrouping } from '../../models/energy.js';

/**
 * Calendar periods in an IANA timezone, as half-open [start, end) instants. Luxon does the
 * calendar arithmetic, so zones with daylight saving or historical offset changes are handled too
 * (a day is not always 24 h, and a local midnight that does not exist moves to the first instant
 * of the day).
 */
export interface Period {
  readonly start: Date;
  readonly end: Date;
}

/**
 * The part of a period that falls inside a queried interval. `periodStart` labels the whole
 * calendar period (local midnight / the 1st); [start, end) is clipped to the interval.
 */
export interface PeriodSlice extends Period {
  readonly periodStart: Date;
}

export type CalendarUnit = 'day' | 'month';

function zoneOf(timezone: string): IANAZone {
  const zone = IANAZone.create(timezone);
  if (!zone.isValid) throw new RangeError(`"${timezone}" is not an IANA timezone`);
  return zone;
}

function local(instant: Date | number, zone: IANAZone): DateTime {
  const dt = DateTime.fromMillis(typeof instant === 'number' ? instant : instant.getTime(), { zone });
  if (!dt.isValid) throw new RangeError(`invalid instant: ${String(instant)}`);
  return dt;
}

/** Local midnight starting the calendar day that contains `instant`. */
export function startOfLocalDay(instant: Date, timezone: string): Date {
  return local(instant, zoneOf(timezone)).startOf('day').toJSDate();
}

/** Local midnight of the 1st of the calendar month that contains `instant`. */
export function startOfLocalMonth(instant: Date, timezone: string): Date {
  return local(instant, zoneOf(timezone)).startOf('month').toJSDate();
}

/** Start of the calendar day or month containing `instant`. */
export function startOfPeriod(instant: Date, unit: CalendarUnit, timezone: string): Date {
  return local(instant, zoneOf(timezone)).startOf(unit).toJSDate();
}

function calendarStart(year: number, month: number, timezone: string): DateTime {
  if (!Number.isInteger(year) || !Number.isInteger(month) || month < 1 || month > 12) {
    throw new RangeError(`invalid year/month: ${year}-${month}`);
  }
  return DateTime.fromObject({ year, month, day: 1 }, { zone: zoneOf(timezone) }).startOf('day');
}

/** The start of the n-th day/month after the one starting at `first` (calendar, not ms, arithmetic). */
function shift(first: DateTime, unit: CalendarUnit, n: number): DateTime {
  return (unit === 'day' ? first.plus({ days: n }) : first.plus({ months: n })).startOf(unit);
}

function enumerate(first: DateTime, endExclusive: DateTime, unit: CalendarUnit): Period[] {
  const periods: Period[] = [];
  // Step from the first period start by whole units (not by adding ms), so a 23 h or 25 h day
  // stays one day. Each boundary is computed once: a period ends where the next one starts.
  let start = first;
  for (let i = 1; start < endExclusive; i++) {
    const end = shift(first, unit, i);
    periods.push({ start: start.toJSDate(), end: end.toJSDate() });
    start = end;
  }
  return periods;
}

/**
 * Calendars are pure functions of (year, month, zone) and cost hundreds of time-zone conversions
 * to build: build each once. Callers get a fresh array of the shared (frozen) periods.
 */
const calendars = new Map<string, readonly Period[]>();
function calendar(key: string, build: () => Period[]): Period[] {
  let periods = calendars.get(key);
  if (periods === undefined) {
    periods = Object.freeze(build().map((period) => Object.freeze(period)));
    if (calendars.size >= 512) calendars.delete(calendars.keys().next().value!);
    calendars.set(key, periods);
  }
  return periods.slice();
}

/** The calendar days of a month (`month` 1-12) in `timezone`. */
export function daysOfMonth(year: number, month: number, timezone: string): Period[] {
  return calendar(`d|${timezone}|${year}|${month}`, () => {
    const first = calendarStart(year, month, timezone);
    return enumerate(first, first.plus({ months: 1 }).startOf('month'), 'day');
  });
}

/** The calendar days of a year in `timezone`. */
export function daysOfYear(year: number, timezone: string): Period[] {
  return calendar(`d|${timezone}|${year}`, () => {
    const first = calendarStart(year, 1, timezone);
    return enumerate(first, first.plus({ years: 1 }).startOf('year'), 'day');
  });
}

/** The twelve calendar months of a year in `timezone`. */
export function monthsOfYear(year: number, timezone: string): Period[] {
  return calendar(`m|${timezone}|${year}`, () => {
    const first = calendarStart(year, 1, timezone);
    return enumerate(first, first.plus({ years: 1 }).startOf('year'), 'month');
  });
}

/** The whole calendar month (`month` 1-12) as one period. */
export function monthPeriod(year: number, month: number, timezone: string): Period {
  const first = calendarStart(year, month, timezone);
  return { start: first.toJSDate(), end: first.plus({ months: 1 }).startOf('month').toJSDate() };
}

/** The whole calendar year as one period. */
export function yearPeriod(year: number, timezone: string): Period {
  const first = calendarStart(year, 1, timezone);
  return { start: first.toJSDate(), end: first.plus({ years: 1 }).startOf('year').toJSDate() };
}

/**
 * Cuts [from, to) at every local day or month start inside it. Contiguous: each slice ends where
 * the next starts, the first starts at `from` and the last ends at `to`. 'total' is one slice
 * labelled `from`. Empty when from ≥ to.
 */
export function periodSlices(from: Date, to: Date, grouping: EnergyGrouping, timezone: string): PeriodSlice[] {
  const zone = zoneOf(timezone);
  const fromMs = local(from, zone).toMillis();
  const toMs = local(to, zone).toMillis();
  if (fromMs >= toMs) return [];
  if (grouping === 'total') return [{ periodStart: new Date(fromMs), start: new Date(fromMs), end: new Date(toMs) }];
  const slices: PeriodSlice[] = [];
  const periodStart = local(fromMs, zone).startOf(grouping);
  for (let i = 0; ; i++) {
    const label = shift(periodStart, grouping, i);
    const next = shift(periodStart, grouping, i + 1);
    const start = Math.max(label.toMillis(), fromMs);
    const end = Math.min(next.toMillis(), toMs);
    if (start >= toMs) break;
    slices.push({ periodStart: label.toJSDate(), start: new Date(start), end: new Date(end) });
  }
  return slices;
}

/** The boundaries b0 = from < ... < bk = to of contiguous slices (the input of windowedEnergy). */
export function sliceBoundaries(slices: readonly PeriodSlice[]): number[] {
  if (slices.length === 0) return [];
  return [...slices.map((s) => s.start.getTime()), slices[slices.length - 1]!.end.getTime()];
}
