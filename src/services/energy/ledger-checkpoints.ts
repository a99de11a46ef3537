import type { Logger } from '../../config/logger.js';
import type { CheckpointRefusal } from '../../config/metrics.js';
import type { CheckpointRecord, DaySpan, DayTotalsSource, LedgerCheckpointStore, PanelDayTotals } from '../../store/day-totals.js';
import type { LocalTime } from '../../time/local-time.js';
import { snapshotHasPending } from './counting-rule.js';
import type { EnergyLedger, FinalDay, RestoredPanel, SavedDay } from './energy-ledger.js';
import { checkpointRuleKey, decodeDay, encodeDay } from './ledger-checkpoint-codec.js';

/** How often the final days that changed are written. */
const SAVE_INTERVAL_MS = 10 * 60_000;

/** Why a panel's checkpoint (or the rest of it, from some day on) was not used. */
type RefusalReason = CheckpointRefusal;

export interface LedgerCheckpointsOptions {
  readonly ledger: EnergyLedger;
  readonly store: LedgerCheckpointStore;
  readonly totals: DayTotalsSource;
  readonly time: LocalTime;
  readonly logger: Logger;
}

/** What restore() found: the days to use per panel, and what was refused (reason → days or panels). */
export interface Restored {
  readonly days: Map<string, RestoredPanel>;
  readonly refused: Partial<Record<RefusalReason, number>>;
}

/**
 * Checkpoints of the energy ledger, so a start on InfluxDB walks only what changed instead of
 * every stored reading (docs/counting-rule.md, "Checkpoints"). Each final day of each panel (see
 * EnergyLedger.finalDays) is saved with the rule's state before it, its figures and the fingerprint
 * of the readings walked. At start-up each panel's saved days are checked against the store's day
 * totals (computed by InfluxDB in storage); the days up to the first that does not match are used as
 * they are and the ledger walks the readings from there on. A checkpoint is derived data: damaged,
 * from another rule or zone, or contradicted by the readings, it is refused and the readings win.
 */
export class LedgerCheckpoints {
  readonly #options: LedgerCheckpointsOptions;
  readonly #ruleKey: string;
  /** Days as last written (the ledger replaces a day's object when it re-walks it). */
  readonly #written = new WeakMap<SavedDay, number>();
  #timer: NodeJS.Timeout | null = null;
  #saving: Promise<number> | null = null;

  constructor(options: LedgerCheckpointsOptions) {
    this.#options = options;
    this.#ruleKey = checkpointRuleKey(options.ledger.rule, options.time);
  }

