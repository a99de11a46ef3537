import type { PanelStatus } from '../models/panel-status.js';
import type { PanelScope } from '../models/viewer.js';
import type { PanelRecord, Reading } from '../models/reading.js';
import type { MonthlySummary, Overview, YearlySummary } from '../models/usage.js';
import { checkMonth, checkYear, type EnergyService } from './energy/energy-service.js';
import type { LiveState } from '../pipeline/live-state.js';
import type { StatusMonitor } from '../pipeline/status-monitor.js';
import type { SiteSettings, SiteState } from './site-settings.js';
import { unknownPanel } from './user-input-error.js';

export interface PanelServiceDeps {
  readonly live: LiveState;
  readonly status: StatusMonitor;
  readonly energy: EnergyService;
  /** Names, hidden and retired panels recorded through the API. */
  readonly settings: SiteSettings;
  /** Names from the configuration (PANEL_NAMES), used until one is recorded. */
  readonly defaultNames: ReadonlyMap<string, string>;
  /** Every panel with stored readings: where retired panels (forgotten by the live parts) are found. */
  readonly stored: () => Promise<PanelRecord[]>;
  /** The clock statuses and "today" are judged by. */
  readonly now: () => number;
}

/**
 * What panel cards and the building header (graphql/card-fields.ts) are computed from: panels and
 * their newest readings, the energy ledger, the admin record (names, hidden and retired panels,
 * tariffs), and the clock only through statuses and today. Answers made under equal stamps before
 * `validUntil` are the same answer.
 */
export interface CardsStamp {
  readonly live: number;
  readonly energy: number;
  readonly settings: SiteState;
  /** The first instant the clock alone may change an answer: a panel going OFFLINE, or midnight. */
  readonly validUntil: number;
}

/** Panel ids whose humanized names are kept (beyond, the cache starts afresh). */
const HUMANIZED_KEPT = 10_000;

/** Panels, their status and the building-level figures the dashboard shows. */
export class PanelService {
  /** humanize() of each panel id asked (the dashboard names every panel on every request). */
  readonly #humanized = new Map<string, string>();

  constructor(private readonly deps: PanelServiceDeps) {}

  /** The panels a caller sees, sorted by id: not hidden (unless asked), not retired, in scope. */
  list(scope: PanelScope, options: { includeHidden?: boolean } = {}): PanelRecord[] {
    const { hidden } = this.deps.settings.state;
    return this.deps.live
      .panels()
      .filter((panel) => (scope === null || scope.has(panel.id)) && (options.includeHidden || !hidden.has(panel.id)));
  }

  /** One panel the caller sees (hidden ones too), or UNKNOWN_PANEL (unknown and out of scope look the same). */
  visible(panelId: string, scope: PanelScope): PanelRecord {
    const panel = this.get(panelId, scope);
    if (!panel) throw unknownPanel(panelId);
    return panel;
  }

  /**
   * The panels a caller asked for: those `list` gives, and with `includeRetired` the retired ones
   * (read from the store, as the live parts forgot them), sorted by id.
   */
  async listing(scope: PanelScope, options: { includeHidden: boolean; includeRetired: boolean }): Promise<PanelRecord[]> {
    const live = this.list(scope, options);
    if (!options.includeRetired) return live;
    const { retired, hidden } = this.deps.settings.state;
    const known = new Set(live.map((panel) => panel.id));
    const gone = (await this.deps.stored()).filter(
      (panel) => retired.has(panel.id) && !known.has(panel.id) && (scope === null || scope.has(panel.id)) && (options.includeHidden || !hidden.has(panel.id)),
    );
    return [...live, ...gone].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  /** One panel, retired ones too (from the store), or null when unknown or out of scope. */
  async find(panelId: string, scope: PanelScope): Promise<PanelRecord | null> {
    const panel = this.get(panelId, scope);
    if (panel || (scope !== null && !scope.has(panelId))) return panel;
    return (await this.deps.stored()).find((record) => record.id === panelId) ?? null;
  }

  /** One panel (hidden ones too), or null when unknown or out of scope. */
  get(panelId: string, scope: PanelScope): PanelRecord | null {
    if (scope !== null && !scope.has(panelId)) return null;
    return this.deps.live.record(panelId) ?? null;
  }

  /** The stamp of the panel cards now (walks the panels' OFFLINE deadlines: taken once per answer made). */
  cardsStamp(): CardsStamp {
    const { live, status, energy, settings } = this.deps;
    return { live: live.version, energy: energy.version, settings: settings.state, validUntil: Math.min(status.nextChangeAt(), energy.todayEndsAt()) };
  }

  /** Whether answers made under `stamp` are still what a fresh answer would be (constant time). */
  cardsStampHolds(stamp: CardsStamp): boolean {
    const { live, energy, settings } = this.deps;
    return this.deps.now() < stamp.validUntil && stamp.live === live.version && stamp.energy === energy.version && stamp.settings === settings.state;
  }

  name(panelId: string): string {
    return this.deps.settings.state.panelNames.get(panelId) ?? this.deps.defaultNames.get(panelId) ?? this.#humanize(panelId);
  }

  #humanize(panelId: string): string {
    let name = this.#humanized.get(panelId);
    if (name === undefined) {
      name = humanize(panelId);
      // Bounded: ids are those of known panels, but a caller may ask names of many unknown ones.
      if (this.#humanized.size >= HUMANIZED_KEPT) this.#humanized.clear();
      this.#humanized.set(panelId, name);
    }
    return name;
  }

  isHidden(panelId: string): boolean {
    return this.deps.settings.state.hidden.has(panelId);
  }

  status(panelId: string): PanelStatus {
    return this.deps.status.statusOf(panelId);
  }

  latest(panelId: string): Reading | null {
    return this.deps.live.latest(panelId) ?? null;
  }

  async overview(scope: PanelScope): Promise<Overview> {
    const panels = this.list(scope);
    const onlineCount = panels.filter((panel) => this.status(panel.id) === 'ONLINE').length;
    return {
      panelCount: panels.length,
      onlineCount,
      offlineCount: panels.length - onlineCount,
      todayUsage: await this.deps.energy.todayTotal(panels.map((panel) => panel.id)),
    };
  }

  async monthlySummary(year: number, month: number, panelId: string | null, scope: PanelScope): Promise<MonthlySummary> {
    checkYear(year);
    checkMonth(month);
    return this.deps.energy.monthlySummary(year, month, this.scope(panelId, scope), panelId);
  }

  async yearlySummary(year: number, panelId: string | null, scope: PanelScope): Promise<YearlySummary> {
    checkYear(year);
    return this.deps.energy.yearlySummary(year, this.scope(panelId, scope), panelId);
  }

  /** The panels a figure adds up: one panel, or the building (the caller's visible panels). */
  scope(panelId: string | null, scope: PanelScope): string[] {
    if (panelId === null) return this.list(scope).map((panel) => panel.id);
    return [this.visible(panelId, scope).id];
  }
}

/** PANEL_LANTAI_1 → "Panel Lantai 1". */
function humanize(panelId: string): string {
  return panelId
    .split(/[_\-.\s]+/)
    .filter(Boolean)
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1).toLowerCase())
    .join(' ');
}
