import type { DailyUsage, MonthlySummary, MonthlyUsage, Usage, YearlySummary } from '../../models/usage.js';
import type { CounterSource } from '../../store/reading-store.js';
import { dayNumberOf, daysInMonth, isoDate, type LocalTime } from '../../time/local-time.js';
import { EmissionSchedule, type EmissionFactorVersion } from '../emissions/emission-schedule.js';
import type { HourlyPricing } from '../tariffs/tariff-pricing.js';
import type { TariffSchedule } from '../tariffs/tariff-schedule.js';
import { UserInputError } from '../user-input-error.js';
import { WorkSlices } from '../work-slices.js';
import { Amount } from './amount.js';
import { CounterWalk } from './counting-rule.js';
import { WindowAmounts } from './window-amounts.js';
import type { DayEnergy, EnergyLedger } from './energy-ledger.js';

const HOUR_MS = 3_600_000;
/** Priced panel-days kept, about 300 bytes each (100 panels × 5 years; beyond, the cache starts afresh). */
const PRICED_DAYS_KEPT = 200_000;
/** One set of panels' summed days, each with the ledger's stamp of its day when it was summed. */
export type SummedDays = Map<number, { readonly stamp: number; readonly amount: Amount }>;

/** Sets of panels whose summed days are kept at once (the building, each panel, each limited caller's panels). */
const SUMMED_SETS_KEPT = 1_000;
/** Summed days kept over all sets (about 150 bytes each); beyond, the cache starts afresh. */
const SUMMED_DAYS_KEPT = 50_000;
/** Panels whose shown usage of today is kept (one each, about 1 KB; beyond, the cache starts afresh). */
const PANEL_USAGES_KEPT = 10_000;

export interface EnergyServiceDeps {
  readonly ledger: EnergyLedger;
  /** The plans in force; a getter, so a recorded change applies at once. */
  readonly tariffs: () => TariffSchedule;
  /** The grid emission factor's versions; a getter, like the plans. Default: the built-in factor alone. */
  readonly emissions?: () => EmissionSchedule;
  readonly time: LocalTime;
  /** Raw readings, for history windows finer than an hour. */
  readonly source: CounterSource;
  readonly now?: () => number;
}

/** One panel's shown usage of one day and what it was computed from (EnergyService.#dayUsage). */
interface DayUsage {
  readonly day: number;
  readonly entry: DayEnergy | undefined;
  readonly revision: number;
  readonly pricing: HourlyPricing;
  readonly factor: EmissionFactorVersion;
  readonly usage: Usage;
}

/** How long a query waits for energy still being computed (start-up, a late reading) before EnergyNotReadyError. */
const SETTLE_TIMEOUT_MS = 30_000;

/** Windows of `everyMs` from `fromMs`, and their sums. */
interface WindowGrid {
  readonly fromMs: number;
  readonly everyMs: number;
  readonly amounts: WindowAmounts;
}

/** Energy still being computed: the client may retry shortly. */
export class EnergyNotReadyError extends Error {
  constructor(panels: readonly string[]) {
    super(`energy figures are still being computed for ${panels.length} panel(s) (start-up or late readings); try again shortly`);
    this.name = 'EnergyNotReadyError';
  }
}

/**
 * Usage and cost per panel and period, from the energy ledger (the counting rule's increases per
 * local hour) priced with the tariff plan in force on each day. Days, months and years are local
 * calendar periods in the site timezone; a building figure is the sum of its panels, day by day.
 */
export class EnergyService {
  readonly #deps: EnergyServiceDeps;
  readonly #now: () => number;
  readonly #emissions: () => EmissionSchedule;
  readonly #slices = new WorkSlices();

  readonly #priced = new Map<string, { entry: DayEnergy; revision: number; pricing: HourlyPricing; amount: Amount }>();

  /**
   * Each panel's usage of one day as shown (rounded, with its blocks and emissions), kept while
   * that day's ledger entry, plan and emission factor stay the same: the dashboard asks today's of
   * every panel on every request, and between two readings of a panel nothing of it changes.
   */
  readonly #dayUsage = new Map<string, DayUsage>();

