import { addDays, daysBetween, startOfDay, type LocalDate } from './time.js';

/** The range picker's choices; `custom` takes first and last day from date inputs. */
export type RangePreset = 'today' | 'yesterday' | '7d' | '30d' | 'custom';

/** The range picker's choices, each named by its message key (web/src/i18n/). */
export const RANGE_PRESETS = [
  { value: 'today', key: 'rangeToday' },
  { value: 'yesterday', key: 'rangeYesterday' },
  { value: '7d', key: 'range7d' },
  { value: '30d', key: 'range30d' },
  { value: 'custom', key: 'rangeCustom' },
] as const satisfies ReadonlyArray<{ readonly value: RangePreset; readonly key: string }>;

/** What `panel.history(from, to, every)` is asked for. */
export interface HistoryRange {
  /** ISO-8601 instants (UTC, `Z` is the offset the API requires). */
  readonly from: string;
  readonly to: string;
  readonly every: string;
}

/** Window length by range length: about 100-700 bars, far below the API's 5,000 windows. */
const WINDOWS = [
  { upToDays: 2, every: '15m', ms: 15 * 60_000 },
  { upToDays: 31, every: '1h', ms: 3_600_000 },
  { upToDays: Number.POSITIVE_INFINITY, every: '1d', ms: 86_400_000 },
] as const;

/**
 * The instants of a picked range in the site's zone: from local midnight of its first day to
 * local midnight after its last, but no further than the window that contains `now`, so today
 * does not end in a row of empty future windows.
 */
export function historyRange(
  zone: string,
  now: number,
  today: LocalDate,
  preset: RangePreset,
  custom: { readonly first: LocalDate; readonly last: LocalDate } = { first: today, last: today },
): HistoryRange {
  const [first, last] = daysOf(preset, today, custom);
  const days = daysBetween(first, last) + 1;
  const window = WINDOWS.find((candidate) => days <= candidate.upToDays) ?? WINDOWS[2];
  const from = startOfDay(zone, first);
  const end = startOfDay(zone, addDays(last, 1));
  const windowsSoFar = Math.max(1, Math.ceil((now - from) / window.ms));
  // A range wholly in the future (a custom pick) is asked as it is: all windows empty.
  const to = now >= from ? Math.min(end, from + windowsSoFar * window.ms) : end;
  return { from: new Date(from).toISOString(), to: new Date(to).toISOString(), every: window.every };
}

function daysOf(
  preset: RangePreset,
  today: LocalDate,
  custom: { readonly first: LocalDate; readonly last: LocalDate },
): [LocalDate, LocalDate] {
  switch (preset) {
    case 'today':
      return [today, today];
    case 'yesterday':
      return [addDays(today, -1), addDays(today, -1)];
    case '7d':
      return [addDays(today, -6), today];
    case '30d':
      return [addDays(today, -29), today];
    case 'custom':
      // A reversed pick is still a range: the earlier day first.
      return daysBetween(custom.first, custom.last) >= 0 ? [custom.first, custom.last] : [custom.last, custom.first];
  }
}
