import { DateTime } from 'luxon';

/**
 * A deterministic simulated power meter for one panel of an Indonesian office building.
 *
 * Every value is a pure function of (seed, panel id, time): the random numbers come from a
 * counter-based PRNG (a hash of seed, panel, channel and time index) rather than a stateful
 * generator. That is what gives counter continuity for free: a backfill, the live simulator started
 * after it, and the product restarted next week all read the same kWh counter at the same instant,
 * whatever steps they took to get there.
 *
 * The counter is the exact integral of a smooth mean power curve (piecewise quadratic, integrated
 * with Simpson's rule, which is exact for quadratics), so it does not depend on the step size. The
 * reported kW is that mean plus a little per-second jitter, as a real meter's instantaneous reading
 * fluctuates around the power its energy register integrates.
 */

/** One sample of the meter, before rounding to the payload format. */
export interface MeterState {
  readonly panelId: string;
  /** The meter's sampling instant (whole seconds: the meter's clock has no finer resolution). */
  readonly time: Date;
  /** Phase voltages L1, L2, L3 (V). */
  readonly voltage: readonly [number, number, number];
  /** Phase currents L1, L2, L3 (A). */
  readonly current: readonly [number, number, number];
  readonly powerKw: number;
  /** Apparent power: `powerKw / powerFactor`, so never below `powerKw`. */
  readonly apparentPowerKva: number;
  /** Cumulative energy counter (kWh), non-decreasing in time. */
  readonly energyKwh: number;
  readonly powerFactor: number;
  /** Largest deviation of a phase from the average, relative to the average. */
  readonly voltageUnbalance: number;
  readonly currentUnbalance: number;
}

export interface MeterModelOptions {
  readonly panelId: string;
  /** IANA timezone of the site; the load profile follows its local clock. */
  readonly timezone: string;
  /** Selects a different, equally deterministic building. Default 1. */
  readonly seed?: number;
}

export interface MeterModel {
  readonly panelId: string;
  /** The meter's state at `at` (floored to the second). Any order and any step size are allowed. */
  next(at: Date): MeterState;
}

const MS_PER_HOUR = 3_600_000;
const MS_PER_DAY = 86_400_000;
/** The local day the counters are anchored to; earlier times integrate backwards from it. */
const ANCHOR_DATE = { year: 2025, month: 1, day: 1 } as const;
const ANCHOR_ORDINAL = Date.UTC(ANCHOR_DATE.year, ANCHOR_DATE.month - 1, ANCHOR_DATE.day) / MS_PER_DAY;
/** Day objects kept around; backfill and live use walk forward, so a handful is plenty. */
const DAY_CACHE_SIZE = 8;

/** Distinct PRNG streams, so e.g. the power noise and the voltage noise are independent. */
const Channel = {
  PeakKw: 1,
  BaseShare: 2,
  StartCounter: 3,
  PowerFactor: 4,
  PhaseNominalV: 5,
  PhaseWeight: 6,
  DayFactor: 7,
  Wander: 8,
  VoltageWander: 9,
  PowerNoise: 10,
  VoltageNoise: 11,
  PfNoise: 12,
  PhaseNoise: 13,
} as const;
type Channel = (typeof Channel)[keyof typeof Channel];

// ---------------------------------------------------------------------------------------------
// Counter-based PRNG

/** lowbias32 (Chris Wellons): a cheap 32-bit mix with good avalanche. */
function mix32(input: number): number {
  let x = input >>> 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return x >>> 0;
}

function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let index = 0; index < text.length; index++) h = Math.imul(h ^ text.charCodeAt(index), 0x01000193);
  return h >>> 0;
}

/** A uniform number in [0, 1) fixed by its key; key parts are integers (times may exceed 32 bits). */
function uniform(...key: number[]): number {
  let h = 0x9e3779b9;
  for (const part of key) {
    h = mix32(h ^ (part >>> 0));
    h = mix32(h ^ Math.floor(part / 2 ** 32));
  }
  return h / 2 ** 32;
}

/** Roughly standard normal (sum of three uniforms), bounded to ±3 so no absurd outliers. */
function gaussian(...key: number[]): number {
  return (uniform(...key, 1) + uniform(...key, 2) + uniform(...key, 3) - 1.5) * 2;
}

