import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { Bill } from '../../src/models/bill.js';
import type { TariffPlanInput } from '../../src/models/tariff-plan.js';
import { sqliteHarness, type PlanAt } from '../support/energy-harness.js';
import { randomCounterSeries } from '../support/counter-series.js';
import { uniquePanelId, local, makeReading, seededRandom } from '../support/readings.js';

/**
 * Monthly bills, hand-computed, through the product's own path (SQLite store → counting rule →
 * ledger → bill service). March 2025 is a complete, 31-day month.
 */
const open: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  for (const h of open.splice(0)) await h.close();
});

async function harness(plans: readonly PlanAt[], zone = 'Asia/Jakarta') {
  return checked(await sqliteHarness({ plans, zone }));
}

/**
 * Every bill this file computes is checked line by line: the shown quantity × the shown rate is
 * the shown amount, within the rounding of the quantity (3 decimals) and the amount (2).
 */
function checked<H extends Awaited<ReturnType<typeof sqliteHarness>>>(h: H): H {
  open.push(h);
  const { bills } = h;
  const monthlyBill = bills.monthlyBill.bind(bills);
  const currentBill = bills.currentBill.bind(bills);
  bills.monthlyBill = async (...args) => expectEveryLineAdds(await monthlyBill(...args));
  bills.currentBill = async (...args) => {
    const projection = await currentBill(...args);
    expectEveryLineAdds(projection.monthToDate);
    return projection;
  };
  return h;
}

function expectEveryLineAdds(bill: Bill): Bill {
  for (const line of bill.lines) {
    expect(Math.abs(line.quantity * line.rate - line.amount), `${line.kind} ${line.quantity} × ${line.rate} = ${line.amount}`).toBeLessThanOrEqual(
      0.0005 * line.rate + 0.01,
    );
  }
  checkedLines += bill.lines.length;
  return bill;
}
let checkedLines = 0;
afterAll(() => expect(checkedLines).toBeGreaterThan(40));

const tou = (k: number, extra: Partial<TariffPlanInput> = {}): TariffPlanInput => ({
  pricing: { kind: 'time-of-use', offPeakRatePerKwh: 1000, peakMultiplier: k, peakStartHour: 17, peakEndHour: 22 },
  ...extra,
});
const flat = (rate: number, extra: Partial<TariffPlanInput> = {}): TariffPlanInput => ({ pricing: { kind: 'flat', ratePerKwh: rate }, ...extra });
const J = local('Asia/Jakarta');

/** The bill's lines as [kind, block, quantity, rate, amount]. */
function lines(bill: Bill) {
  return bill.lines.map((l) => [l.kind, l.block, l.quantity, l.rate, l.amount]);
}

function expectLinesAddUp(bill: Bill): void {
  const sum = (kinds: (k: string) => boolean) => Math.round(bill.lines.filter((l) => kinds(l.kind)).reduce((a, l) => a + l.amount, 0) * 100) / 100;
  expect(sum((k) => k !== 'TAX')).toBe(bill.subtotal);
  expect(sum((k) => k === 'TAX')).toBe(bill.tax);
  expect(Math.round((bill.subtotal + bill.tax) * 100) / 100).toBe(bill.total);
}

