import { afterEach, expect, it } from 'vitest';
import type { Reading } from '../../src/models/reading.js';
import { sqliteHarness } from '../support/energy-harness.js';
import { uniquePanelId, local, makeReading } from '../support/readings.js';

/**
 * The worked example of README "Tariffs and the monthly bill", through the product's own path
 * (SQLite store → counting rule → ledger → bill service): if the README's figures drift from what
 * the product bills, this fails.
 */
let close: (() => Promise<void>) | null = null;
afterEach(async () => {
  await close?.();
  close = null;
});

it('bills March 2025 of a B-3 building as the README works it out', async () => {
  const h = sqliteHarness({
    zone: 'Asia/Jakarta',
    plans: [
      {
        from: null,
        plan: {
          name: 'B-3 example',
          pricing: { kind: 'time-of-use', offPeakRatePerKwh: 1035.78, peakMultiplier: 1.4, peakStartHour: 17, peakEndHour: 22 },
          reactiveRatePerKvarh: 1114.74,
          minimumBill: { connectedKva: 300, hours: 40 },
          taxPercent: 3,
        },
      },
    ],
  });
  close = () => h.close();
  const J = local('Asia/Jakarta');
  const id = uniquePanelId('readme');
  // One reading an hour: 50 kWh in each off-peak hour, 40 kWh in each peak hour (17:00-21:00
  // readings), 37.5 kVArh every hour; the first reading (28 Feb 23:00) is the baseline.
  const readings: Reading[] = [makeReading(id, J('2025-02-28 23:00:00'), 100_000, 50, { reactiveEnergyKvarh: 50_000 })];
  let kwh = 100_000;
  let kvarh = 50_000;
  for (let day = 1; day <= 31; day++) {
    for (let hour = 0; hour < 24; hour++) {
      const peak = hour >= 17 && hour < 22;
      kwh += peak ? 40 : 50;
      kvarh += 37.5;
      const at = `2025-03-${String(day).padStart(2, '0')} ${String(hour).padStart(2, '0')}:00:00`;
      readings.push(makeReading(id, J(at), kwh, peak ? 40 : 50, { reactiveEnergyKvarh: kvarh }));
    }
  }
  await h.write(readings);

  const bill = await h.bills.monthlyBill(2025, 3, [id], id);
  expect(bill.lines.map((l) => [l.kind, l.block, l.quantity, l.rate, l.amount])).toEqual([
    ['ENERGY', 'LWBP', 29_450, 1035.78, 30_503_721],
    ['ENERGY', 'WBP', 6_200, 1450.092, 8_990_570.4],
    ['REACTIVE', null, 5_797, 1114.74, 6_462_147.78],
    ['TAX', null, 45_956_439.18, 3, 1_378_693.18],
  ]);
  expect(bill).toMatchObject({
    energyKwh: 35_650,
    reactiveKvarh: 27_900,
    averagePowerFactor: 0.7875,
    reactiveEstimated: false,
    subtotal: 45_956_439.18,
    tax: 1_378_693.18,
    total: 47_335_132.36,
    complete: true,
  });
});
