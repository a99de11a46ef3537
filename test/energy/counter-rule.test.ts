import { describe, expect, it } from 'vitest';
import { DEFAULT_COUNTER_RULE } from '../../src/models/energy.js';
import {
  applyCounterRule,
  isNormalStep,
  lowerBound,
  windowedEnergy,
  type CounterSample,
} from '../../src/services/energy/counter-rule.js';
import { randomCounterSeries } from '../support/counter-series.js';
import { seededRandom } from '../support/readings.js';

const rule = DEFAULT_COUNTER_RULE;
const T0 = Date.UTC(2025, 2, 10, 3, 0, 0); // 10:00 in Jakarta
const MIN = 60_000;

/** Readings one a minute (or at the given minute offsets) with a constant power. */
function series(values: readonly number[], powerKw: number, minutes?: readonly number[]): CounterSample[] {
  return values.map((energyKwh, i) => ({
    time: new Date(T0 + (minutes?.[i] ?? i) * MIN),
    energyKwh,
    activePowerKw: powerKw,
  }));
}

function counted(values: readonly number[], powerKw: number, minutes?: readonly number[]) {
  const result = applyCounterRule(series(values, powerKw, minutes), rule);
  return { increases: [...result.increaseKwh], glitches: [...result.glitch].map(Boolean) };
}

describe('isNormalStep', () => {
  const hour = 3_600_000;
  it('allows 0 up to max(pA, pB, minPowerKw) × ratio × hours, inclusive', () => {
    expect(isNormalStep(100, 5, 0, 100, 5, hour, rule)).toBe(true);
    expect(isNormalStep(100, 5, 0, 150, 5, hour, rule)).toBe(true); // 5 kW × 10 × 1 h = 50
    expect(isNormalStep(100, 5, 0, 150.001, 5, hour, rule)).toBe(false);
    expect(isNormalStep(100, 2, 0, 130, 3, hour, rule)).toBe(true); // the larger power (3 kW) bounds
    expect(isNormalStep(100, 0, 0, 110, 0, hour, rule)).toBe(true); // the 1 kW floor: up to 10
    expect(isNormalStep(100, 0, 0, 110.01, 0, hour, rule)).toBe(false);
  });

  it('rejects any decrease', () => {
    expect(isNormalStep(100, 5, 0, 99.999, 5, hour, rule)).toBe(false);
  });
});

describe('applyCounterRule: the README table', () => {
  it('normal: 0.1 at 10:01', () => {
    const { increases } = counted([100.0, 100.1], 6);
    expect(increases[0]).toBe(0);
    expect(increases[1]).toBeCloseTo(0.1, 12);
  });

  it('midnight: 0.05 counted at 00:00:30 from 23:59:30', () => {
    const { increases } = counted([100.0, 100.05], 3, [0, 1]);
    expect(increases[1]).toBeCloseTo(0.05, 12);
  });

  it('reset: 0.2 + 0 + 0.1 + 0.2 = 0.5', () => {
    const { increases, glitches } = counted([500.0, 500.2, 0.0, 0.1, 0.3], 12);
    expect(glitches).toEqual([false, false, false, false, false]);
    expect(increases.map((x) => Number(x.toFixed(9)))).toEqual([0, 0.2, 0, 0.1, 0.2]);
  });

  it('dip: the 0 is a glitch, 0.2 at the third reading', () => {
    const { increases, glitches } = counted([500.0, 0.0, 500.2], 12);
    expect(glitches).toEqual([false, true, false]);
    expect(increases[1]).toBe(0);
    expect(increases[2]).toBeCloseTo(0.2, 12);
  });

  it('spike: the spike is a glitch, 0.2 at the third reading', () => {
    const { increases, glitches } = counted([500.0, 99999.0, 500.2], 12);
    expect(glitches).toEqual([false, true, false]);
    expect(increases[2]).toBeCloseTo(0.2, 12);
  });

  it('new meter at a higher count: 0 then 0.1', () => {
    const { increases, glitches } = counted([500.0, 8000.0, 8000.1], 6);
    expect(glitches).toEqual([false, false, false]);
    expect(increases[1]).toBe(0);
    expect(increases[2]).toBeCloseTo(0.1, 12);
  });

  it('gap: 10 at 12:00 (plausible up to 100); 150 would not be', () => {
    expect(counted([100.0, 110.0], 5, [0, 120]).increases[1]).toBeCloseTo(10, 12);
    expect(counted([100.0, 250.0], 5, [0, 120]).increases[1]).toBe(0);
  });
});