describe('time-of-use blocks', () => {
  for (const k of [1.4, 2]) {
    it(`K = ${k}: an increase belongs to the block of the reading that counts it, around 17:00 and 22:00`, async () => {
      const h = await harness([{ from: null, plan: tou(k) }]);
      const id = uniquePanelId('tou');
      await h.write([
        makeReading(id, J('2025-03-10 16:50:00'), 1000, 20),
        makeReading(id, J('2025-03-10 16:59:59'), 1003, 20), // LWBP: 3
        makeReading(id, J('2025-03-10 17:00:00'), 1003.1, 20), // WBP (17:00 is peak): 0.1
        makeReading(id, J('2025-03-10 21:50:00'), 1100, 20), // WBP: 96.9
        makeReading(id, J('2025-03-10 22:00:00'), 1101, 20), // LWBP (22:00 is off-peak): 1
        makeReading(id, J('2025-03-10 22:10:00'), 1105, 20), // LWBP: 4
      ]);
      const bill = await h.bills.monthlyBill(2025, 3, [id], id);
      expect(lines(bill)).toEqual([
        ['ENERGY', 'LWBP', 8, 1000, 8000],
        ['ENERGY', 'WBP', 97, 1000 * k, 97 * 1000 * k],
      ]);
      expect(bill.blocks).toEqual([
        { block: 'LWBP', energyKwh: 8, cost: 8000 },
        { block: 'WBP', energyKwh: 97, cost: 97 * 1000 * k },
      ]);
      expect(bill).toMatchObject({ energyKwh: 105, subtotal: 8000 + 97_000 * k, tax: 0, total: 8000 + 97_000 * k, complete: true });
      expect(bill.from).toBe('2025-03-01');
      expect(bill.to).toBe('2025-03-31');
      expectLinesAddUp(bill);
    });
  }

  it('a peak window that wraps midnight (22-6)', async () => {
    const h = await harness([{ from: null, plan: { pricing: { kind: 'time-of-use', offPeakRatePerKwh: 1000, peakMultiplier: 2, peakStartHour: 22, peakEndHour: 6 } } }]);
    const id = uniquePanelId('wrap');
    await h.write([
      makeReading(id, J('2025-03-10 21:00:00'), 100, 20),
      makeReading(id, J('2025-03-10 23:00:00'), 110, 20), // WBP
      makeReading(id, J('2025-03-11 05:59:00'), 120, 20), // WBP
      makeReading(id, J('2025-03-11 07:00:00'), 125, 20), // LWBP
    ]);
    expect((await h.bills.monthlyBill(2025, 3, [id], id)).blocks).toEqual([
      { block: 'LWBP', energyKwh: 5, cost: 5000 },
      { block: 'WBP', energyKwh: 20, cost: 40_000 },
    ]);
  });

  it('cuts blocks in the site timezone: WIB, WITA and WIT see the same readings in different blocks', async () => {
    const U = local('UTC');
    const figures: Record<string, unknown> = {};
    for (const zone of ['Asia/Jakarta', 'Asia/Makassar', 'Asia/Jayapura']) {
      const h = await harness([{ from: null, plan: tou(2) }], zone);
      const id = uniquePanelId('zone');
      await h.write([
        makeReading(id, U('2025-03-10 09:00:00'), 100, 20),
        makeReading(id, U('2025-03-10 09:50:00'), 110, 20), // 16:50 WIB, 17:50 WITA, 18:50 WIT
        makeReading(id, U('2025-03-10 14:30:00'), 120, 20), // 21:30 WIB, 22:30 WITA, 23:30 WIT
      ]);
      figures[zone] = (await h.bills.monthlyBill(2025, 3, [id], id)).blocks.map((b) => [b.block, b.energyKwh]);
    }
    expect(figures).toEqual({
      'Asia/Jakarta': [['LWBP', 10], ['WBP', 10]],
      'Asia/Makassar': [['LWBP', 10], ['WBP', 10]],
      'Asia/Jayapura': [['LWBP', 10], ['WBP', 10]],
    });
    // …but not the same readings: WIB counts the first step off-peak, WITA and WIT on-peak.
    const h = await harness([{ from: null, plan: tou(2) }], 'Asia/Makassar');
    const id = uniquePanelId('wita');
    await h.write([makeReading(id, U('2025-03-10 09:00:00'), 100, 20), makeReading(id, U('2025-03-10 09:50:00'), 110, 20)]);
    expect((await h.bills.monthlyBill(2025, 3, [id], id)).blocks).toEqual([
      { block: 'LWBP', energyKwh: 0, cost: 0 },
      { block: 'WBP', energyKwh: 10, cost: 20_000 },
    ]);
    const w = await harness([{ from: null, plan: tou(2) }], 'Asia/Jakarta');
    const wid = uniquePanelId('wib');
    await w.write([makeReading(wid, U('2025-03-10 09:00:00'), 100, 20), makeReading(wid, U('2025-03-10 09:50:00'), 110, 20)]);
    expect((await w.bills.monthlyBill(2025, 3, [wid], wid)).blocks[0]).toEqual({ block: 'LWBP', energyKwh: 10, cost: 10_000 });
  });
});

