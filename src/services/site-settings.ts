import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import type { Logger } from '../config/logger.js';
import { adminChangeSchema, describeIssues, type AdminChange, type AdminRecord, type ApiRole } from '../models/admin-change.js';
import type { TariffPlan } from '../models/tariff-plan.js';
import { compareRecords, type AdminLog, type UnreadableAdminEntry } from '../store/admin-log.js';
import type { PanelScope } from '../models/viewer.js';
import { isoDate, parseIsoDate, type LocalTime } from '../time/local-time.js';
import { TariffSchedule, type TariffPlanVersion } from './tariffs/tariff-schedule.js';
import { EmissionSchedule, type EmissionFactorVersion } from './emissions/emission-schedule.js';
import { UserInputError } from './user-input-error.js';

/** An API key as recorded (the key itself is never stored, only its SHA-256). */
export interface ApiKeyRecord {
  readonly keyId: string;
  readonly name: string;
  readonly role: ApiRole;
  /** The panels the key may see; null: all. */
  readonly panels: readonly string[] | null;
  readonly sha256: string;
  readonly createdAt: Date;
  readonly createdBy: string;
}

/** An API key made through the API, as listed to admins (never its secret nor its hash's use). */
export interface ApiKeyListing extends ApiKeyRecord {
  /** False once revoked, or named by an entry of the record this version cannot read. */
  readonly active: boolean;
  readonly revokedAt: Date | null;
  readonly revokedBy: string | null;
}

/** What recording a change did: `recorded` false when the record already said so (a retry). */
export interface RecordOutcome {
  readonly record: AdminRecord | null;
  readonly recorded: boolean;
}

/** What the admin record adds up to. */
export interface SiteState {
  readonly tariffs: TariffSchedule;
  /** The grid emission factor's versions (the built-in default first). */
  readonly emissions: EmissionSchedule;
  readonly panelNames: ReadonlyMap<string, string>;
  readonly hidden: ReadonlySet<string>;
  readonly retired: ReadonlySet<string>;
  /** Active keys by SHA-256 of the key. */
  readonly apiKeys: ReadonlyMap<string, ApiKeyRecord>;
  /** The plan the configuration named when it was last recorded. */
  readonly configuredPlan: TariffPlan | null;
}

/**
 * Folds records (oldest first) into the state they describe. Keys in `disabledKeys` (named by
 * entries this version cannot read, which might be revocations) are left out, whatever the
 * records say: an unreadable entry never brings a key back to life.
 */
export function foldRecords(records: readonly AdminRecord[], fallbackPlan: TariffPlan, disabledKeys: ReadonlySet<string> = new Set()): SiteState {
  const versions: TariffPlanVersion[] = [];
  const emissionVersions: EmissionFactorVersion[] = [];
  const names = new Map<string, string>();
  const hidden = new Set<string>();
  const retired = new Set<string>();
  const keys = new Map<string, ApiKeyRecord>();
  let configuredPlan: TariffPlan | null = null;
  for (const { change, at, actor } of records) {
    switch (change.kind) {
      case 'tariff.plan': {
        const day = change.effectiveFrom === null ? Number.NEGATIVE_INFINITY : parseIsoDate(change.effectiveFrom)!;
        versions.push({ effectiveFrom: day, plan: change.plan, recordedAt: at, recordedBy: actor });
        break;
      }
      case 'tariff.configured':
        configuredPlan = change.plan;
        break;
      case 'emission.factor':
        emissionVersions.push({ effectiveFrom: parseIsoDate(change.effectiveFrom)!, kgPerKwh: change.tonnesCo2ePerMwh, source: change.source, recordedAt: at, recordedBy: actor });
        break;
      case 'panel.name':
        if (change.name === null) names.delete(change.panelId);
        else names.set(change.panelId, change.name);
        break;
      case 'panel.hidden':
        if (change.hidden) hidden.add(change.panelId);
        else hidden.delete(change.panelId);
        break;
      case 'panel.retired':
        if (change.retired) retired.add(change.panelId);
        else retired.delete(change.panelId);
        break;
      case 'apiKey.created':
        if (!disabledKeys.has(change.keyId)) keys.set(change.keyId, { ...change, createdAt: at, createdBy: actor });
        break;
      case 'apiKey.revoked':
        keys.delete(change.keyId);
        break;
    }
  }
  if (versions.length === 0) versions.push({ effectiveFrom: Number.NEGATIVE_INFINITY, plan: fallbackPlan, recordedAt: new Date(0), recordedBy: 'configuration' });
  return {
    tariffs: new TariffSchedule(versions),
    emissions: new EmissionSchedule(emissionVersions),
    panelNames: names,
    hidden,
    retired,
    apiKeys: new Map([...keys.values()].map((key) => [key.sha256, key])),
    configuredPlan,
  };
}

