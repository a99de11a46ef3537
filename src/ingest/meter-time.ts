import { IANAZone } from 'luxon';

/** Wall-clock fields as the meter wrote them; month 1-12. */
export interface WallTime {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
  readonly millisecond: number;
}

/**
 * The meter clock before a timezone is applied: an absolute instant when the text carried `Z` or
 * an offset, otherwise wall time in the (configured) meter zone.
 */
export type MeterTime = { readonly kind: 'instant'; readonly epochMs: number } | ({ readonly kind: 'local' } & WallTime);

/**
 * `YYYY-MM-DD HH:mm:ss` (what the meters send), the same with `T`, optional fractional seconds,
 * optional `Z` / `±HH:mm` / `±HHmm` / `±HH`. Anything else is refused rather than guessed at:
 * `Date.parse` reads "07/01/2026" as July and rolls "2026-02-30" over into March.
 */
const METER_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:[.,](\d{1,9}))?(?:([Zz])|([+-])(\d{2})(?::?(\d{2}))?)?$/;

/** Parses a meter timestamp; undefined when the text is not one or names no real calendar time. */
export function parseMeterTime(text: string): MeterTime | undefined {
  const m = METER_TIME.exec(text.trim());
  if (!m) return undefined;
  const wall: WallTime = {
    year: Number(m[1]),
    month: Number(m[2]),
    day: Number(m[3]),
    hour: Number(m[4]),
    minute: Number(m[5]),
    second: Number(m[6]),
    // Milliseconds are all a Date holds; extra digits are truncated, not rounded into the next second.
    millisecond: m[7] === undefined ? 0 : Number(m[7].slice(0, 3).padEnd(3, '0')),
  };
  const { year, month, day, hour, minute, second } = wall;
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  // No leap seconds (60) and no 24:00: Date cannot represent the first, the second is ambiguous.
  if (hour > 23 || minute > 59 || second > 59) return undefined;

  if (m[8] !== undefined) return { kind: 'instant', epochMs: wallAsUtcMs(wall) };
  if (m[9] === undefined) return { kind: 'local', ...wall };
  const offsetHours = Number(m[10]);
  const offsetMinutes = Number(m[11] ?? 0);
  if (offsetHours > 23 || offsetMinutes > 59) return undefined;
  const offsetMs = (offsetHours * 60 + offsetMinutes) * 60_000;
  return { kind: 'instant', epochMs: wallAsUtcMs(wall) - (m[9] === '-' ? -offsetMs : offsetMs) };
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** Epoch milliseconds of wall-clock fields read as UTC. Not Date.UTC: it maps years 0-99 to 19xx. */
export function wallAsUtcMs(t: WallTime): number {
  const date = new Date(0);
  date.setUTCFullYear(t.year, t.month - 1, t.day);
  date.setUTCHours(t.hour, t.minute, t.second, t.millisecond);
  return date.getTime();
}

/**
 * The instant of a wall time in an IANA zone; NaN when the zone is unknown. Equal to luxon's
 * `DateTime.fromObject(wall, { zone }).toMillis()` for every wall time that exists once, but about
 * three times faster: luxon asks Intl for the offset (about 4 µs a call) two or three times per
 * conversion, which alone would be most of the per-message budget, while here offsets come from a
 * small memo (see `offsetMinutes`). A wall time skipped by a spring-forward transition is moved
 * ahead by the gap, as luxon does; one repeated by a fall-back resolves to one of its two instants.
 * Indonesian zones have neither.
 */
export function wallTimeToEpochMs(wall: WallTime, zoneName: string): number {
  const zone = IANAZone.create(zoneName);
  if (!zone.isValid) return Number.NaN;
  const localMs = wallAsUtcMs(wall);
  // The same fix-point as luxon's: guess an offset, then correct it by the offset at the guess.
  const o1 = offsetMinutes(zone, localMs);
  const guess1 = localMs - o1 * 60_000;
  const o2 = offsetMinutes(zone, guess1);
  if (o1 === o2) return guess1;
  const guess2 = localMs - o2 * 60_000;
  const o3 = offsetMinutes(zone, guess2);
  if (o2 === o3) return guess2;
  return localMs - Math.min(o2, o3) * 60_000;
}

const HOUR_MS = 3_600_000;
const MEMO_LIMIT = 4096;
/**
 * Offsets by zone and UTC hour. Module state, but only a memo of a pure function: a hit and a miss
 * give the same answer, so no caller can observe it except by speed. An hour is memoised only when
 * the offset is the same at both of its ends (no transition inside it); the bound keeps a backfill
 * of old readings from growing it without limit.
 */
const offsetMemo = new Map<string, number>();

function offsetMinutes(zone: IANAZone, epochMs: number): number {
  const hour = Math.floor(epochMs / HOUR_MS);
  const key = `${zone.name}@${hour}`;
  const known = offsetMemo.get(key);
  if (known !== undefined) return known;
  const atStart = zone.offset(hour * HOUR_MS);
  if (atStart !== zone.offset(hour * HOUR_MS + HOUR_MS - 1)) return zone.offset(epochMs);
  if (offsetMemo.size >= MEMO_LIMIT) offsetMemo.clear();
  offsetMemo.set(key, atStart);
  return atStart;
}
