import type { AlarmEvent, AlarmType } from '../../models/alarm.js';
import type { Reading } from '../../models/reading.js';
import { CounterWalk, type CountingRuleParams } from '../energy/counting-rule.js';
import type { ResolvedRule } from './rules.js';
import { copyState, initialState, step, type MachineState } from './threshold-machine.js';

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
  readonly vDescribeLow: string;
  readonly vDescribeHigh: string;
  readonly vunbal: number;
  readonly kwh: number;
  readonly kvarh: number;
  readonly kw: number;
  readonly pf: number;
}

export function alarmInput(reading: Reading, local: boolean): AlarmInput {
  let low = Number.NaN;
  let high = Number.NaN;
  let lowName = '';
  let highName = '';
  for (const [name, v] of [['L1', reading.voltage.l1], ['L2', reading.voltage.l2], ['L3', reading.voltage.l3]] as const) {
    if (v === null || !Number.isFinite(v) || v <= 0) continue;
    if (!(v >= low)) [low, lowName] = [v, name];
    if (!(v <= high)) [high, highName] = [v, name];
  }
  if (Number.isNaN(low) && reading.voltage.average !== null && reading.voltage.average > 0) {
    low = high = reading.voltage.average;
    lowName = highName = 'average';
  }
  return {
    t: reading.time.getTime(),
    local,
    vLow: low,
    vHigh: high,
    vDescribeLow: `${lowName} ${low.toFixed(1)} V`,
    vDescribeHigh: `${highName} ${high.toFixed(1)} V`,
    vunbal: reading.voltageUnbalance ?? Number.NaN,
    kwh: reading.energyKwh,
    kvarh: reading.reactiveEnergyKvarh ?? Number.NaN,
    kw: reading.activePowerKw,
    pf: reading.powerFactor ?? Number.NaN,
  };
}

interface CounterPoint {
  readonly t: number;
  readonly kwh: number;
  readonly kvarh: number;
}

/** Everything the rules remember of one panel: copied whole to replay from a point. */
interface PanelState {
  machines: Record<ReadingRule, MachineState>;
  walk: Float64Array | null;
  windowStart: number;
  /** The newest reading before the current window (the counter's starting point). */
  before: CounterPoint | null;
  /** The newest reading in the current window. */
  last: CounterPoint | null;
  pfSum: number;
  pfCount: number;
}

function freshState(): PanelState {
  return {
    machines: Object.fromEntries(READING_RULES.map((type) => [type, initialState()])) as Record<ReadingRule, MachineState>,
    walk: null,
    windowStart: Number.NEGATIVE_INFINITY,
    before: null,
    last: null,
    pfSum: 0,
    pfCount: 0,
  };
}

function copyPanelState(state: PanelState): PanelState {
  return {
    ...state,
    machines: Object.fromEntries(READING_RULES.map((type) => [type, copyState(state.machines[type])])) as Record<ReadingRule, MachineState>,
    walk: state.walk ? new Float64Array(state.walk) : null,
  };
}

export interface PanelEvaluatorOptions {
  readonly panelId: string;
  readonly rule: (type: AlarmType) => ResolvedRule;
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
  /** Called with each 15-minute window's average kW as it completes (for the building's demand). */
  readonly windowDemand?: (windowStart: number, kw: number) => void;
  /** Called as each 15-minute window ends (the first reading after it), whether it had an average or not. */
  readonly windowClosed?: (windowStart: number, local: boolean) => void;
}

/**
 * The reading rules of one panel on meter time. Readings arriving in order step the state; a late
 * one is put in its place among the readings kept (the last `replayMs`) and everything from the
 * oldest kept is evaluated again from the state saved there, so the decisions depend on the
 * readings, not on the order they came in.
 */
export class PanelEvaluator {
  readonly #options: PanelEvaluatorOptions;
  /** State after every reading before `#inputs[0]`. */
  #base: PanelState = freshState();
  /** Time of the newest reading folded into `#base` (-Infinity: none). */
  #baseTo = Number.NEGATIVE_INFINITY;
  #current: PanelState = freshState();
  /** Readings kept for replays, oldest first. */
  #inputs: AlarmInput[] = [];

  constructor(options: PanelEvaluatorOptions) {
    this.#options = options;
  }

  /** The machine of one rule, e.g. to seed it with an alarm open before a restart. */
  seedOpen(type: ReadingRule, startedAt: number, severity: MachineState['severity']): void {
    for (const state of [this.#base, this.#current]) {
      Object.assign(state.machines[type], { active: true, startedAt, severity, worstDeviation: 0 });
    }
  }

  apply(input: AlarmInput): void {
    const inputs = this.#inputs;
    const newest = inputs.length === 0 ? Number.NEGATIVE_INFINITY : inputs[inputs.length - 1]!.t;
    if (input.t > newest) {
      inputs.push(input);
      this.#step(this.#current, input, true);
      this.#trim(input.t);
      return;
    }
    if (input.t <= this.#baseTo) {
      // Older than the readings kept (ALARM_REPLAY_WINDOW): its effect on durations is past re-deciding (docs/alarms.md).
      return;
    }
    const at = lowerBound(inputs, input.t);
    if (inputs[at]!.t === input.t) inputs[at] = input;
    else inputs.splice(at, 0, input);
    // Replay from the oldest kept reading; decisions already made come again and are ignored.
    const state = copyPanelState(this.#base);
    for (const kept of inputs) this.#step(state, kept, true);
    this.#current = state;
  }

  /** Whether the first kept reading at or after `t` was ingested here. */
  #localAt(t: number): boolean {
    return this.#inputs[lowerBound(this.#inputs, t)]?.local ?? false;
  }

  #trim(newest: number): void {
    const limit = newest - this.#options.replayMs;
    let drop = 0;
    while (drop < this.#inputs.length - 1 && this.#inputs[drop]!.t < limit) {
      this.#step(this.#base, this.#inputs[drop]!, false);
      this.#baseTo = this.#inputs[drop]!.t;
      drop++;
    }
    if (drop > 0) this.#inputs = this.#inputs.slice(drop);
  }

