import type { TariffPlan } from '../../models/tariff-plan.js';
import { hourlyPricing, type HourlyPricing } from './tariff-pricing.js';
import { indexInForce, versionsInForce } from '../effective-versions.js';

/** One plan in the history: in force from a local date until the next version. */
export interface TariffPlanVersion {
  /** Local day number (days since 1970-01-01) from which this plan applies. */
  readonly effectiveFrom: number;
  readonly plan: TariffPlan;
  /** When and by whom it was recorded ("configuration" for the plan set at first start). */
  readonly recordedAt: Date;
  readonly recordedBy: string;
}

/**
 * Which plan applies on which local day. Versions only ever start on a future day (the admin
 * mutation refuses anything else), so recording one never reprices energy already used. The
 * first version also covers every day before it: readings older than the first plan are priced
 * with it.
 */
export class TariffSchedule {
  readonly versions: readonly TariffPlanVersion[];
  readonly #hourly: readonly HourlyPricing[];

  constructor(versions: readonly TariffPlanVersion[]) {
    if (versions.length === 0) throw new RangeError('a tariff schedule needs at least one plan');
    this.versions = versionsInForce(versions);
    this.#hourly = this.versions.map((version) => hourlyPricing(version.plan.pricing));
  }

  /** Index of the version in force on local day `day`. */
  indexOn(day: number): number {
    return indexInForce(this.versions, day);
  }

  versionOn(day: number): TariffPlanVersion {
    return this.versions[this.indexOn(day)]!;
  }

  /** Rates and blocks per local hour of day `day`. */
  hourlyOn(day: number): HourlyPricing {
    return this.#hourly[this.indexOn(day)]!;
  }

  /** The versions in force on some day of [fromDay, toDay). */
  versionsBetween(fromDay: number, toDay: number): TariffPlanVersion[] {
    const first = this.indexOn(fromDay);
    const last = this.indexOn(toDay - 1);
    return this.versions.slice(first, last + 1);
  }

  /** A schedule with one more version. */
  with(version: TariffPlanVersion): TariffSchedule {
    return new TariffSchedule([...this.versions, version]);
  }
}