export interface SiteSettingsOptions {
  readonly log: AdminLog;
  readonly time: LocalTime;
  /** The tariff plan in the configuration (TARIFF_*). */
  readonly configuredPlan: TariffPlan;
  readonly logger: Logger;
  readonly now?: () => number;
}

/**
 * The site's shared settings (tariff plans, panel names, hidden and retired panels, API keys) and
 * the audit record of every change to them. Read from the store of record; every process folds the
 * same records into the same state.
 */
export class SiteSettings {
  readonly #options: SiteSettingsOptions;
  readonly #now: () => number;
  #records: AdminRecord[] = [];
  #unreadable: readonly UnreadableAdminEntry[] = [];
  /** Unreadable entries already logged (each is logged once, not at every re-read). */
  readonly #logged = new Set<string>();
  #state: SiteState;
  #onChange: ((state: SiteState, previous: SiteState) => void) | null = null;
  #onRecorded: (() => void) | null = null;
  readonly #revokedListeners = new Set<(keys: readonly ApiKeyRecord[]) => void>();
  /** Reads and appends one at a time: a re-read that began before an append must not undo it. */
  #serial: Promise<unknown> = Promise.resolve();

  constructor(options: SiteSettingsOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#state = foldRecords([], options.configuredPlan);
  }

  get state(): SiteState {
    return this.#state;
  }

  /** Every change, oldest first. */
  get records(): readonly AdminRecord[] {
    return this.#records;
  }

  /**
   * Entries of the record this version cannot interpret (written by another version), oldest
   * first: skipped, logged once each, counted in energy_admin_record_unreadable_entries and shown
   * to operators (Query.adminRecordUnreadable).
   */
  get unreadable(): readonly UnreadableAdminEntry[] {
    return this.#unreadable;
  }

