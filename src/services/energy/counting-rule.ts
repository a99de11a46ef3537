/**
 * THE counting rule (docs/counting-rule.md): how a meter's cumulative counter becomes
 * energy used. This module is its only implementation; the ledger, history windows and bills all
 * walk readings through it, so every query gives the same number for the same period.
 *
 * For one panel, readings in meter-time order (one per timestamp). A step A → B is plausible when
 *   0 ≤ c_B − c_A ≤ max(p_A, p_B, minPowerKw) × maxPowerRatio × hours(t_B − t_A).
 * The walk keeps a baseline (the last counted reading) and the pending readings after it:
 * 1. The first reading becomes the baseline and counts 0.
 * 2. A reading X plausible from the baseline counts c_X − c_baseline and becomes the baseline;
 *    the pending readings were glitches and count nothing.
 * 3. Otherwise X is pending. When the last `confirmReadings` pending readings form a plausible
 *    chain (each plausible from the one before it), the counter moved to a new level: the first of
 *    them counts 0, each later one its step from the one before, and the last becomes the baseline.
 * An increase belongs to the period of the reading that counts it (the sink gets that time).
 *
 * Only the last `confirmReadings − 1` pending readings can ever count (older ones are glitches
 * whatever comes next), so the state is bounded: a baseline and at most that many readings.
 */

/** Thresholds of the rule, from ENERGY_MAX_POWER_RATIO, ENERGY_MIN_POWER_KW, ENERGY_CONFIRM_READINGS. */
export interface CountingRuleParams {
  /** A rise is plausible up to this multiple of the larger power reported at either end. */
  readonly maxPowerRatio: number;
  /** Floor (kW) for that power, so an idle meter's small real increases still count. */
  readonly minPowerKw: number;
  /** How many consecutive plausible pending readings confirm a new counter level (≥ 1). */
  readonly confirmReadings: number;
}

/**
 * Receives each counted increase: the time of the reading that counts it, the increase (≥ 0), the
 * auxiliary values of the step's two ends (the ledger passes power factors, to estimate reactive
 * energy on the same steps), and the time of the step's first end (the reading counted from), so
 * demand can say over how long the increase came (services/demand).
 */
export type CountSink = (timeMs: number, increase: number, auxFrom: number, auxTo: number, fromTimeMs: number) => void;

const MS_PER_HOUR = 3_600_000;

/** The rule's plausibility test. The operation order is part of the definition: keep it. */
export function isPlausibleStep(
  tA: number,
  cA: number,
  pA: number,
  tB: number,
  cB: number,
  pB: number,
  params: CountingRuleParams,
): boolean {
  const rise = cB - cA;
  return rise >= 0 && rise <= Math.max(pA, pB, params.minPowerKw) * params.maxPowerRatio * ((tB - tA) / MS_PER_HOUR);
}

/** Fields of one reading in a state snapshot: time, counter, power, aux. */
const FIELDS = 4;
/** Snapshot header: [hasBaseline, pendingCount, lastTimeMs]. */
const HEADER = 3;

/**
 * The rule's walk over one panel's series, fed one reading at a time in time order. Its state can
 * be saved (`snapshot`) and restored, so a walk can resume from any saved point: the ledger keeps
 * one snapshot per local day and replays only from there when a late reading arrives.
 */
export class CounterWalk {
  readonly #params: CountingRuleParams;
  /** Ring capacity: the pending readings that can still count. */
  readonly #capacity: number;
  #hasBaseline = false;
  #bt = 0;
  #bc = 0;
  #bp = 0;
  #ba = 0;
  /** Pending readings, oldest first, the newest `capacity` of them. */
  readonly #pt: Float64Array;
  readonly #pc: Float64Array;
  readonly #pp: Float64Array;
  readonly #pa: Float64Array;
  #pending = 0;
  /** Time of the newest reading walked (baseline or pending), or -Infinity. */
  #lastTime = Number.NEGATIVE_INFINITY;

