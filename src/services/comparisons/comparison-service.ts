import type { ComparedPeriod, ComparedSpan, Comparison } from '../../models/comparison.js';
import { dateOfDayNumber, dayNumberOf, daysInMonth, type LocalTime } from '../../time/local-time.js';
import { Amount } from '../energy/amount.js';
import { checkMonth, checkYear, type EnergyService } from '../energy/energy-service.js';
import type { EnergyLedger } from '../energy/energy-ledger.js';
import type { EmissionSchedule } from '../emissions/emission-schedule.js';
import { round } from '../rounding.js';
import type { TariffSchedule } from '../tariffs/tariff-schedule.js';

export interface ComparisonServiceDeps {
  readonly energy: EnergyService;
  readonly ledger: EnergyLedger;
  readonly tariffs: () => TariffSchedule;
  readonly emissions: () => EmissionSchedule;
  readonly time: LocalTime;
  readonly now?: () => number;
}

/**
 * A span of local time: the whole days [fromDay, toDay), then the first `toHour` local hours of
 * day `toDay` (0: none). Spans end on whole local hours because the energy ledger keeps the
 * counting rule's increases per local hour: every figure of a span is then a sum of the ledger's
 * hours, the same numbers the summaries add up.
 */
interface Span {
  readonly fromDay: number;
  readonly toDay: number;
  readonly toHour: number;
  readonly shortened: boolean;
}

/**
 * Months and years against the period before and the same period a year earlier, per panel or for
 * the building (the sum of its panels, day by day, as everywhere). While a period runs, the
 * comparison is like for like: this period from its start to now, floored to the local hour,
 * against the base period from its start to the same day of the period and the same hour of the
 * day. When the base period is shorter (on 29-31 March against February, on 29 February against a
 * year without one) and runs out first, the whole base period is used and the answer says so
 * (`shortened`).
 */
export class ComparisonService {
  readonly #deps: ComparisonServiceDeps;
  readonly #now: () => number;

  constructor(deps: ComparisonServiceDeps) {
    this.#deps = deps;
    this.#now = deps.now ?? Date.now;
  }

  async month(year: number, month: number, panelIds: readonly string[]): Promise<Comparison> {
    checkYear(year);
    checkMonth(month);
    const { time } = this.#deps;
    const first = dayNumberOf(year, month, 1);
    const days = daysInMonth(year, month);
    const now = this.#now();
    const running = now >= time.dayStart(first) && now < time.dayStart(first + days);
    const previous = month === 1 ? { year: year - 1, month: 12 } : { year, month: month - 1 };
    const lastYear = { year: year - 1, month };
    const monthSpan = (y: number, m: number): Span => {
      const start = dayNumberOf(y, m, 1);
      const length = daysInMonth(y, m);
      if (!running) return { fromDay: start, toDay: start + length, toHour: 0, shortened: false };
      // The same day of the month (0-based) and hour of the day as now.
      const dayIndex = time.dayNumber(now) - first;
      if (dayIndex >= length) return { fromDay: start, toDay: start + length, toHour: 0, shortened: true };
      return { fromDay: start, toDay: start + dayIndex, toHour: time.hourOfDay(now), shortened: false };
    };
    return this.#compare(panelIds, running, monthSpan(year, month), monthSpan(previous.year, previous.month), monthSpan(lastYear.year, lastYear.month));
  }

  async year(year: number, panelIds: readonly string[]): Promise<Comparison> {
    checkYear(year);
    const { time } = this.#deps;
    const now = this.#now();
    const running = now >= time.dayStart(dayNumberOf(year, 1, 1)) && now < time.dayStart(dayNumberOf(year + 1, 1, 1));
    const yearSpan = (y: number): Span => {
      const start = dayNumberOf(y, 1, 1);
      const end = dayNumberOf(y + 1, 1, 1);
      if (!running) return { fromDay: start, toDay: end, toHour: 0, shortened: false };
      // The same calendar date and hour as now; 29 February in a year without one: all of February.
      const { month, day } = dateOfDayNumber(time.dayNumber(now));
      if (day > daysInMonth(y, month)) return { fromDay: start, toDay: dayNumberOf(y, month, daysInMonth(y, month)) + 1, toHour: 0, shortened: true };
      return { fromDay: start, toDay: dayNumberOf(y, month, day), toHour: time.hourOfDay(now), shortened: false };
    };
    const previous = yearSpan(year - 1);
    return this.#compare(panelIds, running, yearSpan(year), previous, previous);
  }