  /** The active API key made through the API with this id, or null. */
  activeKey(keyId: string): ApiKeyRecord | null {
    for (const key of this.#state.apiKeys.values()) if (key.keyId === keyId) return key;
    return null;
  }

  /**
   * Calls `listener` with the keys that stopped being valid whenever API keys made through the API
   * are revoked: here, by another process (seen at the next sync), or by an unreadable entry that
   * names them. For closing what those keys opened (sockets). Returns the unsubscribe function.
   */
  onKeysRevoked(listener: (keys: readonly ApiKeyRecord[]) => void): () => void {
    this.#revokedListeners.add(listener);
    return () => this.#revokedListeners.delete(listener);
  }

  /**
   * The newest `limit` changes a caller may see, newest first. A caller limited to some panels
   * sees the changes to those panels and to the tariff (which prices their energy and which they
   * can read anyway), not other panels' changes or API keys (names and scopes of other callers).
   */
  recentChanges(limit: number, scope: PanelScope): AdminRecord[] {
    const visible = scope === null ? this.#records : this.#records.filter(({ change }) => visibleIn(change, scope));
    return visible.slice(Math.max(0, visible.length - limit)).reverse();
  }

  /** The one consumer of changes (the composition root applies them to the live parts). */
  setChangeHandler(handler: (state: SiteState, previous: SiteState) => void): void {
    this.#onChange = handler;
  }

  /**
   * Loads the record and records the configured tariff plan: as the first plan on a first start,
   * and as a new version from tomorrow when the configuration changed since it was last recorded
   * (a change made through the API stays in force while the configuration is unchanged).
   */
  async load(): Promise<void> {
    await this.sync();
    const configured = this.#options.configuredPlan;
    const hasPlan = this.#records.some((r) => r.change.kind === 'tariff.plan');
    if (!hasPlan) {
      await this.#append('configuration', { kind: 'tariff.plan', effectiveFrom: null, plan: configured });
      await this.#append('configuration', { kind: 'tariff.configured', plan: configured });
    } else if (!isDeepStrictEqual(this.#state.configuredPlan, configured)) {
      const from = isoDate(this.#options.time.dayNumber(this.#now()) + 1);
      await this.#append('configuration', { kind: 'tariff.plan', effectiveFrom: from, plan: configured });
      await this.#append('configuration', { kind: 'tariff.configured', plan: configured });
      this.#options.logger.warn({ effectiveFrom: from }, 'the configured tariff plan changed: recorded as a new version from tomorrow (past days keep their price)');
    }
  }

  /** Called after this process recorded a change (several processes: tell the others). */
  setRecordedHandler(handler: () => void): void {
    this.#onRecorded = handler;
  }

  /** Re-reads the record (another process may have changed it). Returns whether anything changed. */
  sync(): Promise<boolean> {
    return this.#oneAtATime(() => this.#sync());
  }

  #oneAtATime<T>(run: () => Promise<T>): Promise<T> {
    const next = this.#serial.then(run, run);
    this.#serial = next.catch(() => undefined);
    return next;
  }

  async #sync(): Promise<boolean> {
    const { records, unreadable } = await this.#options.log.all();
    if (sameIds(records, this.#records) && sameIds(unreadable, this.#unreadable)) return false;
    this.#records = [...records];
    this.#unreadable = unreadable;
    for (const entry of unreadable) {
      if (this.#logged.has(entry.id)) continue;
      this.#logged.add(entry.id);
      this.#options.logger.warn(
        { id: entry.id, at: entry.at, actor: entry.actor, kind: entry.kind, keyId: entry.keyId, reason: entry.reason },
        'admin record entry skipped: this version cannot interpret it (written by another version?); shown in adminRecordUnreadable' +
          (entry.keyId ? ', and the API key it names is treated as revoked' : ''),
      );
    }
    this.#refold();
    return true;
  }

  /**
   * Records a change made through the API, after checking it with the schema it will be read back
   * with (so nothing recorded can stop a later start); returns the record.
   */
  async record(actor: string, input: AdminChange): Promise<AdminRecord> {
    const change = parseChange(input);
    return this.#oneAtATime(() => {
      this.#check(change);
      return this.#write(actor, change);
    });
  }

  /**
   * Records a change unless the record already says so (a retry of a change that was recorded, its
   * answer lost): `recorded` false and the record that made it so (null for a panel setting still
   * at its default). Checked and written in one turn, so two identical requests record it once.
   * A retry is answered like the first request even when the change could no longer be made (a
   * tariff plan for a day that began since).
   */
  async recordUnlessCurrent(actor: string, input: AdminChange): Promise<RecordOutcome> {
    const change = parseChange(input);
    return this.#oneAtATime(async () => {
      const current = this.#currentRecordOf(change);
      if (current !== undefined) return { record: current, recorded: false };
      this.#check(change);
      return { record: await this.#write(actor, change), recorded: true };
    });
  }