  /**
   * Building days (sums over a set of panels) per set, each kept while the ledger's stamp of its
   * day stays the same (any panel's figures of that day unchanged), for one tariff schedule and
   * emission schedule: a year of the building is 365 × 100 panel-days to add up, and the
   * dashboard asks for it again and again while readings change today alone. A change of the
   * plans or factors starts it afresh.
   */
  #summed = {
    schedule: null as TariffSchedule | null,
    emissions: null as EmissionSchedule | null,
    byPanels: new Map<string, SummedDays>(),
    days: 0,
  };

  constructor(deps: EnergyServiceDeps) {
    this.#deps = deps;
    this.#now = deps.now ?? Date.now;
    const builtIn = new EmissionSchedule([]);
    this.#emissions = deps.emissions ?? (() => builtIn);
  }

  /** The local day number of today. */
  today(): number {
    return this.#deps.time.dayNumber(this.#now());
  }

  /** Changes whenever any panel's energy may have changed (the ledger's version). */
  get version(): number {
    return this.#deps.ledger.version;
  }

  /** When today ends: "today" figures start again from zero at this instant (local midnight). */
  todayEndsAt(): number {
    return this.#deps.time.nextMidnight(this.#now());
  }

  /** Today (local midnight until now) per panel. */
  async todayUsage(panelIds: readonly string[]): Promise<Map<string, Usage>> {
    await this.settled(panelIds);
    const today = this.today();
    return new Map(panelIds.map((id) => [id, this.#panelDayUsage(id, today)]));
  }

  /** `panelDay(panelId, day).toUsage()`, from #dayUsage while nothing it depends on changed (settle first). */
  #panelDayUsage(panelId: string, day: number): Usage {
    const entry = this.#deps.ledger.day(panelId, day);
    const revision = entry?.revision ?? -1;
    const pricing = this.#deps.tariffs().hourlyOn(day);
    const factor = this.#emissions().versionOn(day);
    const cached = this.#dayUsage.get(panelId);
    if (cached && cached.day === day && cached.entry === entry && cached.revision === revision && cached.pricing === pricing && cached.factor === factor) {
      return cached.usage;
    }
    const usage = this.panelDay(panelId, day).toUsage();
    if (this.#dayUsage.size >= PANEL_USAGES_KEPT) this.#dayUsage.clear();
    this.#dayUsage.set(panelId, { day, entry, revision, pricing, factor, usage });
    return usage;
  }

  /**
   * Today of one panel: at once when its energy is settled (a page of 1,000 panel cards then needs
   * no promise per card), else once it is (start-up, a late reading's replay).
   */
  todayUsageOf(panelId: string): Usage | Promise<Usage> {
    if (this.#deps.ledger.isSettled(panelId)) return this.#panelDayUsage(panelId, this.today());
    return this.todayUsage([panelId]).then((usage) => usage.get(panelId)!);
  }

  /** Today for the sum of the given panels. */
  async todayTotal(panelIds: readonly string[]): Promise<Usage> {
    await this.settled(panelIds);
    return this.buildingDay(panelIds, this.today()).toUsage();
  }

  /**
   * The building days already summed for these panels (in this order), for the current plans and
   * factors. Callers walking many days take it once: the set's key joins every panel id.
   */
  summedDays(panelIds: readonly string[]): SummedDays {
    const schedule = this.#deps.tariffs();
    const emissions = this.#emissions();
    const summed = this.#summed;
    if (summed.schedule !== schedule || summed.emissions !== emissions || summed.byPanels.size >= SUMMED_SETS_KEPT || summed.days >= SUMMED_DAYS_KEPT) {
      this.#summed = { schedule, emissions, byPanels: new Map(), days: 0 };
    }
    const key = panelIds.join('\u0000');
    let days = this.#summed.byPanels.get(key);
    if (!days) {
      days = new Map();
      this.#summed.byPanels.set(key, days);
    }
    return days;
  }

  /** One row per calendar day of the month; `panelIds` are summed (the building, or one panel). */
  async monthlySummary(year: number, month: number, panelIds: readonly string[], panelId: string | null): Promise<MonthlySummary> {
    await this.settled(panelIds);
    const first = dayNumberOf(year, month, 1);
    const total = new Amount();
    const days: DailyUsage[] = [];
    const summed = this.summedDays(panelIds);
    const end = first + daysInMonth(year, month);
    for (let day = first; day < end; day++) {
      await this.#slices.breathe();
      const amount = this.buildingDay(panelIds, day, summed);
      total.add(amount);
      days.push({ date: isoDate(day), ...amount.toUsage() });
    }
    return { year, month, panelId, total: total.toUsage(), days };
  }

  /** One row per calendar month of the year; `panelIds` are summed. */
  async yearlySummary(year: number, panelIds: readonly string[], panelId: string | null): Promise<YearlySummary> {
    await this.settled(panelIds);
    const total = new Amount();
    const months: MonthlyUsage[] = [];
    const summed = this.summedDays(panelIds);
    for (let month = 1; month <= 12; month++) {
      const first = dayNumberOf(year, month, 1);
      const end = first + daysInMonth(year, month);
      const amount = new Amount();
      // Day by day, letting the loop turn: a year of 1,000 panels is 365,000 panel-days.
      for (let day = first; day < end; day++) {
        await this.#slices.breathe();
        amount.add(this.buildingDay(panelIds, day, summed));
      }
      total.add(amount);
      months.push({ month, ...amount.toUsage() });
    }
    return { year, panelId, total: total.toUsage(), months };
  }

  /** The unrounded amount of one calendar month for the sum of `panelIds` (settle first). */
  monthAmount(panelIds: readonly string[], year: number, month: number, summed = this.summedDays(panelIds)): Amount {
    const first = dayNumberOf(year, month, 1);
    const total = new Amount();
    for (let day = first; day < first + daysInMonth(year, month); day++) total.add(this.buildingDay(panelIds, day, summed));
    return total;
  }

  /** One local day for the sum of `panelIds`, panels added in the order given (settle first). Shared: never mutate it. */
  buildingDay(panelIds: readonly string[], day: number, summed = this.summedDays(panelIds)): Amount {
    const stamp = this.#deps.ledger.dayStamp(day);
    const kept = summed.get(day);
    if (kept?.stamp === stamp) return kept.amount;
    const pricing = this.#deps.tariffs().hourlyOn(day);
    const total = new Amount().usePricing(pricing);
    for (const id of panelIds) {
      const entry = this.#deps.ledger.day(id, day);
      if (entry) total.add(this.#pricedDay(id, entry, pricing));
    }
    total.withEmissionFactor(this.#emissions().versionOn(day));
    if (kept === undefined) this.#summed.days++;
    summed.set(day, { stamp, amount: total });
    return total;
  }

  /** One local day of one panel (settle first). */
  panelDay(panelId: string, day: number): Amount {
    const pricing = this.#deps.tariffs().hourlyOn(day);
    const entry = this.#deps.ledger.day(panelId, day);
    const amount = entry ? new Amount().add(this.#pricedDay(panelId, entry, pricing)) : new Amount().usePricing(pricing);
    return amount.withEmissionFactor(this.#emissions().versionOn(day));
  }

  /**
   * A panel's day priced hour by hour, kept while the ledger's entry and the plan stay the same:
   * a year for the building is 100 panels × 365 days × 24 hours of pricing otherwise, on every
   * request. The same additions in the same order, so the figures are the same bit for bit.
   * Shared: never mutate the result.
   */
  #pricedDay(panelId: string, entry: DayEnergy, pricing: HourlyPricing): Amount {
    const key = `${panelId}|${entry.day}`;
    const cached = this.#priced.get(key);
    if (cached && cached.entry === entry && cached.revision === entry.revision && cached.pricing === pricing) return cached.amount;
    const amount = new Amount().addHours(entry.kwh, pricing);
    if (this.#priced.size >= PRICED_DAYS_KEPT) this.#priced.clear();
    this.#priced.set(key, { entry, revision: entry.revision, pricing, amount });
    return amount;
  }

  /**
   * Energy and cost in each window of `everyMs` from `from` to `to` (the last window may be
   * shorter), for one panel. Only `walk` is walked (the part of the range that can hold
   * readings; windows outside it stay zero). When the windows are whole local hours, the
   * panel's days with readings are read from the ledger's hourly figures, in time proportional to
   * those days, not to the range; a day whose hours do not line up with the windows (a
   * daylight-saving change), and windows finer than an hour, re-walk the readings from the
   * ledger's saved state of that day with the same rule. The walk lets the event loop turn every
   * few milliseconds (`slices`).
   */
  async windows(panelId: string, fromMs: number, toMs: number, everyMs: number, walk: { fromMs: number; toMs: number } = { fromMs, toMs }): Promise<WindowAmounts> {
    await this.settled([panelId]);
    const amounts = new WindowAmounts(Math.ceil((toMs - fromMs) / everyMs));
    const time = this.#deps.time;
    const walkFrom = Math.max(fromMs, walk.fromMs);
    const walkTo = Math.min(toMs, walk.toMs);
    if (walkFrom >= walkTo) return amounts;
    const grid = { fromMs, everyMs, amounts };
    if (EnergyService.walksWholeHours(time, fromMs, toMs, everyMs)) await this.#hourWindows(panelId, grid, walkFrom, walkTo);
    else await this.#walkWindows(panelId, grid, walkFrom, walkTo);
    return amounts;
  }

  /**
   * Whether windows of `everyMs` from `fromMs` to `toMs` are whole local hours, so `windows` reads
   * them from the ledger's hourly figures rather than re-walking readings: a question of
   * arithmetic, which the cost of an operation asks before it runs.
   */
  static walksWholeHours(time: LocalTime, fromMs: number, toMs: number, everyMs: number): boolean {
    return everyMs % HOUR_MS === 0 && time.localMs(fromMs) % HOUR_MS === 0 && (toMs - fromMs) % HOUR_MS === 0;
  }

  /** The slice of the event loop that long walks (windows, summaries, bills) share. */
  get slices(): WorkSlices {
    return this.#slices;
  }

  async #hourWindows(panelId: string, grid: WindowGrid, walkFrom: number, walkTo: number): Promise<void> {
    const { time, ledger } = this.#deps;
    const tariffs = this.#deps.tariffs();
    const { fromMs, everyMs, amounts } = grid;
    // Only the days with readings: a range from the year 2000 costs what its data costs.
    const days = ledger.daysBetween(panelId, time.dayNumber(walkFrom), time.dayNumber(walkTo - 1) + 1);
    for (let i = 0; i < days.length; i++) {
      if (i % 16 === 0) await this.slices.breathe();
      const entry = days[i]!;
      const start = time.dayStart(entry.day);
      const end = time.dayStart(entry.day + 1);
      // A day of 24 equal hours, in step with the windows (offset unchanged since `from`, or
      // changed by whole hours): each of its hours lies in one window.
      const regular = end - start === 24 * HOUR_MS && time.offsetMs(start) === time.offsetMs(end - 1) && (start - fromMs) % HOUR_MS === 0;
      if (!regular) {
        await this.#walkWindows(panelId, grid, Math.max(walkFrom, start), Math.min(walkTo, end));
        continue;
      }
      const pricing = tariffs.hourlyOn(entry.day);
      const firstHour = Math.max(0, Math.floor((walkFrom - start) / HOUR_MS));
      const lastHour = Math.min(24, Math.ceil((walkTo - start) / HOUR_MS));
      for (let h = firstHour; h < lastHour; ) {
        // The hours of this day in the same window, added at once.
        const w = Math.floor((start + h * HOUR_MS - fromMs) / everyMs);
        const windowEndHour = Math.min(lastHour, Math.ceil((fromMs + (w + 1) * everyMs - start) / HOUR_MS));
        amounts.addHours(w, entry.kwh, pricing, h, windowEndHour);
        h = windowEndHour;
      }
    }
  }

  /** Re-walks the readings of [walkFrom, walkTo) from the ledger's saved state, into the windows of `grid`. */
  async #walkWindows(panelId: string, grid: WindowGrid, walkFrom: number, walkTo: number): Promise<void> {
    const { time, ledger, source } = this.#deps;
    const tariffs = this.#deps.tariffs();
    const { fromMs, everyMs, amounts } = grid;
    const state = ledger.stateAt(panelId, time.dayNumber(walkFrom));
    if (state === null) return;
    const walk = new CounterWalk(ledger.rule, state.active);
    // Readings after `walkTo` can still confirm a new level whose first steps lie inside: walk on
    // until nothing inside is pending, which takes at most confirmReadings − 1 readings.
    let beyond = 0;
    const sink = (t: number, kwh: number) => {
      if (t < walkFrom || t >= walkTo) return;
      const day = time.dayNumber(t);
      amounts.addIncrease(Math.floor((t - fromMs) / everyMs), kwh, tariffs.hourlyOn(day), time.hourOfDay(t));
    };
    for await (const chunk of source.scan(panelId, time.dayStart(state.fromDay))) {
      for (let k = 0; k < chunk.t.length; k++) {
        if (k % 1_024 === 0) await this.slices.breathe();
        const t = chunk.t[k]!;
        if (t >= walkTo) {
          if (!walk.hasPending || beyond >= ledger.rule.confirmReadings - 1) return;
          beyond++;
        }
        walk.step(t, chunk.kwh[k]!, chunk.kw[k]!, chunk.pf[k]!, sink);
      }
    }
  }

  /** Waits until these panels' energy reflects every stored reading (or throws EnergyNotReadyError). */
  async settled(panelIds: readonly string[]): Promise<void> {
    const timeoutMs = SETTLE_TIMEOUT_MS;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
      timer.unref();
    });
    try {
      const outcome = await Promise.race([this.#deps.ledger.settled(panelIds), timeout]);
      if (outcome === 'timeout') throw new EnergyNotReadyError(this.#deps.ledger.pendingPanels());
    } finally {
      clearTimeout(timer);
    }
  }
}

/** Validates a calendar year for summaries and bills. */
export function checkYear(year: number): void {
  if (!Number.isInteger(year) || year < 2000 || year > 2100) throw new UserInputError('YEAR_OUT_OF_RANGE', `year must be between 2000 and 2100 (got ${year})`);
}

/** Validates a calendar month (1-12). */
export function checkMonth(month: number): void {
  if (!Number.isInteger(month) || month < 1 || month > 12) throw new UserInputError('MONTH_OUT_OF_RANGE', `month must be 1-12 (got ${month})`);
}