describe('excess reactive energy', () => {
  async function billWithReactive(kvarh: number) {
    const h = await harness([{ from: null, plan: flat(1500, { reactiveRatePerKvarh: 1114.74 }) }]);
    const id = uniquePanelId('pf');
    await h.write([
      makeReading(id, J('2025-03-10 00:00:00'), 1000, 20, { reactiveEnergyKvarh: 500 }),
      makeReading(id, J('2025-03-10 10:00:00'), 1100, 20, { reactiveEnergyKvarh: 500 + kvarh }),
    ]);
    return h.bills.monthlyBill(2025, 3, [id], id);
  }

  it('a power factor just at or above 0.85 costs nothing extra', async () => {
    const bill = await billWithReactive(61.9); // PF 100 / √(100² + 61.9²) = 0.8503
    expect(bill.averagePowerFactor).toBe(0.8503);
    expect(lines(bill)).toEqual([['ENERGY', 'FLAT', 100, 1500, 150_000]]);
    expect(bill.reactiveEstimated).toBe(false);
  });

  it('under 0.85: the kVArh above 0.62 × kWh at the reactive rate', async () => {
    const bill = await billWithReactive(70); // PF 0.8192; excess 70 − 62 = 8 kVArh
    expect(bill.averagePowerFactor).toBe(0.8192);
    expect(lines(bill)).toEqual([
      ['ENERGY', 'FLAT', 100, 1500, 150_000],
      ['REACTIVE', null, 8, 1114.74, 8917.92],
    ]);
    expect(bill).toMatchObject({ reactiveKvarh: 70, total: 158_917.92 });
    expectLinesAddUp(bill);
  });

  it('without a kVArh counter, estimates from kW and power factor and says so', async () => {
    const h = await harness([{ from: null, plan: flat(1500, { reactiveRatePerKvarh: 1000 }) }]);
    const id = uniquePanelId('estimate');
    await h.write([
      makeReading(id, J('2025-03-10 00:00:00'), 1000, 20, { powerFactor: 0.6 }),
      makeReading(id, J('2025-03-10 10:00:00'), 1100, 20, { powerFactor: 0.6 }),
    ]);
    const bill = await h.bills.monthlyBill(2025, 3, [id], id);
    // tan(arccos 0.6) = 4/3: 133.333 kVArh; excess 133.333 − 62 = 71.333.
    expect(bill.reactiveEstimated).toBe(true);
    expect(bill.reactiveKvarh).toBe(133.333);
    expect(bill.averagePowerFactor).toBe(0.6);
    expect(bill.lines[1]).toMatchObject({ kind: 'REACTIVE', quantity: 71.333, amount: 71_333.33 });
    expect(bill.lines[1]!.description).toMatch(/estimated/);
  });
});

describe('minimum bill and tax', () => {
  it('a month under the minimum (40 h × 10 kVA = 400 kWh) is topped up to it', async () => {
    const h = await harness([{ from: null, plan: flat(1500, { minimumBill: { connectedKva: 10, hours: 40 } }) }]);
    const id = uniquePanelId('minimum');
    await h.write([makeReading(id, J('2025-03-10 00:00:00'), 1000, 20), makeReading(id, J('2025-03-10 10:00:00'), 1100, 20)]);
    const bill = await h.bills.monthlyBill(2025, 3, [id], id);
    expect(lines(bill)).toEqual([
      ['ENERGY', 'FLAT', 100, 1500, 150_000],
      // The minimum charge (400 kWh × 1,500 = 600,000) less the energy charged (150,000): 300 kWh at 1,500.
      ['MINIMUM_TOP_UP', null, 300, 1500, 450_000],
    ]);
    expect(bill.total).toBe(600_000);
  });

  it('with peak energy, the top-up is the minimum charge less the energy charged (PLN’s rekening minimum)', async () => {
    // 40 h × 20 kVA = 800 kWh at LWBP 1,000 = Rp 800,000 minimum charge.
    const h = await harness([{ from: null, plan: tou(2, { minimumBill: { connectedKva: 20, hours: 40 } }) }]);
    const id = uniquePanelId('minimum-tou');
    await h.write([
      makeReading(id, J('2025-03-10 10:00:00'), 1000, 20),
      makeReading(id, J('2025-03-10 12:00:00'), 1100, 20), // LWBP: 100 kWh × 1,000
      makeReading(id, J('2025-03-10 17:00:00'), 1100, 20),
      makeReading(id, J('2025-03-10 19:00:00'), 1200, 20), // WBP: 100 kWh × 2,000
    ]);
    const bill = await h.bills.monthlyBill(2025, 3, [id], id);
    // 800,000 − 300,000 = 500,000 (500 kWh at LWBP), not (800 − 200) kWh × 1,000 = 600,000.
    expect(lines(bill)).toEqual([
      ['ENERGY', 'LWBP', 100, 1000, 100_000],
      ['ENERGY', 'WBP', 100, 2000, 200_000],
      ['MINIMUM_TOP_UP', null, 500, 1000, 500_000],
    ]);
    expect(bill.total).toBe(800_000);
    expect(bill.lines[2]!.description).toMatch(/800 kWh .* = Rp 800,000, less the energy charged Rp 300,000/);
  });

  it('a month over the minimum pays its energy only', async () => {
    const h = await harness([{ from: null, plan: flat(1500, { minimumBill: { connectedKva: 1, hours: 40 } }) }]);
    const id = uniquePanelId('over');
    await h.write([makeReading(id, J('2025-03-10 00:00:00'), 1000, 20), makeReading(id, J('2025-03-10 10:00:00'), 1100, 20)]);
    expect((await h.bills.monthlyBill(2025, 3, [id], id)).total).toBe(150_000);
  });

  it('adds the street-lighting tax on everything before it', async () => {
    const h = await harness([{ from: null, plan: flat(1500, { taxPercent: 10, minimumBill: { connectedKva: 10, hours: 40 } }) }]);
    const id = uniquePanelId('tax');
    await h.write([makeReading(id, J('2025-03-10 00:00:00'), 1000, 20), makeReading(id, J('2025-03-10 10:00:00'), 1100, 20)]);
    const bill = await h.bills.monthlyBill(2025, 3, [id], id);
    expect(lines(bill).at(-1)).toEqual(['TAX', null, 600_000, 0.1, 60_000]);
    expect(bill).toMatchObject({ subtotal: 600_000, tax: 60_000, total: 660_000 });
    expectLinesAddUp(bill);
  });
});

