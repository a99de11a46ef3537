import { TARIFF_BLOCKS, type TariffBlock, type Usage } from '../../models/usage.js';
import { emissionFactorView, type EmissionFactorVersion } from '../emissions/emission-schedule.js';
import { round, roundParts } from '../rounding.js';
import type { HourlyPricing } from '../tariffs/tariff-pricing.js';

const BLOCK_INDEX: Readonly<Record<TariffBlock, number>> = { LWBP: 0, WBP: 1, FLAT: 2 };

/**
 * Energy and money of a period, unrounded, per tariff block; the totals are the sums of the
 * blocks. Every figure the API shows is a sum of these in one fixed order (hours within a day,
 * panels by id within a day, days in calendar order), so the same period gives the same number
 * whichever query asks for it.
 */
export class Amount {
  readonly blockKwh = [0, 0, 0];
  readonly blockCost = [0, 0, 0];
  /** Which blocks the plans in force in the period use (bit per TARIFF_BLOCKS index). */
  blocksUsed = 0;
  /** kg CO₂e: each day's kWh × that day's grid emission factor (set by withEmissionFactor, summed by add). */
  co2eKg = 0;
  /** The emission factor versions of the period's days, oldest first; null: not a figure of whole days (no emissions). */
  emissionFactors: readonly EmissionFactorVersion[] | null = null;

  get kwh(): number {
    return this.blockKwh[0]! + this.blockKwh[1]! + this.blockKwh[2]!;
  }

  get cost(): number {
    return this.blockCost[0]! + this.blockCost[1]! + this.blockCost[2]!;
  }

  /** Adds hours [fromHour, toHour) of one day's kWh per local hour, priced by that day's plan. */
  addHours(kwhPerHour: Float64Array, pricing: HourlyPricing, fromHour = 0, toHour = 24): this {
    addPricedHours(this.blockKwh, this.blockCost, 0, kwhPerHour, pricing, fromHour, toHour);
    return this.usePricing(pricing);
  }

  /** Adds one increase counted at local hour `hour` (windows finer than an hour). */
  addIncrease(kwh: number, pricing: HourlyPricing, hour: number): this {
    addPriced(this.blockKwh, this.blockCost, 0, kwh, pricing, hour);
    return this.usePricing(pricing);
  }

  /** Marks the blocks of a plan in force in the period, used or not. */
  usePricing(pricing: HourlyPricing): this {
    for (const block of pricing.usedBlocks) this.blocksUsed |= 1 << BLOCK_INDEX[block];
    return this;
  }

  /**
   * Sets one local day's emissions from its energy and the day's emission factor version: call it
   * once the day's energy is all added (a period's emissions are then the sum of its days').
   */
  withEmissionFactor(version: EmissionFactorVersion): this {
    this.co2eKg = this.kwh * version.kgPerKwh;
    this.emissionFactors = [version];
    return this;
  }

  add(other: Amount): this {
    for (let b = 0; b < 3; b++) {
      this.blockKwh[b]! += other.blockKwh[b]!;
      this.blockCost[b]! += other.blockCost[b]!;
    }
    this.blocksUsed |= other.blocksUsed;
    this.co2eKg += other.co2eKg;
    this.emissionFactors = mergeFactors(this.emissionFactors, other.emissionFactors);
    return this;
  }

  /** Rounded for output: kWh to 3 decimals, Rupiah to 2; the shown blocks add up to the totals. */
  toUsage(): Usage {
    const shown = TARIFF_BLOCKS.map((block, b) => ({ block, b })).filter(({ b }) => (this.blocksUsed & (1 << b)) !== 0);
    const kwh = roundParts(shown.map(({ b }) => this.blockKwh[b]!), 3);
    const cost = roundParts(shown.map(({ b }) => this.blockCost[b]!), 2);
    return {
      energyKwh: round(this.kwh, 3),
      cost: round(this.cost, 2),
      blocks: shown.map(({ block }, i) => ({ block, energyKwh: kwh[i]!, cost: cost[i]! })),
      emissions: this.emissionFactors === null ? null : { co2eKg: round(this.co2eKg, 3), factors: this.emissionFactors.map(emissionFactorView) },
    };
  }
}

/** Sums per tariff block, TARIFF_BLOCKS.length of them from an offset: an Amount's, or a window's in WindowAmounts. */
export type BlockSums = { [block: number]: number };

/**
 * Adds `kwh` counted at local hour `hour` to the block sums at `at`, priced by `pricing`: the one
 * place an increase becomes energy and money of a tariff block.
 */
export function addPriced(kwhSums: BlockSums, costSums: BlockSums, at: number, kwh: number, pricing: HourlyPricing, hour: number): void {
  const b = at + BLOCK_INDEX[pricing.blocks[hour]!];
  kwhSums[b]! += kwh;
  costSums[b]! += kwh * pricing.rates[hour]!;
}

/** `addPriced` for hours [fromHour, toHour) of one day's kWh per local hour, in hour order. */
export function addPricedHours(kwhSums: BlockSums, costSums: BlockSums, at: number, kwhPerHour: Float64Array, pricing: HourlyPricing, fromHour: number, toHour: number): void {
  for (let h = fromHour; h < toHour; h++) {
    const kwh = kwhPerHour[h]!;
    if (kwh !== 0) addPriced(kwhSums, costSums, at, kwh, pricing, h);
  }
}

/** The union of two lists of factor versions, oldest first (days are usually added in order: the common case is one shared version). */
function mergeFactors(
  a: readonly EmissionFactorVersion[] | null,
  b: readonly EmissionFactorVersion[] | null,
): readonly EmissionFactorVersion[] | null {
  if (b === null || b.length === 0) return a;
  if (a === null || a.length === 0) return b;
  if (b.every((version) => a.includes(version))) return a;
  return [...new Set([...a, ...b])].sort((x, y) => x.effectiveFrom - y.effectiveFrom);
}
