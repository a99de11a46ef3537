import type { Emissions, EmissionFactorView } from '../../models/emission-factor.js';
import { dayNumberOf, type LocalTime } from '../../time/local-time.js';
import { checkMonth, checkYear, type EnergyService } from '../energy/energy-service.js';
import type { SiteSettings } from '../site-settings.js';
import { emissionFactorView, type EmissionSchedule } from './emission-schedule.js';

export interface EmissionServiceDeps {
  readonly settings: SiteSettings;
  readonly energy: EnergyService;
  readonly time: LocalTime;
  readonly now?: () => number;
}

/** The factor in force today and every version, as the API shows them. */
export interface EmissionFactors {
  readonly current: EmissionFactorView;
  readonly versions: readonly EmissionFactorView[];
}

/**
 * The grid emission factor's versions, recorded in the admin record (kind `emission.factor`) and
 * folded by SiteSettings like tariff plans; the emissions of a figure are computed with the energy
 * (each day's kWh × that day's factor, services/energy/amount.ts).
 */
export class EmissionService {
  readonly #deps: EmissionServiceDeps;
  readonly #now: () => number;

  constructor(deps: EmissionServiceDeps) {
    this.#deps = deps;
    this.#now = deps.now ?? Date.now;
  }

  /** The versions in force, a getter for the energy service (a recorded version applies at once). */
  schedule(): EmissionSchedule {
    return this.#deps.settings.state.emissions;
  }

  factors(): EmissionFactors {
    const schedule = this.schedule();
    return {
      current: emissionFactorView(schedule.versionOn(this.#deps.time.dayNumber(this.#now()))),
      versions: schedule.versions.map(emissionFactorView),
    };
  }

  /** Records a version from a local date (tomorrow at the earliest); returns it as now in force. */
  async record(actor: string, effectiveFrom: string, tonnesCo2ePerMwh: number, source: string): Promise<EmissionFactorView> {
    const { change, at } = await this.#deps.settings.record(actor, { kind: 'emission.factor', effectiveFrom, tonnesCo2ePerMwh, source });
    if (change.kind !== 'emission.factor') throw new Error(`recorded a ${change.kind} change instead of emission.factor`);
    const version = this.schedule().versions.find((v) => v.recordedAt.getTime() === at.getTime() && v.source === change.source);
    if (!version) throw new Error(`the emission factor recorded for ${effectiveFrom} is not in force (another one for the same day came later)`);
    return emissionFactorView(version);
  }

  /** A calendar month's emissions for the sum of `panelIds` (a bill's). */
  async month(year: number, month: number, panelIds: readonly string[]): Promise<Emissions> {
    checkYear(year);
    checkMonth(month);
    await this.#deps.energy.settled(panelIds);
    const amount = this.#deps.energy.monthAmount(panelIds, year, month);
    const emissions = amount.toUsage().emissions;
    if (emissions === null) throw new Error(`no emission factor applied to ${year}-${month} (day ${dayNumberOf(year, month, 1)})`);
    return emissions;
  }
}
