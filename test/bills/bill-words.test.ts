import { readFileSync } from 'node:fs';
import { DateTime } from 'luxon';
import { afterEach, describe, expect, it } from 'vitest';
import { disposer } from '../support/disposer.js';
import { startInProcessApi } from '../support/in-process.js';

/**
 * Issue 25 point 6, the bullets about words: what the product does, the README, docs and the
 * schema's descriptions say the same (the numbers are checked in monthly-bill.test.ts: every line
 * of every bill it computes adds up, the minimum charge with peak energy, the first day's
 * "so far"; rates rounded in test/api-fast/queries.test.ts).
 */

const cleanup = disposer();
afterEach(() => cleanup.run());

const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');
/** A type's or field's description in schema.graphql, whitespace collapsed. */
function described(schema: string, before: RegExp): string {
  const match = new RegExp(`"""([^"]+)"""\\s*${before.source}`).exec(schema);
  if (!match) throw new Error(`no description before ${before.source} in schema.graphql`);
  return match[1]!.replace(/\s+/g, ' ').trim();
}

const SET_PLAN = `mutation ($input: SetTariffPlanInput!) { setTariffPlan(input: $input) {
  plan { effectiveFrom } recorded userErrors { field code } } }`;

describe('the bill as every text describes it', () => {
  it('setTariffPlan takes effect from tomorrow at the earliest: the API refuses today, and no text says "from today"', async () => {
    const api = await startInProcessApi(cleanup);
    const day = (days: number) => DateTime.now().setZone('Asia/Jakarta').plus({ days }).toISODate()!;
    const plan = { kind: 'FLAT', ratePerKwh: 1500 };
    expect(await api.data(SET_PLAN, { input: { effectiveFrom: day(0), plan } })).toEqual({
      setTariffPlan: { plan: null, recorded: false, userErrors: [{ field: ['input', 'effectiveFrom'], code: 'TARIFF_DATE_TOO_EARLY' }] },
    });
    expect(await api.data(SET_PLAN, { input: { effectiveFrom: day(1), plan } })).toEqual({
      setTariffPlan: { plan: { effectiveFrom: day(1) }, recorded: true, userErrors: [] },
    });

    const schema = read('schema.graphql');
    expect(described(schema, /setTariffPlan\(/)).toMatch(/tomorrow at the earliest/);
    expect(described(schema, /effectiveFrom: Date!\s*plan: TariffPlanInput!/)).toMatch(/tomorrow at the earliest/);
    expect(read('docs/tariffs-and-bills.md')).toMatch(/`setTariffPlan\(input: \{ effectiveFrom, plan \}\)` \(from tomorrow on/);
    for (const path of ['README.md', 'docs/tariffs-and-bills.md', 'docs/api.md']) expect(read(path), path).not.toMatch(/from today on/i);
  });

  it('the minimum top-up is the minimum charge less the energy charged, in the docs and the schema; never (minimum kWh − kWh) × the base rate', () => {
    const schema = read('schema.graphql');
    expect(described(schema, /type MinimumChargeLine/)).toMatch(/minimum bill \(hours × connected kVA, as kWh at the base rate\) less the energy already charged/);
    // The quantity is what makes up the difference at the base rate, which with peak energy is not the minimum's unused kWh.
    const quantity = described(schema, /quantityKwh: Float!\s*"""Per kWh \(the base rate\)\."""/);
    expect(quantity).toMatch(/top-up ÷ the base rate/);
    expect(quantity).not.toMatch(/not used/);
    const docs = read('docs/tariffs-and-bills.md').replace(/\s+/g, ' ');
    expect(docs).toMatch(/the minimum charge less the energy charged/);
    expect(docs).toMatch(/With peak energy this is not \(minimum kWh − kWh used\) × the base rate/);
    // The README's old rule, in any of its spellings.
    for (const path of ['README.md', 'docs/api.md', 'docs/tariffs-and-bills.md']) {
      expect(read(path), path).not.toMatch(/\(40\s*[·×*]\s*kVA\s*[−-]\s*kWh\)\s*[×*]/);
    }
  });
});
