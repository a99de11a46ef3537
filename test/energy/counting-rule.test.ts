import { describe, expect, it } from 'vitest';
import { CounterWalk, isPlausibleStep, type CountingRuleParams } from '../../src/services/energy/counting-rule.js';
import { randomCounterSeries, type CounterSample } from '../support/counter-series.js';
import { seededRandom } from '../support/readings.js';
import { referenceIncreases } from '../support/reference-rule.js';

const rule: CountingRuleParams = { maxPowerRatio: 10, minPowerKw: 1, confirmReadings: 3 };
const T0 = Date.UTC(2025, 2, 10, 3, 0, 0); // 10:00 in Jakarta
const MIN = 60_000;
const HOUR = 3_600_000;

/** Readings one a minute (or at the given offsets in ms) at a constant power. */
function series(values: readonly number[], powerKw: number, offsetsMs?: readonly number[]): CounterSample[] {
  return values.map((energyKwh, i) => ({ time: new Date(T0 + (offsetsMs?.[i] ?? i * MIN)), energyKwh, activePowerKw: powerKw }));
}

/** What each reading counts, walked through the product's CounterWalk. */
function walk(samples: readonly CounterSample[], params: CountingRuleParams = rule): number[] {
  const index = new Map(samples.map((s, i) => [s.time.getTime(), i]));
  const counted = samples.map(() => 0);
  const w = new CounterWalk(params);
  for (const s of samples) {
    w.step(s.time.getTime(), s.energyKwh, s.activePowerKw, Number.NaN, (t, kwh) => {
      counted[index.get(t)!]! += kwh;
    });
  }
  return counted;
}

const rounded = (values: readonly number[]) => values.map((v) => Math.round(v * 1e9) / 1e9);
const total = (values: readonly number[]) => values.reduce((a, b) => a + b, 0);

describe('isPlausibleStep', () => {
  it('allows 0 up to max(pA, pB, minPowerKw) × ratio × hours, inclusive', () => {
    expect(isPlausibleStep(0, 100, 5, HOUR, 100, 5, rule)).toBe(true);
    expect(isPlausibleStep(0, 100, 5, HOUR, 150, 5, rule)).toBe(true); // 5 kW × 10 × 1 h = 50
    expect(isPlausibleStep(0, 100, 5, HOUR, 150.001, 5, rule)).toBe(false);
    expect(isPlausibleStep(0, 100, 2, HOUR, 130, 3, rule)).toBe(true); // the larger power bounds
    expect(isPlausibleStep(0, 100, 0, HOUR, 110, 0, rule)).toBe(true); // the 1 kW floor: up to 10
    expect(isPlausibleStep(0, 100, 0, HOUR, 110.01, 0, rule)).toBe(false);
  });

  it('refuses any decrease', () => {
    expect(isPlausibleStep(0, 100, 5, HOUR, 99.999, 5, rule)).toBe(false);
  });
});

