import type { AlarmEvent, AlarmType } from '../../models/alarm.js';
import type { Reading } from '../../models/reading.js';
import { CounterWalk, type CountingRuleParams } from '../energy/counting-rule.js';
import type { ResolvedRule } from './rules.js';
import { copyState, initialState, raises, step, stepQuiet, type MachineState, type StepContext } from './threshold-machine.js';

/** Demand and power factor are judged on fixed 15-minute windows of meter time (as utilities do). */
export const WINDOW_MS = 15 * 60_000;
const MS_PER_HOUR = 3_600_000;

/** The rules evaluated on one panel's readings (PANEL_OFFLINE and BUDGET are evaluated elsewhere). */
export const READING_RULES = ['VOLTAGE_OUT_OF_RANGE', 'VOLTAGE_UNBALANCE', 'LOW_POWER_FACTOR', 'DEMAND_HIGH', 'METER_DATA'] as const satisfies readonly AlarmType[];
type ReadingRule = (typeof READING_RULES)[number];

/** What the rules take of a reading. */
export interface AlarmInput {
  readonly t: number;
  /**
   * Ingested by this process: decisions this reading makes are this process's to notify (with
   * several processes, whichever order readings reach each, exactly one process ingested it).
   */
  readonly local: boolean;
  /** Lowest and highest phase voltage (NaN when the meter sent none). */
  readonly vLow: number;
  readonly vHigh: number;
  /** Which phase is lowest and highest ("L2"). */
  readonly vLowPhase: string;
  readonly vHighPhase: string;
  readonly vunbal: number;
  readonly kwh: number;
  readonly kvarh: number;
  readonly kw: number;
  readonly pf: number;
}

export function alarmInput(reading: Reading, local: boolean): AlarmInput {
  // Unrolled, without a list of [name, value] pairs or a closure per reading: those were most of
  // what this step allocated, once per reading.
  const { l1, l2, l3, average } = reading.voltage;
  const spread: Spread = { low: Number.NaN, high: Number.NaN, lowName: '', highName: '' };
  consider(spread, 'L1', l1);
  consider(spread, 'L2', l2);
  consider(spread, 'L3', l3);
  if (Number.isNaN(spread.low) && average !== null && average > 0) {
    spread.low = spread.high = average;
    spread.lowName = spread.highName = 'average';
  }
  return {
    t: reading.time.getTime(),
    local,
    vLow: spread.low,
    vHigh: spread.high,
    vLowPhase: spread.lowName,
    vHighPhase: spread.highName,
    vunbal: reading.voltageUnbalance ?? Number.NaN,
    kwh: reading.energyKwh,
    kvarh: reading.reactiveEnergyKvarh ?? Number.NaN,
    kw: reading.activePowerKw,
    pf: reading.powerFactor ?? Number.NaN,
  };
}

/** The lowest and highest phase voltage seen so far, and which phases they are. */
interface Spread {
  low: number;
  high: number;
  lowName: string;
  highName: string;
}

function consider(spread: Spread, name: string, v: number | null): void {
  if (v === null || !Number.isFinite(v) || v <= 0) return;
  if (!(v >= spread.low)) {
    spread.low = v;
    spread.lowName = name;
  }
  if (!(v <= spread.high)) {
    spread.high = v;
    spread.highName = name;
  }
}

interface CounterPoint {
  readonly t: number;
  readonly kwh: number;
  readonly kvarh: number;
}

/** Everything the rules remember of one panel: copied whole to replay from a point. */
interface PanelState {
  machines: Record<ReadingRule, MachineState>;
  walk: CounterWalk;
  windowStart: number;
  /** The newest reading before the current window (the counter's starting point). */
  before: CounterPoint | null;
  /** The newest reading in the current window. */
  last: CounterPoint | null;
  pfSum: number;
  pfCount: number;
}

/** A saved state: every kept reading up to `upTo` (meter time) applied. */
interface Checkpoint {
  readonly upTo: number;
  readonly state: PanelState;
}

/** Readings between saved states: a late reading replays at most this many plus the ones after it. */
const CHECKPOINT_EVERY = 16;

