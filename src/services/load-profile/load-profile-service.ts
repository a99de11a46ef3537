import { describeOperatingHours, type OperatingHours } from '../../config/operating-hours.js';
import type { HourAverage, LoadProfile } from '../../models/insights.js';
import { isoDate, parseIsoDate, type LocalTime } from '../../time/local-time.js';
import type { BuildingQuarters} from '../demand/building-quarters.js';
import { WINDOW_MS, type QuarterDay } from '../demand/building-quarters.js';
import { Amount } from '../energy/amount.js';
import type { EnergyLedger } from '../energy/energy-ledger.js';
import type { EnergyService } from '../energy/energy-service.js';
import { round } from '../rounding.js';
import type { TariffSchedule } from '../tariffs/tariff-schedule.js';
import { UserInputError } from '../user-input-error.js';
import { ProfileDays } from './profile-days.js';

const HOUR_MS = 3_600_000;
/** The night the base load is taken from: local 00:00-05:00, the first 20 quarter hours. */
const NIGHT_QUARTERS = 20;
/** The base load's percentile. */
const BASE_PERCENTILE = 0.1;
/** The longest period one request may ask for (days). */
export const MAX_PROFILE_DAYS = 366;

export interface LoadProfileDeps {
  readonly ledger: EnergyLedger;
  readonly energy: EnergyService;
  readonly quarters: BuildingQuarters;
  readonly tariffs: () => TariffSchedule;
  readonly time: LocalTime;
  readonly operatingHours: OperatingHours;
  /** Holidays (YYYY-MM-DD); a getter, so a recorded change applies at once. */
  readonly holidays: () => ReadonlySet<string>;
  readonly now?: () => number;
}

/**
 * The load profile of a period (docs/load-profile.md): the average kW per local hour of day on
 * working days and on the other days, the base load (what the building draws at night), and the
 * energy and cost outside operating hours, all from the energy ledger's figures (the counting
 * rule's increases per local hour and quarter hour), priced like every other figure.
 */
export class LoadProfileService {
  readonly #deps: LoadProfileDeps;
  readonly #now: () => number;
  readonly #days: ProfileDays;

  constructor(deps: LoadProfileDeps) {
    this.#deps = deps;
    this.#now = deps.now ?? Date.now;
    this.#days = new ProfileDays(deps.ledger, deps.operatingHours);
  }

  /** From and to are local dates (YYYY-MM-DD), both included; `panelIds` are summed. */
  async profile(panelIds: readonly string[], panelId: string | null, from: string, to: string): Promise<LoadProfile> {
    const first = parseIsoDate(from);
    const last = parseIsoDate(to);
    if (first === null || last === null) throw new UserInputError('INVALID_DATE', `not a date of the calendar: ${first === null ? from : to}`);
    if (last < first) throw new UserInputError('INVALID_RANGE', `from (${from}) is after to (${to})`);
    if (last - first + 1 > MAX_PROFILE_DAYS) {
      throw new UserInputError('RANGE_TOO_LARGE', `a load profile covers at most ${MAX_PROFILE_DAYS} days (asked ${last - first + 1})`, { maximum: MAX_PROFILE_DAYS });
    }
    const { energy, quarters, time, operatingHours: hours } = this.#deps;
    await energy.settled(panelIds);
    const tariffs = this.#deps.tariffs();
    const holidays = this.#deps.holidays();
    const now = this.#now();
    const setKey = panelIds.join('\u0000');
    const sums = { weekdays: new Float64Array(24), other: new Float64Array(24) };
    const counts = { weekdays: new Uint32Array(24), other: new Uint32Array(24) };
    const night: number[] = [];
    const nights: Array<{ quarter: QuarterDay; start: number }> = [];
    const withData = new Set<number>();
    const total = new Amount();
    const outside = new Amount();
    const holidaysIn: string[] = [];
    // Taken once: the set's key joins every panel id.
    const summed = energy.summedDays(panelIds);
    for (let day = first; day <= last; day++) {
      const pause = energy.slices.breathe();
      if (pause) await pause;
      const date = isoDate(day);
      const holiday = holidays.has(date);
      if (holiday) holidaysIn.push(date);
      const working = !holiday && hours.days.has(isoWeekday(day));
      const start = time.dayStart(day);
      if (start >= now) continue;
      const amount = energy.buildingDay(panelIds, day, summed);
      total.add(amount);
      const summedDay = this.#days.day(panelIds, day, setKey, tariffs.hourlyOn(day));
      outside.add(working ? summedDay.outsideWorkingHours : amount);
      if (!summedDay.hasData) continue;
      const kind = working ? 'weekdays' : 'other';
      for (let h = 0; h < 24; h++) {
        // Only hours that have ended: today's later hours are not zero use.
        if (start + (h + 1) * HOUR_MS > now) break;
        sums[kind][h]! += summedDay.hourKwh[h]!;
        counts[kind][h]!++;
      }
      const quarter = quarters.day(panelIds, day, setKey);
      nights.push({ quarter, start });
      for (const p of quarter.panels) withData.add(p);
    }
    // As for peak demand: a window is complete when every panel with readings in the period was fully measured in it.
    for (const { quarter, start } of nights) {
      for (let q = 0; q < NIGHT_QUARTERS; q++) {
        if (quarter.measured[q]! > 0 && quarter.complete[q] === withData.size && start + (q + 1) * WINDOW_MS <= now) night.push(quarter.kw[q]!);
      }
    }
    const totalKwh = total.kwh;
    return {
      panelId,
      from: isoDate(first),
      to: isoDate(last),
      operatingHours: describeOperatingHours(hours),
      holidays: holidaysIn,
      weekdays: averages(sums.weekdays, counts.weekdays),
      weekendsAndHolidays: averages(sums.other, counts.other),
      baseLoadKw: night.length === 0 ? null : round(nearestRank(night, BASE_PERCENTILE), 3),
      baseLoadWindows: night.length,
      total: { energyKwh: round(totalKwh, 3), cost: round(total.cost, 2) },
      outsideHours: { energyKwh: round(outside.kwh, 3), cost: round(outside.cost, 2) },
      outsideShare: totalKwh > 0 ? round(outside.kwh / totalKwh, 4) : null,
    };
  }
}

/** ISO weekday (1 Monday … 7 Sunday) of a day number (day 0, 1970-01-01, was a Thursday). */
export function isoWeekday(day: number): number {
  return ((((day + 3) % 7) + 7) % 7) + 1;
}

/** The nearest-rank percentile: the smallest value with at least p of the values at or below it. */
export function nearestRank(values: number[], p: number): number {
  const sorted = Float64Array.from(values).sort();
  return sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)]!;
}

function averages(sums: Float64Array, counts: Uint32Array): HourAverage[] {
  return Array.from({ length: 24 }, (_, hour) => ({
    hour,
    averageKw: counts[hour] === 0 ? null : round(sums[hour]! / counts[hour]!, 3),
    days: counts[hour]!,
  }));
}
