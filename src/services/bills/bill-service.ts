import type { Bill, BillLine, BillProjection } from '../../models/bill.js';
import type { TariffPlan } from '../../models/tariff-plan.js';
import { TARIFF_BLOCKS } from '../../models/usage.js';
import { dateOfDayNumber, dayNumberOf, daysInMonth, isoDate, type LocalTime } from '../../time/local-time.js';
import { Amount } from '../energy/amount.js';
import { checkMonth, checkYear, type EnergyService } from '../energy/energy-service.js';
import type { EnergyLedger } from '../energy/energy-ledger.js';
import { round, roundParts } from '../rounding.js';
import { planView } from '../tariff-service.js';
import { baseRate, blockRate, REACTIVE_ALLOWANCE_RATIO, REACTIVE_PF_THRESHOLD } from '../tariffs/tariff-pricing.js';
import type { TariffPlanVersion, TariffSchedule } from '../tariffs/tariff-schedule.js';

/** The month's figures under one plan version (the days it was in force). */
interface Segment {
  readonly version: TariffPlanVersion;
  days: number;
  readonly amount: Amount;
  kvarh: number;
}

/** What a month adds up to before it is priced. */
interface MonthFigures {
  readonly segments: Segment[];
  readonly monthDays: number;
  reactiveEstimated: boolean;
}

interface UnroundedLine extends Omit<BillLine, 'amount'> {
  readonly amount: number;
}

export interface BillServiceDeps {
  readonly ledger: EnergyLedger;
  readonly energy: EnergyService;
  readonly tariffs: () => TariffSchedule;
  readonly time: LocalTime;
  readonly now?: () => number;
}

/**
 * The monthly bill as PLN computes it, from the energy ledger (the counting rule's kWh per local
 * hour, kVArh per day) and the plan versions in force:
 * - energy per block: LWBP kWh × rate, WBP kWh × K × rate (or the flat rate);
 * - excess reactive energy, when the month's average power factor is under 0.85: the kVArh above
 *   0.62 × kWh at the plan's reactive rate (estimated from kW and power factor when the meters
 *   send no kVArh counter, and labelled so);
 * - the minimum bill (rekening minimum): when the month's energy is under `hours` × connected kVA,
 *   the month is charged at least that many kWh at the base rate (the minimum charge, pro rata per
 *   plan version); the top-up line is the minimum charge less the energy charged, shown as the
 *   kWh at the base rate that make up the difference (with peak energy that is fewer than the kWh
 *   short of the minimum, since peak kWh already cost K times the base rate);
 * - the street-lighting tax, a percentage of the lines before it.
 * Every line's shown quantity × rate is its amount (within the rounding of quantity and amount).
 * The building is billed on its own totals (one meter at the connection), not as the sum of the
 * panels' bills: the power-factor test and the minimum apply to the building's figures. Money is
 * rounded only on output, so that the shown lines add up to the shown total.
 */
export class BillService {
  readonly #deps: BillServiceDeps;
  readonly #now: () => number;

  constructor(deps: BillServiceDeps) {
    this.#deps = deps;
    this.#now = deps.now ?? Date.now;
  }

  async monthlyBill(year: number, month: number, panelIds: readonly string[], panelId: string | null): Promise<Bill> {
    checkYear(year);
    checkMonth(month);
    await this.#deps.energy.settled(panelIds);
    const figures = await this.#figures(year, month, panelIds);
    const end = this.#deps.time.dayStart(dayNumberOf(year, month, 1) + daysInMonth(year, month));
    return this.#bill(year, month, panelId, figures, this.#now() >= end, { minimum: true });
  }

