import type { Usage } from '../../models/usage.js';

/** Rounds for output only; sums are always taken over unrounded values. */
export function toUsage(energyKwh: number, cost: number): Usage {
  return { energyKwh: round(energyKwh, 3), cost: round(cost, 2) };
}

function round(value: number, decimals: number): number {
  const factor = 10 ** decimals;
  // EPSILON nudges values like 1.0005 that binary floating point stores as 1.000499999…
  const rounded = Math.round((value + Math.sign(value) * Number.EPSILON * Math.abs(value)) * factor) / factor;
  return Object.is(rounded, -0) ? 0 : rounded;
}