describe('applyCounterRule: glitches', () => {
  it('never flags the newest reading: a trailing 0 counts 0 until the next reading arrives', () => {
    expect(counted([500.0, 500.1, 0], 12)).toEqual({ increases: [0, expect.closeTo(0.1, 12), 0], glitches: [false, false, false] });
    const later = counted([500.0, 500.1, 0, 500.3], 12);
    expect(later.glitches).toEqual([false, false, true, false]);
    expect(later.increases[3]).toBeCloseTo(0.2, 12);
  });

  it('never flags the first reading', () => {
    expect(counted([99999, 500, 500.1], 12).glitches[0]).toBe(false);
  });

  it('two consecutive glitches: lastCounted counts from the last counted reading, previousTwo from the earlier glitch', () => {
    // 100 → 50 abnormal, 100 → 100.1 normal: 50 is a glitch; 50 → 100.1 abnormal, 50 → 50.05
    // normal: 100.1 is a glitch too. 50.05 then counts from 100 (abnormal: 0) on the whole
    // series, but from 50 (0.05) with the stores' two-reading lookback.
    const s = series([100, 50, 100.1, 50.05, 50.15], 12);
    const exact = applyCounterRule(s, rule, 'lastCounted');
    const stores = applyCounterRule(s, rule, 'previousTwo');
    expect([...exact.glitch]).toEqual([0, 1, 1, 0, 0]);
    expect(exact.increaseKwh[3]).toBe(0);
    expect(stores.increaseKwh[3]).toBeCloseTo(0.05, 12);
    expect(exact.increaseKwh[4]).toBeCloseTo(0.1, 12);
    expect(stores.increaseKwh[4]).toBeCloseTo(0.1, 12);
  });

  it('handles empty and single-reading series', () => {
    expect(applyCounterRule([], rule).increaseKwh).toHaveLength(0);
    expect([...applyCounterRule(series([5], 1), rule).increaseKwh]).toEqual([0]);
  });
});

describe('windowedEnergy', () => {
  it('counts the first interval from the readings before `from` and sums per period', () => {
    // 10:00 100.0, 10:01 100.1, 10:02 100.3, 10:03 100.6; periods [10:01, 10:02), [10:02, 10:04)
    const s = series([100.0, 100.1, 100.3, 100.6], 6);
    const sums = windowedEnergy(s, [T0 + MIN, T0 + 2 * MIN, T0 + 4 * MIN], rule);
    expect(sums[0]).toBeCloseTo(0.1, 12);
    expect(sums[1]).toBeCloseTo(0.5, 12);
  });

  it('uses the first reading at or after `to` to flag the last reading inside as a glitch', () => {
    const s = series([500.0, 0.0, 500.2], 12);
    expect(windowedEnergy(s, [T0, T0 + 2 * MIN], rule)[0]).toBe(0);
    expect(windowedEnergy(s.slice(0, 2), [T0, T0 + 2 * MIN], rule)[0]).toBe(0); // no successor yet: abnormal, 0
    expect(windowedEnergy(s, [T0 + 2 * MIN, T0 + 3 * MIN], rule)[0]).toBeCloseTo(0.2, 12); // baseline over the glitch
  });

  it('returns no sums without periods, zeros without readings', () => {
    expect(windowedEnergy(series([1, 2], 6), [], rule)).toHaveLength(0);
    expect([...windowedEnergy([], [T0, T0 + MIN], rule)]).toEqual([0]);
  });

  it('equals the whole-series previousTwo rule summed per period (randomized, seeded)', () => {
    for (let seed = 1; seed <= 40; seed++) {
      const random = seededRandom(seed);
      const s = randomCounterSeries(random, { start: T0, count: 150 });
      const whole = applyCounterRule(s, rule, 'previousTwo');
      const first = s[0]!.time.getTime();
      const last = s.at(-1)!.time.getTime();
      const cuts = Array.from({ length: 4 }, () => Math.round(first - 3 * MIN + random() * (last - first + 6 * MIN)));
      const boundaries = [...new Set(cuts)].sort((a, b) => a - b);
      const sums = windowedEnergy(s, boundaries, rule);
      for (let k = 0; k + 1 < boundaries.length; k++) {
        let expected = 0;
        for (let i = lowerBound(s, boundaries[k]!); i < lowerBound(s, boundaries[k + 1]!); i++) expected += whole.increaseKwh[i]!;
        expect(sums[k], `seed ${seed} period ${k}`).toBeCloseTo(expected, 9);
      }
    }
  });

  it('agrees with the exact rule unless two consecutive readings are glitches (randomized, seeded)', () => {
    for (let seed = 1; seed <= 40; seed++) {
      const s = randomCounterSeries(seededRandom(seed), { start: T0, count: 200 });
      const exact = applyCounterRule(s, rule, 'lastCounted');
      const stores = applyCounterRule(s, rule, 'previousTwo');
      for (let i = 2; i < s.length; i++) {
        if (exact.glitch[i - 1] === 1 && exact.glitch[i - 2] === 1) continue;
        expect(stores.increaseKwh[i], `seed ${seed} reading ${i}`).toBe(exact.increaseKwh[i]);
      }
    }
  });
});