describe('the examples of docs/counting-rule.md (one reading a minute, 12 kW unless said)', () => {
  it('normal: 100.0, 100.1 counts 0.1', () => {
    expect(rounded(walk(series([100.0, 100.1], 12)))).toEqual([0, 0.1]);
  });

  it('local midnight: 23:59:30 100.0, 00:00:30 100.05 counts 0.05 at the second', () => {
    expect(rounded(walk(series([100.0, 100.05], 12)))).toEqual([0, 0.05]);
  });

  it('reset: 500.0, 500.2, 0.0, 0.1, 0.3 counts 0.2, then 0, 0.1, 0.2 once 0.3 confirms: 0.5', () => {
    const samples = series([500.0, 500.2, 0.0, 0.1, 0.3], 12);
    expect(rounded(walk(samples))).toEqual([0, 0.2, 0, 0.1, 0.2]);
    // Before 0.3 arrives, 0.0 and 0.1 are pending and count nothing yet.
    expect(rounded(walk(samples.slice(0, 4)))).toEqual([0, 0.2, 0, 0]);
  });

  it('dip: 500.0, 0.0, 500.2 counts 0.2', () => {
    expect(rounded(walk(series([500.0, 0.0, 500.2], 12)))).toEqual([0, 0, 0.2]);
  });

  it('spike: 500.0, 99999, 500.2 counts 0.2', () => {
    expect(rounded(walk(series([500.0, 99_999, 500.2], 12)))).toEqual([0, 0, 0.2]);
  });

  it('two glitches in a row: 500.0, 0.0, 99999, 500.3 counts 0.3', () => {
    expect(rounded(walk(series([500.0, 0.0, 99_999, 500.3], 12)))).toEqual([0, 0, 0, 0.3]);
  });

  it('replaced meter at a higher count: 500.0, 8000.0, 8000.1, 8000.2 counts 0, 0.1, 0.1', () => {
    expect(rounded(walk(series([500.0, 8000.0, 8000.1, 8000.2], 12)))).toEqual([0, 0, 0.1, 0.1]);
  });

  it('dip between sparse readings (20 kW, 5 h apart): 1000, 1050, 0, 1150, 1200 counts 50 + 100 + 50 = 200', () => {
    const samples = series([1000, 1050, 0, 1150, 1200], 20, [0, 5, 10, 15, 20].map((h) => h * HOUR));
    expect(rounded(walk(samples))).toEqual([0, 50, 0, 100, 50]);
    expect(total(walk(samples))).toBeCloseTo(200, 9);
  });

  it('gap (5 kW): 10:00 100.0, 12:00 110.0 counts 10 at 12:00', () => {
    expect(rounded(walk(series([100.0, 110.0], 5, [0, 2 * HOUR])))).toEqual([0, 10]);
  });

  it("the issue's spike before a long gap: 37.960, 6773.166, 39.206, then 21 h later 11141.146 (20 kW)", () => {
    const samples = series([37.96, 6773.166, 39.206, 11_141.146], 20, [0, MIN, 2 * MIN, 2 * MIN + 21 * HOUR]);
    // The spike is a glitch; the last step (11,102 kWh in 21 h, bound 4,200) is implausible: pending.
    expect(rounded(walk(samples))).toEqual([0, 0, 1.246, 0]);
  });

  it('an implausible step is never counted: a lone jump stays pending', () => {
    expect(rounded(walk(series([100, 5000, 5000.1], 12)))).toEqual([0, 0, 0]);
  });
});

describe('confirmReadings', () => {
  it('1: every implausible reading is a new level at once', () => {
    expect(rounded(walk(series([500.0, 0.0, 0.1], 12), { ...rule, confirmReadings: 1 }))).toEqual([0, 0, 0.1]);
  });

  it('2: two plausible pending readings confirm a reset', () => {
    expect(rounded(walk(series([500.0, 0.0, 0.1, 0.2], 12), { ...rule, confirmReadings: 2 }))).toEqual([0, 0, 0.1, 0.1]);
  });

  it('4: three are not enough, four are', () => {
    const samples = series([500.0, 0.0, 0.1, 0.2, 0.3], 12);
    expect(rounded(walk(samples.slice(0, 4), { ...rule, confirmReadings: 4 }))).toEqual([0, 0, 0, 0]);
    expect(rounded(walk(samples, { ...rule, confirmReadings: 4 }))).toEqual([0, 0, 0.1, 0.1, 0.1]);
  });
});

describe('the walk against an independent reference, on random histories', () => {
  for (const confirmReadings of [1, 2, 3, 4]) {
    for (const seed of [1, 2, 3, 4, 5]) {
      it(`confirmReadings ${confirmReadings}, seed ${seed}: every reading counts the same`, () => {
        const params = { ...rule, confirmReadings };
        const samples = randomCounterSeries(seededRandom(seed * 31 + confirmReadings), { start: T0, count: 3_000 });
        const expected = referenceIncreases(samples, params);
        const got = walk(samples, params);
        for (let i = 0; i < samples.length; i++) expect(got[i], `reading ${i}`).toBeCloseTo(expected[i]!, 9);
        expect(expected.some((x) => x > 0)).toBe(true);
      });
    }
  }

  it('a walk restored from a snapshot continues exactly as the original', () => {
    const samples = randomCounterSeries(seededRandom(99), { start: T0, count: 2_000 });
    const whole = walk(samples);
    for (const cut of [1, 17, 500, 1_234, 1_999]) {
      const first = new CounterWalk(rule);
      const index = new Map(samples.map((s, i) => [s.time.getTime(), i]));
      const counted = samples.map(() => 0);
      const sink = (t: number, kwh: number) => {
        counted[index.get(t)!]! += kwh;
      };
      for (const s of samples.slice(0, cut)) first.step(s.time.getTime(), s.energyKwh, s.activePowerKw, 0, sink);
      const second = new CounterWalk(rule, first.snapshot());
      expect(second.equals(first.snapshot())).toBe(true);
      for (const s of samples.slice(cut)) second.step(s.time.getTime(), s.energyKwh, s.activePowerKw, 0, sink);
      expect(counted).toEqual(whole);
    }
  });
});
