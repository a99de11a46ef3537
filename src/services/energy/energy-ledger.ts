import type { Reading } from '../../models/reading.js';
import pLimit from 'p-limit';
import type { Logger } from '../../config/logger.js';
import type { CounterColumns, CounterSource } from '../../store/reading-store.js';
import type { LocalTime } from '../../time/local-time.js';
import { CounterWalk, snapshotHasPending, type CountSink, type CountingRuleParams } from './counting-rule.js';

/** Panels whose history is read from the store at the same time (see #replays). */
const REPLAY_CONCURRENCY = 4;

/**
 * Energy per panel, per local day and hour, kept by walking each panel's whole series through the
 * counting rule once and then every new reading as it is stored. Queries read it from memory, so
 * a summary never re-reads history, and every query sees the same numbers.
 *
 * For each local day with readings the ledger keeps the rule's state before the day's first
 * reading. A late, duplicate or corrected reading makes the panel "dirty" from its day: the walk is
 * replayed from the nearest earlier day whose saved state has no pending readings (so no increase
 * of the replayed part can land before it) and stops as soon as it reaches a day whose saved state
 * it reproduces exactly with nothing pending, beyond every dirty day: the rest is then unchanged.
 * Queries wait for a dirty panel's replay (`settled`), so a write changes the answers at once.
 */

const HOURS = 24;
/** Quarter hours of a local day (demand windows, services/demand). */
export const QUARTERS = 96;
const QUARTER_MS = 900_000;
const DAY_MS = 86_400_000;

/** One local day of one panel. Values are unrounded. */
export interface DayEnergy {
  readonly day: number;
  /** kWh counted per local hour of the day (by the time of the reading that counts it). */
  readonly kwh: Float64Array;
  /** kVArh counted from the meter's reactive counter, when it sends one. */
  kvarhCounted: number;
  /** kVArh estimated from the counted kWh and the power factor of each step (kWh × tan φ). */
  kvarhEstimated: number;
  /** Counted kWh of steps without a power factor at either end (not covered by the estimate). */
  kwhWithoutPowerFactor: number;
  /**
   * Per local quarter hour (96, by wall clock) of the day, for demand (services/demand): the kWh
   * the counting rule counted at readings in that quarter, the reactive kVArh estimated on the same
   * steps from their power factor (kWh × tan φ; a step without one counts as power factor 1), and
   * how long those steps lasted (ms, from the reading counted from): energy over span is the
   * window's average kW, and a span of about the window says the window was fully measured.
   * Float32: demand needs no more digits, and a year of 100 panels stays about 40 MB.
   */
  readonly quarterKwh: Float32Array;
  readonly quarterKvarh: Float32Array;
  readonly quarterSpanMs: Float32Array;
  readingCount: number;
  /** Readings of the day that carried a reactive counter. */
  reactiveCounterReadings: number;
  /** Bumped whenever a figure of this entry changes (a replay makes new entries instead). */
  revision: number;
}

/**
 * A day as the ledger keeps it, with what it needs to resume and to be checked against the store:
 * a checkpoint (ledger-checkpoints.ts) saves and restores exactly this.
 */
export interface SavedDay extends DayEnergy {
  /** Rule states before the day's first reading: active and reactive counters. */
  readonly startActive: Float64Array;
  readonly startReactive: Float64Array;
  /** What the day's walked readings add up to, per field the rule reads (see FINGERPRINT). */
  readonly fingerprint: Float64Array;
}

type DayEntry = SavedDay;

/** A final day (see finalDays) and the rule's states after it. */
export interface FinalDay {
  readonly day: SavedDay;
  readonly endActive: Float64Array;
  readonly endReactive: Float64Array;
}

/** A panel's days restored from a checkpoint (ascending), and the rule's states after the last. */
export interface RestoredPanel {
  readonly days: readonly SavedDay[];
  readonly endActive: Float64Array;
  readonly endReactive: Float64Array;
}

