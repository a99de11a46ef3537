import { readFileSync } from 'node:fs';
import { afterEach, expect, it } from 'vitest';
import type { Reading } from '../../src/models/reading.js';
import { sqliteHarness } from '../support/energy-harness.js';
import { uniquePanelId, local, makeReading } from '../support/readings.js';

/**
 * The worked example of docs/tariffs-and-bills.md, through the product's own path (SQLite store →
 * counting rule → ledger → bill service). The expected figures are read from the document's table,
 * so if they drift from what the product bills, this fails.
 */
const DOC = 'docs/tariffs-and-bills.md';

/** The worked example's table, row by row: its first cell → the other cells (bold marks dropped). */
function workedExampleTable(): Map<string, string[]> {
  const text = readFileSync(new URL(`../../${DOC}`, import.meta.url), 'utf8');
  const section = text.split(/^## /m).find((part) => part.startsWith('Worked example'));
  if (!section) throw new Error(`${DOC} has no "## Worked example" section`);
  const rows = section
    .split('\n')
    .filter((line) => line.startsWith('|') && !/^\|\s*-/.test(line))
    .map((line) => line.split('|').slice(1, -1).map((cell) => cell.replace(/\*\*/g, '').trim()));
  return new Map(rows.map(([first = '', ...rest]) => [first, rest]));
}

/** The figure a cell ends up at: the first number after its last `=` (or its first number). */
function figure(cell: string | undefined): number {
  const tail = cell?.slice(cell.lastIndexOf('=') + 1) ?? '';
  const match = /\d[\d,]*(\.\d+)?/.exec(tail);
  if (!match) throw new Error(`${DOC}: no figure in "${cell ?? ''}"`);
  return Number(match[0].replace(/,/g, ''));
}

let close: (() => Promise<void>) | null = null;
afterEach(async () => {
  await close?.();
  close = null;
});

it('bills March 2025 of a B-3 building exactly as docs/tariffs-and-bills.md works it out', async () => {
  const table = workedExampleTable();
  const row = (name: string) => {
    const cells = table.get(name);
    if (!cells) throw new Error(`${DOC}: the worked example has no row "${name}" (rows: ${[...table.keys()].join(', ')})`);
    return cells;
  };
  const [lwbpQuantity, lwbpRate, lwbpAmount] = row('LWBP energy');
  const [wbpQuantity, wbpRate, wbpAmount] = row('WBP energy');
  const [reactiveQuantity, reactiveRate, reactiveAmount] = row('excess reactive');
  const [minimum] = row('minimum');
  const [taxQuantity, , taxAmount] = row('tax');

  const h = await sqliteHarness({
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
  // The document says no minimum top-up applies: the bill has no MINIMUM line.
  expect(minimum).toMatch(/none/);
  expect(bill.lines.map((l) => [l.kind, l.block, l.quantity, l.rate, l.amount])).toEqual([
    ['ENERGY', 'LWBP', figure(lwbpQuantity), figure(lwbpRate), figure(lwbpAmount)],
    ['ENERGY', 'WBP', figure(wbpQuantity), figure(wbpRate), figure(wbpAmount)],
    ['REACTIVE', null, figure(reactiveQuantity), figure(reactiveRate), figure(reactiveAmount)],
    ['TAX', null, figure(row('subtotal')[2]), Number(/^([\d.]+)\s*%/.exec(taxQuantity ?? '')?.[1]) / 100, figure(taxAmount)],
  ]);
  expect(bill).toMatchObject({
    energyKwh: figure(lwbpQuantity) + figure(wbpQuantity),
    // "27,900 − 0.62 × 35,650 = …": the month's kVArh, then its power factor in brackets.
    reactiveKvarh: Number(/^[\d,.]+/.exec(reactiveQuantity ?? '')?.[0].replace(/,/g, '')),
    averagePowerFactor: Number(/power factor ([\d.]+)/.exec(reactiveQuantity ?? '')?.[1]),
    reactiveEstimated: false,
    subtotal: figure(row('subtotal')[2]),
    tax: figure(taxAmount),
    total: figure(row('total')[2]),
    complete: true,
  });
  // The figures above came from the document, not from nothing.
  expect(figure(row('total')[2])).toBeGreaterThan(0);
});
