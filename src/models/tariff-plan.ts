import { z } from 'zod';
import { displayText } from './display-text.js';

/**
 * A PLN tariff plan: flat (one rate all day) or time-of-use (off-peak LWBP at a base rate, the
 * peak window WBP at K × that rate), with the monthly bill's optional terms: the excess reactive
 * energy charge, the minimum bill and the street-lighting tax. This zod schema is the one source of
 * truth of a plan's shape for the configuration, the admin mutation and the stored record alike.
 */

const rate = z.number().finite().positive().max(1_000_000);
const hour = z.number().int().min(0).max(24);

export const flatPricingSchema = z.object({
  kind: z.literal('flat'),
  /** Rp/kWh all day. */
  ratePerKwh: rate,
});

export const timeOfUsePricingSchema = z
  .object({
    kind: z.literal('time-of-use'),
    /** LWBP rate, Rp/kWh. */
    offPeakRatePerKwh: rate,
    /** K: the peak (WBP) rate is K × the LWBP rate. PLN sets 1.4-2 per region. */
    peakMultiplier: z.number().finite().min(1).max(5),
    /** The peak window in local time, whole hours: [peakStartHour, peakEndHour), may wrap midnight. */
    peakStartHour: hour.max(23),
    peakEndHour: hour.min(1),
  })
  .refine((p) => p.peakStartHour !== p.peakEndHour % 24, { message: 'the peak window must not be empty or the whole day' });

export const pricingSchema = z.discriminatedUnion('kind', [flatPricingSchema, timeOfUsePricingSchema]);

export const tariffPlanSchema = z.object({
  /** A label for people, e.g. "B-3 TM, Jawa-Bali 2026". */
  name: displayText(120).nullable().default(null),
  pricing: pricingSchema,
  /**
   * Rp per kVArh of excess reactive energy: when the month's average power factor is below 0.85,
   * the kVArh above 0.62 × kWh (tan(arccos 0.85) ≈ 0.62) is charged. null: not billed.
   */
  reactiveRatePerKvarh: rate.nullable().default(null),
  /** Rekening minimum: the month costs at least `hours` × connected kVA × the (LWBP) rate. null: none. */
  minimumBill: z
    .object({ connectedKva: z.number().finite().positive().max(10_000_000), hours: z.number().finite().positive().max(744).default(40) })
    .nullable()
    .default(null),
  /** Street-lighting tax (PPJ / PBJT tenaga listrik), percent of the bill before tax. */
  taxPercent: z.number().finite().min(0).max(100).default(0),
});

export type TariffPlan = z.output<typeof tariffPlanSchema>;
export type TariffPlanInput = z.input<typeof tariffPlanSchema>;
export type Pricing = TariffPlan['pricing'];
export type TimeOfUsePricing = z.output<typeof timeOfUsePricingSchema>;