/**
 * The fingerprint of a day's walked readings: for each field the rule reads, in this order, how
 * many readings had it, their sum and the sum of their magnitudes (which bounds the rounding of a
 * sum taken in another order). InfluxDB computes the same counts and sums in storage, so a day
 * can be checked against the store without reading it (store/influx/day-fingerprints).
 */
export const FINGERPRINT_FIELDS = ['kwh', 'kw', 'pf', 'kvarh', 'kva'] as const;
const FINGERPRINT_LENGTH = FINGERPRINT_FIELDS.length * 3;

/** The newest walked reading, to recognise the same reading arriving again. */
interface LastReading {
  t: number;
  kwh: number;
  kw: number;
  kvarh: number;
}

class PanelLedger {
  readonly days = new Map<number, DayEntry>();
  /** Day numbers with an entry, ascending. */
  order: number[] = [];
  active: CounterWalk;
  reactive: CounterWalk;
  last: LastReading | null = null;
  /** Days touched by late readings and not yet replayed ([from, to]). */
  dirtyFrom: number | null = null;
  dirtyTo: number | null = null;
  replaying: Promise<void> | null = null;
  /** Readings stored while the replay ran, applied after it. */
  queued: ReadingForLedger[] = [];
  /** A restored checkpoint's rule states before `day` (after its last day), for the next replay. */
  resume: { readonly day: number; readonly active: Float64Array; readonly reactive: Float64Array } | null = null;

  constructor(params: CountingRuleParams) {
    this.active = new CounterWalk(params);
    this.reactive = new CounterWalk(params);
  }
}

/** What the ledger needs of one reading. Nullable values are NaN. */
export interface ReadingForLedger {
  readonly panelId: string;
  readonly t: number;
  readonly kwh: number;
  readonly kw: number;
  readonly pf: number;
  readonly kvarh: number;
  readonly kva: number;
}

/** What the energy ledger takes of a stored reading (nullable values as NaN). */
function ledgerEntry(reading: Reading): ReadingForLedger {
  return {
    panelId: reading.panelId,
    t: reading.time.getTime(),
    kwh: reading.energyKwh,
    kw: reading.activePowerKw,
    pf: reading.powerFactor ?? Number.NaN,
    kvarh: reading.reactiveEnergyKvarh ?? Number.NaN,
    kva: reading.apparentPowerKva ?? Number.NaN,
  };
}

export interface EnergyLedgerOptions {
  readonly rule: CountingRuleParams;
  readonly time: LocalTime;
  readonly source: CounterSource;
  readonly logger: Logger;
}

/** How far back a replay remembers what it walked, to recognise readings queued meanwhile. */
const RECENT_MS = 2 * 86_400_000;
const HOUR_MS = 3_600_000;

/** A power factor this small (or unknown) gives no usable reactive estimate. */
const MIN_ESTIMATE_PF = 0.05;

export class EnergyLedger {
  readonly #panels = new Map<string, PanelLedger>();
  readonly #rule: CountingRuleParams;
  readonly #time: LocalTime;
  readonly #source: CounterSource;
  readonly #logger: Logger;
  /** Bumped whenever any panel's numbers change (caches of derived figures key on it). */
  #version = 0;
  /**
   * Per local day: a stamp renewed whenever any panel's figures of that day change (a reading
   * counted into it, a replay replacing it, a panel forgotten). Caches of one day summed over many
   * panels key on it, so a new reading re-sums today alone, not a year of days.
   */
  readonly #dayStamps = new Map<number, number>();
  #stampClock = 0;
  /** Set by stop(): no replay reads the store any more (it is about to close). */
  #stopped = false;

  /**
   * Replays reading the store at once. At start-up every panel replays: a few at a time keeps
   * memory bounded (100 panels each holding a month of InfluxDB rows exhausted a 512 MB heap)
   * while the store still serves several in parallel.
   */
  readonly #replays = pLimit(REPLAY_CONCURRENCY);

