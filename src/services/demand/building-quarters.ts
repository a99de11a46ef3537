import type { EnergyLedger, DayEnergy } from '../energy/energy-ledger.js';
import { QUARTERS } from '../energy/energy-ledger.js';

/** A demand window: a local quarter hour (docs/demand.md). */
export const WINDOW_MS = 900_000;
const HOUR_MS = 3_600_000;
/**
 * A panel's window is fully measured when the counted steps landing in it span the window within
 * this much: readings a minute apart span 15 minutes exactly, a meter whose clock drifts a few
 * seconds still counts, a missed half or a long gap does not.
 */
export const COMPLETE_TOLERANCE_MS = 60_000;

/**
 * One local day of a set of panels (one panel, or the building) per quarter hour: the summed
 * average kW and kVAr of the panels (coincident: the same window of every panel added up), how many
 * panels were fully measured in each window, and which panels had readings that day.
 */
export interface QuarterDay {
  readonly day: number;
  /** Σ over the panels of each panel's average kW in the window (counted kWh over the steps' span). */
  readonly kw: Float64Array;
  /** Σ of the panels' average reactive kVAr (estimated from the power factor on the same steps). */
  readonly kvar: Float64Array;
  /** Panels with steps in the window. */
  readonly measured: Uint16Array;
  /** Panels fully measured in the window (steps spanning it, see COMPLETE_TOLERANCE_MS). */
  readonly complete: Uint16Array;
  /** Indexes (into the panel list) of the panels with readings that day. */
  readonly panels: readonly number[];
}

/** Day-sets kept (a year of the building and of each panel for a few sets); beyond, the cache starts afresh. */
const DAYS_KEPT = 20_000;

interface Cached {
  readonly value: QuarterDay;
  /** The ledger's stamp of the day when it was summed. */
  readonly stamp: number;
}

/**
 * The ledger's quarter hours summed over sets of panels, kept per day while the ledger's stamp of
 * the day stays the same (no panel's figures of that day changed): a year of the building is 100 panels ×
 * 365 days × 96 windows to add up, and only today's entries change between two queries.
 */
export class BuildingQuarters {
  readonly #ledger: EnergyLedger;
  readonly #cache = new Map<string, Cached>();

  constructor(ledger: EnergyLedger) {
    this.#ledger = ledger;
  }

  /** One local day of the sum of `panelIds` (settle the ledger first). Shared: never mutate it. */
  day(panelIds: readonly string[], day: number, setKey = panelIds.join('\u0000')): QuarterDay {
    const key = `${day}|${setKey}`;
    const stamp = this.#ledger.dayStamp(day);
    const cached = this.#cache.get(key);
    if (cached?.stamp === stamp) return cached.value;
    const value = sumDay(day, panelIds.map((id) => this.#ledger.day(id, day)));
    if (this.#cache.size >= DAYS_KEPT) this.#cache.clear();
    this.#cache.set(key, { value, stamp });
    return value;
  }
}

function sumDay(day: number, entries: ReadonlyArray<DayEnergy | undefined>): QuarterDay {
  const kw = new Float64Array(QUARTERS);
  const kvar = new Float64Array(QUARTERS);
  const measured = new Uint16Array(QUARTERS);
  const complete = new Uint16Array(QUARTERS);
  const panels: number[] = [];
  entries.forEach((entry, p) => {
    if (!entry) return;
    panels.push(p);
    for (let q = 0; q < QUARTERS; q++) {
      const span = entry.quarterSpanMs[q]!;
      if (span <= 0) continue;
      const hours = span / HOUR_MS;
      kw[q]! += entry.quarterKwh[q]! / hours;
      kvar[q]! += entry.quarterKvarh[q]! / hours;
      measured[q]!++;
      if (Math.abs(span - WINDOW_MS) <= COMPLETE_TOLERANCE_MS) complete[q]!++;
    }
  });
  return { day, kw, kvar, measured, complete, panels };
}