  constructor(params: CountingRuleParams, snapshot?: Float64Array) {
    if (!(Number.isInteger(params.confirmReadings) && params.confirmReadings >= 1)) {
      throw new RangeError(`confirmReadings must be a whole number ≥ 1, got ${params.confirmReadings}`);
    }
    if (!(params.maxPowerRatio > 0) || !(params.minPowerKw > 0)) throw new RangeError('counting rule thresholds must be positive');
    this.#params = params;
    this.#capacity = params.confirmReadings - 1;
    const size = Math.max(1, this.#capacity);
    this.#pt = new Float64Array(size);
    this.#pc = new Float64Array(size);
    this.#pp = new Float64Array(size);
    this.#pa = new Float64Array(size);
    if (snapshot) this.#restore(snapshot);
  }

  /** Time of the newest reading walked so far (-Infinity before the first). */
  get lastTimeMs(): number {
    return this.#lastTime;
  }

  /** Whether readings are waiting to be explained (they count nothing yet). */
  get hasPending(): boolean {
    return this.#pending > 0;
  }

  /**
   * Walks one reading (time strictly after every earlier one). Calls `sink` for each increase
   * this reading lets count: its own, or on a confirmed new level, those of the chain.
   */
  step(t: number, c: number, p: number, aux: number, sink: CountSink): void {
    this.#lastTime = t;
    const params = this.#params;
    if (!this.#hasBaseline) {
      this.#setBaseline(t, c, p, aux);
      return;
    }
    if (isPlausibleStep(this.#bt, this.#bc, this.#bp, t, c, p, params)) {
      sink(t, c - this.#bc, this.#ba, aux, this.#bt);
      this.#setBaseline(t, c, p, aux);
      return;
    }
    const cap = this.#capacity;
    if (this.#pending === cap && this.#confirmsChain(t, c, p)) {
      // The chain's first reading counts 0; each later one its step from the one before.
      for (let i = 1; i < cap; i++) {
        sink(this.#pt[i]!, this.#pc[i]! - this.#pc[i - 1]!, this.#pa[i - 1]!, this.#pa[i]!, this.#pt[i - 1]!);
      }
      if (cap > 0) sink(t, c - this.#pc[cap - 1]!, this.#pa[cap - 1]!, aux, this.#pt[cap - 1]!);
      this.#setBaseline(t, c, p, aux);
      return;
    }
    if (cap === 0) return; // unreachable: with one confirming reading every chain confirms
    if (this.#pending === cap) {
      // Drop the oldest: it can no longer be part of a confirming chain.
      this.#pt.copyWithin(0, 1);
      this.#pc.copyWithin(0, 1);
      this.#pp.copyWithin(0, 1);
      this.#pa.copyWithin(0, 1);
      this.#pending--;
    }
    const i = this.#pending++;
    this.#pt[i] = t;
    this.#pc[i] = c;
    this.#pp[i] = p;
    this.#pa[i] = aux;
  }

  /** The walk's state, to resume from later (`new CounterWalk(params, snapshot)`). */
  snapshot(): Float64Array {
    const out = new Float64Array(HEADER + FIELDS * (1 + this.#pending));
    out[0] = this.#hasBaseline ? 1 : 0;
    out[1] = this.#pending;
    out[2] = this.#lastTime;
    out[3] = this.#bt;
    out[4] = this.#bc;
    out[5] = this.#bp;
    out[6] = this.#ba;
    for (let i = 0; i < this.#pending; i++) {
      const at = HEADER + FIELDS * (1 + i);
      out[at] = this.#pt[i]!;
      out[at + 1] = this.#pc[i]!;
      out[at + 2] = this.#pp[i]!;
      out[at + 3] = this.#pa[i]!;
    }
    return out;
  }

  /** Whether this walk is in exactly the state `snapshot` describes (NaN aux values compare equal). */
  equals(snapshot: Float64Array): boolean {
    const mine = this.snapshot();
    if (mine.length !== snapshot.length) return false;
    for (let i = 0; i < mine.length; i++) {
      if (!Object.is(mine[i], snapshot[i]) && mine[i] !== snapshot[i]) return false;
    }
    return true;
  }

  /** Whether the last `capacity` pending readings and X form a plausible chain. */
  #confirmsChain(t: number, c: number, p: number): boolean {
    const cap = this.#capacity;
    const params = this.#params;
    for (let i = 1; i < cap; i++) {
      if (!isPlausibleStep(this.#pt[i - 1]!, this.#pc[i - 1]!, this.#pp[i - 1]!, this.#pt[i]!, this.#pc[i]!, this.#pp[i]!, params)) {
        return false;
      }
    }
    return cap === 0 || isPlausibleStep(this.#pt[cap - 1]!, this.#pc[cap - 1]!, this.#pp[cap - 1]!, t, c, p, params);
  }

  #setBaseline(t: number, c: number, p: number, aux: number): void {
    this.#hasBaseline = true;
    this.#bt = t;
    this.#bc = c;
    this.#bp = p;
    this.#ba = aux;
    this.#pending = 0;
  }

  #restore(snapshot: Float64Array): void {
    const pending = snapshot[1]!;
    if (snapshot.length !== HEADER + FIELDS * (1 + pending) || pending > this.#capacity) {
      throw new RangeError('counter walk snapshot does not match these rule parameters');
    }
    this.#hasBaseline = snapshot[0] === 1;
    this.#pending = pending;
    this.#lastTime = snapshot[2]!;
    this.#bt = snapshot[3]!;
    this.#bc = snapshot[4]!;
    this.#bp = snapshot[5]!;
    this.#ba = snapshot[6]!;
    for (let i = 0; i < pending; i++) {
      const at = HEADER + FIELDS * (1 + i);
      this.#pt[i] = snapshot[at]!;
      this.#pc[i] = snapshot[at + 1]!;
      this.#pp[i] = snapshot[at + 2]!;
      this.#pa[i] = snapshot[at + 3]!;
    }
  }
}

/** A snapshot's pending count (readings waiting to be explained at that point). */
export function snapshotHasPending(snapshot: Float64Array): boolean {
  return snapshot[1]! > 0;
}