  constructor(options: EnergyLedgerOptions) {
    this.#rule = options.rule;
    this.#time = options.time;
    this.#source = options.source;
    this.#logger = options.logger;
  }

  get rule(): CountingRuleParams {
    return this.#rule;
  }

  /** Changes whenever a panel's energy may have changed. */
  get version(): number {
    return this.#version;
  }

  /** Changes whenever any panel's figures of local day `dayNumber` may have changed (0: never yet). */
  dayStamp(dayNumber: number): number {
    return this.#dayStamps.get(dayNumber) ?? 0;
  }

  #touch(dayNumber: number): void {
    this.#dayStamps.set(dayNumber, ++this.#stampClock);
  }

  /**
   * Walks the whole stored series of these panels (at start-up). Readings stored meanwhile are
   * queued and applied after, so nothing is missed or walked twice.
   */
  load(panelIds: readonly string[], restored?: ReadonlyMap<string, RestoredPanel>): Promise<void> {
    for (const panelId of panelIds) {
      const panel = this.#panel(panelId);
      const saved = panel.replaying ? undefined : restored?.get(panelId);
      const last = saved?.days[saved.days.length - 1];
      if (!saved || !last) {
        this.#markDirty(panel, Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY);
        continue;
      }
      // Restored days (a checkpoint checked against the store, ascending) are taken as they are,
      // in place of what readings stored meanwhile made. The walk resumes after the last of them
      // from the states saved with it (when nothing was pending then: a pending reading could
      // still add to the restored days), or else from the newest restored day it may start from.
      for (const day of panel.order) this.#touch(day);
      panel.days.clear();
      panel.order = saved.days.map((day) => day.day);
      for (const day of saved.days) {
        panel.days.set(day.day, day);
        this.#touch(day.day);
      }
      const clean = !snapshotHasPending(saved.endActive) && !snapshotHasPending(saved.endReactive);
      panel.resume = clean ? { day: last.day + 1, active: saved.endActive, reactive: saved.endReactive } : null;
      this.#markDirty(panel, clean ? last.day + 1 : last.day, Number.POSITIVE_INFINITY);
    }
    return this.settled(panelIds);
  }

  /**
   * The panel's days whose figures no later reading can change any more unless it is late: a
   * later day began with nothing pending (until then, pending readings could still count, and
   * add to the days they were read on). None while the panel is being replayed.
   */
  finalDays(panelId: string): FinalDay[] {
    const panel = this.#panels.get(panelId);
    if (!panel || panel.replaying || panel.dirtyFrom !== null) return [];
    let end = panel.order.length - 1;
    while (end > 0) {
      const entry = panel.days.get(panel.order[end]!)!;
      if (!snapshotHasPending(entry.startActive) && !snapshotHasPending(entry.startReactive)) break;
      end--;
    }
    const result: FinalDay[] = [];
    for (let i = 0; i < end; i++) {
      // The states after a day are those before the next day with readings.
      const next = panel.days.get(panel.order[i + 1]!)!;
      result.push({ day: panel.days.get(panel.order[i]!)!, endActive: next.startActive, endReactive: next.startReactive });
    }
    return result;
  }

  /** A reading was durably stored (the after-write pipeline's step). */
  applyStored(reading: Reading): void {
    this.apply(ledgerEntry(reading));
  }

  /** A reading was durably stored. Appends in O(1); an older or repeated one schedules a replay. */
  apply(reading: ReadingForLedger): void {
    const panel = this.#panel(reading.panelId);
    if (panel.replaying || panel.dirtyFrom !== null) {
      panel.queued.push(reading);
      return;
    }
    this.#applyNow(panel, reading);
  }

  /** Resolves when these panels' numbers reflect every reading stored so far. */
  async settled(panelIds?: readonly string[]): Promise<void> {
    for (;;) {
      const waits: Array<Promise<void>> = [];
      for (const id of panelIds ?? [...this.#panels.keys()]) {
        const panel = this.#panels.get(id);
        if (panel?.replaying) waits.push(panel.replaying);
      }
      if (waits.length === 0) return;
      await Promise.all(waits);
    }
  }

  /** Whether this panel's numbers reflect every reading stored so far: what `settled` waits for, asked without waiting. */
  isSettled(panelId: string): boolean {
    return !this.#panels.get(panelId)?.replaying;
  }

  /**
   * Stops reading the store: replays end after the read in progress, and none starts or retries.
   * Resolves when no replay runs, so the store can be closed with nothing reading it.
   */
  async stop(): Promise<void> {
    this.#stopped = true;
    await this.settled();
  }

  /** Every panel the ledger keeps. */
  panelIds(): string[] {
    return [...this.#panels.keys()];
  }

  /** Whether a walk under this ledger's rule can resume from this saved state. */
  acceptsSnapshot(snapshot: Float64Array): boolean {
    try {
      new CounterWalk(this.#rule, snapshot);
      return true;
    } catch {
      return false;
    }
  }

  /** Panels whose numbers are still being (re)computed. */
  pendingPanels(): string[] {
    return [...this.#panels].filter(([, panel]) => panel.replaying !== null).map(([id]) => id);
  }

  /** One local day of one panel, or undefined when it has no readings that day. */
  day(panelId: string, dayNumber: number): DayEnergy | undefined {
    return this.#panels.get(panelId)?.days.get(dayNumber);
  }

  /** The panel's days with readings in [fromDay, toDay), ascending. */
  daysBetween(panelId: string, fromDay: number, toDay: number): DayEnergy[] {
    const panel = this.#panels.get(panelId);
    if (!panel) return [];
    const result: DayEnergy[] = [];
    for (let i = lowerBound(panel.order, fromDay); i < panel.order.length && panel.order[i]! < toDay; i++) {
      result.push(panel.days.get(panel.order[i]!)!);
    }
    return result;
  }

  /**
   * The rule's state at the start of local day `dayNumber` (before its first reading), with the
   * day from which readings must be walked to continue from it; null when the panel has no reading
   * on or after that day. Used to compute windows finer than an hour with the same walk.
   */
  stateAt(panelId: string, dayNumber: number): { readonly fromDay: number; readonly active: Float64Array } | null {
    const panel = this.#panels.get(panelId);
    if (!panel) return null;
    const i = lowerBound(panel.order, dayNumber);
    if (i >= panel.order.length) return null;
    const entry = panel.days.get(panel.order[i]!)!;
    return { fromDay: entry.day, active: entry.startActive };
  }

  /** Forgets a panel (retired panels). */
  remove(panelId: string): void {
    const panel = this.#panels.get(panelId);
    if (!panel) return;
    this.#panels.delete(panelId);
    for (const day of panel.order) this.#touch(day);
    this.#version++;
  }

  #panel(panelId: string): PanelLedger {
    let panel = this.#panels.get(panelId);
    if (!panel) {
      panel = new PanelLedger(this.#rule);
      this.#panels.set(panelId, panel);
    }
    return panel;
  }

  #applyNow(panel: PanelLedger, r: ReadingForLedger): void {
    const last = panel.last;
    if (last !== null && r.t <= last.t) {
      // The same reading again (a redelivery) changes nothing; anything else at or before the
      // newest reading changes the series from its day on.
      if (r.t === last.t && same(r.kwh, last.kwh) && same(r.kw, last.kw) && same(r.kvarh, last.kvarh)) return;
      const day = this.#time.dayNumber(r.t);
      this.#markDirty(panel, day, day);
      return;
    }
    const entry = this.#entryFor(panel, this.#time.dayNumber(r.t), panel.days, panel.order);
    this.#walk(panel.active, panel.reactive, entry, r, panel.days);
    panel.last = { t: r.t, kwh: r.kwh, kw: r.kw, kvarh: r.kvarh };
    this.#version++;
  }

  /** The day's entry, created (with the walks' current states) when the day has none yet. */
  #entryFor(panel: PanelLedger, day: number, days: Map<number, DayEntry>, order: number[]): DayEntry {
    let entry = days.get(day);
    if (!entry) {
      entry = newEntry(day, panel.active.snapshot(), panel.reactive.snapshot());
      days.set(day, entry);
      if (order.length === 0 || order[order.length - 1]! < day) order.push(day);
      else order.splice(lowerBound(order, day), 0, day);
    }
    return entry;
  }

  /** Walks one reading; increases land in the entries of the days of the readings that count them. */
  #walk(active: CounterWalk, reactive: CounterWalk, entry: DayEntry, r: ReadingForLedger, days: Map<number, DayEntry>): void {
    const time = this.#time;
    entry.readingCount++;
    entry.revision++;
    this.#touch(entry.day);
    addToFingerprint(entry.fingerprint, r);
    const activeSink: CountSink = (t, kwh, pfFrom, pfTo, fromT) => {
      const target = t === r.t ? entry : days.get(time.dayNumber(t))!;
      target.revision++;
      if (target !== entry) this.#touch(target.day);
      const local = time.localMs(t);
      const inDay = local - Math.floor(local / DAY_MS) * DAY_MS;
      target.kwh[Math.floor(inDay / HOUR_MS)]! += kwh;
      const q = Math.floor(inDay / QUARTER_MS);
      target.quarterKwh[q]! += kwh;
      target.quarterSpanMs[q]! += t - fromT;
      const pf = meanPowerFactor(pfFrom, pfTo);
      if (Number.isNaN(pf)) {
        target.kwhWithoutPowerFactor += kwh;
      } else {
        const kvarh = kwh * Math.tan(Math.acos(pf));
        target.kvarhEstimated += kvarh;
        target.quarterKvarh[q]! += kvarh;
      }
    };
    active.step(r.t, r.kwh, r.kw, r.pf, activeSink);
    if (!Number.isNaN(r.kvarh)) {
      entry.reactiveCounterReadings++;
      // The reactive counter's plausibility bound uses apparent power (it bounds reactive power).
      const power = Number.isNaN(r.kva) ? r.kw : r.kva;
      reactive.step(r.t, r.kvarh, power, 0, (t, kvarh) => {
        const target = t === r.t ? entry : days.get(time.dayNumber(t))!;
        target.revision++;
        if (target !== entry) this.#touch(target.day);
        target.kvarhCounted += kvarh;
      });
    }
  }

  #markDirty(panel: PanelLedger, from: number, to: number): void {
    panel.dirtyFrom = panel.dirtyFrom === null ? from : Math.min(panel.dirtyFrom, from);
    panel.dirtyTo = panel.dirtyTo === null ? to : Math.max(panel.dirtyTo, to);
    if (!panel.replaying) {
      const id = [...this.#panels].find(([, p]) => p === panel)?.[0] ?? '';
      panel.replaying = this.#replayLoop(id, panel).finally(() => {
        panel.replaying = null;
      });
    }
  }

  async #replayLoop(panelId: string, panel: PanelLedger): Promise<void> {
    // Let the caller finish its synchronous work (other readings of the same batch) first.
    await Promise.resolve();
    while (panel.dirtyFrom !== null && !this.#stopped) {
      const from = panel.dirtyFrom;
      const to = panel.dirtyTo ?? from;
      panel.dirtyFrom = null;
      panel.dirtyTo = null;
      let walked: ReadonlyMap<number, LastReading>;
      try {
        // A replay waiting for its turn when stop() came must not read the store either.
        walked = await this.#replays(() => (this.#stopped ? Promise.reject(new Error('energy ledger stopped')) : this.#replay(panelId, panel, from, to)));
      } catch (error) {
        // Stopping: the store may be closing under the replay; nothing is wrong.
        if (this.#stopped) return;
        // The store could not be read: keep the panel dirty and try again shortly, so queries
        // keep waiting for correct numbers rather than get wrong ones.
        this.#logger.error({ err: error, panelId }, 'energy replay failed; retrying');
        panel.dirtyFrom = panel.dirtyFrom === null ? from : Math.min(panel.dirtyFrom, from);
        panel.dirtyTo = panel.dirtyTo === null ? to : Math.max(panel.dirtyTo, to);
        await new Promise((resolve) => setTimeout(resolve, 1_000).unref());
        continue;
      }
      // Readings stored while the replay ran: the replay may have read some of them already
      // (those are skipped), newer ones are appended, and a late one makes the panel dirty again:
      // the next round reads it (and everything after it) from the store, so the queue is done.
      const queued = panel.queued;
      panel.queued = [];
      for (const r of queued) {
        const seen = walked.get(r.t);
        if (seen && same(seen.kwh, r.kwh) && same(seen.kw, r.kw) && same(seen.kvarh, r.kvarh)) continue;
        if (panel.dirtyFrom !== null) {
          const day = this.#time.dayNumber(r.t);
          this.#markDirty(panel, day, day);
        } else {
          this.#applyNow(panel, r);
        }
      }
    }
  }

  /**
   * Re-walks one panel from the last clean day at or before `dirtyFrom`. Returns the recent
   * readings it walked (the last two days by the clock), to recognise queued readings it has seen.
   */
  /**
   * Where a replay from `dirtyFrom` starts: the newest day at or before it whose saved states have
   * nothing pending, or a restored checkpoint's state after its last day when that is newer.
   */
  #replayStart(panel: PanelLedger, dirtyFrom: number): { startDay: number; fresh: { active: CounterWalk; reactive: CounterWalk } } {
    let i = upperBound(panel.order, dirtyFrom) - 1;
    while (i >= 0) {
      const entry = panel.days.get(panel.order[i]!)!;
      if (!snapshotHasPending(entry.startActive) && !snapshotHasPending(entry.startReactive)) break;
      i--;
    }
    const startEntry = i >= 0 ? panel.days.get(panel.order[i]!)! : undefined;
    const resume = panel.resume;
    panel.resume = null;
    if (resume && resume.day <= dirtyFrom && resume.day > (startEntry?.day ?? Number.NEGATIVE_INFINITY)) {
      return { startDay: resume.day, fresh: { active: new CounterWalk(this.#rule, resume.active), reactive: new CounterWalk(this.#rule, resume.reactive) } };
    }
    return {
      startDay: startEntry?.day ?? Number.NEGATIVE_INFINITY,
      fresh: { active: new CounterWalk(this.#rule, startEntry?.startActive), reactive: new CounterWalk(this.#rule, startEntry?.startReactive) },
    };
  }

  async #replay(panelId: string, panel: PanelLedger, dirtyFrom: number, dirtyTo: number): Promise<Map<number, LastReading>> {
    const walked = new Map<number, LastReading>();
    const recent = Date.now() - RECENT_MS;
    const time = this.#time;
    const { startDay, fresh } = this.#replayStart(panel, dirtyFrom);
    const days = new Map<number, DayEntry>();
    const order: number[] = [];
    let current: DayEntry | undefined;
    let last: LastReading | null = null;
    let convergedAt: number | null = null;
    const fromMs = Number.isFinite(startDay) ? time.dayStart(startDay) : Number.NEGATIVE_INFINITY;

    scan: for await (const chunk of this.#source.scan(panelId, fromMs)) {
      for (let k = 0; k < chunk.t.length; k++) {
        const t = chunk.t[k]!;
        const day = time.dayNumber(t);
        if (current?.day !== day) {
          const old = panel.days.get(day);
          if (
            day > dirtyTo &&
            old !== undefined &&
            !fresh.active.hasPending &&
            !fresh.reactive.hasPending &&
            fresh.active.equals(old.startActive) &&
            fresh.reactive.equals(old.startReactive)
          ) {
            convergedAt = day;
            break scan;
          }
          current = newEntry(day, fresh.active.snapshot(), fresh.reactive.snapshot());
          days.set(day, current);
          order.push(day);
        }
        const reading = columnReading(panelId, chunk, k);
        this.#walk(fresh.active, fresh.reactive, current, reading, days);
        last = { t, kwh: reading.kwh, kw: reading.kw, kvarh: reading.kvarh };
        if (t >= recent) walked.set(t, last);
      }
    }

    // Swap in one synchronous step: queries never see half a replay.
    const keepFrom = convergedAt ?? Number.POSITIVE_INFINITY;
    const kept = panel.order.filter((day) => day < startDay || day >= keepFrom);
    for (const day of panel.order) {
      if (day < startDay || day >= keepFrom) continue;
      panel.days.delete(day);
      this.#touch(day);
    }
    for (const [day, entry] of days) {
      panel.days.set(day, entry);
      this.#touch(day);
    }
    panel.order = mergeSorted(kept, order);
    if (convergedAt === null) {
      panel.active = fresh.active;
      panel.reactive = fresh.reactive;
      panel.last = last;
    }
    this.#version++;
    return walked;
  }
}

/** Adds one walked reading to its day's fingerprint (NaN: the reading had no such value). */
function addToFingerprint(f: Float64Array, r: ReadingForLedger): void {
  addValue(f, 0, r.kwh);
  addValue(f, 3, r.kw);
  addValue(f, 6, r.pf);
  addValue(f, 9, r.kvarh);
  addValue(f, 12, r.kva);
}

function addValue(f: Float64Array, at: number, v: number): void {
  if (Number.isNaN(v)) return;
  f[at]! += 1;
  f[at + 1]! += v;
  f[at + 2]! += Math.abs(v);
}

function newEntry(day: number, startActive: Float64Array, startReactive: Float64Array): DayEntry {
  return {
    fingerprint: new Float64Array(FINGERPRINT_LENGTH),
    day,
    kwh: new Float64Array(HOURS),
    quarterKwh: new Float32Array(QUARTERS),
    quarterKvarh: new Float32Array(QUARTERS),
    quarterSpanMs: new Float32Array(QUARTERS),
    kvarhCounted: 0,
    kvarhEstimated: 0,
    kwhWithoutPowerFactor: 0,
    readingCount: 0,
    reactiveCounterReadings: 0,
    revision: 0,
    startActive,
    startReactive,
  };
}

function columnReading(panelId: string, chunk: CounterColumns, k: number): ReadingForLedger {
  return { panelId, t: chunk.t[k]!, kwh: chunk.kwh[k]!, kw: chunk.kw[k]!, pf: chunk.pf[k]!, kvarh: chunk.kvarh[k]!, kva: chunk.kva[k]! };
}

/** The mean of the known |power factors| of a step's ends; NaN when neither is usable. */
function meanPowerFactor(a: number, b: number): number {
  const x = Math.abs(a);
  const y = Math.abs(b);
  const okA = x >= MIN_ESTIMATE_PF && x <= 1;
  const okB = y >= MIN_ESTIMATE_PF && y <= 1;
  if (okA && okB) return (x + y) / 2;
  if (okA) return x;
  if (okB) return y;
  return Number.NaN;
}

function same(a: number, b: number): boolean {
  return a === b || (Number.isNaN(a) && Number.isNaN(b));
}

/** First index whose value is ≥ x. */
function lowerBound(sorted: readonly number[], x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First index whose value is > x. */
function upperBound(sorted: readonly number[], x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function mergeSorted(a: readonly number[], b: readonly number[]): number[] {
  const out: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (j >= b.length || (i < a.length && a[i]! < b[j]!)) out.push(a[i++]!);
    else out.push(b[j++]!);
  }
  return out;
}