type Phases = [number, number, number];
const phases = (valueOf: (phase: 0 | 1 | 2) => number): Phases => [valueOf(0), valueOf(1), valueOf(2)];

const between = (low: number, high: number, u: number): number => low + (high - low) * u;
const clamp = (value: number, low: number, high: number): number => Math.min(high, Math.max(low, value));

// ---------------------------------------------------------------------------------------------
// Daily activity profiles (share of the panel's variable load in use, by local hour)

type Knot = readonly [hour: number, activity: number];

/** Offices: arrival 07-08, full load 08-17 with a lunch dip, cleaners and overtime in the evening. */
const WEEKDAY: readonly Knot[] = [
  [0, 0], [6, 0], [7, 0.12], [8, 0.85], [9, 1], [11.75, 1], [12, 0.72], [13, 0.72], [13.25, 0.95],
  [16.5, 0.95], [17, 0.75], [18, 0.4], [19, 0.25], [21, 0.1], [22, 0], [24, 0],
];
/** Saturday: a half day for some staff. */
const SATURDAY: readonly Knot[] = [[0, 0], [7, 0], [8, 0.3], [12, 0.3], [13, 0.12], [17, 0.08], [18, 0], [24, 0]];
/** Sunday: security and a little maintenance. */
const SUNDAY: readonly Knot[] = [[0, 0], [8, 0], [9, 0.06], [17, 0.06], [18, 0], [24, 0]];

function activityAt(knots: readonly Knot[], hour: number): number {
  for (let index = 1; index < knots.length; index++) {
    const [h1, a1] = knots[index]!;
    if (hour <= h1) {
      const [h0, a0] = knots[index - 1]!;
      return h1 === h0 ? a1 : a0 + ((a1 - a0) * (hour - h0)) / (h1 - h0);
    }
  }
  return knots[knots.length - 1]![1];
}

// ---------------------------------------------------------------------------------------------
// The model

interface PanelParams {
  readonly key: number;
  readonly peakKw: number;
  /** Share of the peak that never switches off (servers, fridges, security lighting). */
  readonly baseShare: number;
  /** Counter reading at local midnight starting ANCHOR_DATE. */
  readonly startKwh: number;
  readonly powerFactor: number;
  readonly nominalV: Readonly<Phases>;
  /** Share of the load on each phase (sums to 1): panels are never perfectly balanced. */
  readonly phaseShare: Readonly<Phases>;
}

/** What the mean power curve needs to know about the local day. */
interface DayShape {
  readonly startMs: number;
  readonly knots: readonly Knot[];
  /** Activity multiplier for the day: some days are busier than others. */
  readonly factor: number;
}

/** One local calendar day, with the energy integral prepared at every breakpoint of the curve. */
interface LocalDay extends DayShape {
  readonly ordinal: number;
  /** Instants where the mean power curve changes formula: profile knots and whole hours. */
  readonly breaks: readonly number[];
  /** Energy (kWh) from `startMs` to each break. */
  readonly prefixKwh: readonly number[];
}

function panelParams(panelId: string, seed: number): PanelParams {
  const key = mix32(hashString(panelId) ^ mix32(seed));
  const share = phases((phase) => 1 + 0.2 * (uniform(key, Channel.PhaseWeight, phase) - 0.5));
  const total = share[0] + share[1] + share[2];
  return {
    key,
    peakKw: between(12, 60, uniform(key, Channel.PeakKw)),
    baseShare: between(0.12, 0.25, uniform(key, Channel.BaseShare)),
    startKwh: between(200_000, 800_000, uniform(key, Channel.StartCounter)),
    powerFactor: between(0.88, 0.95, uniform(key, Channel.PowerFactor)),
    nominalV: phases((phase) => between(220, 228, uniform(key, Channel.PhaseNominalV, phase))),
    phaseShare: phases((phase) => share[phase] / total),
  };
}

