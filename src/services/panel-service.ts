import type { PanelStatus } from '../models/panel-status.js';
import type { PanelRecord, Reading } from '../models/reading.js';
import type { MonthlySummary, Overview, YearlySummary } from '../models/usage.js';
import type { EnergyService } from './energy/energy-service.js';
import type { LiveState } from '../pipeline/live-state.js';
import type { StatusMonitor } from '../pipeline/status-monitor.js';
import { UserInputError } from './user-input-error.js';

export interface PanelServiceDeps {
  readonly live: LiveState;
  readonly status: StatusMonitor;
  readonly energy: EnergyService;
  /** Display names by panel id; others get a name derived from the id. */
  readonly names: ReadonlyMap<string, string>;
}

/** Panels, their status and the building-level figures the dashboard shows. */
export class PanelService {
  constructor(private readonly deps: PanelServiceDeps) {}

  /** Every panel ever seen, sorted by id. */
  list(): PanelRecord[] {
    return this.deps.live.panels();
  }

  get(panelId: string): PanelRecord | null {
    return this.deps.live.panels().find((panel) => panel.id === panelId) ?? null;
  }

  name(panelId: string): string {
    return this.deps.names.get(panelId) ?? humanize(panelId);
  }

  status(panelId: string): PanelStatus {
    return this.deps.status.statusOf(panelId);
  }

  latest(panelId: string): Reading | null {
    return this.deps.live.latest(panelId) ?? null;
  }

  async overview(): Promise<Overview> {
    const panels = this.list();
    const onlineCount = panels.filter((panel) => this.status(panel.id) === 'ONLINE').length;
    return {
      panelCount: panels.length,
      onlineCount,
      offlineCount: panels.length - onlineCount,
      todayUsage: await this.deps.energy.todayTotal(panels.map((panel) => panel.id)),
    };
  }

  async monthlySummary(year: number, month: number, panelId: string | null): Promise<MonthlySummary> {
    checkYear(year);
    if (!Number.isInteger(month) || month < 1 || month > 12) throw new UserInputError(`month must be 1-12 (got ${month})`);
    return this.deps.energy.monthlySummary(year, month, this.#scope(panelId), panelId);
  }

  async yearlySummary(year: number, panelId: string | null): Promise<YearlySummary> {
    checkYear(year);
    return this.deps.energy.yearlySummary(year, this.#scope(panelId), panelId);
  }

  /**
   * Computes this year's days for every panel once, so the first dashboard and summary requests
   * after a start are served from the daily cache (the store does the work off the main thread).
   */
  async warmUp(): Promise<void> {
    await this.deps.energy.warmUp(this.list().map((panel) => panel.id));
  }

  /** The panels a summary adds up: one, or the whole building. */
  #scope(panelId: string | null): string[] {
    if (panelId === null) return this.list().map((panel) => panel.id);
    if (!this.deps.live.has(panelId)) throw new UserInputError(`unknown panel "${panelId}"`);
    return [panelId];
  }
}

function checkYear(year: number): void {
  if (!Number.isInteger(year) || year < 2000 || year > 2100) throw new UserInputError(`year must be between 2000 and 2100 (got ${year})`);
}

/** PANEL_LANTAI_1 → "Panel Lantai 1". */
function humanize(panelId: string): string {
  return panelId
    .split(/[_\-.\s]+/)
    .filter(Boolean)
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1).toLowerCase())
    .join(' ');
}
