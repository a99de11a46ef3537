import type { Logger } from '../../config/logger.js';
import {
  alarmId,
  BUILDING,
  isOpen,
  severityRank,
  transitionId,
  type Alarm,
  type AlarmEvent,
  type AlarmSeverity,
  type AlarmState,
  type AlarmTransitionKind,
  type AlarmType,
  type ChannelConfig,
} from '../../models/alarm.js';
import type { AdminRecord } from '../../models/admin-change.js';
import type { PanelStatusChange } from '../../models/panel-status.js';
import type { Reading } from '../../models/reading.js';
import type { AlarmLog, AlarmLogEntry } from '../../store/alarms/alarm-log.js';
import type { ReadingStore } from '../../store/reading-store.js';
import { dateOfDayNumber, daysInMonth, dayNumberOf, type LocalTime } from '../../time/local-time.js';
import type { CountingRuleParams } from '../energy/counting-rule.js';
import type { PanelScope } from '../../models/viewer.js';
import { alarmInput, PanelEvaluator, READING_RULES, WINDOW_MS } from './panel-evaluator.js';
import { RuleBook, type ResolvedRule } from './rules.js';
import { initialState, step, type MachineState } from './threshold-machine.js';

/** A month's budget for the building (panelId null) or a panel. */
export interface Budget {
  readonly panelId: string | null;
  readonly kwh: number | null;
  readonly rupiah: number | null;
  readonly setAt: Date;
  readonly setBy: string;
}

/** What happened to an alarm, as subscribers and notification channels hear it. */
export interface AlarmTransition {
  /** transitionId(alarm, kind, at): the Idempotency-Key of its notifications. */
  readonly id: string;
  readonly kind: AlarmTransitionKind;
  /** Meter time for raises and clears; the time it was made for acknowledgements and reminders. */
  readonly at: Date;
  readonly alarm: Alarm;
  /** Whether this process owns the transition's notifications (the reading was ingested here, the ack made here). */
  readonly local: boolean;
  /** A clear re-decided by a late reading (its time corrected): subscribers hear it, channels do not again. */
  readonly correction?: true;
}

export interface AlarmServiceOptions {
  readonly log: AlarmLog;
  readonly store: ReadingStore;
  readonly time: LocalTime;
  readonly countingRule: CountingRuleParams;
  /** OFFLINE_AFTER: also the longest gap between readings a pending period runs across. */
  readonly offlineAfterMs: number;
  /** How far back a late reading (and a restart) re-evaluates from the readings kept (ALARM_REPLAY_WINDOW). */
  readonly replayMs: number;
  /** The admin record (rules, budgets, acknowledgements, channels) and the way to add to it. */
  readonly records: () => readonly AdminRecord[];
  readonly record: (actor: string, change: AdminRecord['change']) => Promise<AdminRecord>;
  /** The panels the building's figures add up (visible, not retired). */
  readonly buildingPanels: () => readonly string[];
  /** Energy and cost of a calendar month so far, for a set of panels. */
  readonly monthToDate: (panelIds: readonly string[], year: number, month: number) => { kwh: number; rupiah: number };
  /** The tariff's connected kVA on a day (the building's default demand limit is 90 % of it), or null. */
  readonly connectedKva: (day: number) => number | null;
  /** Readings refused so far per panel (ingest/rejection-stats.ts), for METER_DATA; none when absent. */
  readonly rejectionsByPanel?: () => ReadonlyMap<string, number>;
  /** MAX_CLOCK_SKEW: a meter clock ahead by more than half of it is a METER_DATA problem. */
  readonly maxClockSkewMs?: number;
  /** Channels from the configuration (ALARM_WEBHOOK_URL, ALARM_EMAIL_TO), beside those admins recorded. */
  readonly configuredChannels?: readonly ChannelConfig[];
  readonly logger: Logger;
  readonly now?: () => number;
}

type MutableAlarm = { -readonly [K in keyof Alarm]: Alarm[K] };

interface Acknowledgement {
  readonly at: Date;
  readonly by: string;
  readonly note: string | null;
}

/** A building-level machine (its demand, and budgets) with the subject it is for. */
interface SubjectMachine {
  state: MachineState;
}

/**
 * Alarms: the rules evaluated on meter time, their lifecycle (ACTIVE_UNACK → ACTIVE_ACK →
 * CLEARED_UNACK/CLEARED_ACK, at most one open alarm per subject and type), the log they are kept in
 * and what subscribers and channels hear. Every process evaluates the same readings (its own and
 * those the stored-readings feed brings), so all decide the same alarms with the same ids; the log
 * keeps them over restarts, the admin record carries acknowledgements to every process.
 */