  async #compare(panelIds: readonly string[], soFar: boolean, current: Span, previous: Span, lastYear: Span): Promise<Comparison> {
    await this.#deps.energy.settled(panelIds);
    const now = await this.#amount(panelIds, current);
    const before = previous === current ? now : await this.#amount(panelIds, previous);
    const yearAgo = lastYear === previous ? before : await this.#amount(panelIds, lastYear);
    const shownNow = this.#shown(current, now);
    return {
      soFar,
      current: shownNow,
      previousPeriod: compared(shownNow, this.#shown(previous, before), previous.shortened),
      samePeriodLastYear: compared(shownNow, this.#shown(lastYear, yearAgo), lastYear.shortened),
    };
  }

  /** The unrounded energy, cost and emissions of a span, summed in the summaries' order (days in calendar order). */
  async #amount(panelIds: readonly string[], span: Span): Promise<Amount> {
    const { energy, ledger } = this.#deps;
    const total = new Amount();
    // Taken once: the set's key joins every panel id.
    const summed = energy.summedDays(panelIds);
    for (let day = span.fromDay; day < span.toDay; day++) {
      const pause = energy.slices.breathe();
      if (pause) await pause;
      total.add(energy.buildingDay(panelIds, day, summed));
    }
    if (span.toHour > 0) {
      // The first hours of the span's last day, from the ledger's hours, priced like the summaries.
      const pricing = this.#deps.tariffs().hourlyOn(span.toDay);
      const part = new Amount().usePricing(pricing);
      for (const id of panelIds) {
        const entry = ledger.day(id, span.toDay);
        // The ledger's hours are wall-clock hours of the day (hourOfDay), as toHour is.
        if (entry) part.addHours(entry.kwh, pricing, 0, span.toHour);
      }
      total.add(part.withEmissionFactor(this.#deps.emissions().versionOn(span.toDay)));
    }
    return total;
  }

  #shown(span: Span, amount: Amount): ComparedSpan {
    const { time } = this.#deps;
    return {
      from: new Date(time.dayStart(span.fromDay)),
      to: new Date(span.toHour === 0 ? time.dayStart(span.toDay) : endOfHours(time, span.toDay, span.toHour)),
      energyKwh: round(amount.kwh, 3),
      cost: round(amount.cost, 2),
      co2eKg: round(amount.co2eKg, 3),
    };
  }
}

/** The instant `hours` local hours into day `day` (by the wall clock, whatever the offset does). */
function endOfHours(time: LocalTime, day: number, hours: number): number {
  return time.instantOf({ ...dateOfDayNumber(day), hour: hours, minute: 0, second: 0, millisecond: 0 });
}

/** The base span with the change from it to `current`, from the shown (rounded) figures, so they subtract exactly. */
function compared(current: ComparedSpan, base: ComparedSpan, shortened: boolean): ComparedPeriod {
  return {
    ...base,
    shortened,
    change: {
      energyKwh: round(current.energyKwh - base.energyKwh, 3),
      cost: round(current.cost - base.cost, 2),
      co2eKg: round(current.co2eKg - base.co2eKg, 3),
      energyPercent: percent(current.energyKwh, base.energyKwh),
      costPercent: percent(current.cost, base.cost),
    },
  };
}

function percent(current: number, base: number): number | null {
  return base === 0 ? null : round(((current - base) / Math.abs(base)) * 100, 1);
}
