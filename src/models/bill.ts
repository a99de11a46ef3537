import type { TariffPlanView } from './tariff.js';
import type { BlockUsage, TariffBlock } from './usage.js';

export const BILL_LINE_KINDS = ['ENERGY', 'REACTIVE', 'MINIMUM_TOP_UP', 'TAX'] as const;
export type BillLineKind = (typeof BILL_LINE_KINDS)[number];

/** One line of a bill: quantity × rate = amount (Rupiah, rounded so the lines add up to the total). */
export interface BillLine {
  readonly kind: BillLineKind;
  /** The tariff block of an energy line; null for the others. */
  readonly block: TariffBlock | null;
  readonly description: string;
  /** kWh, kVArh, Rupiah (the base a tax is a percentage of) or kWh of the minimum. */
  readonly quantity: number;
  readonly unit: 'kWh' | 'kVArh' | 'Rp';
  /** Rupiah per unit, or the tax percentage for a TAX line. */
  readonly rate: number;
  /** Rupiah. */
  readonly amount: number;
  /** The local date from which the plan version priced on this line applies. */
  readonly planEffectiveFrom: string;
}

/** A month's bill as PLN computes it, for one panel or for the building. */
export interface Bill {
  readonly year: number;
  readonly month: number;
  /** null: the whole building, billed on its own totals (as PLN meters it), not the sum of panel bills. */
  readonly panelId: string | null;
  /** The first and last local dates of the month. */
  readonly from: string;
  readonly to: string;
  /** False while the month is still running (a month-to-date bill). */
  readonly complete: boolean;
  readonly energyKwh: number;
  readonly blocks: readonly BlockUsage[];
  readonly reactiveKvarh: number;
  /** True when some of the reactive energy was estimated from kW and power factor (no kVArh counter). */
  readonly reactiveEstimated: boolean;
  /** kWh / √(kWh² + kVArh²) over the month; null without energy. */
  readonly averagePowerFactor: number | null;
  readonly lines: readonly BillLine[];
  readonly subtotal: number;
  readonly tax: number;
  readonly total: number;
  /** The plan versions in force during the month. */
  readonly planVersions: readonly TariffPlanView[];
}

/** This month so far, and where it is heading. */
export interface BillProjection {
  readonly monthToDate: Bill;
  /** The month's total if the rest of it uses energy as the elapsed part did. Rupiah. */
  readonly projectedTotal: number;
  readonly projectedEnergyKwh: number;
  /** How much of the month has elapsed, 0-1. */
  readonly elapsedFraction: number;
}