  #step(state: PanelState, input: AlarmInput, live: boolean): void {
    const { panelId, maxGapMs } = this.#options;
    // A raise belongs to the process that ingested the reading it started at (every process agrees
    // on that reading, whatever order readings reached it); other decisions to the reading that
    // makes them. Folding into the base decides nothing.
    const emit = live ? (event: AlarmEvent) => this.#options.emit(event, event.kind === 'RAISED' ? this.#localAt(event.startedAt.getTime()) : input.local) : () => {};
    const context = (type: ReadingRule) => ({ subject: panelId, type, rule: this.#options.rule(type), maxGapMs, emit });
    this.#windows(state, input, emit, live);
    if (!Number.isNaN(input.vLow)) {
      const rule = this.#options.rule('VOLTAGE_OUT_OF_RANGE');
      const lowSide = rule.raiseBelow !== null && rule.raiseBelow - input.vLow > (rule.raiseAbove === null ? Number.NEGATIVE_INFINITY : input.vHigh - rule.raiseAbove);
      step(state.machines.VOLTAGE_OUT_OF_RANGE, { from: input.t, to: input.t, low: input.vLow, high: input.vHigh, describe: lowSide ? input.vDescribeLow : input.vDescribeHigh }, context('VOLTAGE_OUT_OF_RANGE'));
    }
    if (!Number.isNaN(input.vunbal)) {
      step(state.machines.VOLTAGE_UNBALANCE, { from: input.t, to: input.t, low: input.vunbal, high: input.vunbal }, context('VOLTAGE_UNBALANCE'));
    }
    // The counting rule's walk: a reading it holds back (a reset, a glitch, a jump) is a data problem.
    const walk = new CounterWalk(this.#options.countingRule, state.walk ?? undefined);
    walk.step(input.t, input.kwh, input.kw, 0, () => {});
    state.walk = walk.snapshot();
    const heldBack = walk.hasPending;
    const meterRule = this.#options.rule('METER_DATA');
    const value = heldBack ? (meterRule.raiseAbove ?? 0) + 1 : 0;
    step(
      state.machines.METER_DATA,
      { from: input.t, to: input.t, low: value, high: value, describe: heldBack ? `counter ${input.kwh} kWh held back by the counting rule (reset or glitch)` : undefined },
      // Held-back readings come one by one: each is enough (no pending period of its own).
      { ...context('METER_DATA'), rule: { ...meterRule, forSeconds: 0 } },
    );
  }

  /** Completes 15-minute windows: their average kW (from the counter) and power factor. */
  #windows(state: PanelState, input: AlarmInput, emit: (event: AlarmEvent) => void, live: boolean): void {
    const start = Math.floor(input.t / WINDOW_MS) * WINDOW_MS;
    const point: CounterPoint = { t: input.t, kwh: input.kwh, kvarh: input.kvarh };
    if (start > state.windowStart) {
      if (state.last !== null && state.before !== null) this.#completeWindow(state, emit, live);
      if (live && Number.isFinite(state.windowStart)) this.#options.windowClosed?.(state.windowStart, input.local);
      state.before = state.last ?? state.before;
      state.windowStart = start;
      state.last = null;
      state.pfSum = 0;
      state.pfCount = 0;
    }
    state.last = point;
    if (!Number.isNaN(input.pf)) {
      state.pfSum += Math.abs(input.pf);
      state.pfCount++;
    }
  }

  #completeWindow(state: PanelState, emit: (event: AlarmEvent) => void, live: boolean): void {
    const { before, last } = state;
    if (before === null || last === null) return;
    const hours = (last.t - before.t) / MS_PER_HOUR;
    // The counter's step must span about the window: across a longer gap the average means little.
    if (hours <= 0 || last.t - before.t > WINDOW_MS + this.#options.maxGapMs) return;
    const energy = last.kwh - before.kwh;
    if (energy < 0) return; // a reset: no average for this window
    const from = state.windowStart;
    const to = from + WINDOW_MS;
    const { panelId, maxGapMs } = this.#options;
    const kw = energy / hours;
    if (live) this.#options.windowDemand?.(from, kw);
    step(state.machines.DEMAND_HIGH, { from, to, low: kw, high: kw }, { subject: panelId, type: 'DEMAND_HIGH', rule: this.#options.rule('DEMAND_HIGH'), maxGapMs, emit });
    const reactive = last.kvarh - before.kvarh;
    // From the counters where the meter has a reactive one; otherwise the readings' average.
    const pf = energy > 0 && Number.isFinite(reactive) && reactive >= 0 ? energy / Math.hypot(energy, reactive) : state.pfCount > 0 ? state.pfSum / state.pfCount : Number.NaN;
    if (!Number.isNaN(pf) && energy > 0) {
      step(state.machines.LOW_POWER_FACTOR, { from, to, low: pf, high: pf }, { subject: panelId, type: 'LOW_POWER_FACTOR', rule: this.#options.rule('LOW_POWER_FACTOR'), maxGapMs, emit });
    }
  }
}

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
