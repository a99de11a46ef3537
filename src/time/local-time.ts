import { IANAZone } from 'luxon';

/**
 * Local (wall-clock) time in one IANA zone: the single definition of local days, local hours,
 * local midnight and wall-clock formatting for the whole product (ingest, energy, simulators).
 *
 * Days are numbered like the epoch: day 0 is 1970-01-01 *local*, so the day number of a calendar
 * date needs no zone at all (`dayNumberOf`), and the day of an instant is
 * floor((t + offset(t)) / 24 h). The offset comes from luxon's zone data (about 7 µs a call)
 * through a memo per UTC day, and per UTC hour on the days whose offset changes; Indonesian zones
 * (WIB +7, WITA +8, WIT +9) have one offset, zones with daylight saving work too (a day is then 23
 * or 25 hours, and a skipped local midnight moves to the first instant of the day, as luxon does).
 */

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
/** Entries of each memo (days: 22 years); beyond, it starts afresh. */
const MEMO_LIMIT = 8_192;

/** Wall-clock fields; month 1-12. */
export interface WallTime {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
  readonly millisecond: number;
}

export interface CalendarDate {
  readonly year: number;
  /** 1-12 */
  readonly month: number;
  readonly day: number;
}

/** Epoch milliseconds of wall-clock fields read as UTC. Not Date.UTC: it maps years 0-99 to 19xx. */
export function wallAsUtcMs(t: WallTime): number {
  const date = new Date(0);
  date.setUTCFullYear(t.year, t.month - 1, t.day);
  date.setUTCHours(t.hour, t.minute, t.second, t.millisecond);
  return date.getTime();
}

/** Day number (days since 1970-01-01) of a calendar date: pure arithmetic, no zone. */
export function dayNumberOf(year: number, month: number, day: number): number {
  return wallAsUtcMs({ year, month, day, hour: 0, minute: 0, second: 0, millisecond: 0 }) / DAY_MS;
}

/** The calendar date of a day number. */
export function dateOfDayNumber(dayNumber: number): CalendarDate {
  const date = new Date(dayNumber * DAY_MS);
  return { year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate() };
}

/** `YYYY-MM-DD` of a day number. */
export function isoDate(dayNumber: number): string {
  const { year, month, day } = dateOfDayNumber(dayNumber);
  return `${String(year).padStart(4, '0')}-${pad2(month)}-${pad2(day)}`;
}

/** Day number of a `YYYY-MM-DD` text, or null when it is not a real calendar date. */
export function parseIsoDate(text: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return null;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const dayNumber = dayNumberOf(year, month, day);
  const back = dateOfDayNumber(dayNumber);
  return back.year === year && back.month === month && back.day === day ? dayNumber : null;
}

/** Days in a calendar month. */
export function daysInMonth(year: number, month: number): number {
  // Arithmetic rather than two Dates: ingestion asks it for every reading (a microsecond each as
  // Dates, 0.7 % of the alarms benchmark's profile). The proleptic Gregorian calendar, as Date's.
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  // A month outside 1-12 counts as Date rolls it over (month 13 is January of the next year).
  return MONTH_DAYS[month - 1] ?? dayNumberOf(year, month + 1, 1) - dayNumberOf(year, month, 1);
}
const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}

/** The wall clock of one IANA zone. Instances are cheap after the first use of an hour. */
export class LocalTime {
  readonly zone: string;
  readonly #zone: IANAZone;
  /** Offset (ms) by UTC day, or null for a day with a transition inside it. */
  readonly #days = new Map<number, number | null>();
  /** Offset (ms) by UTC hour, on days with a transition, for hours without one inside them. */
  readonly #memo = new Map<number, number>();
  #lastHour = Number.NaN;
  #lastOffset = 0;

  constructor(zone: string) {
    const iana = IANAZone.create(zone);
    if (!iana.isValid) throw new RangeError(`"${zone}" is not an IANA timezone`);
    this.zone = zone;
    this.#zone = iana;
  }

  static isValidZone(zone: string): boolean {
    return IANAZone.isValidZone(zone);
  }

