import type { Pricing, TimeOfUsePricing } from '../../models/tariff-plan.js';
import type { TariffBlock } from '../../models/usage.js';

/** What a kWh costs at each local hour under a tariff plan (models/tariff-plan.ts). */


/** The reactive threshold: tan(arccos 0.85) ≈ 0.6197; PLN's bills use 0.62. */
export const REACTIVE_ALLOWANCE_RATIO = 0.62;
/** The power factor below which excess reactive energy is billed. */
export const REACTIVE_PF_THRESHOLD = 0.85;

/** Per local hour (0-23): the rate and the block of a plan's pricing. */
export interface HourlyPricing {
  readonly rates: Float64Array;
  readonly blocks: readonly TariffBlock[];
  /** The blocks this pricing uses, in TARIFF_BLOCKS order. */
  readonly usedBlocks: readonly TariffBlock[];
}

export function hourlyPricing(pricing: Pricing): HourlyPricing {
  const rates = new Float64Array(24);
  const blocks: TariffBlock[] = [];
  if (pricing.kind === 'flat') {
    rates.fill(pricing.ratePerKwh);
    for (let h = 0; h < 24; h++) blocks.push('FLAT');
    return { rates, blocks, usedBlocks: ['FLAT'] };
  }
  for (let h = 0; h < 24; h++) {
    const peak = isPeakHour(pricing, h);
    rates[h] = peak ? pricing.offPeakRatePerKwh * pricing.peakMultiplier : pricing.offPeakRatePerKwh;
    blocks.push(peak ? 'WBP' : 'LWBP');
  }
  return { rates, blocks, usedBlocks: ['LWBP', 'WBP'] };
}

/** Whether local hour `h` (0-23) is in the peak window (which may wrap midnight, e.g. 22-6). */
export function isPeakHour(pricing: TimeOfUsePricing, h: number): boolean {
  const start = pricing.peakStartHour;
  const end = pricing.peakEndHour % 24;
  return start < end ? h >= start && h < end : h >= start || h < end;
}

/** The rate the minimum bill and the flat view use: the flat rate, or LWBP. */
export function baseRate(pricing: Pricing): number {
  return pricing.kind === 'flat' ? pricing.ratePerKwh : pricing.offPeakRatePerKwh;
}

/** The rate of a block under a pricing (null when the pricing has no such block). */
export function blockRate(pricing: Pricing, block: TariffBlock): number | null {
  if (pricing.kind === 'flat') return block === 'FLAT' ? pricing.ratePerKwh : null;
  if (block === 'LWBP') return pricing.offPeakRatePerKwh;
  if (block === 'WBP') return pricing.offPeakRatePerKwh * pricing.peakMultiplier;
  return null;
}
