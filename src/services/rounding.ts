/**
 * Rounding for output. Every sum is taken over unrounded values; numbers are rounded only when
 * they leave the product, and parts that are shown next to their total are rounded together so
 * that they add up to it exactly (largest remainder).
 */

/**
 * Rounds half away from zero. A relative nudge of 1e-11 sends values like 1.0005 (stored as
 * 1.000499999…) and a mean computed by another engine in another order (9.924499999999 or
 * 9.9245000001) to the same side, so every store gives the same rounded figure.
 */
export function round(value: number, decimals: number): number {
  const factor = 10 ** decimals;
  const rounded = Math.round(value * factor * (1 + Math.sign(value) * 1e-11)) / factor;
  return Object.is(rounded, -0) ? 0 : rounded;
}

/**
 * Rounds each part so that the rounded parts add up to the rounded sum of the parts: floor every
 * part in units of 10^-decimals, then give the units still missing to the parts that lost most.
 */
export function roundParts(parts: readonly number[], decimals: number): number[] {
  const factor = 10 ** decimals;
  const total = Math.round(round(parts.reduce((sum, part) => sum + part, 0), decimals) * factor);
  const scaled = parts.map((part) => part * factor);
  // The nudge absorbs binary representation error only (29,450 × 1,035.78 is 3,050,372,099.9999996
  // cents): relative, and far below one unit even for a year's Rupiah (1e11 cents × 1e-12 = 0.1).
  const floors = scaled.map((part) => Math.floor(part + Math.max(1e-9, Math.abs(part) * 1e-12)));
  let missing = total - floors.reduce((sum, part) => sum + part, 0);
  const order = scaled
    .map((part, i) => ({ i, remainder: part - floors[i]! }))
    .sort((a, b) => (missing >= 0 ? b.remainder - a.remainder : a.remainder - b.remainder) || a.i - b.i);
  for (let k = 0; missing !== 0 && order.length > 0; k = (k + 1) % order.length) {
    const step = missing > 0 ? 1 : -1;
    floors[order[k]!.i]! += step;
    missing -= step;
  }
  return floors.map((units) => {
    const value = units / factor;
    return Object.is(value, -0) ? 0 : value;
  });
}
