import { randomBytes } from 'node:crypto';
import { DateTime } from 'luxon';
import type { Reading } from '../../src/models/reading.js';

/** Overrides for makeReading; nested phase values may be given partially. */
export type ReadingOverrides = Partial<Omit<Reading, 'voltage' | 'current'>> & {
  readonly voltage?: Partial<Reading['voltage']>;
  readonly current?: Partial<Reading['current']>;
};

/** A plausible complete reading; every field can be overridden. */
export function makeReading(
  panelId: string,
  time: Date,
  energyKwh: number,
  activePowerKw = 6,
  overrides: ReadingOverrides = {},
): Reading {
  const { voltage, current, ...rest } = overrides;
  return {
    panelId,
    time,
    voltage: { l1: 229.5, l2: 230.25, l3: 231, average: 230.25, ...voltage },
    current: { l1: 8.5, l2: 9, l3: 9.25, average: 8.916666666666666, ...current },
    activePowerKw,
    apparentPowerKva: 6.5,
    energyKwh,
    powerFactor: 0.92,
    voltageUnbalance: 0.4,
    currentUnbalance: 1.2,
    reactiveEnergyKvarh: null,
    ...rest,
  };
}

/** A reading with every nullable field null. */
export function makeSparseReading(panelId: string, time: Date, energyKwh: number, activePowerKw = 6): Reading {
  const none = { l1: null, l2: null, l3: null, average: null };
  return {
    panelId,
    time,
    voltage: none,
    current: none,
    activePowerKw,
    apparentPowerKva: null,
    energyKwh,
    powerFactor: null,
    voltageUnbalance: null,
    currentUnbalance: null,
    reactiveEnergyKvarh: null,
  };
}

/** A panel id no other test (or earlier run against a shared broker or database) uses. */
export function uniquePanelId(label = 'PANEL'): string {
  return `${label}_${randomBytes(4).toString('hex').toUpperCase()}`;
}

/** `local('Asia/Jakarta')('2025-01-31 23:59:30')`: a local wall-clock time as an instant. */
export function local(zone: string): (wallClock: string) => Date {
  return (wallClock) => {
    const dt = DateTime.fromISO(wallClock.replace(' ', 'T'), { zone });
    if (!dt.isValid) throw new Error(`bad local time ${wallClock} in ${zone}: ${dt.invalidExplanation ?? ''}`);
    return dt.toJSDate();
  };
}

/** Small deterministic PRNG (mulberry32) so randomized tests can be replayed from their seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Fisher-Yates shuffle with the given random source (returns a new array). */
export function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