  /** This month until now, and the month's total if the rest of it goes on at the same pace. */
  async currentBill(panelIds: readonly string[], panelId: string | null): Promise<BillProjection> {
    // The elapsed part of the month by the whole minute, so the projection is steady between polls.
    const now = Math.floor(this.#now() / 60_000) * 60_000;
    const { year, month } = dateOfDayNumber(this.#deps.time.dayNumber(now));
    await this.#deps.energy.settled(panelIds);
    const figures = await this.#figures(year, month, panelIds);
    const first = dayNumberOf(year, month, 1);
    const start = this.#deps.time.dayStart(first);
    const end = this.#deps.time.dayStart(first + daysInMonth(year, month));
    const elapsed = Math.min(1, Math.max(0, (now - start) / (end - start)));
    // So far: what was used so far. The minimum is a figure of the whole month, so it belongs to
    // the projection (on the 1st, "so far" is not a whole month's minimum top-up).
    const monthToDate = this.#bill(year, month, panelId, figures, false, { minimum: false });
    // Scale what was used so far to the whole month, then price it like any month (the minimum
    // and the power-factor test apply to the projected month).
    const factor = elapsed > 0 ? 1 / elapsed : 0;
    const projected = this.#bill(year, month, panelId, scaled(figures, factor), false, { minimum: true });
    return { monthToDate, projectedTotal: projected.total, projectedEnergyKwh: projected.energyKwh, elapsedFraction: round(elapsed, 4) };
  }

  async #figures(year: number, month: number, panelIds: readonly string[]): Promise<MonthFigures> {
    const schedule = this.#deps.tariffs();
    const first = dayNumberOf(year, month, 1);
    const monthDays = daysInMonth(year, month);
    const segments: Segment[] = [];
    let estimated = false;
    for (let day = first; day < first + monthDays; day++) {
      // A month of 1,000 panels is 31,000 panel-days: let the event loop turn between days.
      await this.#deps.energy.slices.breathe();
      const version = schedule.versionOn(day);
      let segment = segments[segments.length - 1];
      if (segment?.version !== version) {
        segment = { version, days: 0, amount: new Amount(), kvarh: 0 };
        segments.push(segment);
      }
      segment.days++;
      const pricing = schedule.hourlyOn(day);
      segment.amount.usePricing(pricing);
      for (const id of panelIds) {
        const entry = this.#deps.ledger.day(id, day);
        if (!entry) continue;
        segment.amount.addHours(entry.kwh, pricing);
        // A day counts its meter's kVArh when every reading carried the counter, else the estimate.
        if (entry.readingCount > 0 && entry.reactiveCounterReadings === entry.readingCount) segment.kvarh += entry.kvarhCounted;
        else {
          segment.kvarh += entry.kvarhEstimated;
          if (entry.kvarhEstimated > 0 || entry.kwhWithoutPowerFactor > 0) estimated = true;
        }
      }
    }
    return { segments, monthDays, reactiveEstimated: estimated };
  }

  #bill(year: number, month: number, panelId: string | null, figures: MonthFigures, complete: boolean, options: { readonly minimum: boolean }): Bill {
    const totals = monthTotals(figures);
    const minimum = options.minimum ? minimumOf(figures, totals) : null;
    const lines = figures.segments.flatMap((segment, index) =>
      segmentLines(segment, { figures, totals, minimum: index === figures.segments.length - 1 ? minimum : null }),
    );
    return shownBill({ year, month, panelId, complete, figures, totals, lines });
  }
}

/** The month's energy, money and power factor over every plan version. */
interface MonthTotals {
  readonly amount: Amount;
  readonly kwh: number;
  readonly kvarh: number;
  /** kWh / √(kWh² + kVArh²); null without energy. */
  readonly averagePowerFactor: number | null;
}

function monthTotals(figures: MonthFigures): MonthTotals {
  const amount = new Amount();
  let kvarh = 0;
  for (const segment of figures.segments) {
    amount.add(segment.amount);
    kvarh += segment.kvarh;
  }
  const kwh = amount.kwh;
  return { amount, kwh, kvarh, averagePowerFactor: kwh > 0 ? kwh / Math.sqrt(kwh * kwh + kvarh * kvarh) : null };
}

/** The minimum bill: the minimum kWh and charge (pro rata per version) and the top-up to reach it. */
interface Minimum {
  readonly kwh: number;
  readonly charge: number;
  readonly energyCharge: number;
  readonly topUp: number;
}

function minimumOf(figures: MonthFigures, totals: MonthTotals): Minimum | null {
  let kwh = 0;
  let charge = 0;
  for (const { version, days } of figures.segments) {
    const terms = version.plan.minimumBill;
    if (!terms) continue;
    const segmentKwh = (terms.hours * terms.connectedKva * days) / figures.monthDays;
    kwh += segmentKwh;
    charge += segmentKwh * baseRate(version.plan.pricing);
  }
  // Compared with the month's energy as a whole.
  if (kwh <= 0 || totals.kwh >= kwh) return null;
  const energyCharge = totals.amount.cost;
  const topUp = Math.max(0, charge - energyCharge);
  return topUp > 0 ? { kwh, charge, energyCharge, topUp } : null;
}

