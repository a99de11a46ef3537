/**
 * Calendar arithmetic in the site's timezone (`tariff.timezone`), with Intl only: the API counts
 * days and months from local midnight there, whatever zone the browser is in. Indonesia's zones
 * have fixed offsets; the second pass in `startOfDay` keeps zones with daylight saving right too.
 */

/** A calendar day; `month` is 1-12. */
export interface LocalDate {
  readonly year: number;
  readonly month: number;
  readonly day: number;
}

const DAY_MS = 86_400_000;

/** The zone's offset from UTC at `instant`, in ms (e.g. +25,200,000 for Asia/Jakarta). */
export function offsetMs(zone: string, instant: number): number {
  const name =
    new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' })
      .formatToParts(instant)
      .find((part) => part.type === 'timeZoneName')?.value ?? 'GMT';
  // "GMT" for UTC itself, else "GMT+07:00" / "GMT-03:30".
  const match = /^GMT([+-])(\d{2}):(\d{2})$/.exec(name);
  if (!match) return 0;
  const minutes = Number(match[2]) * 60 + Number(match[3]);
  return (match[1] === '-' ? -minutes : minutes) * 60_000;
}

/** The calendar day in `zone` at `instant`. */
export function dateAt(zone: string, instant: number): LocalDate {
  const wall = new Date(instant + offsetMs(zone, instant));
  return { year: wall.getUTCFullYear(), month: wall.getUTCMonth() + 1, day: wall.getUTCDate() };
}

/** The instant local midnight starts `date` in `zone`. */
export function startOfDay(zone: string, date: LocalDate): number {
  const wallMidnight = Date.UTC(date.year, date.month - 1, date.day);
  const first = wallMidnight - offsetMs(zone, wallMidnight);
  return wallMidnight - offsetMs(zone, first);
}

/** `date` moved by `days` (negative for earlier), across month and year ends. */
export function addDays(date: LocalDate, days: number): LocalDate {
  const moved = new Date(Date.UTC(date.year, date.month - 1, date.day) + days * DAY_MS);
  return { year: moved.getUTCFullYear(), month: moved.getUTCMonth() + 1, day: moved.getUTCDate() };
}

/** Whole days from `a` to `b` (positive when `b` is later). */
export function daysBetween(a: LocalDate, b: LocalDate): number {
  return Math.round((Date.UTC(b.year, b.month - 1, b.day) - Date.UTC(a.year, a.month - 1, a.day)) / DAY_MS);
}

/** `YYYY-MM-DD`, the API's Date scalar and an `<input type="date">` value. */
export function isoDate(date: LocalDate): string {
  return `${date.year}-${pad(date.month)}-${pad(date.day)}`;
}

/** Parses `YYYY-MM-DD`; null for anything else (an emptied date input). */
export function parseIsoDate(text: string): LocalDate | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!match) return null;
  const date = { year: Number(match[1]), month: Number(match[2]), day: Number(match[3]) };
  // Rejects 2026-02-30 and the like: a real day survives the round trip.
  return isoDate(addDays(date, 0)) === text ? date : null;
}

const pad = (value: number) => String(value).padStart(2, '0');

/** A month as local dates, first day included and the next month's first excluded (an export's range). */
export function monthRange(year: number, month: number): { readonly from: string; readonly to: string } {
  const next = month === 12 ? { year: year + 1, month: 1 } : { year, month: month + 1 };
  return { from: isoDate({ year, month, day: 1 }), to: isoDate({ ...next, day: 1 }) };
}

/** A year as local dates, 1 January included, the next 1 January excluded. */
export function yearRange(year: number): { readonly from: string; readonly to: string } {
  return { from: isoDate({ year, month: 1, day: 1 }), to: isoDate({ year: year + 1, month: 1, day: 1 }) };
}