describe('plan versions, resets and the building', () => {
  it('a plan change in the middle of the month prices each part with its own plan', async () => {
    const h = await harness([
      { from: null, plan: flat(1500) },
      { from: '2025-03-16', plan: tou(2) },
    ]);
    const id = uniquePanelId('change');
    await h.write([
      makeReading(id, J('2025-03-10 10:00:00'), 1000, 20),
      makeReading(id, J('2025-03-10 12:00:00'), 1010, 20), // flat: 10 × 1500
      makeReading(id, J('2025-03-20 10:00:00'), 1010, 20),
      makeReading(id, J('2025-03-20 12:00:00'), 1020, 20), // LWBP: 10 × 1000
      makeReading(id, J('2025-03-20 17:00:00'), 1020, 20),
      makeReading(id, J('2025-03-20 18:00:00'), 1030, 20), // WBP: 10 × 2000
    ]);
    const bill = await h.bills.monthlyBill(2025, 3, [id], id);
    expect(bill.lines.map((l) => [l.planEffectiveFrom, l.block, l.quantity, l.amount])).toEqual([
      ['2000-01-01', 'FLAT', 10, 15_000],
      ['2025-03-16', 'LWBP', 10, 10_000],
      ['2025-03-16', 'WBP', 10, 20_000],
    ]);
    expect(bill.planVersions.map((v) => [v.effectiveFrom, v.kind])).toEqual([
      ['2000-01-01', 'FLAT'],
      ['2025-03-16', 'TIME_OF_USE'],
    ]);
    expect(bill.total).toBe(45_000);
    // The month's summary agrees: the same energy, the same money.
    expect((await h.energy.monthlySummary(2025, 3, [id], id)).total).toMatchObject({ energyKwh: 30, cost: 45_000 });
  });

  it('a month with a meter reset and a glitch bills what the counting rule counts', async () => {
    const h = await harness([{ from: null, plan: flat(1000) }]);
    const id = uniquePanelId('reset');
    await h.write([
      makeReading(id, J('2025-03-05 10:00:00'), 500.0, 12),
      makeReading(id, J('2025-03-05 10:01:00'), 0.0, 12), // glitch
      makeReading(id, J('2025-03-05 10:02:00'), 500.2, 12),
      makeReading(id, J('2025-03-05 10:03:00'), 0.0, 12), // reset
      makeReading(id, J('2025-03-05 10:04:00'), 0.1, 12),
      makeReading(id, J('2025-03-05 10:05:00'), 0.3, 12),
    ]);
    const bill = await h.bills.monthlyBill(2025, 3, [id], id);
    expect(bill.energyKwh).toBe(0.5);
    expect(bill.total).toBe(500);
  });

  it('the building is billed on its own totals, not as the sum of the panels’ bills', async () => {
    const h = await harness([{ from: null, plan: flat(1500, { reactiveRatePerKvarh: 1000 }) }]);
    const [a, b] = [uniquePanelId('bldA'), uniquePanelId('bldB')];
    await h.write([
      makeReading(a, J('2025-03-10 00:00:00'), 1000, 20, { reactiveEnergyKvarh: 0 }),
      makeReading(a, J('2025-03-10 10:00:00'), 1100, 20, { reactiveEnergyKvarh: 90 }), // PF 0.743: 28 kVArh excess
      makeReading(b, J('2025-03-10 00:00:00'), 2000, 20, { reactiveEnergyKvarh: 0 }),
      makeReading(b, J('2025-03-10 10:00:00'), 2100, 20, { reactiveEnergyKvarh: 10 }), // PF 0.995
    ]);
    const billA = await h.bills.monthlyBill(2025, 3, [a], a);
    const billB = await h.bills.monthlyBill(2025, 3, [b], b);
    const building = await h.bills.monthlyBill(2025, 3, [a, b], null);
    expect(billA.total).toBe(150_000 + 28_000);
    expect(billB.total).toBe(150_000);
    // The building: 200 kWh, 100 kVArh, PF 0.894: no reactive charge, 28,000 less than the sum.
    expect(building).toMatchObject({ panelId: null, energyKwh: 200, reactiveKvarh: 100, averagePowerFactor: 0.8944, total: 300_000 });
  });
});