/** One plan version's lines: energy per block, excess reactive energy, the minimum top-up (on the last version), tax. */
function segmentLines(
  segment: Segment,
  month: { readonly figures: MonthFigures; readonly totals: MonthTotals; readonly minimum: Minimum | null },
): UnroundedLine[] {
  const { plan } = segment.version;
  const from = planDate(segment.version);
  const lines: UnroundedLine[] = [];
  for (const block of TARIFF_BLOCKS) {
    const rate = blockRate(plan.pricing, block);
    if (rate === null) continue;
    const b = TARIFF_BLOCKS.indexOf(block);
    const quantity = segment.amount.blockKwh[b]!;
    lines.push({ kind: 'ENERGY', block, description: energyDescription(block, plan), quantity, unit: 'kWh', rate, amount: segment.amount.blockCost[b]!, planEffectiveFrom: from });
  }
  const pf = month.totals.averagePowerFactor;
  if (pf !== null && pf < REACTIVE_PF_THRESHOLD && plan.reactiveRatePerKvarh !== null) {
    const excess = Math.max(0, segment.kvarh - REACTIVE_ALLOWANCE_RATIO * segment.amount.kwh);
    if (excess > 0) {
      const estimated = month.figures.reactiveEstimated ? ', estimated from kW and power factor' : '';
      lines.push({
        kind: 'REACTIVE',
        block: null,
        description: `Excess reactive energy above 0.62 × kWh (average power factor ${pf.toFixed(3)} < 0.85)${estimated}`,
        quantity: excess,
        unit: 'kVArh',
        rate: plan.reactiveRatePerKvarh,
        amount: excess * plan.reactiveRatePerKvarh,
        planEffectiveFrom: from,
      });
    }
  }
  const { minimum } = month;
  if (minimum) {
    const rate = baseRate(plan.pricing);
    lines.push({
      kind: 'MINIMUM_TOP_UP',
      block: null,
      description:
        `Minimum bill: ${formatNumber(minimum.kwh)} kWh (hours × connected kVA) at the base rate = Rp ${formatNumber(minimum.charge)}, ` +
        `less the energy charged Rp ${formatNumber(minimum.energyCharge)}: the difference, as kWh at the base rate`,
      quantity: minimum.topUp / rate,
      unit: 'kWh',
      rate,
      amount: minimum.topUp,
      planEffectiveFrom: from,
    });
  }
  if (plan.taxPercent > 0) {
    const base = lines.reduce((sum, line) => sum + line.amount, 0);
    lines.push({
      kind: 'TAX',
      block: null,
      description: `Street-lighting tax (PPJ/PBJT) ${plan.taxPercent} %`,
      quantity: base,
      unit: 'Rp',
      // Rupiah per Rupiah of the lines before it, so that quantity × rate is the amount as on every line.
      rate: plan.taxPercent / 100,
      amount: (base * plan.taxPercent) / 100,
      planEffectiveFrom: from,
    });
  }
  return lines;
}

/** The bill as the API shows it: money rounded only here, so that the shown lines add up to the shown total. */
function shownBill(bill: {
  readonly year: number;
  readonly month: number;
  readonly panelId: string | null;
  readonly complete: boolean;
  readonly figures: MonthFigures;
  readonly totals: MonthTotals;
  readonly lines: readonly UnroundedLine[];
}): Bill {
  const { year, month, figures, totals } = bill;
  const amounts = roundParts(
    bill.lines.map((line) => line.amount),
    2,
  );
  const shown: BillLine[] = bill.lines.map((line, i) => ({ ...line, quantity: round(line.quantity, 3), rate: round(line.rate, 6), amount: amounts[i]! }));
  const subtotal = round(shown.filter((l) => l.kind !== 'TAX').reduce((sum, l) => sum + l.amount, 0), 2);
  const tax = round(shown.filter((l) => l.kind === 'TAX').reduce((sum, l) => sum + l.amount, 0), 2);
  const usage = totals.amount.toUsage();
  const first = dayNumberOf(year, month, 1);
  return {
    year,
    month,
    panelId: bill.panelId,
    from: isoDate(first),
    to: isoDate(first + figures.monthDays - 1),
    complete: bill.complete,
    energyKwh: usage.energyKwh,
    blocks: usage.blocks,
    reactiveKvarh: round(totals.kvarh, 3),
    reactiveEstimated: figures.reactiveEstimated,
    averagePowerFactor: totals.averagePowerFactor === null ? null : round(totals.averagePowerFactor, 4),
    lines: shown,
    subtotal,
    tax,
    total: round(subtotal + tax, 2),
    planVersions: figures.segments.map((s) => planView(s.version, !Number.isFinite(s.version.effectiveFrom))),
  };
}

/** 1234567.891 → "1,234,567.89" (a description's figures, as the API's English text writes them). */
function formatNumber(value: number): string {
  return value.toLocaleString('en-US', { maximumFractionDigits: 2 });
}

function planDate(version: TariffPlanVersion): string {
  return Number.isFinite(version.effectiveFrom) ? isoDate(version.effectiveFrom) : '2000-01-01';
}

function energyDescription(block: (typeof TARIFF_BLOCKS)[number], plan: TariffPlan): string {
  if (block === 'FLAT') return 'Energy';
  if (block === 'LWBP') return 'Energy, off-peak (LWBP)';
  const k = plan.pricing.kind === 'time-of-use' ? plan.pricing.peakMultiplier : 1;
  return `Energy, peak (WBP, K = ${k})`;
}

/** The figures with energy scaled by `factor` (a projection). */
function scaled(figures: MonthFigures, factor: number): MonthFigures {
  return {
    monthDays: figures.monthDays,
    reactiveEstimated: figures.reactiveEstimated,
    segments: figures.segments.map((s) => {
      const amount = new Amount();
      amount.blocksUsed = s.amount.blocksUsed;
      for (let b = 0; b < 3; b++) {
        amount.blockKwh[b] = s.amount.blockKwh[b]! * factor;
        amount.blockCost[b] = s.amount.blockCost[b]! * factor;
      }
      return { version: s.version, days: s.days, amount, kvarh: s.kvarh * factor };
    }),
  };
}
