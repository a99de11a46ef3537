import type { DailyUsage, MonthlySummary, MonthlyUsage, Usage, YearlySummary } from '../../models/usage.js';
import type { ReadingStore } from '../../store/reading-store.js';
import type { TariffHistory } from '../tariff-history.js';
import type { DailyEnergyCache } from './daily-energy-cache.js';
import { daysOfMonth, daysOfYear, monthsOfYear, startOfLocalDay, type Period } from './periods.js';
import { toUsage } from './usage.js';

/** Unrounded energy and money, summed before anything is rounded for output. */
interface Amount {
  energyKwh: number;
  cost: number;
}

export interface EnergyServiceDeps {
  readonly store: ReadingStore;
  readonly cache: DailyEnergyCache;
  readonly tariffs: TariffHistory;
  readonly timezone: string;
  readonly now?: () => Date;
}

/**
 * Usage and cost per panel, per day, month and year, in the site's calendar. Energy comes from
 * the store's counter rule (through the daily cache); money is priced at the rate in force when
 * the energy was used.
 */
export class EnergyService {
  readonly #now: () => Date;

  constructor(private readonly deps: EnergyServiceDeps) {
    this.#now = deps.now ?? (() => new Date());
  }

  /** Today (local midnight to now) per panel, for any number of panels in one store round trip. */
  async todayUsage(panelIds: readonly string[]): Promise<Map<string, Usage>> {
    const today = this.#today();
    const amounts = await this.#amountsPerPanel(panelIds, [today]);
    return new Map(panelIds.map((id) => [id, asUsage(amounts.get(id)?.[0] ?? zero())]));
  }

  /** Today for the sum of the given panels. */
  async todayTotal(panelIds: readonly string[]): Promise<Usage> {
    const amounts = await this.#amountsPerPanel(panelIds, [this.#today()]);
    return asUsage(sumAll([...amounts.values()].map((days) => days[0] ?? zero())));
  }

  /** One row per calendar day of the month; `panelIds` are summed (the building, or one panel). */
  async monthlySummary(year: number, month: number, panelIds: readonly string[], panelId: string | null): Promise<MonthlySummary> {
    const days = daysOfMonth(year, month, this.deps.timezone);
    const perDay = await this.#summedPerDay(panelIds, days);
    // Day i of the month is the (i+1)-th: no time-zone conversion per day.
    const prefix = `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-`;
    const rows: DailyUsage[] = days.map((_, i) => ({ date: `${prefix}${String(i + 1).padStart(2, '0')}`, ...asUsage(perDay[i] ?? zero()) }));
    return { year, month, panelId, total: asUsage(sumAll(perDay)), days: rows };
  }

  /** One row per calendar month of the year; `panelIds` are summed. */
  async yearlySummary(year: number, panelIds: readonly string[], panelId: string | null): Promise<YearlySummary> {
    const days = daysOfYear(year, this.deps.timezone);
    const perDay = await this.#summedPerDay(panelIds, days);
    const perMonth = Array.from({ length: 12 }, zero);
    // Days and months are both in calendar order: walk them together.
    const monthStarts = monthsOfYear(year, this.deps.timezone).map((m) => m.start.getTime());
    let month = 0;
    days.forEach((day, i) => {
      while (month < 11 && day.start.getTime() >= monthStarts[month + 1]!) month++;
      add(perMonth[month]!, perDay[i] ?? zero());
    });
    const months: MonthlyUsage[] = perMonth.map((amount, i) => ({ month: i + 1, ...asUsage(amount) }));
    return { year, panelId, total: asUsage(sumAll(perMonth)), months };
  }

  /**
   * Fills the daily cache: today first (the dashboard's cards), then the earlier days of this
   * year (the summaries). Kept apart so a dashboard request never waits for the long year fill.
   */
  async warmUp(panelIds: readonly string[]): Promise<void> {
    const today = this.#today();
    await this.deps.cache.energy(panelIds, [today]);
    const year = Number(new Intl.DateTimeFormat('en', { timeZone: this.deps.timezone, year: 'numeric' }).format(today.start));
    const earlier = daysOfYear(year, this.deps.timezone).filter((day) => day.start < today.start);
    await this.deps.cache.energy(panelIds, earlier);
  }

  #today(): Period {
    const now = this.#now();
    const start = startOfLocalDay(now, this.deps.timezone);
    const end = startOfLocalDay(new Date(start.getTime() + 36 * 3_600_000), this.deps.timezone);
    return { start, end };
  }

  async #summedPerDay(panelIds: readonly string[], days: readonly Period[]): Promise<Amount[]> {
    const perPanel = await this.#amountsPerPanel(panelIds, days);
    const totals = days.map(zero);
    for (const amounts of perPanel.values()) amounts.forEach((amount, i) => add(totals[i]!, amount));
    return totals;
  }

  /** Energy and cost per panel per day. */
  async #amountsPerPanel(panelIds: readonly string[], days: readonly Period[]): Promise<Map<string, Amount[]>> {
    const energy = await this.deps.cache.energy(panelIds, days);
    const result = new Map<string, Amount[]>();
    const splitDays: number[] = [];
    const rates = days.map((day, i) => {
      const segments = this.deps.tariffs.segments(day.start, day.end);
      if (segments.length > 1) splitDays.push(i);
      return segments[0]?.ratePerKwh ?? this.deps.tariffs.currentRate;
    });
    for (const panelId of panelIds) {
      const kwh = energy.get(panelId) ?? [];
      result.set(panelId, days.map((_, i) => ({ energyKwh: kwh[i] ?? 0, cost: (kwh[i] ?? 0) * rates[i]! })));
    }
    // A day on which the tariff changed is priced piece by piece (rare: one day per change).
    for (const i of splitDays) {
      const day = days[i]!;
      const costs = new Map<string, number>();
      for (const segment of this.deps.tariffs.segments(day.start, day.end)) {
        const rows = await this.deps.store.energy({ panelIds, from: segment.from, to: segment.to, groupBy: 'total' });
        for (const row of rows) costs.set(row.panelId, (costs.get(row.panelId) ?? 0) + row.energyKwh * segment.ratePerKwh);
      }
      for (const panelId of panelIds) result.get(panelId)![i]!.cost = costs.get(panelId) ?? 0;
    }
    return result;
  }
}

function zero(): Amount {
  return { energyKwh: 0, cost: 0 };
}

function add(target: Amount, amount: Amount): void {
  target.energyKwh += amount.energyKwh;
  target.cost += amount.cost;
}

function sumAll(amounts: readonly Amount[]): Amount {
  const total = zero();
  for (const amount of amounts) add(total, amount);
  return total;
}

function asUsage(amount: Amount): Usage {
  return toUsage(amount.energyKwh, amount.cost);
}