  /** Every API key made through the API the caller may see, revoked ones too, oldest first. */
  apiKeys(): ApiKeyListing[] {
    const keys = new Map<string, ApiKeyListing>();
    for (const { change, at, actor } of this.#records) {
      if (change.kind === 'apiKey.created') keys.set(change.keyId, { ...change, createdAt: at, createdBy: actor, active: false, revokedAt: null, revokedBy: null });
      else if (change.kind === 'apiKey.revoked') {
        const key = keys.get(change.keyId);
        if (key && key.revokedAt === null) keys.set(change.keyId, { ...key, revokedAt: at, revokedBy: actor });
      }
    }
    return [...keys.values()].map((key) => ({ ...key, active: this.#state.apiKeys.has(key.sha256) }));
  }

  /** The key made through the API with this id, active or not, or null. */
  apiKey(keyId: string): ApiKeyListing | null {
    return this.apiKeys().find((key) => key.keyId === keyId) ?? null;
  }

  /**
   * The record that already made `change` true, null when it is true without one (a default),
   * undefined when it would change something.
   */
  #currentRecordOf(change: AdminChange): AdminRecord | null | undefined {
    const state = this.#state;
    const last = (test: (record: AdminRecord) => boolean): AdminRecord | null => this.#records.findLast(test) ?? null;
    switch (change.kind) {
      case 'tariff.plan': {
        // The plan recorded last for that day is the one in force from it.
        const same = last((r) => r.change.kind === 'tariff.plan' && r.change.effectiveFrom === change.effectiveFrom);
        return same?.change.kind === 'tariff.plan' && isDeepStrictEqual(same.change.plan, change.plan) ? same : undefined;
      }
      case 'panel.name':
        return (state.panelNames.get(change.panelId) ?? null) === change.name
          ? last((r) => r.change.kind === 'panel.name' && r.change.panelId === change.panelId)
          : undefined;
      case 'panel.hidden':
        return state.hidden.has(change.panelId) === change.hidden
          ? last((r) => r.change.kind === 'panel.hidden' && r.change.panelId === change.panelId)
          : undefined;
      case 'panel.retired':
        return state.retired.has(change.panelId) === change.retired
          ? last((r) => r.change.kind === 'panel.retired' && r.change.panelId === change.panelId)
          : undefined;
      case 'apiKey.revoked':
        return this.activeKey(change.keyId) === null
          ? (last((r) => r.change.kind === 'apiKey.revoked' && r.change.keyId === change.keyId) ?? undefined)
          : undefined;
      default:
        return undefined;
    }
  }

  /** Refuses what the record must not hold (UserInputError). */
  #check(change: AdminChange): void {
    if (change.kind === 'tariff.plan') {
      const day = change.effectiveFrom === null ? null : parseIsoDate(change.effectiveFrom);
      const tomorrow = this.#options.time.dayNumber(this.#now()) + 1;
      if (day === null || day < tomorrow) {
        throw new UserInputError(
          'TARIFF_DATE_TOO_EARLY',
          `a tariff plan can only take effect from tomorrow (${isoDate(tomorrow)}) or later, so that no energy already used is repriced`,
        );
      }
    }
    if (change.kind === 'emission.factor') {
      const tomorrow = this.#options.time.dayNumber(this.#now()) + 1;
      if (parseIsoDate(change.effectiveFrom)! < tomorrow) {
        throw new UserInputError(
          'EMISSION_FACTOR_DATE_TOO_EARLY',
          `an emission factor can only take effect from tomorrow (${isoDate(tomorrow)}) or later, so that no emissions already reported change`,
        );
      }
    }
    if (change.kind === 'apiKey.revoked' && this.activeKey(change.keyId) === null) {
      throw new UserInputError('UNKNOWN_API_KEY', `no active API key "${change.keyId}"`);
    }
  }

  #append(actor: string, change: AdminChange): Promise<AdminRecord> {
    return this.#oneAtATime(() => this.#write(actor, change));
  }

  /** Appends a record; only ever called inside #oneAtATime. */
  async #write(actor: string, change: AdminChange): Promise<AdminRecord> {
    const record: AdminRecord = { id: randomUUID(), at: new Date(this.#now()), actor, change };
    await this.#options.log.append(record);
    this.#records = [...this.#records, record].sort(compareRecords);
    this.#refold();
    this.#options.logger.info({ actor, change: change.kind, id: record.id }, 'admin change recorded');
    this.#onRecorded?.();
    return record;
  }

  #refold(): void {
    const previous = this.#state;
    const disabled = new Set(this.#unreadable.flatMap((entry) => (entry.keyId === null ? [] : [entry.keyId])));
    this.#state = foldRecords(this.#records, this.#options.configuredPlan, disabled);
    this.#onChange?.(this.#state, previous);
    const revoked = [...previous.apiKeys.values()].filter((key) => !this.#state.apiKeys.has(key.sha256));
    if (revoked.length > 0) {
      for (const listener of this.#revokedListeners) {
        try {
          listener(revoked);
        } catch (error) {
          this.#options.logger.error({ err: error, keys: revoked.map((key) => key.keyId) }, 'a listener of revoked API keys failed');
        }
      }
    }
  }
}

/** A change checked with the schema it is read back with; UserInputError INVALID_CHANGE otherwise. */
function parseChange(input: AdminChange): AdminChange {
  const parsed = adminChangeSchema.safeParse(input);
  if (!parsed.success) throw new UserInputError('INVALID_CHANGE', `invalid ${input.kind} change: ${describeIssues(parsed.error)}`);
  return parsed.data;
}

function sameIds(a: readonly { id: string }[], b: readonly { id: string }[]): boolean {
  return a.length === b.length && a.every((entry, i) => entry.id === b[i]!.id);
}

function visibleIn(change: AdminChange, scope: ReadonlySet<string>): boolean {
  switch (change.kind) {
    case 'tariff.plan':
    case 'tariff.configured':
    case 'emission.factor':
      return true;
    case 'panel.name':
    case 'panel.hidden':
    case 'panel.retired':
      return scope.has(change.panelId);
    case 'apiKey.created':
    case 'apiKey.revoked':
      return false;
    // Alarm settings and acknowledgements: shown through the alarm API, by its own panel rules.
    case 'alarm.rule':
    case 'alarm.budget':
    case 'alarm.acknowledged':
    case 'notification.channel':
      return false;
  }
}