export class AlarmService {
  readonly #options: AlarmServiceOptions;
  readonly #now: () => number;
  readonly #alarms = new Map<string, MutableAlarm>();
  /** Newest first, kept sorted lazily (the list is rebuilt when dirty). */
  #sorted: MutableAlarm[] | null = null;
  readonly #open = new Map<string, string>();
  /** Per alarm, how far its worst value is past the threshold it was judged by (worstValue's measure). */
  readonly #worst = new Map<string, number>();
  readonly #evaluators = new Map<string, PanelEvaluator>();
  readonly #acks = new Map<string, Acknowledgement>();
  readonly #listeners = new Set<(transition: AlarmTransition) => void>();
  #rules = new RuleBook();
  /** Bumped whenever the rules are rebuilt (evaluators cache them per version). */
  #rulesVersion = 0;
  #budgets = new Map<string, Budget>();
  #channels = new Map<string, ChannelConfig & { updatedAt: Date }>();
  /** Ids acknowledge() is recording right now (their acknowledgement is this process's to notify). */
  readonly #acknowledging = new Set<string>();
  /** The building's demand: each panel's average kW per window start, and whether the reading that completed it was ingested here. */
  readonly #windows = new Map<number, Map<string, { kw: number; local: boolean }>>();
  /** True while recordBudget() is recording here: the BUDGET decisions it causes are this process's to notify. */
  #recordingBudget = false;
  /** The newest budget record judged (its time is when every process judges it). */
  #budgetRecordAt = Number.NEGATIVE_INFINITY;
  #buildingDemand: MachineState = initialState();
  #evaluatedWindow = Number.NEGATIVE_INFINITY;
  readonly #budgetMachines = new Map<string, SubjectMachine>();
  #budgetAt = Number.NEGATIVE_INFINITY;
  /** Which panels' newest reading was ingested by this process (it owns their status alarms' notifications). */
  readonly #localNewest = new Map<string, number>();
  /** METER_DATA from what arrives (wall clock): refused readings and clocks ahead, per panel. */
  readonly #arrivals = new Map<string, { samples: Array<{ at: number; rejected: number }>; skews: number[]; machine: MachineState }>();
  /** Readings that arrived before load() finished, applied right after it. */
  #waiting: Array<{ reading: Reading; local: boolean }> | null = [];
  /** Log entries not yet confirmed by the store, in order; written one batch at a time. */
  #unwritten: AlarmLogEntry[] = [];
  #writing: Promise<void> = Promise.resolve();
  #retry: NodeJS.Timeout | null = null;
  #stopped = false;
  /** True while the log and the stored readings are being replayed: nothing is announced. */
  #replaying = false;