export interface PanelEvaluatorOptions {
  readonly panelId: string;
  readonly rule: (type: AlarmType) => ResolvedRule;
  /** Changes whenever the rules may have changed (the rules are cached per version). */
  readonly rulesVersion: () => number;
  readonly countingRule: CountingRuleParams;
  /** A gap between readings longer than this breaks a running period (OFFLINE_AFTER). */
  readonly maxGapMs: number;
  /** How far back (meter time) a late reading is re-evaluated from the readings kept. */
  readonly replayMs: number;
  /**
   * Receives every decision with whether the reading that made it was ingested here; decisions
   * re-made by a replay come again (the receiver is idempotent).
   */
  readonly emit: (event: AlarmEvent, local: boolean) => void;
  /**
   * Called with each 15-minute window's average kW as it completes (for the building's demand), and
   * whether the reading that completed it (the panel's first of the next window) was ingested here.
   */
  readonly windowDemand?: (windowStart: number, kw: number, local: boolean) => void;
  /** Called as each 15-minute window ends (the first reading after it), whether it had an average or not. */
  readonly windowClosed?: (windowStart: number, local: boolean) => void;
  /**
   * After a late reading's replay: every reading after `fromT` was evaluated again, and these are
   * all the decisions it made, in order (instead of `emit`), so the receiver can also withdraw
   * what the replay no longer decides.
   */
  readonly replayed?: (decisions: ReadonlyArray<{ event: AlarmEvent; local: boolean }>, settledBefore: (type: AlarmType) => number) => void;
}

/**
 * The reading rules of one panel on meter time. Readings arriving in order step the state, which
 * is saved every few readings; a late one is put in its place among the readings kept (the last
 * `replayMs`) and the rules are evaluated again from the state saved before it, so the decisions
 * depend on the readings, not on the order they came in.
 */