  /** The checked days of these panels' checkpoints (for EnergyLedger.load). */
  async restore(panelIds: readonly string[]): Promise<Restored> {
    const refused: Partial<Record<RefusalReason, number>> = {};
    const refuse = (reason: RefusalReason, n = 1) => {
      refused[reason] = (refused[reason] ?? 0) + n;
    };
    const saved = new Map<string, Map<number, FinalDay>>();
    for (const record of await this.#options.store.read(panelIds)) {
      const decoded = decodeDay(record.text, this.#ruleKey);
      if ('refused' in decoded) {
        refuse(decoded.refused === 'other rule' ? 'other_rule' : 'damaged');
        continue;
      }
      if (this.#options.time.dayStart(decoded.day.day) !== record.dayStartMs || !this.#walkable(decoded)) {
        refuse('damaged');
        continue;
      }
      let days = saved.get(record.panelId);
      if (!days) saved.set(record.panelId, (days = new Map()));
      days.set(decoded.day.day, decoded);
    }
    const days = new Map<string, RestoredPanel>();
    if (saved.size === 0) return { days, refused };
    const spans = this.#spans(saved);
    const totals = await this.#options.totals.dayTotals([...saved.keys()], spans);
    for (const [panelId, panelDays] of saved) {
      const checked = checkedPrefix(panelDays, totals.get(panelId) ?? { before: 0, days: new Map() }, spans, this.#options.time, refuse);
      for (const { day } of checked) this.#written.set(day, day.revision);
      const last = checked[checked.length - 1];
      if (last) days.set(panelId, { days: checked.map(({ day }) => day), endActive: last.endActive, endReactive: last.endReactive });
    }
    return { days, refused };
  }

  /**
   * Writes the final days that changed since they were last written (after a save in progress, if
   * any); resolves with how many were written.
   */
  save(): Promise<number> {
    const previous = this.#saving?.catch(() => 0) ?? Promise.resolve(0);
    const saving = previous.then(() => this.#save());
    this.#saving = saving;
    void saving.catch(() => undefined).finally(() => {
      if (this.#saving === saving) this.#saving = null;
    });
    return saving;
  }

  /** Saves every SAVE_INTERVAL_MS from now on (errors are logged; the next round tries again). */
  start(): void {
    this.#timer ??= setInterval(() => {
      this.save().catch((error: unknown) => this.#options.logger.warn({ err: error }, 'energy ledger checkpoint not written; next round retries'));
    }, SAVE_INTERVAL_MS).unref();
  }

  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    await this.#saving?.catch(() => undefined);
  }

  async #save(): Promise<number> {
    const { ledger, time, store } = this.#options;
    const records: CheckpointRecord[] = [];
    const written: Array<readonly [SavedDay, number]> = [];
    for (const panelId of ledger.panelIds()) {
      for (const final of ledger.finalDays(panelId)) {
        const { day } = final;
        if (this.#written.get(day) === day.revision) continue;
        records.push({ panelId, dayStartMs: time.dayStart(day.day), text: encodeDay(final, this.#ruleKey) });
        written.push([day, day.revision]);
      }
    }
    if (records.length === 0) return 0;
    await store.write(records);
    for (const [day, revision] of written) this.#written.set(day, revision);
    return records.length;
  }

  /** Whether the day's saved states fit this rule (a walk can resume from them). */
  #walkable({ day, endActive, endReactive }: FinalDay): boolean {
    return [day.startActive, day.startReactive, endActive, endReactive].every((snapshot) => this.#options.ledger.acceptsSnapshot(snapshot));
  }

  /** Every local day from the earliest saved day to the latest, of any panel. */
  #spans(saved: ReadonlyMap<string, ReadonlyMap<number, FinalDay>>): DaySpan[] {
    let first = Number.POSITIVE_INFINITY;
    let last = Number.NEGATIVE_INFINITY;
    for (const days of saved.values()) {
      for (const day of days.keys()) {
        first = Math.min(first, day);
        last = Math.max(last, day);
      }
    }
    const spans: DaySpan[] = [];
    for (let day = first; day <= last; day++) spans.push({ startMs: this.#options.time.dayStart(day), endMs: this.#options.time.dayStart(day + 1) });
    return spans;
  }
}

/**
 * The saved days that agree with the store, up to the first day that does not: a saved day whose
 * readings changed, a day with readings and nothing saved, or a saved day without readings. Saved
 * days before the store's first day are of readings no longer kept (retention) and are skipped;
 * the first kept day must then be saved as the start of the series, as a walk from scratch sees it.
 */
function checkedPrefix(
  saved: ReadonlyMap<number, FinalDay>,
  stored: PanelDayTotals,
  spans: readonly DaySpan[],
  time: LocalTime,
  refuse: (reason: RefusalReason) => void,
): FinalDay[] {
  if (stored.before > 0) {
    refuse('readings_before');
    return [];
  }
  const checked: FinalDay[] = [];
  const lastSaved = Math.max(...saved.keys());
  for (const span of spans) {
    // After the panel's last saved day, the readings are walked anyway.
    if (time.dayNumber(span.startMs) > lastSaved) break;
    const totals = stored.days.get(span.startMs);
    const final = saved.get(time.dayNumber(span.startMs));
    if (checked.length === 0 && totals === undefined) continue;
    if (checked.length === 0 && final !== undefined && !startsSeries(final.day)) {
      refuse('not_series_start');
      return [];
    }
    if (totals === undefined && final === undefined) continue;
    if (totals === undefined || final === undefined) {
      refuse('day_missing');
      break;
    }
    if (!matches(final.day.fingerprint, totals)) {
      refuse('day_changed');
      break;
    }
    checked.push(final);
  }
  return checked;
}

/** Nothing walked before the day: the walks' saved states are those of a new series. */
function startsSeries(day: SavedDay): boolean {
  return day.startActive[0] === 0 && !snapshotHasPending(day.startActive) && day.startReactive[0] === 0 && !snapshotHasPending(day.startReactive);
}

/**
 * Whether the store's totals of a day are those of the readings the ledger walked: the same count
 * of every value, and sums equal up to rounding. InfluxDB adds in its own order, so two exact sums
 * of the same numbers may differ in the last bits; each sum's rounding error is at most about
 * n × 2⁻⁵³ × Σ|x| (n values), and twice that, doubled again for safety, is the tolerance.
 */
export function matches(fingerprint: Float64Array, totals: Float64Array): boolean {
  for (let i = 0; 3 * i < fingerprint.length; i++) {
    const count = fingerprint[3 * i]!;
    if (totals[2 * i] !== count) return false;
    const tolerance = 2 * count * Number.EPSILON * fingerprint[3 * i + 2]!;
    if (!(Math.abs(totals[2 * i + 1]! - fingerprint[3 * i + 1]!) <= tolerance)) return false;
  }
  return true;
}