  constructor(options: AlarmServiceOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  // --- the rules' inputs -------------------------------------------------------------------

  /** A stored reading (the after-write pipeline's alarm step). `local`: ingested by this process. */
  applyReading(reading: Reading, local: boolean): void {
    if (this.#waiting !== null) {
      this.#waiting.push({ reading, local });
      return;
    }
    const ahead = reading.time.getTime() - this.#now();
    if (local && this.#options.maxClockSkewMs !== undefined && ahead > this.#options.maxClockSkewMs / 2) {
      this.#arrival(reading.panelId).skews.push(this.#now());
      this.checkArrivals(this.#now(), `meter clock ${Math.round(ahead / 1000)} s ahead`);
    }
    if (local) this.#localNewest.set(reading.panelId, Math.max(this.#localNewest.get(reading.panelId) ?? 0, reading.time.getTime()));
    else if ((this.#localNewest.get(reading.panelId) ?? 0) < reading.time.getTime()) this.#localNewest.delete(reading.panelId);
    this.#evaluator(reading.panelId).apply(alarmInput(reading, local));
  }

  #arrival(panelId: string) {
    let arrival = this.#arrivals.get(panelId);
    if (!arrival) this.#arrivals.set(panelId, (arrival = { samples: [], skews: [], machine: initialState() }));
    return arrival;
  }

  /**
   * METER_DATA from what this process received in the last 15 minutes (wall clock, as it is about
   * arrival): readings of a panel refused more than the rule's `raiseAbove` times, or a meter clock
   * ahead by more than MAX_CLOCK_SKEW/2; cleared after 15 minutes without either. Each process
   * judges what it received (called every minute, and at once on a clock ahead).
   */
  checkArrivals(now: number, why?: string): void {
    if (this.#waiting !== null) return;
    const rule = this.#rules.rule(BUILDING, 'METER_DATA');
    const window = 15 * 60_000;
    const counts = this.#options.rejectionsByPanel?.() ?? new Map<string, number>();
    for (const [panelId, rejected] of counts) {
      const samples = this.#arrival(panelId).samples;
      if (samples.at(-1)?.rejected !== rejected) samples.push({ at: now, rejected });
    }
    for (const [panelId, arrival] of this.#arrivals) {
      const { samples } = arrival;
      // The newest sample at or before the window's start is the count the window adds to.
      while (samples.length > 1 && samples[1]!.at <= now - window) samples.shift();
      const since = samples.length > 0 && samples[0]!.at <= now - window ? samples[0]!.rejected : 0;
      const refused = samples.length > 0 ? samples.at(-1)!.rejected - since : 0;
      arrival.skews = arrival.skews.filter((at) => at > now - window);
      const limit = this.#rules.rule(panelId, 'METER_DATA').raiseAbove ?? rule.raiseAbove ?? 5;
      const value = arrival.skews.length > 0 ? Math.max(refused, limit + 1) : refused;
      const describe = arrival.skews.length > 0 ? (why ?? 'a meter clock ahead') : `${refused} readings refused in 15 min`;
      const context = { subject: panelId, type: 'METER_DATA' as const, rule: { ...this.#rules.rule(panelId, 'METER_DATA'), raiseAbove: limit, forSeconds: 0, clearBelow: 0, clearForSeconds: 0 }, maxGapMs: Number.POSITIVE_INFINITY, emit: (event: AlarmEvent) => this.#decide(event, true) };
      step(arrival.machine, { from: now, to: now, low: value, high: value, describe }, context);
      if (!arrival.machine.active && samples.length <= 1 && arrival.skews.length === 0 && refused === 0) this.#arrivals.delete(panelId);
    }
  }

  /** A panel's status changed (status monitor): PANEL_OFFLINE raised or cleared at the meter-derived instant. */
  applyStatus(change: PanelStatusChange): void {
    const rule = this.#rules.rule(change.panelId, 'PANEL_OFFLINE');
    const local = this.#localNewest.has(change.panelId);
    if (change.status === 'OFFLINE') {
      if (!rule.enabled) return;
      this.#decide(
        { kind: 'RAISED', subject: change.panelId, type: 'PANEL_OFFLINE', severity: rule.severity, at: change.at, startedAt: change.at, value: null, threshold: this.#options.offlineAfterMs / 1000, message: `no reading for more than ${this.#options.offlineAfterMs / 60_000} min`, ruleVersion: rule.version },
        local,
      );
    } else {
      const open = this.#openAlarm(change.panelId, 'PANEL_OFFLINE');
      if (open) {
        this.#decide(
          { kind: 'CLEARED', subject: change.panelId, type: 'PANEL_OFFLINE', severity: open.severity, at: change.at, startedAt: open.startedAt, value: null, threshold: null, message: 'readings again', ruleVersion: rule.version },
          local,
        );
      }
    }
  }

  /** The admin record changed (here or on another process): rules, budgets, channels, acknowledgements. */
  settingsChanged(): void {
    const records = this.#options.records();
    this.#rules = new RuleBook(records);
    this.#rulesVersion++;
    const budgets = new Map<string, Budget>();
    const channels = new Map<string, ChannelConfig & { updatedAt: Date }>();
    for (const channel of this.#options.configuredChannels ?? []) channels.set(channel.channelId, { ...channel, updatedAt: new Date(0) });
    for (const { change, at, actor } of records) {
      if (change.kind === 'alarm.budget') {
        const key = change.panelId ?? BUILDING;
        if (change.kwh === null && change.rupiah === null) budgets.delete(key);
        else budgets.set(key, { panelId: change.panelId, kwh: change.kwh, rupiah: change.rupiah, setAt: at, setBy: actor });
      } else if (change.kind === 'notification.channel') {
        const { kind: _kind, ...config } = change;
        if (config.enabled) channels.set(change.channelId, { ...config, updatedAt: at });
        else channels.delete(change.channelId);
      }
    }
    this.#budgets = budgets;
    this.#channels = channels;
    // Acknowledgements (a re-read may add another process's anywhere in time order: all are looked at).
    for (const record of records) {
      if (record.change.kind !== 'alarm.acknowledged') continue;
      for (const id of record.change.alarmIds) {
        if (this.#acks.has(id)) continue;
        const ack = { at: record.at, by: record.actor, note: record.change.note };
        this.#acks.set(id, ack);
        const alarm = this.#alarms.get(id);
        // Made here (acknowledge() is recording it): this process notifies it.
        if (alarm) this.#applyAck(alarm, ack, this.#acknowledging.has(id));
      }
    }
    // A budget changed: every process judges it at the record's time (the same instant, so the same
    // alarm ids); the process that recorded it notifies. Other changes are judged now, by nobody's notice.
    const newest = records.findLast((r) => r.change.kind === 'alarm.budget')?.at.getTime() ?? Number.NEGATIVE_INFINITY;
    const budgetChanged = newest > this.#budgetRecordAt;
    this.#budgetRecordAt = Math.max(newest, this.#budgetRecordAt);
    if (this.#waiting !== null) return;
    if (budgetChanged) {
      // Every process reads the record after it was made, so this is the record's time (a clock behind it is not trusted ahead).
      this.#evaluateBudgets(Math.min(newest, this.#now()), this.#recordingBudget);
    } else {
      this.#evaluateBudgets(this.#now(), false);
    }
  }

  /** Records a budget change as `actor` (setBudget): its BUDGET decisions are this process's to notify. */
  async recordBudget(actor: string, change: Extract<AdminRecord['change'], { kind: 'alarm.budget' }>): Promise<void> {
    this.#recordingBudget = true;
    try {
      await this.#options.record(actor, change);
    } finally {
      this.#recordingBudget = false;
    }
  }

  // --- start-up -------------------------------------------------------------------------------

  /**
   * Reads the alarm log, then re-evaluates the stored readings of the last replay window of each
   * panel (a duration running at the stop continues from them), then the readings that arrived
   * meanwhile. Decisions the log already holds are not announced again.
   */
  async load(panelIds: readonly string[], statusOf: (panelId: string) => { status: 'ONLINE' | 'OFFLINE'; latest: Date | null }): Promise<void> {
    const entries = await this.#options.log.all();
    this.settingsChanged();
    this.#replaying = true;
    try {
      for (const entry of entries) this.#foldEntry(entry);
      const latest = await this.#options.store.latestReadings(panelIds);
      for (const alarm of this.#alarms.values()) {
        if (!isOpen(alarm)) continue;
        const subject = alarm.panelId ?? BUILDING;
        const newest = alarm.panelId === null ? undefined : latest.get(alarm.panelId);
        // Raised within the window replayed below: the replay decides it again (same id).
        if (newest && alarm.startedAt.getTime() >= newest.time.getTime() - this.#options.replayMs) continue;
        if ((READING_RULES as readonly string[]).includes(alarm.type) && alarm.panelId !== null) {
          this.#evaluator(subject).seedOpen(alarm.type as (typeof READING_RULES)[number], alarm.startedAt.getTime(), alarm.severity);
        } else if (alarm.type === 'DEMAND_HIGH') {
          Object.assign(this.#buildingDemand, { active: true, startedAt: alarm.startedAt.getTime(), severity: alarm.severity });
        } else if (alarm.type === 'BUDGET') {
          this.#budgetMachine(subject).state = { ...initialState(), active: true, startedAt: alarm.startedAt.getTime(), severity: alarm.severity };
        }
      }
      for (const panelId of panelIds) {
        const newest = latest.get(panelId);
        if (!newest) continue;
        const to = newest.time.getTime();
        const readings = await this.#options.store.readings(panelId, new Date(to - this.#options.replayMs), new Date(to + 1));
        const evaluator = this.#evaluator(panelId);
        for (const reading of readings) evaluator.apply(alarmInput(reading, false));
      }
    } finally {
      this.#replaying = false;
    }
    // A panel that went silent while no process ran: the status monitor does not announce it.
    for (const panelId of panelIds) {
      const { status, latest } = statusOf(panelId);
      if (status === 'OFFLINE' && latest !== null && !this.#openAlarm(panelId, 'PANEL_OFFLINE')) {
        this.applyStatus({ panelId, status: 'OFFLINE', at: new Date(latest.getTime() + this.#options.offlineAfterMs) });
      }
    }
    const waiting = this.#waiting ?? [];
    this.#waiting = null;
    for (const { reading, local } of waiting) this.applyReading(reading, local);
    this.#evaluateBudgets(this.#now(), false);
  }

  /** Writes what is still unwritten and stops retrying. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#retry) clearTimeout(this.#retry);
    await this.#writing;
  }

  // --- reading ---------------------------------------------------------------------------------

  /** Alarms a caller sees, newest first (by start, then id). */
  list(scope: PanelScope): readonly Alarm[] {
    const sorted = (this.#sorted ??= [...this.#alarms.values()].sort(
      (a, b) => b.startedAt.getTime() - a.startedAt.getTime() || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0),
    ));
    return scope === null ? sorted : sorted.filter((alarm) => alarm.panelId !== null && scope.has(alarm.panelId));
  }

  get(id: string, scope: PanelScope): Alarm | null {
    const alarm = this.#alarms.get(id);
    if (!alarm || !visible(alarm, scope)) return null;
    return alarm;
  }

  /** Open alarms by severity, and unacknowledged ones, that a caller sees. */
  counts(scope: PanelScope): { open: number; unacknowledged: number; bySeverity: Record<AlarmSeverity, number> } {
    const bySeverity: Record<AlarmSeverity, number> = { CRITICAL: 0, MAJOR: 0, MINOR: 0, WARNING: 0 };
    let open = 0;
    let unacknowledged = 0;
    for (const id of this.#open.values()) {
      const alarm = this.#alarms.get(id);
      if (!alarm || !visible(alarm, scope)) continue;
      open++;
      bySeverity[alarm.severity]++;
      if (alarm.state === 'ACTIVE_UNACK') unacknowledged++;
    }
    for (const alarm of this.#alarms.values()) if (alarm.state === 'CLEARED_UNACK' && visible(alarm, scope)) unacknowledged++;
    return { open, unacknowledged, bySeverity };
  }

  /** Open alarms a caller sees (a subscription's first events). */
  openAlarms(scope: PanelScope): Alarm[] {
    return [...this.#open.values()].map((id) => this.#alarms.get(id)!).filter((alarm) => visible(alarm, scope));
  }

  rules(): RuleBook {
    return this.#rules;
  }

  /** The rule in force today (the API's alarmRules). */
  rule(subject: string, type: AlarmType): ResolvedRule {
    return this.#effectiveRule(subject, type, this.#now());
  }

  budgets(): Budget[] {
    return [...this.#budgets.values()];
  }

  /** A budget's month so far (local calendar month of `now`) and its projection to the month's end, rounded. */
  budgetProgress(budget: Budget, now: number): { usedKwh: number; usedRupiah: number; projectedKwh: number; projectedRupiah: number } {
    const { year, month } = dateOfDayNumber(this.#options.time.dayNumber(now));
    const monthStart = this.#options.time.dayStart(dayNumberOf(year, month, 1));
    const fraction = Math.max(1e-6, (now - monthStart) / (daysInMonth(year, month) * 86_400_000));
    const panels = budget.panelId === null ? this.#options.buildingPanels() : [budget.panelId];
    const used = this.#options.monthToDate(panels, year, month);
    const round = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits;
    return { usedKwh: round(used.kwh, 3), usedRupiah: round(used.rupiah, 2), projectedKwh: round(used.kwh / fraction, 3), projectedRupiah: round(used.rupiah / fraction, 2) };
  }

  channels(): Array<ChannelConfig & { updatedAt: Date }> {
    return [...this.#channels.values()];
  }

  channel(id: string): (ChannelConfig & { updatedAt: Date }) | null {
    return this.#channels.get(id) ?? null;
  }

  /** Listens to every transition (subscriptions, notifications). Returns the unsubscribe function. */
  onTransition(listener: (transition: AlarmTransition) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  // --- acknowledging ---------------------------------------------------------------------------

  /**
   * Acknowledges alarms as `actor` (recorded in the admin record, so every process shows it).
   * Already acknowledged ones are left as they were. Returns the alarms as they are now.
   */
  async acknowledge(actor: string, ids: readonly string[], note: string | null): Promise<Alarm[]> {
    const fresh = ids.filter((id) => !this.#acks.has(id));
    if (fresh.length > 0) {
      for (const id of fresh) this.#acknowledging.add(id);
      try {
        // Recording it folds it (settingsChanged, called by the admin record's change handler).
        const record = await this.#options.record(actor, { kind: 'alarm.acknowledged', alarmIds: [...new Set(fresh)], note });
        for (const id of fresh) {
          if (this.#acks.has(id)) continue;
          const ack = { at: record.at, by: actor, note };
          this.#acks.set(id, ack);
          const alarm = this.#alarms.get(id);
          if (alarm) this.#applyAck(alarm, ack, true);
        }
      } finally {
        for (const id of fresh) this.#acknowledging.delete(id);
      }
    }
    return ids.map((id) => this.#alarms.get(id)).filter((alarm): alarm is MutableAlarm => alarm !== undefined);
  }

  /**
   * Reminders due now for ACTIVE_UNACK alarms of the channel's severities: one transition per
   * period elapsed (its id names the period, so a reminder is made once whoever asks).
   */
  remindersDue(channel: ChannelConfig, now: number): AlarmTransition[] {
    if (channel.reminderMinutes <= 0) return [];
    const period = channel.reminderMinutes * 60_000;
    const due: AlarmTransition[] = [];
    for (const id of this.#open.values()) {
      const alarm = this.#alarms.get(id)!;
      if (alarm.state !== 'ACTIVE_UNACK' || !channel.reminderSeverities.includes(alarm.severity)) continue;
      const elapsed = Math.floor((now - alarm.startedAt.getTime()) / period);
      if (elapsed < 1) continue;
      const at = new Date(alarm.startedAt.getTime() + elapsed * period);
      due.push({ id: transitionId(alarm.id, 'REMINDER', at), kind: 'REMINDER', at, alarm: { ...alarm }, local: true });
    }
    return due;
  }

  // --- deciding ---------------------------------------------------------------------------------

  #evaluator(panelId: string): PanelEvaluator {
    let evaluator = this.#evaluators.get(panelId);
    if (!evaluator) {
      evaluator = new PanelEvaluator({
        panelId,
        // A panel's rules take nothing from the tariff: the day does not matter.
        rule: (type) => this.#effectiveRule(panelId, type, this.#now()),
        rulesVersion: () => this.#rulesVersion,
        countingRule: this.#options.countingRule,
        maxGapMs: this.#options.offlineAfterMs,
        replayMs: this.#options.replayMs,
        emit: (event, local) => this.#decide(event, local),
        windowDemand: (windowStart, kw, local) => this.#windowDemand(panelId, windowStart, kw, local),
        windowClosed: (windowStart, local) => this.#windowClosed(windowStart, local),
        replayed: (decisions, settledBefore) => this.#replayed(panelId, decisions, settledBefore),
      });
      this.#evaluators.set(panelId, evaluator);
    }
    return evaluator;
  }

  /**
   * The rule with the defaults that depend on the site (the building's demand limit from the
   * tariff in force on the meter day `at`: the same readings judged against the same limit on any
   * process, in a replay and after a restart, whatever the clock says).
   */
  #effectiveRule(subject: string, type: AlarmType, at: number): ResolvedRule {
    const rule = this.#rules.rule(subject, type);
    if (type !== 'DEMAND_HIGH' || subject !== BUILDING || rule.raiseAbove !== null) return rule;
    const kva = this.#options.connectedKva(this.#options.time.dayNumber(at));
    if (kva === null) return rule;
    return { ...rule, raiseAbove: 0.9 * kva, clearBelow: 0.85 * kva };
  }

  /** A panel's average kW over a completed 15-minute window (the building's demand adds them up). */
  #windowDemand(panelId: string, windowStart: number, kw: number, local: boolean): void {
    let window = this.#windows.get(windowStart);
    if (!window) this.#windows.set(windowStart, (window = new Map()));
    window.set(panelId, { kw, local });
  }

  /**
   * A panel's reading ended a 15-minute window: the building's window before it is then taken as
   * complete (every panel has had a window's time to report it). Budgets are judged at this pace too.
   */
  #windowClosed(windowStart: number, closedHere: boolean): void {
    const previous = windowStart - WINDOW_MS;
    if (previous <= this.#evaluatedWindow) return;
    this.#evaluatedWindow = previous;
    const window = this.#windows.get(previous);
    // Who notifies the building's decisions for this window: not whichever process's reading first
    // closed it (each process may see a different one first), but the one that ingested the reading
    // completing the window of the building panel with the smallest id (every process agrees on it).
    let local = closedHere;
    if (window) {
      const panels = new Set(this.#options.buildingPanels());
      let total = 0;
      let owner: string | null = null;
      for (const [id, value] of window) {
        if (!panels.has(id)) continue;
        total += value.kw;
        if (owner === null || id < owner) [owner, local] = [id, value.local];
      }
      step(this.#buildingDemand, { from: previous, to: previous + WINDOW_MS, low: total, high: total }, { subject: BUILDING, type: 'DEMAND_HIGH', rule: this.#effectiveRule(BUILDING, 'DEMAND_HIGH', previous), maxGapMs: this.#options.offlineAfterMs, emit: (event) => this.#decide(event, local) });
    }
    for (const start of this.#windows.keys()) if (start < previous - 4 * WINDOW_MS) this.#windows.delete(start);
    this.#evaluateBudgets(windowStart + WINDOW_MS, local);
  }

  #budgetMachine(subject: string): SubjectMachine {
    let machine = this.#budgetMachines.get(subject);
    if (!machine) this.#budgetMachines.set(subject, (machine = { state: initialState() }));
    return machine;
  }

  /**
   * Each budget against the month so far at meter time `at`: the projection over the budget is a
   * WARNING, the month so far over it MAJOR. A new month or a raised budget clears it.
   */
  #evaluateBudgets(when: number, local: boolean): void {
    // Never behind the last evaluation (a settings change is judged at the clock, readings at meter time).
    const at = Math.max(when, this.#budgetAt);
    this.#budgetAt = at;
    const rule = this.#rules.rule(BUILDING, 'BUDGET');
    const day = this.#options.time.dayNumber(at);
    const { year, month, day: dayOfMonth } = dateOfDayNumber(day);
    const monthStart = this.#options.time.dayStart(dayNumberOf(year, month, 1));
    const elapsed = Math.max(1, at - monthStart);
    const length = daysInMonth(year, month) * 86_400_000;
    const subjects = new Set([...this.#budgets.keys(), ...this.#budgetMachines.keys()]);
    for (const subject of subjects) {
      const budget = this.#budgets.get(subject);
      const machine = this.#budgetMachine(subject);
      let percent = 0;
      let severity: AlarmSeverity = 'WARNING';
      let describe = 'no budget';
      if (budget) {
        const panels = subject === BUILDING ? this.#options.buildingPanels() : [subject];
        const so = this.#options.monthToDate(panels, year, month);
        for (const [used, limit, unit] of [[so.kwh, budget.kwh, 'kWh'], [so.rupiah, budget.rupiah, 'Rp']] as const) {
          if (limit === null) continue;
          const projected = (used * length) / elapsed;
          const actual = (100 * used) / limit;
          const projection = (100 * projected) / limit;
          if (Math.max(actual, projection) > percent) {
            percent = Math.max(actual, projection);
            severity = actual > 100 ? 'MAJOR' : 'WARNING';
            describe = `${Math.round(used)} ${unit} by day ${dayOfMonth}, projected ${Math.round(projected)} ${unit}, budget ${limit} ${unit}`;
          }
        }
      }
      // A new month starts below every budget: the previous month's alarm clears at its start.
      step(machine.state, { from: at, to: at, low: percent, high: percent, severity, describe }, { subject, type: 'BUDGET', rule, maxGapMs: Number.POSITIVE_INFINITY, emit: (event) => this.#decide(event, local) });
    }
  }

  /**
   * A late reading's replay re-decided a panel's alarms: an alarm of a reading rule that started
   * after what the replay's starting state settled (`settledBefore`) and that the replay does not
   * raise again is withdrawn (the readings no longer support it); then the replay's decisions are
   * applied (raising the readings' own). So the alarms end as the readings give them, whatever
   * order they came in.
   */
  #replayed(panelId: string, decisions: ReadonlyArray<{ event: AlarmEvent; local: boolean }>, settledBefore: (type: AlarmType) => number): void {
    const raised = new Set(decisions.filter((d) => d.event.kind === 'RAISED').map((d) => alarmId(panelId, d.event.type, d.event.startedAt)));
    const withdrawn = [...this.#alarms.values()].filter(
      (alarm) => alarm.panelId === panelId && WITHDRAWABLE.has(alarm.type) && alarm.startedAt.getTime() > settledBefore(alarm.type) && !raised.has(alarm.id),
    );
    for (const alarm of withdrawn) {
      const entry: AlarmLogEntry = {
        id: transitionId(alarm.id, 'WITHDRAWN', alarm.startedAt),
        alarmId: alarm.id,
        kind: 'WITHDRAWN',
        at: alarm.startedAt,
        subject: panelId,
        type: alarm.type,
        severity: alarm.severity,
        startedAt: alarm.startedAt,
        value: alarm.value,
        threshold: alarm.threshold,
        message: 'withdrawn: a late reading showed the condition did not hold that long',
        ruleVersion: alarm.ruleVersion,
      };
      const before = { ...alarm };
      this.#foldEntry(entry);
      this.#unwritten.push(entry);
      this.#write();
      if (!this.#replaying) this.#announce({ id: entry.id, kind: 'WITHDRAWN', at: entry.at, alarm: before, local: false });
    }
    for (const { event, local } of decisions) this.#decide(event, local);
  }

  /** The one open alarm of a subject and type, if any. */
  #openAlarm(subject: string, type: AlarmType): MutableAlarm | null {
    const id = this.#open.get(`${subject}\u0000${type}`);
    return id === undefined ? null : (this.#alarms.get(id) ?? null);
  }

  /**
   * Applies a rule's decision: a raise creates the alarm unless one is open for the subject and
   * type (then it is a repeat and updates it) or it exists already (a replay); a worsening updates
   * the open one; a clear closes it. Decisions that change nothing are dropped, so replays and
   * several processes deciding the same are harmless.
   */
  #decide(event: AlarmEvent, local: boolean): void {
    const entry = this.#entryFor(event);
    if (entry === null) return;
    const correction = entry.kind === 'CLEARED' && !isOpen(this.#alarms.get(entry.alarmId)!);
    this.#foldEntry(entry);
    this.#unwritten.push(entry);
    this.#write();
    // At start-up decisions are made again from stored readings: kept (one the log missed is written), not announced.
    if (this.#replaying) return;
    const alarm = this.#alarms.get(entry.alarmId)!;
    // Worsenings update the alarm (subscribers see them); they are not notifications of their own.
    this.#announce({ id: entry.id, kind: entry.kind, at: entry.at, alarm: { ...alarm }, local, ...(correction ? { correction: true as const } : {}) });
  }

  /** The log entry a decision amounts to, or null when it changes nothing. */
  #entryFor(event: AlarmEvent): AlarmLogEntry | null {
    const subject = event.subject;
    const open = this.#openAlarm(subject, event.type);
    const id = alarmId(subject, event.type, event.startedAt);
    const own = this.#alarms.get(id);
    const base = { subject, type: event.type, severity: event.severity, value: event.value, threshold: event.threshold, message: event.message, ruleVersion: event.ruleVersion };
    if (event.kind === 'RAISED') {
      if (own) return null;
      // A repeat while open: an update of the open alarm. (An episode before the open one's start,
      // re-decided by a late reading's replay, is an alarm of its own: its clear follows.)
      if (open && open.startedAt.getTime() <= event.startedAt.getTime()) {
        if (!worse(open, event)) return null;
        return { ...base, id: transitionId(open.id, 'WORSENED', event.at), alarmId: open.id, kind: 'WORSENED', at: event.at, startedAt: open.startedAt };
      }
      return { ...base, id: transitionId(id, 'RAISED', event.startedAt), alarmId: id, kind: 'RAISED', at: event.startedAt, startedAt: event.startedAt };
    }
    // The decision's own alarm when there is one; otherwise the open one it was merged into (a repeat).
    const target = own ?? open;
    if (!target) return null;
    if (event.kind === 'WORSENED') {
      // Only a value further past its threshold than the worst so far, or a graver severity: a replay
      // re-deciding from a saved state repeats lesser worsenings, which must not replace the worst.
      const graver = severityRank(event.severity) < severityRank(target.severity);
      // A late reading's replay can find a worse value of an alarm cleared since: it still counts.
      const whileOpen = isOpen(target) || (target.clearedAt !== null && event.at.getTime() <= target.clearedAt.getTime());
      if (!whileOpen || (!graver && deviation(event.value, event.threshold) <= (this.#worst.get(target.id) ?? Number.NEGATIVE_INFINITY))) return null;
      return { ...base, id: transitionId(target.id, 'WORSENED', event.at), alarmId: target.id, kind: 'WORSENED', at: event.at, startedAt: target.startedAt };
    }
    let at = event.at;
    if (at.getTime() < target.startedAt.getTime()) {
      // A clear of an earlier episode does not end a later alarm.
      if (event.startedAt.getTime() !== target.startedAt.getTime()) return null;
      // This alarm's own clear, at an instant before its start: readings a gateway held back and
      // delivered after the panel was declared OFFLINE say it was reporting all along. It ends at its
      // start (an episode of no length in meter time); dropping the clear kept it open for good.
      at = target.startedAt;
    }
    // Already cleared: a late reading moved the clear (the replay's time is the one the readings give).
    if (!isOpen(target) && target.clearedAt?.getTime() === at.getTime()) return null;
    return { ...base, severity: target.severity, id: transitionId(target.id, 'CLEARED', at), alarmId: target.id, kind: 'CLEARED', at, startedAt: target.startedAt };
  }

  /** Applies one log entry to the alarms (loading, and as decisions are made). */
  #foldEntry(entry: AlarmLogEntry): void {
    const key = `${entry.subject}\u0000${entry.type}`;
    let alarm = this.#alarms.get(entry.alarmId);
    if (entry.kind === 'RAISED') {
      if (alarm) return;
      // Another process's raise for a subject and type already open here: the open one is kept
      // (an earlier episode, re-decided by a replay, is kept beside it; its clear follows).
      const openId = this.#open.get(key);
      const openAlarm = openId === undefined ? undefined : this.#alarms.get(openId);
      if (openAlarm && openAlarm.startedAt.getTime() <= entry.startedAt.getTime()) return;
      alarm = {
        id: entry.alarmId,
        type: entry.type,
        severity: entry.severity,
        panelId: entry.subject === BUILDING ? null : entry.subject,
        state: 'ACTIVE_UNACK',
        startedAt: entry.startedAt,
        clearedAt: null,
        acknowledgedAt: null,
        acknowledgedBy: null,
        note: null,
        value: entry.value,
        worstValue: entry.value,
        latestValue: entry.value,
        lastSeenAt: entry.at,
        threshold: entry.threshold,
        message: entry.message,
        ruleVersion: entry.ruleVersion,
      };
      this.#alarms.set(alarm.id, alarm);
      this.#worst.set(alarm.id, deviation(entry.value, entry.threshold));
      if (!openAlarm) this.#open.set(key, alarm.id);
      this.#sorted = null;
      const ack = this.#acks.get(alarm.id);
      if (ack) this.#applyAck(alarm, ack, false);
      return;
    }
    if (!alarm) return;
    if (entry.kind === 'WITHDRAWN') {
      this.#alarms.delete(alarm.id);
      this.#worst.delete(alarm.id);
      if (this.#open.get(key) === alarm.id) this.#open.delete(key);
      this.#sorted = null;
      return;
    }
    if (entry.kind === 'WORSENED') {
      if (entry.at.getTime() >= alarm.lastSeenAt.getTime()) {
        alarm.latestValue = entry.value;
        alarm.lastSeenAt = entry.at;
      }
      // The most extreme value of all worsenings, whatever order they were decided or read back in.
      const past = deviation(entry.value, entry.threshold);
      if (past > (this.#worst.get(alarm.id) ?? Number.NEGATIVE_INFINITY)) {
        this.#worst.set(alarm.id, past);
        alarm.worstValue = entry.value;
        alarm.message = entry.message;
      }
      if (severityRank(entry.severity) < severityRank(alarm.severity)) alarm.severity = entry.severity;
      return;
    }
    if (!isOpen(alarm)) {
      // A clear corrected by a late reading (the newest decision wins).
      alarm.clearedAt = entry.at;
      return;
    }
    alarm.state = alarm.state === 'ACTIVE_ACK' ? 'CLEARED_ACK' : 'CLEARED_UNACK';
    alarm.clearedAt = entry.at;
    alarm.latestValue = entry.value ?? alarm.latestValue;
    if (this.#open.get(key) === alarm.id) this.#open.delete(key);
  }

  #applyAck(alarm: MutableAlarm, ack: Acknowledgement, local: boolean): void {
    if (alarm.acknowledgedAt !== null) return;
    const states: Record<AlarmState, AlarmState> = { ACTIVE_UNACK: 'ACTIVE_ACK', ACTIVE_ACK: 'ACTIVE_ACK', CLEARED_UNACK: 'CLEARED_ACK', CLEARED_ACK: 'CLEARED_ACK' };
    alarm.state = states[alarm.state];
    alarm.acknowledgedAt = ack.at;
    alarm.acknowledgedBy = ack.by;
    alarm.note = ack.note;
    if (!this.#replaying) this.#announce({ id: transitionId(alarm.id, 'ACKNOWLEDGED', ack.at), kind: 'ACKNOWLEDGED', at: ack.at, alarm: { ...alarm }, local });
  }

  #announce(transition: AlarmTransition): void {
    for (const listener of this.#listeners) {
      try {
        listener(transition);
      } catch (error) {
        this.#options.logger.error({ err: error, alarm: transition.alarm.id, kind: transition.kind }, 'an alarm listener failed');
      }
    }
  }

  /** Writes unwritten log entries, one batch at a time; retried every 5 s while the store refuses. */
  #write(): void {
    this.#writing = this.#writing.then(async () => {
      const batch = this.#unwritten;
      if (batch.length === 0) return;
      this.#unwritten = [];
      try {
        await this.#options.log.append(batch);
      } catch (error) {
        this.#unwritten = [...batch, ...this.#unwritten];
        this.#options.logger.warn({ err: error, entries: batch.length }, 'alarm log not written yet; retrying in 5 s');
        if (!this.#stopped && this.#retry === null) {
          this.#retry = setTimeout(() => {
            this.#retry = null;
            this.#write();
          }, 5_000);
          this.#retry.unref();
        }
      }
    });
  }

  /** Resolves once every decision made so far is in the store (or failed to be written). */
  written(): Promise<void> {
    return this.#writing;
  }
}

/** Reading rules whose alarms a late reading may withdraw (METER_DATA is also raised by arrivals, which no replay sees). */
const WITHDRAWABLE: ReadonlySet<AlarmType> = new Set(['VOLTAGE_OUT_OF_RANGE', 'VOLTAGE_UNBALANCE', 'LOW_POWER_FACTOR', 'DEMAND_HIGH']);

function visible(alarm: Alarm, scope: PanelScope): boolean {
  return scope === null || (alarm.panelId !== null && scope.has(alarm.panelId));
}

/**
 * How far a value is past the threshold it was judged by (either side: a voltage alarm raised low
 * can worsen high). Comparing these instead of taking the last worsening makes an alarm's worst
 * value a function of its readings, not of the order they came in.
 */
function deviation(value: number | null, threshold: number | null): number {
  if (value === null) return Number.NEGATIVE_INFINITY;
  return threshold === null ? value : Math.abs(value - threshold);
}

/** Whether a value is further past the alarm's threshold than its worst so far. */
function worse(alarm: Alarm, candidate: { value: number | null; severity: AlarmSeverity }): boolean {
  if (severityRank(candidate.severity) < severityRank(alarm.severity)) return true;
  if (candidate.value === null || alarm.worstValue === null || alarm.threshold === null) return false;
  const below = alarm.value !== null && alarm.value < alarm.threshold;
  return below ? candidate.value < alarm.worstValue : candidate.value > alarm.worstValue;
}

