import type { DailyUsage, MonthlySummary, MonthlyUsage, Usage, YearlySummary } from '../../models/usage.js';
import type { CounterSource } from '../../store/reading-store.js';
import { dayNumberOf, daysInMonth, isoDate, type LocalTime } from '../../time/local-time.js';
import type { HourlyPricing } from '../tariffs/tariff-pricing.js';
import type { TariffSchedule } from '../tariffs/tariff-schedule.js';
import { UserInputError } from '../user-input-error.js';
import { Amount } from './amount.js';
import { CounterWalk } from './counting-rule.js';
import type { DayEnergy, EnergyLedger } from './energy-ledger.js';

const HOUR_MS = 3_600_000;
/** Priced panel-days kept, about 300 bytes each (100 panels × 5 years; beyond, the cache starts afresh). */
const PRICED_DAYS_KEPT = 200_000;
/** Sets of panels whose summed days are kept at once (the building, each panel, each limited caller's panels). */
const SUMMED_SETS_KEPT = 1_000;

export interface EnergyServiceDeps {
  readonly ledger: EnergyLedger;
  /** The plans in force; a getter, so a recorded change applies at once. */
  readonly tariffs: () => TariffSchedule;
  readonly time: LocalTime;
  /** Raw readings, for history windows finer than an hour. */
  readonly source: CounterSource;
  readonly now?: () => number;
  /** How long a query waits for energy still being computed (start-up, a late reading). Default 30 s. */
  readonly settleTimeoutMs?: number;
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

  readonly #priced = new Map<string, { entry: DayEnergy; revision: number; pricing: HourlyPricing; amount: Amount }>();

  /**
   * Building days (sums over a set of panels) per set, valid for one ledger version and one tariff
   * schedule: a year of the building is 365 × 100 panel-days to add up, and the dashboard asks for
   * it again and again between two readings. Any change of the ledger or the plans starts it afresh.
   */
  #summed = { version: -1, schedule: null as TariffSchedule | null, byPanels: new Map<string, Map<number, Amount>>() };

  constructor(deps: EnergyServiceDeps) {
    this.#deps = deps;
    this.#now = deps.now ?? Date.now;
  }

  /** The local day number of today. */
  today(): number {
    return this.#deps.time.dayNumber(this.#now());
  }

  /** Today (local midnight until now) per panel. */
  async todayUsage(panelIds: readonly string[]): Promise<Map<string, Usage>> {
    await this.settled(panelIds);
    const today = this.today();
    return new Map(panelIds.map((id) => [id, this.panelDay(id, today).toUsage()]));
  }

  /** Today for the sum of the given panels. */
  async todayTotal(panelIds: readonly string[]): Promise<Usage> {
    await this.settled(panelIds);
    return this.buildingDay(panelIds, this.today()).toUsage();
  }