/** Creates the meter of `panelId`; the same options always give the same readings. */
export function createMeterModel(options: MeterModelOptions): MeterModel {
  const { panelId, timezone } = options;
  if (!DateTime.now().setZone(timezone).isValid) throw new RangeError(`unknown timezone "${timezone}"`);
  const params = panelParams(panelId, options.seed ?? 1);
  const seedKey = mix32(options.seed ?? 1);
  const counter = new EnergyCounter(params, timezone);
  const next = (at: Date): MeterState => {
    const ms = Math.floor(at.getTime() / 1000) * 1000;
    if (!Number.isFinite(ms)) throw new RangeError('invalid date');
    const day = counter.dayAt(ms);
    return { panelId, time: new Date(ms), ...electricalState(params, seedKey, day, ms), energyKwh: counter.energyKwh(day, ms) };
  };
  return { panelId, next };
}

/** Hourly knots in absolute time, linearly interpolated: slow drift independent of the profile. */
function wander(key: number, channel: Channel, amplitude: number, ms: number): number {
  const hour = Math.floor(ms / MS_PER_HOUR);
  const fraction = ms / MS_PER_HOUR - hour;
  const knot = (index: number) => (2 * uniform(key, channel, index) - 1) * amplitude;
  return knot(hour) + (knot(hour + 1) - knot(hour)) * fraction;
}

function meanPowerKw(params: PanelParams, day: DayShape, ms: number): number {
  const activity = activityAt(day.knots, (ms - day.startMs) / MS_PER_HOUR);
  const load = params.baseShare + (1 - params.baseShare) * day.factor * activity;
  return params.peakKw * load * (1 + wander(params.key, Channel.Wander, 0.06, ms));
}

/** Exact on [a, b] when no break lies inside: the curve is then a product of two linear pieces. */
function simpsonKwh(params: PanelParams, day: DayShape, a: number, b: number): number {
  return ((b - a) / 6 / MS_PER_HOUR) * (meanPowerKw(params, day, a) + 4 * meanPowerKw(params, day, (a + b) / 2) + meanPowerKw(params, day, b));
}

/** The local day `ordinal` (days since 1970-01-01 of its calendar date) with its energy integral at every break. */
function buildDay(params: PanelParams, timezone: string, ordinal: number): LocalDay {
  const date = DateTime.fromMillis(ordinal * MS_PER_DAY, { zone: 'utc' });
  const start = DateTime.fromObject({ year: date.year, month: date.month, day: date.day }, { zone: timezone });
  const startMs = start.toMillis();
  const endMs = start.plus({ days: 1 }).toMillis();
  const knots = start.weekday === 7 ? SUNDAY : start.weekday === 6 ? SATURDAY : WEEKDAY;
  const cuts = new Set<number>([startMs, endMs]);
  for (let ms = Math.ceil(startMs / MS_PER_HOUR) * MS_PER_HOUR; ms < endMs; ms += MS_PER_HOUR) cuts.add(ms);
  for (const [hour] of knots) cuts.add(Math.min(endMs, startMs + hour * MS_PER_HOUR));
  const breaks = [...cuts].sort((x, y) => x - y);
  const shape: DayShape = { startMs, knots, factor: between(0.85, 1.1, uniform(params.key, Channel.DayFactor, ordinal)) };
  const prefixKwh = [0];
  for (let index = 1; index < breaks.length; index++) {
    prefixKwh.push(prefixKwh[index - 1]! + simpsonKwh(params, shape, breaks[index - 1]!, breaks[index]!));
  }
  return { ...shape, ordinal, breaks, prefixKwh };
}

/** The kWh counter: the integral of the mean power from the anchor, over a small cache of local days. */
class EnergyCounter {
  readonly #params: PanelParams;
  readonly #timezone: string;
  readonly #days = new Map<number, LocalDay>();
  // Energy from the anchor's midnight to each day's midnight, filled outwards from the anchor.
  readonly #cumulative = new Map<number, number>([[ANCHOR_ORDINAL, 0]]);
  #lowOrdinal = ANCHOR_ORDINAL;
  #highOrdinal = ANCHOR_ORDINAL;

  constructor(params: PanelParams, timezone: string) {
    this.#params = params;
    this.#timezone = timezone;
  }

