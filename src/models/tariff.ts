import type { TariffBlock } from './usage.js';

/** The rate of one tariff block and when it applies. */
export interface BlockRate {
  readonly block: TariffBlock;
  /** Rp/kWh. */
  readonly ratePerKwh: number;
  /** Local hours as `HH:00-HH:00` (the whole day for FLAT, the rest of the day for LWBP). */
  readonly hours: string;
}

/** One version of the site's tariff plan, as the API shows it. */
export interface TariffPlanView {
  /** The local date (YYYY-MM-DD) from which it applies; the first version also covers earlier days. */
  readonly effectiveFrom: string;
  readonly name: string | null;
  readonly kind: 'FLAT' | 'TIME_OF_USE';
  readonly blocks: readonly BlockRate[];
  /** K of a time-of-use plan: WBP rate = K × LWBP rate. */
  readonly peakMultiplier: number | null;
  /** Rp per excess kVArh; null when reactive energy is not billed. */
  readonly reactiveRatePerKvarh: number | null;
  /** Connected power (kVA) for the minimum bill; null when there is none. */
  readonly minimumBillConnectedKva: number | null;
  readonly minimumBillHours: number | null;
  readonly taxPercent: number;
  readonly recordedAt: Date;
  readonly recordedBy: string;
}

export interface Tariff {
  readonly currency: string;
  /** The timezone days, months and tariff hours are counted in. */
  readonly timezone: string;
  /** Today's base rate: the flat rate, or LWBP. Rp/kWh. */
  readonly ratePerKwh: number;
  readonly current: TariffPlanView;
  /** Every version, oldest first. */
  readonly versions: readonly TariffPlanView[];
}
