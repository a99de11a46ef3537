import { z } from 'zod';
import { displayText } from './display-text.js';

/**
 * The grid emission factor: kg CO₂e emitted per kWh taken from the grid (numerically the same as
 * t CO₂e/MWh). Admins record versions with an effective date, like tariff plans; a version applies
 * from its date until the next one, and only ever from a future day, so no figure of energy already
 * used changes. This zod schema is the shape of the change in the admin record (models/admin-change.ts).
 */

/** Indonesia's JAMALI grid (Java-Madura-Bali), 2012 data: the factor used until an admin records another. */
export const DEFAULT_EMISSION_FACTOR = {
  tonnesCo2ePerMwh: 0.814,
  source: "JAMALI grid 0.814 t CO₂e/MWh, Indonesia's second Biennial Update Report to the UNFCCC (2018, 2012 data)",
} as const;

export const emissionFactorChangeSchema = z.object({
  kind: z.literal('emission.factor'),
  /** Local date (YYYY-MM-DD) from which the factor applies. */
  effectiveFrom: z.iso.date(),
  /** t CO₂e per MWh = kg CO₂e per kWh. Grids range from about 0 (hydro, nuclear) to about 1.3 (lignite). */
  tonnesCo2ePerMwh: z.number().finite().min(0).max(2),
  /** Where the figure comes from (a publication, a year), shown next to every figure it gives. */
  source: displayText(300, 1),
});

export type EmissionFactorChange = z.output<typeof emissionFactorChangeSchema>;

/** One version of the factor as the API shows it. */
export interface EmissionFactorView {
  /** Local date; the first version also covers every earlier day ('2000-01-01' for the default). */
  readonly effectiveFrom: string;
  readonly tonnesCo2ePerMwh: number;
  readonly source: string;
  readonly recordedAt: Date;
  /** "default" for the built-in factor, else who recorded it. */
  readonly recordedBy: string;
}

/** The emissions of an energy figure and the factors they were computed with. */
export interface Emissions {
  /** kg CO₂e, rounded to 3 decimals. */
  readonly co2eKg: number;
  /** The factor versions in force on the figure's days, oldest first: more than one when the period spans a change. */
  readonly factors: readonly EmissionFactorView[];
}
