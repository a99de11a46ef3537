/** One counter reading: what the counting rule looks at. */
export interface CounterSample {
  readonly time: Date;
  readonly energyKwh: number;
  readonly activePowerKw: number;
}

export interface CounterSeriesOptions {
  /** Time of the first reading (ms). */
  readonly start: number;
  readonly count: number;
}

/**
 * A random meter history that exercises every branch of the counter rule: plausible increases
 * at a drifting power, gaps of hours and days, dips to 0, spikes, resets, replacement meters at a
 * higher count, pairs of consecutive glitches, and steps just inside or outside the power bound.
 * Sorted, one reading per timestamp, values rounded to Wh like real meters.
 */
export function randomCounterSeries(random: () => number, options: CounterSeriesOptions): CounterSample[] {
  const out: CounterSample[] = [];
  let t = options.start;
  let c = Math.round(random() * 10_000_000) / 1000;
  let p = 0.5 + random() * 15;
  const push = (time: number, energyKwh: number, activePowerKw: number) =>
    out.push({ time: new Date(time), energyKwh: Math.round(energyKwh * 1000) / 1000, activePowerKw });
  while (out.length < options.count) {
    const gapRoll = random();
    const dtMs =
      gapRoll < 0.03
        ? Math.round((1 + random() * 7) * 3_600_000) // hours
        : gapRoll < 0.04
          ? Math.round((1 + random() * 2) * 86_400_000) // days
          : Math.round((20 + random() * 280) * 1000); // 20 s .. 5 min
    const previousP = p;
    p = Math.max(0, Math.min(40, p + (random() - 0.5) * 3));
    t += dtMs;
    const hours = dtMs / 3_600_000;
    const roll = random();
    if (roll < 0.03) {
      push(t, 0, p); // dip to 0 (a glitch if the next reading is back)
      continue;
    }
    if (roll < 0.05) {
      push(t, c + 90_000 + random() * 10_000, p); // spike
      continue;
    }
    if (roll < 0.06) {
      // An oscillation making two consecutive glitches: a, a − 50, a + δ, then (next loop) the
      // series carries on from a − 50 + δ'.
      push(t, c - 50, p);
      t += Math.round((20 + random() * 100) * 1000);
      push(t, c + 0.01, p);
      c = c - 50 + 0.005;
      continue;
    }
    if (roll < 0.075) c = Math.round(random() * 3 * 1000) / 1000; // reset
    else if (roll < 0.085) c += 5_000 + random() * 5_000; // replacement meter at a higher count
    else {
      const bound = Math.max(previousP, p, 1) * 10 * hours;
      // Mostly well inside the bound, sometimes just over it (a jump that must count 0).
      c += random() < 0.03 ? bound * (1.0005 + random() * 0.01) : bound * random() * 0.12;
    }
    push(t, c, p);
  }
  return out;
}