  /** The building days already summed for these panels (in this order), for the current ledger and plans. */
  #summedDays(panelIds: readonly string[]): Map<number, Amount> {
    const version = this.#deps.ledger.version;
    const schedule = this.#deps.tariffs();
    if (this.#summed.version !== version || this.#summed.schedule !== schedule || this.#summed.byPanels.size >= SUMMED_SETS_KEPT) {
      this.#summed = { version, schedule, byPanels: new Map() };
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
    const summed = this.#summedDays(panelIds);
    for (let day = first; day < first + daysInMonth(year, month); day++) {
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
    const summed = this.#summedDays(panelIds);
    for (let month = 1; month <= 12; month++) {
      const amount = this.monthAmount(panelIds, year, month, summed);
      total.add(amount);
      months.push({ month, ...amount.toUsage() });
    }
    return { year, panelId, total: total.toUsage(), months };
  }

  /** The unrounded amount of one calendar month for the sum of `panelIds` (settle first). */
  monthAmount(panelIds: readonly string[], year: number, month: number, summed = this.#summedDays(panelIds)): Amount {
    const first = dayNumberOf(year, month, 1);
    const total = new Amount();
    for (let day = first; day < first + daysInMonth(year, month); day++) total.add(this.buildingDay(panelIds, day, summed));
    return total;
  }

  /** One local day for the sum of `panelIds`, panels added in the order given (settle first). Shared: never mutate it. */
  buildingDay(panelIds: readonly string[], day: number, summed = this.#summedDays(panelIds)): Amount {
    let total = summed.get(day);
    if (total) return total;
    const pricing = this.#deps.tariffs().hourlyOn(day);
    total = new Amount().usePricing(pricing);
    for (const id of panelIds) {
      const entry = this.#deps.ledger.day(id, day);
      if (entry) total.add(this.#pricedDay(id, entry, pricing));
    }
    summed.set(day, total);
    return total;
  }

  /** One local day of one panel (settle first). */
  panelDay(panelId: string, day: number): Amount {
    const pricing = this.#deps.tariffs().hourlyOn(day);
    const entry = this.#deps.ledger.day(panelId, day);
    return entry ? new Amount().add(this.#pricedDay(panelId, entry, pricing)) : new Amount().usePricing(pricing);
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
   * shorter), for one panel. Windows of whole local hours come from the ledger's hourly figures;
   * finer ones re-walk the readings from the ledger's saved state of that day with the same rule.
   */
  async windows(panelId: string, fromMs: number, toMs: number, everyMs: number): Promise<Amount[]> {
    await this.settled([panelId]);
    const count = Math.ceil((toMs - fromMs) / everyMs);
    const amounts = Array.from({ length: count }, () => new Amount());
    const time = this.#deps.time;
    const wholeHours =
      everyMs % HOUR_MS === 0 &&
      time.localMs(fromMs) % HOUR_MS === 0 &&
      time.localMs(toMs) % HOUR_MS === 0 &&
      time.isFixedOffsetBetween(fromMs, toMs);
    if (wholeHours) this.#hourWindows(panelId, fromMs, toMs, everyMs, amounts);
    else await this.#walkWindows(panelId, fromMs, toMs, everyMs, amounts);
    return amounts;
  }

  #hourWindows(panelId: string, fromMs: number, toMs: number, everyMs: number, amounts: Amount[]): void {
    const { time, ledger, tariffs } = { time: this.#deps.time, ledger: this.#deps.ledger, tariffs: this.#deps.tariffs() };
    for (let w = 0; w < amounts.length; w++) {
      const start = fromMs + w * everyMs;
      const end = Math.min(toMs, start + everyMs);
      // Walk day by day: [start, end) covers whole local hours of one or more days.
      for (let t = start; t < end; ) {
        const day = time.dayNumber(t);
        const dayEnd = Math.min(end, time.dayStart(day + 1));
        const fromHour = time.hourOfDay(t);
        const toHour = dayEnd === time.dayStart(day + 1) ? 24 : time.hourOfDay(dayEnd);
        const pricing = tariffs.hourlyOn(day);
        const entry = ledger.day(panelId, day);
        if (entry) amounts[w]!.addHours(entry.kwh, pricing, fromHour, toHour);
        else amounts[w]!.usePricing(pricing);
        t = dayEnd;
      }
    }
  }

  async #walkWindows(panelId: string, fromMs: number, toMs: number, everyMs: number, amounts: Amount[]): Promise<void> {
    const { time, ledger, source } = this.#deps;
    const tariffs = this.#deps.tariffs();
    for (let w = 0; w < amounts.length; w++) amounts[w]!.usePricing(tariffs.hourlyOn(time.dayNumber(fromMs + w * everyMs)));
    const state = ledger.stateAt(panelId, time.dayNumber(fromMs));
    if (state === null) return;
    const walk = new CounterWalk(ledger.rule, state.active);
    // Readings after `to` can still confirm a new level whose first steps lie inside: walk on
    // until nothing inside [from, to) is pending, which takes at most confirmReadings − 1 readings.
    let beyond = 0;
    const sink = (t: number, kwh: number) => {
      if (t < fromMs || t >= toMs) return;
      const day = time.dayNumber(t);
      amounts[Math.floor((t - fromMs) / everyMs)]!.addIncrease(kwh, tariffs.hourlyOn(day), time.hourOfDay(t));
    };
    for await (const chunk of source.scan(panelId, time.dayStart(state.fromDay))) {
      for (let k = 0; k < chunk.t.length; k++) {
        const t = chunk.t[k]!;
        if (t >= toMs) {
          if (!walk.hasPending || beyond >= ledger.rule.confirmReadings - 1) return;
          beyond++;
        }
        walk.step(t, chunk.kwh[k]!, chunk.kw[k]!, chunk.pf[k]!, sink);
      }
    }
  }

  /** Waits until these panels' energy reflects every stored reading (or throws EnergyNotReadyError). */
  async settled(panelIds: readonly string[]): Promise<void> {
    const timeoutMs = this.#deps.settleTimeoutMs ?? 30_000;
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
  if (!Number.isInteger(year) || year < 2000 || year > 2100) throw new UserInputError(`year must be between 2000 and 2100 (got ${year})`);
}

/** Validates a calendar month (1-12). */
export function checkMonth(month: number): void {
  if (!Number.isInteger(month) || month < 1 || month > 12) throw new UserInputError(`month must be 1-12 (got ${month})`);
}
