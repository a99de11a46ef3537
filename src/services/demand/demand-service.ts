import type { DemandPeak, PeakDemand } from '../../models/insights.js';
import { dayNumberOf, daysInMonth, isoDate, type LocalTime } from '../../time/local-time.js';
import { QUARTERS } from '../energy/energy-ledger.js';
import type { EnergyService } from '../energy/energy-service.js';
import { round } from '../rounding.js';
import type { BuildingQuarters} from './building-quarters.js';
import { WINDOW_MS, type QuarterDay } from './building-quarters.js';

export interface DemandServiceDeps {
  readonly energy: EnergyService;
  readonly quarters: BuildingQuarters;
  readonly time: LocalTime;
  readonly now?: () => number;
}

/** The running peak of a period, unrounded. */
interface Peak {
  start: number;
  kw: number;
  kva: number;
  complete: boolean;
}

/**
 * Peak demand (docs/demand.md): the highest 15-minute average kW of a period, as utilities measure
 * demand, from the counting rule's increases per local quarter hour (the energy ledger), and the
 * highest kVA. For several panels the windows are added up first and the peak taken of the sum
 * (coincident demand), never the sum of each panel's own peak.
 */
export class DemandService {
  readonly #deps: DemandServiceDeps;
  readonly #now: () => number;

  constructor(deps: DemandServiceDeps) {
    this.#deps = deps;
    this.#now = deps.now ?? Date.now;
  }

  /**
   * The month's peak with each of its days', or (month null) the year's with each of its months'.
   * `panelIds` are summed (one panel, or the building); `panelId` is echoed (null: the building).
   */
  async peakDemand(panelIds: readonly string[], panelId: string | null, year: number, month: number | null): Promise<PeakDemand> {
    await this.#deps.energy.settled(panelIds);
    const setKey = panelIds.join('\u0000');
    if (month !== null) {
      const first = dayNumberOf(year, month, 1);
      const days = await this.#days(panelIds, setKey, first, first + daysInMonth(year, month));
      const parts = days.map((day) => this.#period(panelIds, panelId, [day], []));
      return this.#period(panelIds, panelId, days, parts);
    }
    const all: QuarterDay[] = [];
    const parts: PeakDemand[] = [];
    for (let m = 1; m <= 12; m++) {
      const first = dayNumberOf(year, m, 1);
      const days = await this.#days(panelIds, setKey, first, first + daysInMonth(year, m));
      all.push(...days);
      parts.push(this.#period(panelIds, panelId, days, []));
    }
    return this.#period(panelIds, panelId, all, parts);
  }

  async #days(panelIds: readonly string[], setKey: string, from: number, to: number): Promise<QuarterDay[]> {
    const out: QuarterDay[] = [];
    for (let day = from; day < to; day++) {
      await this.#deps.energy.slices.breathe();
      out.push(this.#deps.quarters.day(panelIds, day, setKey));
    }
    return out;
  }

  /**
   * One period: a window is complete when every panel with readings in the period was fully
   * measured in it; the peak is taken over every window with readings (a window across a gap holds
   * the gap's average, never a spike), and says whether its own window was complete.
   */
  #period(panelIds: readonly string[], panelId: string | null, days: readonly QuarterDay[], parts: PeakDemand[]): PeakDemand {
    const time = this.#deps.time;
    const now = this.#now();
    const withData = new Set<number>();
    for (const day of days) for (const p of day.panels) withData.add(p);
    const needed = withData.size;
    let expected = 0;
    let complete = 0;
    let measured = 0;
    let peakKw: Peak | null = null;
    let peakKva: Peak | null = null;
    for (const day of days) {
      const start = time.dayStart(day.day);
      const end = time.dayStart(day.day + 1);
      expected += Math.max(0, Math.min(QUARTERS, Math.floor((Math.min(now, end) - start) / WINDOW_MS)));
      for (let q = 0; q < QUARTERS; q++) {
        if (day.measured[q] === 0) continue;
        measured++;
        const isComplete = day.complete[q] === needed;
        if (isComplete) complete++;
        const kw = day.kw[q]!;
        const kva = Math.hypot(kw, day.kvar[q]!);
        if (peakKw === null || kw > peakKw.kw) peakKw = { start: start + q * WINDOW_MS, kw, kva, complete: isComplete };
        if (peakKva === null || kva > peakKva.kva) peakKva = { start: start + q * WINDOW_MS, kw, kva, complete: isComplete };
      }
    }
    return {
      panelId,
      firstDay: isoDate(days[0]!.day),
      lastDay: isoDate(days[days.length - 1]!.day),
      panelCount: panelIds.length,
      peak: shown(peakKw),
      apparentPeak: shown(peakKva),
      windowsExpected: expected,
      windowsMeasured: measured,
      windowsComplete: complete,
      parts,
    };
  }
}

function shown(peak: Peak | null): DemandPeak | null {
  return peak === null ? null : { start: new Date(peak.start), kw: round(peak.kw, 3), kva: round(peak.kva, 3), complete: peak.complete };
}