  /** Offset from UTC (ms) at instant `t`. */
  offsetMs(t: number): number {
    const hour = Math.floor(t / HOUR_MS);
    if (hour === this.#lastHour) return this.#lastOffset;
    const steady = this.#steadyDay(Math.floor(t / DAY_MS));
    if (steady !== null) {
      this.#lastHour = hour;
      this.#lastOffset = steady;
      return steady;
    }
    let offset = this.#memo.get(hour);
    if (offset === undefined) {
      const atStart = this.#zone.offset(hour * HOUR_MS);
      if (atStart !== this.#zone.offset(hour * HOUR_MS + HOUR_MS - 1)) return this.#zone.offset(t) * 60_000;
      offset = atStart * 60_000;
      if (this.#memo.size >= MEMO_LIMIT) this.#memo.clear();
      this.#memo.set(hour, offset);
    }
    this.#lastHour = hour;
    this.#lastOffset = offset;
    return offset;
  }

  /**
   * The offset of UTC day `day` when it is the same at its first and last millisecond, else null.
   * Equal ends are taken to mean one offset all day: no zone changes its offset and back within a
   * day (checking every hour instead made a walk over 25 years take seconds).
   */
  #steadyDay(day: number): number | null {
    let offset = this.#days.get(day);
    if (offset === undefined) {
      const atStart = this.#zone.offset(day * DAY_MS);
      offset = atStart === this.#zone.offset(day * DAY_MS + DAY_MS - 1) ? atStart * 60_000 : null;
      if (this.#days.size >= MEMO_LIMIT) this.#days.clear();
      this.#days.set(day, offset);
    }
    return offset;
  }

  /** Wall-clock milliseconds: the local time read as if it were UTC. */
  localMs(t: number): number {
    return t + this.offsetMs(t);
  }

  /** Local day number of instant `t`. */
  dayNumber(t: number): number {
    return Math.floor(this.localMs(t) / DAY_MS);
  }

  /** Local hour of day (0-23) of instant `t`. */
  hourOfDay(t: number): number {
    const local = this.localMs(t);
    return Math.floor((local - Math.floor(local / DAY_MS) * DAY_MS) / HOUR_MS);
  }

  /** The instant a wall time names; a wall time skipped by a transition moves ahead by the gap. */
  instantOf(wall: WallTime): number {
    const localMs = wallAsUtcMs(wall);
    // Fix-point as luxon's: guess an offset, correct it by the offset at the guess.
    const o1 = this.offsetMs(localMs);
    const guess1 = localMs - o1;
    const o2 = this.offsetMs(guess1);
    if (o1 === o2) return guess1;
    const guess2 = localMs - o2;
    const o3 = this.offsetMs(guess2);
    if (o2 === o3) return guess2;
    return localMs - Math.min(o2, o3);
  }

  /** The instant of local midnight starting day `dayNumber`. */
  dayStart(dayNumber: number): number {
    const { year, month, day } = dateOfDayNumber(dayNumber);
    return this.instantOf({ year, month, day, hour: 0, minute: 0, second: 0, millisecond: 0 });
  }

  /** Local midnight starting the day of instant `t`. */
  startOfDay(t: number): number {
    return this.dayStart(this.dayNumber(t));
  }

  /** The next local midnight after instant `t`. */
  nextMidnight(t: number): number {
    return this.dayStart(this.dayNumber(t) + 1);
  }

  /** `YYYY-MM-DD HH:mm:ss`: a meter's clock format (wall time without an offset). */
  formatWallClock(t: number): string {
    const date = new Date(this.localMs(t));
    return (
      `${String(date.getUTCFullYear()).padStart(4, '0')}-${pad2(date.getUTCMonth() + 1)}-${pad2(date.getUTCDate())} ` +
      `${pad2(date.getUTCHours())}:${pad2(date.getUTCMinutes())}:${pad2(date.getUTCSeconds())}`
    );
  }

  /** `YYYY-MM-DDTHH:mm:ss±HH:MM`: an instant with this zone's offset, for messages and tools. */
  formatIso(t: number): string {
    const offsetMinutes = this.offsetMs(t) / 60_000;
    const sign = offsetMinutes < 0 ? '-' : '+';
    const abs = Math.abs(offsetMinutes);
    return `${this.formatWallClock(t).replace(' ', 'T')}${sign}${pad2(Math.floor(abs / 60))}:${pad2(abs % 60)}`;
  }
}
