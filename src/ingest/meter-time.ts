import { daysInMonth, wallAsUtcMs, type WallTime } from '../time/local-time.js';

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

