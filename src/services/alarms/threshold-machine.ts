import type { AlarmEvent, AlarmSeverity, AlarmType } from '../../models/alarm.js';
import type { ResolvedRule } from './rules.js';

/**
 * One rule for one subject, on meter time: a small state machine with a pending period before it
 * raises and a clear threshold (hysteresis) that must hold for its own period before it clears.
 * A sample covers [from, to] of meter time (a reading: from = to; a 15-minute window: its span).
 * A gap between samples longer than `maxGapMs` breaks continuity: nothing is known of the gap, so
 * a running period starts again. The state is plain data, so it can be copied and replayed.
 */
export interface MachineState {
  active: boolean;
  /** Meter time the raise condition began holding (pending), or null. */
  raiseSince: number | null;
  /** Meter time the clear condition began holding while active, or null. */
  clearSince: number | null;
  /** The active alarm's start (meter time). */
  startedAt: number;
  /** The active alarm's worst deviation past its threshold. */
  worstDeviation: number;
  severity: AlarmSeverity | null;
  /** End of the newest sample seen (-Infinity before the first). */
  lastTo: number;
  /** The value when the pending period began (the one that raised it). */
  firstValue: number | null;
  /** The worst deviation, and its value, during the pending period. */
  pendingWorst: number;
  pendingWorstValue: number | null;
}

export function initialState(): MachineState {
  return { active: false, raiseSince: null, clearSince: null, startedAt: 0, worstDeviation: 0, severity: null, lastTo: Number.NEGATIVE_INFINITY, firstValue: null, pendingWorst: 0, pendingWorstValue: null };
}

export function copyState(state: MachineState): MachineState {
  return { ...state };
}

/** A sample: the lowest and highest value over its span (equal for one value). */
export interface Sample {
  readonly from: number;
  readonly to: number;
  readonly low: number;
  readonly high: number;
  /** Severity for this sample when the rule's own is not the one (BUDGET: WARNING or MAJOR). */
  readonly severity?: AlarmSeverity;
  /** Describes the value for messages ("L1 196.0 V"). */
  readonly describe?: string;
}

export interface StepContext {
  readonly subject: string;
  readonly type: AlarmType;
  readonly rule: ResolvedRule;
  readonly maxGapMs: number;
  readonly emit: (event: AlarmEvent) => void;
}

/** How far a sample is past the raise thresholds (> 0: raising), and the value that is. */
/** How far a sample is past its raising threshold (positive: raising), the value that is, and the threshold. */
interface Deviation {
  readonly deviation: number;
  readonly value: number;
  readonly threshold: number | null;
}

/**
 * One record reused by every step (a step runs to its end before the next begins, and reads it into
 * locals before it emits anything): a new one per rule per reading was garbage at ingest's rate.
 */
const deviationRecord: { deviation: number; value: number; threshold: number | null } = { deviation: 0, value: 0, threshold: null };

function raiseDeviation(rule: ResolvedRule, sample: Sample): Deviation {
  const above = rule.raiseAbove === null ? Number.NEGATIVE_INFINITY : sample.high - rule.raiseAbove;
  const below = rule.raiseBelow === null ? Number.NEGATIVE_INFINITY : rule.raiseBelow - sample.low;
  if (above >= below) {
    deviationRecord.deviation = above;
    deviationRecord.value = sample.high;
    deviationRecord.threshold = rule.raiseAbove;
  } else {
    deviationRecord.deviation = below;
    deviationRecord.value = sample.low;
    deviationRecord.threshold = rule.raiseBelow;
  }
  return deviationRecord;
}

function clears(rule: ResolvedRule, sample: Sample): boolean {
  const upper = rule.raiseAbove === null || sample.high <= (rule.clearBelow ?? rule.raiseAbove);
  const lower = rule.raiseBelow === null || sample.low >= (rule.clearAbove ?? rule.raiseBelow);
  return upper && lower;
}

/** Steps the machine with one sample (in meter-time order), emitting what it decides. */
export function step(state: MachineState, sample: Sample, context: StepContext): void {
  const { rule } = context;
  const gap = sample.from - state.lastTo > context.maxGapMs;
  state.lastTo = Math.max(state.lastTo, sample.to);
  if (!rule.enabled || (rule.raiseAbove === null && rule.raiseBelow === null)) {
    // A rule turned off (or without a threshold) clears what it had raised.
    if (state.active) clear(state, sample, context, Number.NaN);
    state.raiseSince = null;
    return;
  }
  const found = raiseDeviation(rule, sample);
  if (state.active) stepRaised(state, sample, context, found, gap);
  else stepPending(state, sample, context, found, gap);
}

/**
 * What `step` does with a sample that does not raise while no alarm is open (nearly every reading):
 * it only notes the sample's end. For callers that can tell this without building a sample.
 */
export function stepQuiet(state: MachineState, to: number): void {
  state.lastTo = Math.max(state.lastTo, to);
  state.raiseSince = null;
}

/** Whether a value (lowest and highest) is past a rule's raising thresholds. */
export function raises(rule: ResolvedRule, low: number, high: number): boolean {
  return (rule.raiseAbove !== null && high > rule.raiseAbove) || (rule.raiseBelow !== null && low < rule.raiseBelow);
}

