import { TARIFF_BLOCKS } from '../../models/usage.js';
import type { HourlyPricing } from '../tariffs/tariff-pricing.js';
import { addPriced, addPricedHours } from './amount.js';

const BLOCKS = TARIFF_BLOCKS.length;

/**
 * The energy and money of each window of a history page, unrounded, per tariff block: what an
 * Amount per window held, packed in two Float64Arrays. A 30-day chart at 1 h is 720 windows, and
 * an Amount each (an object and two arrays) was a tenth of what a chart request allocated. Sums
 * are taken in the same order as Amount takes them (blocks hour by hour, then the blocks in
 * TARIFF_BLOCKS order), so a window's figures are bit for bit those an Amount would give.
 */
export class WindowAmounts {
  readonly #kwh: Float64Array;
  readonly #cost: Float64Array;

  constructor(readonly windows: number) {
    this.#kwh = new Float64Array(windows * BLOCKS);
    this.#cost = new Float64Array(windows * BLOCKS);
  }

  /** Adds hours [fromHour, toHour) of one day's kWh per local hour to window `w`, priced by that day's plan. */
  addHours(w: number, kwhPerHour: Float64Array, pricing: HourlyPricing, fromHour: number, toHour: number): void {
    addPricedHours(this.#kwh, this.#cost, w * BLOCKS, kwhPerHour, pricing, fromHour, toHour);
  }

  /** Adds one increase counted at local hour `hour` to window `w` (windows finer than an hour). */
  addIncrease(w: number, kwh: number, pricing: HourlyPricing, hour: number): void {
    addPriced(this.#kwh, this.#cost, w * BLOCKS, kwh, pricing, hour);
  }

  /** Window `w`'s kWh, as Amount.kwh sums it. */
  kwh(w: number): number {
    return total(this.#kwh, w * BLOCKS);
  }

  /** Window `w`'s Rupiah, as Amount.cost sums it. */
  cost(w: number): number {
    return total(this.#cost, w * BLOCKS);
  }
}

function total(sums: Float64Array, at: number): number {
  return sums[at]! + sums[at + 1]! + sums[at + 2]!;
}
