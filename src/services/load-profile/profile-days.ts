import type { OperatingHours } from '../../config/operating-hours.js';
import { Amount } from '../energy/amount.js';
import type { EnergyLedger } from '../energy/energy-ledger.js';
import type { HourlyPricing } from '../tariffs/tariff-pricing.js';

/** One local day of a set of panels, as the load profile adds it up. Shared: never mutate it. */
export interface ProfileDay {
  /** Whether any panel of the set has readings that day. */
  readonly hasData: boolean;
  /** Σ over the panels of the kWh the counting rule counted per local hour (24, by wall clock). */
  readonly hourKwh: Float64Array;
  /** On a working day: the energy and cost of the hours before and after the operating hours. */
  readonly outsideWorkingHours: Amount;
}

/** Day-sets kept (a year of the building and of each panel for a few sets); beyond, the cache starts afresh. */
const DAYS_KEPT = 20_000;

interface Kept {
  readonly stamp: number;
  readonly pricing: HourlyPricing;
  readonly value: ProfileDay;
}

/**
 * The ledger's hours summed over sets of panels per day, kept while the ledger's stamp of the day
 * and the day's pricing stay the same: a year of the building's load profile is 100 panels ×
 * 365 days × 24 hours to add up, and only today changes between two requests.
 */
export class ProfileDays {
  readonly #ledger: EnergyLedger;
  readonly #hours: OperatingHours;
  readonly #cache = new Map<string, Kept>();

  constructor(ledger: EnergyLedger, hours: OperatingHours) {
    this.#ledger = ledger;
    this.#hours = hours;
  }

  /** One local day of the sum of `panelIds` (settle the ledger first); `setKey` names the set. */
  day(panelIds: readonly string[], day: number, setKey: string, pricing: HourlyPricing): ProfileDay {
    const key = `${day}|${setKey}`;
    const stamp = this.#ledger.dayStamp(day);
    const kept = this.#cache.get(key);
    if (kept && kept.stamp === stamp && kept.pricing === pricing) return kept.value;
    const value = this.#sum(panelIds, day, pricing);
    if (this.#cache.size >= DAYS_KEPT) this.#cache.clear();
    this.#cache.set(key, { stamp, pricing, value });
    return value;
  }

  #sum(panelIds: readonly string[], day: number, pricing: HourlyPricing): ProfileDay {
    const hourKwh = new Float64Array(24);
    const outside = new Amount().usePricing(pricing);
    const { startHour, endHour } = this.#hours;
    let hasData = false;
    for (const id of panelIds) {
      const entry = this.#ledger.day(id, day);
      if (!entry) continue;
      hasData = true;
      outside.addHours(entry.kwh, pricing, 0, startHour).addHours(entry.kwh, pricing, endHour, 24);
      for (let h = 0; h < 24; h++) hourKwh[h]! += entry.kwh[h]!;
    }
    return { hasData, hourKwh, outsideWorkingHours: outside };
  }
}