/** No alarm open: a raising sample starts (or continues) the pending period, and raises once it has lasted `forSeconds`. */
function stepPending(state: MachineState, sample: Sample, context: StepContext, found: Deviation, gap: boolean): void {
  const { rule } = context;
  const { deviation, value, threshold } = found;
  const raising = deviation > 0;
  if (!raising) {
    state.raiseSince = null;
    return;
  }
  if (state.raiseSince === null || gap) {
    state.raiseSince = sample.from;
    state.firstValue = value;
    state.pendingWorst = deviation;
    state.pendingWorstValue = value;
  } else if (deviation > state.pendingWorst) {
    state.pendingWorst = deviation;
    state.pendingWorstValue = value;
  }
  if (sample.to - state.raiseSince < rule.forSeconds * 1000) return;
  state.active = true;
  state.startedAt = state.raiseSince;
  state.raiseSince = null;
  state.clearSince = null;
  state.worstDeviation = state.pendingWorst;
  state.severity = sample.severity ?? rule.severity;
  context.emit({
    kind: 'RAISED',
    subject: context.subject,
    type: context.type,
    severity: state.severity,
    at: new Date(state.startedAt),
    startedAt: new Date(state.startedAt),
    value: state.firstValue ?? value,
    threshold,
    message: message(context.type, sample, value, threshold, rule.forSeconds),
    ruleVersion: rule.version,
  });
  // Worse during the pending period than at its start: the alarm shows that worst value too.
  if (state.pendingWorstValue !== null && state.pendingWorstValue !== state.firstValue) {
    context.emit({
      kind: 'WORSENED',
      subject: context.subject,
      type: context.type,
      severity: state.severity,
      at: new Date(sample.to),
      startedAt: new Date(state.startedAt),
      value: state.pendingWorstValue,
      threshold,
      message: message(context.type, sample, state.pendingWorstValue, threshold, rule.forSeconds),
      ruleVersion: rule.version,
    });
  }
}

/** An alarm open: it clears after `clearForSeconds` past the clearing thresholds, or worsens. */
function stepRaised(state: MachineState, sample: Sample, context: StepContext, found: Deviation, gap: boolean): void {
  const { rule } = context;
  const { deviation, value, threshold } = found;
  const raising = deviation > 0;
  if (clears(rule, sample)) {
    if (state.clearSince === null || gap) state.clearSince = sample.from;
    if (sample.to - state.clearSince >= rule.clearForSeconds * 1000) clear(state, sample, context, value);
    return;
  }
  state.clearSince = null;
  const severity = sample.severity ?? rule.severity;
  const worse = raising && deviation > state.worstDeviation;
  const graver = state.severity !== null && severityIndex(severity) < severityIndex(state.severity);
  if (worse || graver) {
    state.worstDeviation = Math.max(deviation, state.worstDeviation);
    if (graver) state.severity = severity;
    context.emit({
      kind: 'WORSENED',
      subject: context.subject,
      type: context.type,
      severity: state.severity ?? severity,
      at: new Date(sample.to),
      startedAt: new Date(state.startedAt),
      value,
      threshold,
      message: message(context.type, sample, value, threshold, rule.forSeconds),
      ruleVersion: rule.version,
    });
  }
}

function clear(state: MachineState, sample: Sample, context: StepContext, value: number): void {
  state.active = false;
  state.clearSince = null;
  state.raiseSince = null;
  context.emit({
    kind: 'CLEARED',
    subject: context.subject,
    type: context.type,
    severity: state.severity ?? context.rule.severity,
    at: new Date(sample.to),
    startedAt: new Date(state.startedAt),
    value: Number.isNaN(value) ? null : value,
    threshold: context.rule.clearBelow ?? context.rule.clearAbove,
    message: Number.isNaN(value) ? 'rule turned off' : `back within ${describeClear(context.rule)}`,
    ruleVersion: context.rule.version,
  });
  state.severity = null;
}

const SEVERITY_ORDER: readonly AlarmSeverity[] = ['CRITICAL', 'MAJOR', 'MINOR', 'WARNING'];
function severityIndex(severity: AlarmSeverity): number {
  return SEVERITY_ORDER.indexOf(severity);
}

const UNITS: Record<AlarmType, string> = {
  PANEL_OFFLINE: '',
  VOLTAGE_OUT_OF_RANGE: ' V',
  VOLTAGE_UNBALANCE: ' %',
  LOW_POWER_FACTOR: '',
  DEMAND_HIGH: ' kW',
  BUDGET: ' % of budget',
  METER_DATA: '',
};

function message(type: AlarmType, sample: Sample, value: number, threshold: number | null, forSeconds: number): string {
  const unit = UNITS[type];
  const what = sample.describe ?? `${round(value)}${unit}`;
  const side = threshold !== null && value < threshold ? 'below' : 'above';
  const held = forSeconds > 0 ? ` for ${forSeconds / 60} min` : '';
  return `${what} ${side} ${threshold === null ? '' : `${round(threshold)}${unit}`}${held}`.trim();
}

function describeClear(rule: ResolvedRule): string {
  const parts: string[] = [];
  if (rule.raiseBelow !== null) parts.push(`≥ ${rule.clearAbove ?? rule.raiseBelow}`);
  if (rule.raiseAbove !== null) parts.push(`≤ ${rule.clearBelow ?? rule.raiseAbove}`);
  return `${parts.join(' and ')}${rule.clearForSeconds > 0 ? ` for ${rule.clearForSeconds / 60} min` : ''}`;
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