describe('the month to date and its projection', () => {
  it('projects the elapsed part of the month to the whole month', async () => {
    const now = J('2025-03-16 12:00:00').getTime(); // 15.5 of 31 days: half the month
    const h = checked(await sqliteHarness({ plans: [{ from: null, plan: flat(1000) }], now: () => now }));
    const id = uniquePanelId('projection');
    await h.write([makeReading(id, J('2025-03-01 00:00:00'), 0, 20), makeReading(id, J('2025-03-16 11:00:00'), 300, 20)]);
    const projection = await h.bills.currentBill([id], id);
    expect(projection.elapsedFraction).toBe(0.5);
    expect(projection.monthToDate).toMatchObject({ complete: false, energyKwh: 300, total: 300_000 });
    expect(projection).toMatchObject({ projectedEnergyKwh: 600, projectedTotal: 600_000 });
  });

  it('on the first day of a month, "so far" holds what was used so far; the minimum belongs to the projection', async () => {
    const now = J('2025-03-01 06:00:00').getTime();
    const h = checked(await sqliteHarness({ plans: [{ from: null, plan: flat(1000, { minimumBill: { connectedKva: 10, hours: 40 } }) }], now: () => now }));
    const id = uniquePanelId('first-day');
    await h.write([makeReading(id, J('2025-03-01 00:00:00'), 0, 20), makeReading(id, J('2025-03-01 05:00:00'), 2, 20)]);
    const projection = await h.bills.currentBill([id], id);
    expect(projection.monthToDate).toMatchObject({ energyKwh: 2, total: 2_000 });
    expect(projection.monthToDate.lines.map((l) => l.kind)).toEqual(['ENERGY']);
    // 2 kWh in 6 of 744 hours: 248 kWh projected, under the 400 kWh minimum: Rp 400,000.
    expect(projection).toMatchObject({ projectedEnergyKwh: 248, projectedTotal: 400_000 });
  });
});

describe('property: random months and plans', () => {
  for (const seed of [1, 2, 3]) {
    it(`seed ${seed}: WBP + LWBP is the month's energy, and each block costs its energy × its rate`, async () => {
      const random = seededRandom(seed);
      const k = 1.4 + random() * 0.6;
      const start = 14 + Math.floor(random() * 8);
      const h = await harness([
        { from: null, plan: tou(k) },
        { from: `2025-03-${10 + Math.floor(random() * 10)}`, plan: { pricing: { kind: 'time-of-use', offPeakRatePerKwh: 1114.74, peakMultiplier: k, peakStartHour: start, peakEndHour: start + 5 } } },
      ]);
      const id = uniquePanelId('prop');
      const series = randomCounterSeries(random, { start: J('2025-03-01 00:00:00').getTime(), count: 3_000 }).filter(
        (s) => s.time < J('2025-04-01 00:00:00'),
      );
      await h.write(series.map((s) => makeReading(id, s.time, s.energyKwh, s.activePowerKw)));
      const bill = await h.bills.monthlyBill(2025, 3, [id], id);
      const month = h.energy.monthAmount([id], 2025, 3);
      const blockKwh = bill.lines.filter((l) => l.kind === 'ENERGY').reduce((sum, l) => sum + l.quantity, 0);
      expect(blockKwh).toBeCloseTo(month.kwh, 2);
      expect(bill.energyKwh).toBeCloseTo(month.kwh, 3);
      for (const line of bill.lines.filter((l) => l.kind === 'ENERGY')) {
        expect(Math.abs(line.amount - line.quantity * line.rate)).toBeLessThan(0.01 + line.rate * 0.0005);
      }
      expectLinesAddUp(bill);
      expect(bill.total).toBeCloseTo(month.cost, 1);
    });
  }
});
