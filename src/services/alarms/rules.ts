import { ALARM_TYPES, BUILDING, type AlarmType, type RuleSettings } from '../../models/alarm.js';
import type { AdminRecord } from '../../models/admin-change.js';

/** Every rule on by default, with the thresholds (docs/alarms.md "Rules"). */
export const DEFAULT_RULES: Readonly<Record<AlarmType, RuleSettings>> = {
  // Raised and cleared by the status monitor (OFFLINE_AFTER): no thresholds of its own.
  PANEL_OFFLINE: { enabled: true, severity: 'MAJOR', raiseAbove: null, raiseBelow: null, clearBelow: null, clearAbove: null, forSeconds: 0, clearForSeconds: 0 },
  // 220 V −10 % / +5 %, cleared inside the band with a 2 V margin.
  VOLTAGE_OUT_OF_RANGE: { enabled: true, severity: 'MAJOR', raiseAbove: 231, raiseBelow: 198, clearBelow: 229, clearAbove: 200, forSeconds: 300, clearForSeconds: 300 },
  // EN 50160: 2 %.
  VOLTAGE_UNBALANCE: { enabled: true, severity: 'MINOR', raiseAbove: 2, raiseBelow: null, clearBelow: 1.5, clearAbove: null, forSeconds: 600, clearForSeconds: 600 },
  // On the power factor of each 15-minute window; PLN's surcharge starts below 0.85.
  LOW_POWER_FACTOR: { enabled: true, severity: 'WARNING', raiseAbove: null, raiseBelow: 0.85, clearBelow: null, clearAbove: 0.87, forSeconds: 0, clearForSeconds: 900 },
  // On each 15-minute average kW. No limit per panel until an admin sets one; the building's
  // defaults to 90 % of the tariff's connected kVA (cleared below 85 % of it).
  DEMAND_HIGH: { enabled: true, severity: 'MAJOR', raiseAbove: null, raiseBelow: null, clearBelow: null, clearAbove: null, forSeconds: 0, clearForSeconds: 900 },
  // Percent of the month's budget: projected over (WARNING), over (MAJOR). Cleared by a new month or a raised budget.
  BUDGET: { enabled: true, severity: 'WARNING', raiseAbove: 100, raiseBelow: null, clearBelow: 100, clearAbove: null, forSeconds: 0, clearForSeconds: 0 },
  // Readings rejected more than 5 times in 15 minutes, or a counter reset or glitch held back; cleared after 15 minutes without.
  METER_DATA: { enabled: true, severity: 'MINOR', raiseAbove: 5, raiseBelow: null, clearBelow: 0, clearAbove: null, forSeconds: 0, clearForSeconds: 900 },
};

export interface ResolvedRule extends RuleSettings {
  readonly type: AlarmType;
  /** How many recorded changes shaped it (0: the defaults). */
  readonly version: number;
}

type Override = Partial<RuleSettings>;

/**
 * The rules in force: defaults, then the building's overrides, then a panel's own, each folded
 * from the admin record in order. Rebuilt whenever the record changes.
 */
export class RuleBook {
  readonly #building = new Map<AlarmType, { override: Override; version: number }>();
  readonly #panels = new Map<string, { override: Override; version: number }>();
  readonly #cache = new Map<string, ResolvedRule>();

  constructor(records: readonly AdminRecord[] = []) {
    for (const { change } of records) {
      if (change.kind !== 'alarm.rule') continue;
      const { kind: _kind, type, panelId, ...fields } = change;
      const defined = Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)) as Override;
      if (panelId === null) {
        const entry = this.#building.get(type);
        this.#building.set(type, { override: { ...entry?.override, ...defined }, version: (entry?.version ?? 0) + 1 });
      } else {
        const key = `${panelId}\u0000${type}`;
        const entry = this.#panels.get(key);
        this.#panels.set(key, { override: { ...entry?.override, ...defined }, version: (entry?.version ?? 0) + 1 });
      }
    }
  }

  /** The rule for a panel (or BUILDING). */
  rule(subject: string, type: AlarmType): ResolvedRule {
    const key = `${subject}\u0000${type}`;
    const cached = this.#cache.get(key);
    if (cached) return cached;
    const panel = subject === BUILDING ? undefined : this.#panels.get(key);
    // A panel without overrides of its own shares the building's rule (one object for every panel:
    // the rules are read for every reading, and a hundred copies were a hundred cache lines).
    if (subject !== BUILDING && panel === undefined) {
      const shared = this.rule(BUILDING, type);
      this.#cache.set(key, shared);
      return shared;
    }
    const building = this.#building.get(type);
    const resolved: ResolvedRule = {
      ...DEFAULT_RULES[type],
      ...building?.override,
      ...panel?.override,
      type,
      version: (building?.version ?? 0) + (panel?.version ?? 0),
    };
    this.#cache.set(key, resolved);
    return resolved;
  }

  /** Every override recorded (for the API): building ones with panelId null. */
  overrides(): Array<{ type: AlarmType; panelId: string | null }> {
    const list: Array<{ type: AlarmType; panelId: string | null }> = [...this.#building.keys()].map((type) => ({ type, panelId: null }));
    for (const key of this.#panels.keys()) {
      const [panelId, type] = key.split('\u0000') as [string, AlarmType];
      list.push({ type, panelId });
    }
    return list;
  }

  static get types(): readonly AlarmType[] {
    return ALARM_TYPES;
  }
}