  dayAt(ms: number): LocalDay {
    const local = DateTime.fromMillis(ms, { zone: this.#timezone });
    return this.#dayByOrdinal(Date.UTC(local.year, local.month - 1, local.day) / MS_PER_DAY);
  }

  energyKwh(day: LocalDay, ms: number): number {
    let low = 0;
    let high = day.breaks.length - 1;
    while (high - low > 1) {
      const middle = (low + high) >> 1;
      if (day.breaks[middle]! <= ms) low = middle;
      else high = middle;
    }
    const withinDay = day.prefixKwh[low]! + simpsonKwh(this.#params, day, day.breaks[low]!, ms);
    // A real counter cannot go below zero; only reached for times long before the anchor.
    return Math.max(0, this.#params.startKwh + this.#cumulativeAt(day.ordinal) + withinDay);
  }

  #dayByOrdinal(ordinal: number): LocalDay {
    const cached = this.#days.get(ordinal);
    if (cached) return cached;
    const day = buildDay(this.#params, this.#timezone, ordinal);
    if (this.#days.size >= DAY_CACHE_SIZE) this.#days.delete(this.#days.keys().next().value!);
    this.#days.set(ordinal, day);
    return day;
  }

  #dayTotalKwh(ordinal: number): number {
    // Walking far back or forth would evict the recent days from the small cache; build them aside.
    const day = this.#days.get(ordinal) ?? buildDay(this.#params, this.#timezone, ordinal);
    return day.prefixKwh[day.prefixKwh.length - 1]!;
  }

  #cumulativeAt(ordinal: number): number {
    while (this.#highOrdinal < ordinal) {
      this.#cumulative.set(this.#highOrdinal + 1, this.#cumulative.get(this.#highOrdinal)! + this.#dayTotalKwh(this.#highOrdinal));
      this.#highOrdinal++;
    }
    while (this.#lowOrdinal > ordinal) {
      this.#cumulative.set(this.#lowOrdinal - 1, this.#cumulative.get(this.#lowOrdinal)! - this.#dayTotalKwh(this.#lowOrdinal - 1));
      this.#lowOrdinal--;
    }
    return this.#cumulative.get(ordinal)!;
  }
}

/** Power, power factor, voltages and currents at `ms` (whole seconds): the mean curve plus per-second noise. */
function electricalState(params: PanelParams, seedKey: number, day: LocalDay, ms: number): Omit<MeterState, 'panelId' | 'time' | 'energyKwh'> {
  const second = ms / 1000;
  const key = params.key;
  const mean = meanPowerKw(params, day, ms);
  const loadRatio = mean / params.peakKw;
  const powerKw = Math.max(0, mean * (1 + 0.025 * gaussian(key, Channel.PowerNoise, second)));
  const powerFactor = clamp(
    params.powerFactor + 0.03 * (loadRatio - 0.5) + 0.006 * gaussian(key, Channel.PfNoise, second),
    0.85,
    0.98,
  );
  // The supply voltage drifts for the whole building, hence the seed-only key; load sags it a bit.
  const buildingDrift = wander(seedKey, Channel.VoltageWander, 1.5, ms);
  const voltage = phases((phase) =>
    clamp(
      params.nominalV[phase] + buildingDrift - 2.5 * loadRatio + 0.25 * gaussian(key, Channel.VoltageNoise, second, phase),
      215,
      235,
    ),
  );
  const weights = phases((phase) => params.phaseShare[phase] * (1 + 0.02 * gaussian(key, Channel.PhaseNoise, second, phase)));
  const weightSum = weights[0] + weights[1] + weights[2];
  // Per-phase power P_k = V_k·I_k·pf, so Σ V·I·pf / 1000 equals the reported kW exactly.
  const current = phases((phase) => (powerKw * 1000 * (weights[phase] / weightSum)) / (voltage[phase] * powerFactor));
  return {
    voltage,
    current,
    powerKw,
    apparentPowerKva: powerKw / powerFactor,
    powerFactor,
    voltageUnbalance: unbalance(voltage),
    currentUnbalance: unbalance(current),
  };
}

/** NEMA definition: the largest deviation from the average, divided by the average. */
function unbalance(values: Readonly<Phases>): number {
  const average = (values[0] + values[1] + values[2]) / 3;
  if (average <= 0) return 0;
  return Math.max(...values.map((value) => Math.abs(value - average))) / average;
}