export class PanelEvaluator {
  readonly #options: PanelEvaluatorOptions;
  /** Saved states, oldest first; the first is at or before the oldest kept reading. */
  #checkpoints: Checkpoint[];
  #current: PanelState;
  /** Readings kept for replays, oldest first (all after the first checkpoint). */
  #inputs: AlarmInput[] = [];
  #sinceCheckpoint = 0;
  /** The rules as last looked up, and the version they are of. */
  #contexts: Record<ReadingRule, StepContext> | null = null;
  #contextsVersion = -1;
  /** The sample #step hands the rules, refilled for each (see #step). */
  readonly #sample: { from: number; to: number; low: number; high: number; describe: string | undefined } = { from: 0, to: 0, low: 0, high: 0, describe: undefined };
  /** The reading being stepped (its `local` decides who notifies). */
  #stepping: AlarmInput | null = null;
  /** Decisions of a replay in progress (handed to `replayed` at its end). */
  #collected: Array<{ event: AlarmEvent; local: boolean }> | null = null;
  readonly #emit = (event: AlarmEvent) => {
    if (this.#collected && this.#options.replayed) {
      this.#collected.push({ event, local: event.kind === 'RAISED' ? this.#localAt(event.startedAt.getTime()) : (this.#stepping?.local ?? false) });
      return;
    }
    this.#options.emit(event, event.kind === 'RAISED' ? this.#localAt(event.startedAt.getTime()) : (this.#stepping?.local ?? false));
  };

  constructor(options: PanelEvaluatorOptions) {
    this.#options = options;
    this.#current = this.#freshState();
    this.#checkpoints = [{ upTo: Number.NEGATIVE_INFINITY, state: this.#copy(this.#current) }];
  }

  /** The machine of one rule, e.g. to seed it with an alarm open before a restart. */
  seedOpen(type: ReadingRule, startedAt: number, severity: MachineState['severity']): void {
    for (const state of [this.#current, ...this.#checkpoints.map((c) => c.state)]) {
      Object.assign(state.machines[type], { active: true, startedAt, severity, worstDeviation: 0 });
    }
  }

  apply(input: AlarmInput): void {
    const inputs = this.#inputs;
    const newest = inputs.length === 0 ? Number.NEGATIVE_INFINITY : inputs[inputs.length - 1]!.t;
    if (input.t > newest) {
      inputs.push(input);
      this.#step(this.#current, input);
      if (++this.#sinceCheckpoint >= CHECKPOINT_EVERY) {
        this.#sinceCheckpoint = 0;
        this.#checkpoints.push({ upTo: input.t, state: this.#copy(this.#current) });
        this.#trim(input.t);
      }
      return;
    }
    if (input.t <= this.#checkpoints[0]!.upTo) {
      // Older than the readings kept (ALARM_REPLAY_WINDOW): its effect on durations is past re-deciding (docs/alarms.md).
      return;
    }
    const at = lowerBound(inputs, input.t);
    if (inputs[at]?.t === input.t) inputs[at] = input;
    else inputs.splice(at, 0, input);
    // Replay from the newest state saved before it; decisions already made come again and are ignored.
    let k = this.#checkpoints.length - 1;
    while (this.#checkpoints[k]!.upTo >= input.t) k--;
    const from = this.#checkpoints[k]!;
    this.#checkpoints = this.#checkpoints.slice(0, k + 1);
    const state = this.#copy(from.state);
    this.#collected = [];
    try {
      for (let i = lowerBound(inputs, from.upTo + 1); i < inputs.length; i++) this.#step(state, inputs[i]!);
    } finally {
      const decisions = this.#collected;
      this.#collected = null;
      this.#current = state;
      // What the replay can re-decide: per rule, alarms that started after the one the saved state
      // carries (active), or from its pending period on, or after the saved state.
      this.#options.replayed?.(decisions, (type) => {
        const machine = (from.state.machines as Partial<Record<AlarmType, MachineState>>)[type];
        if (!machine) return Number.POSITIVE_INFINITY;
        if (machine.active) return machine.startedAt;
        return machine.raiseSince !== null ? machine.raiseSince - 1 : from.upTo;
      });
    }
    this.#sinceCheckpoint = inputs.length - lowerBound(inputs, from.upTo + 1);
  }

  /** Whether the first kept reading at or after `t` was ingested here. */
  #localAt(t: number): boolean {
    return this.#inputs[lowerBound(this.#inputs, t)]?.local ?? false;
  }

  /** Forgets readings older than the replay window, keeping the newest saved state before it. */
  #trim(newest: number): void {
    const limit = newest - this.#options.replayMs;
    let k = 0;
    while (k + 1 < this.#checkpoints.length && this.#checkpoints[k + 1]!.upTo < limit) k++;
    if (k === 0) return;
    this.#checkpoints = this.#checkpoints.slice(k);
    this.#inputs = this.#inputs.slice(lowerBound(this.#inputs, this.#checkpoints[0]!.upTo + 1));
  }

  #freshState(): PanelState {
    return {
      machines: Object.fromEntries(READING_RULES.map((type) => [type, initialState()])) as Record<ReadingRule, MachineState>,
      walk: new CounterWalk(this.#options.countingRule),
      windowStart: Number.NEGATIVE_INFINITY,
      before: null,
      last: null,
      pfSum: 0,
      pfCount: 0,
    };
  }

  #copy(state: PanelState): PanelState {
    const { machines } = state;
    return {
      ...state,
      // Spelled out: a map over READING_RULES into Object.fromEntries cost more than the copies.
      machines: {
        VOLTAGE_OUT_OF_RANGE: copyState(machines.VOLTAGE_OUT_OF_RANGE),
        VOLTAGE_UNBALANCE: copyState(machines.VOLTAGE_UNBALANCE),
        LOW_POWER_FACTOR: copyState(machines.LOW_POWER_FACTOR),
        DEMAND_HIGH: copyState(machines.DEMAND_HIGH),
        METER_DATA: copyState(machines.METER_DATA),
      } satisfies Record<ReadingRule, MachineState>,
      walk: new CounterWalk(this.#options.countingRule, state.walk.snapshot()),
    };
  }

  /** One context per rule, rebuilt when the rules change. */
  #rules(): Record<ReadingRule, StepContext> {
    const version = this.#options.rulesVersion();
    if (this.#contexts === null || version !== this.#contextsVersion) {
      const { panelId, maxGapMs } = this.#options;
      const context = (type: ReadingRule, rule = this.#options.rule(type)): StepContext => ({ subject: panelId, type, rule, maxGapMs, emit: this.#emit });
      const meterRule = this.#options.rule('METER_DATA');
      this.#contexts = {
        VOLTAGE_OUT_OF_RANGE: context('VOLTAGE_OUT_OF_RANGE'),
        VOLTAGE_UNBALANCE: context('VOLTAGE_UNBALANCE'),
        LOW_POWER_FACTOR: context('LOW_POWER_FACTOR'),
        DEMAND_HIGH: context('DEMAND_HIGH'),
        // Held-back readings come one by one: each is enough (no pending period of its own).
        METER_DATA: context('METER_DATA', { ...meterRule, forSeconds: 0 }),
      };
      this.#contextsVersion = version;
    }
    return this.#contexts;
  }

  #step(state: PanelState, input: AlarmInput): void {
    const rules = this.#rules();
    this.#stepping = input;
    this.#windows(state, input, rules);
    const { machines } = state;
    const t = input.t;
    // Nearly every reading raises nothing while no alarm is open: then a rule's step only notes the
    // reading's time (stepQuiet), without the sample record and its description.
    // One sample record for the rest: a step never keeps its sample.
    const sample = this.#sample;
    sample.from = sample.to = t;
    if (!Number.isNaN(input.vLow)) {
      const { rule } = rules.VOLTAGE_OUT_OF_RANGE;
      const machine = machines.VOLTAGE_OUT_OF_RANGE;
      if (!machine.active && !raises(rule, input.vLow, input.vHigh)) stepQuiet(machine, t);
      else {
        const above = rule.raiseAbove === null ? Number.NEGATIVE_INFINITY : input.vHigh - rule.raiseAbove;
        const below = rule.raiseBelow === null ? Number.NEGATIVE_INFINITY : rule.raiseBelow - input.vLow;
        sample.low = input.vLow;
        sample.high = input.vHigh;
        // Described only when out of band (the text is for messages).
        sample.describe = above > 0 || below > 0 ? (below > above ? `${input.vLowPhase} ${input.vLow.toFixed(1)} V` : `${input.vHighPhase} ${input.vHigh.toFixed(1)} V`) : undefined;
        step(machine, sample, rules.VOLTAGE_OUT_OF_RANGE);
      }
    }
    if (!Number.isNaN(input.vunbal)) {
      const machine = machines.VOLTAGE_UNBALANCE;
      if (!machine.active && !raises(rules.VOLTAGE_UNBALANCE.rule, input.vunbal, input.vunbal)) stepQuiet(machine, t);
      else {
        sample.low = sample.high = input.vunbal;
        sample.describe = undefined;
        step(machine, sample, rules.VOLTAGE_UNBALANCE);
      }
    }
    // The counting rule's walk: a reading it holds back (a reset, a glitch, a jump) is a data problem.
    state.walk.step(t, input.kwh, input.kw, 0, NO_SINK);
    const heldBack = state.walk.hasPending;
    const meterRule = rules.METER_DATA.rule;
    const value = heldBack ? (meterRule.raiseAbove ?? 0) + 1 : 0;
    if (!machines.METER_DATA.active && !raises(meterRule, value, value)) stepQuiet(machines.METER_DATA, t);
    else {
      sample.low = sample.high = value;
      sample.describe = heldBack ? `counter ${input.kwh} kWh held back by the counting rule (reset or glitch)` : undefined;
      step(machines.METER_DATA, sample, rules.METER_DATA);
    }
  }

  /** Completes 15-minute windows: their average kW (from the counter) and power factor. */
  #windows(state: PanelState, input: AlarmInput, rules: Record<ReadingRule, StepContext>): void {
    const start = Math.floor(input.t / WINDOW_MS) * WINDOW_MS;
    if (start > state.windowStart) {
      if (state.last !== null && state.before !== null) this.#completeWindow(state, rules, input.local);
      if (Number.isFinite(state.windowStart)) this.#options.windowClosed?.(state.windowStart, input.local);
      state.before = state.last ?? state.before;
      state.windowStart = start;
      state.last = null;
      state.pfSum = 0;
      state.pfCount = 0;
    }
    // The input itself is the counter point (it is kept for replays anyway): no record per reading.
    state.last = input;
    if (!Number.isNaN(input.pf)) {
      state.pfSum += Math.abs(input.pf);
      state.pfCount++;
    }
  }

  #completeWindow(state: PanelState, rules: Record<ReadingRule, StepContext>, local: boolean): void {
    const { before, last } = state;
    if (before === null || last === null) return;
    const hours = (last.t - before.t) / MS_PER_HOUR;
    // The counter's step must span about the window: across a longer gap the average means little.
    if (hours <= 0 || last.t - before.t > WINDOW_MS + this.#options.maxGapMs) return;
    const energy = last.kwh - before.kwh;
    if (energy < 0) return; // a reset: no average for this window
    const from = state.windowStart;
    const to = from + WINDOW_MS;
    const kw = energy / hours;
    this.#options.windowDemand?.(from, kw, local);
    step(state.machines.DEMAND_HIGH, { from, to, low: kw, high: kw }, rules.DEMAND_HIGH);
    const reactive = last.kvarh - before.kvarh;
    // From the counters where the meter has a reactive one; otherwise the readings' average.
    const pf = energy > 0 && Number.isFinite(reactive) && reactive >= 0 ? energy / Math.hypot(energy, reactive) : state.pfCount > 0 ? state.pfSum / state.pfCount : Number.NaN;
    if (!Number.isNaN(pf) && energy > 0) step(state.machines.LOW_POWER_FACTOR, { from, to, low: pf, high: pf }, rules.LOW_POWER_FACTOR);
  }
}

const NO_SINK = () => {};

function lowerBound(inputs: readonly AlarmInput[], t: number): number {
  let lo = 0;
  let hi = inputs.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (inputs[mid]!.t < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
