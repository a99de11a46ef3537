import type { Tariff, TariffPlanView } from '../models/tariff.js';
import { isoDate, type LocalTime } from '../time/local-time.js';
import type { TariffPlan } from '../models/tariff-plan.js';
import { round } from './rounding.js';
import { baseRate, blockRate } from './tariffs/tariff-pricing.js';
import type { TariffPlanVersion, TariffSchedule } from './tariffs/tariff-schedule.js';

/** The tariff plan in force, its history, and the calendar it applies in. */
export class TariffService {
  constructor(
    private readonly schedule: () => TariffSchedule,
    private readonly time: LocalTime,
    private readonly now: () => number = Date.now,
  ) {}

  current(): Tariff {
    const schedule = this.schedule();
    const today = this.time.dayNumber(this.now());
    const current = schedule.versionOn(today);
    return {
      currency: 'IDR',
      timezone: this.time.zone,
      ratePerKwh: round(baseRate(current.plan.pricing), 4),
      current: planView(current, schedule.versions[0] === current),
      versions: schedule.versions.map((version, i) => planView(version, i === 0)),
    };
  }

  /** One version as the API shows it. */
  view(version: TariffPlanVersion): TariffPlanView {
    return planView(version, this.schedule().versions[0] === version);
  }
}

export function planView(version: TariffPlanVersion, first: boolean): TariffPlanView {
  const { plan } = version;
  return {
    effectiveFrom: first && !Number.isFinite(version.effectiveFrom) ? '2000-01-01' : isoDate(version.effectiveFrom),
    name: plan.name,
    kind: plan.pricing.kind === 'flat' ? 'FLAT' : 'TIME_OF_USE',
    blocks: blockRates(plan),
    peakMultiplier: plan.pricing.kind === 'time-of-use' ? plan.pricing.peakMultiplier : null,
    reactiveRatePerKvarh: plan.reactiveRatePerKvarh,
    minimumBillConnectedKva: plan.minimumBill?.connectedKva ?? null,
    minimumBillHours: plan.minimumBill?.hours ?? null,
    taxPercent: plan.taxPercent,
    recordedAt: version.recordedAt,
    recordedBy: version.recordedBy,
  };
}

function blockRates(plan: TariffPlan): TariffPlanView['blocks'] {
  const { pricing } = plan;
  const hh = (h: number) => `${String(h % 24).padStart(2, '0')}:00`;
  // Rates are shown rounded like every figure (K × LWBP is 1672.1100000000001 in floating point).
  if (pricing.kind === 'flat') return [{ block: 'FLAT', ratePerKwh: round(pricing.ratePerKwh, 4), hours: '00:00-24:00' }];
  return [
    { block: 'LWBP', ratePerKwh: round(blockRate(pricing, 'LWBP')!, 4), hours: `${hh(pricing.peakEndHour)}-${hh(pricing.peakStartHour)}` },
    { block: 'WBP', ratePerKwh: round(blockRate(pricing, 'WBP')!, 4), hours: `${hh(pricing.peakStartHour)}-${hh(pricing.peakEndHour)}` },
  ];
}
