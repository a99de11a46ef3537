/**
 * The building's operating hours and holidays (OPERATING_HOURS, HOLIDAYS; docs/load-profile.md):
 * what the load profile calls "outside operating hours" and which days it counts as weekend or
 * holiday. Parsed here, at the configuration's floor, so a bad value stops the start naming it.
 */

/** ISO weekdays: 1 Monday … 7 Sunday. */
export const WEEKDAY_NAMES = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'] as const;

export interface OperatingHours {
  /** ISO weekdays (1 Monday … 7 Sunday) the building works. */
  readonly days: ReadonlySet<number>;
  /** Local whole hours [startHour, endHour) of a working day. */
  readonly startHour: number;
  readonly endHour: number;
}

/**
 * `Mon-Fri 08:00-17:00`, `Mon,Wed,Fri 07:00-19:00`, `Mon-Sat 00:00-24:00`: days (a range or a
 * list of three-letter English names) and a range of whole hours (the ledger keeps energy and
 * cost per local hour, so an hour is the finest split that needs no estimate). An error message,
 * or the hours.
 */
export function parseOperatingHours(text: string): OperatingHours | string {
  const m = /^\s*([A-Za-z,\- ]+?)\s+(\d{2}):00\s*-\s*(\d{2}):00\s*$/.exec(text);
  if (!m) return 'expected days and whole hours such as "Mon-Fri 08:00-17:00"';
  const days = parseDays(m[1]!);
  if (typeof days === 'string') return days;
  const startHour = Number(m[2]);
  const endHour = Number(m[3]);
  if (!(startHour >= 0 && startHour < endHour && endHour <= 24)) return `hours must be 00:00-24:00 with the start before the end (got ${m[2]}:00-${m[3]}:00)`;
  return { days, startHour, endHour };
}

function parseDays(text: string): ReadonlySet<number> | string {
  const days = new Set<number>();
  for (const part of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const [from = '', to = from, ...rest] = part.split('-').map((p) => p.trim());
    const a = weekday(from);
    const b = weekday(to);
    if (rest.length > 0 || a === null || b === null) return `"${part}" is not a day or a range of days (${WEEKDAY_NAMES.join(', ')})`;
    // A range wraps past Sunday (Sat-Mon is Saturday, Sunday and Monday).
    for (let d = a; ; d = (d % 7) + 1) {
      days.add(d);
      if (d === b) break;
    }
  }
  return days.size > 0 ? days : 'no days given';
}

function weekday(name: string): number | null {
  const i = WEEKDAY_NAMES.findIndex((day) => day.toLowerCase() === name.toLowerCase());
  return i < 0 ? null : i + 1;
}

/** `Mon-Fri 08:00-17:00` style text of parsed hours (for the API and messages). */
export function describeOperatingHours(hours: OperatingHours): string {
  const days = [...hours.days].sort((a, b) => a - b).map((d) => WEEKDAY_NAMES[d - 1]!).join(',');
  return `${days} ${String(hours.startHour).padStart(2, '0')}:00-${String(hours.endHour).padStart(2, '0')}:00`;
}
