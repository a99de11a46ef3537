import { afterEach, describe, expect, it } from 'vitest';
import { bearer, makeKey } from '../access/support.js';
import { disposer } from '../support/disposer.js';
import { httpRequest } from '../support/graphql-client.js';
import { seed, series } from '../support/seed.js';
import { startTestApp } from '../support/test-app.js';

const disposers = disposer();
afterEach(() => disposers.run());

const ADMIN = makeKey('ops-admin', 'admin');
const TENANT = makeKey('tenant-floor-1', 'viewer', ['SITE_A']);

/** The same figures asked under `site` and on the deprecated root fields (panelId omitted: the building). */
const BOTH = `query ($year: Int!, $month: Int!, $from: Date!, $to: Date!) {
  site {
    timezone currency
    overview { panelCount todayUsage { energyKwh } }
    tariff { timezone current { effectiveFrom } }
    currentBill { monthToDate { total { amount } } }
    monthlyBill(year: $year, month: $month) { total { amount } }
    monthlySummary(year: $year, month: $month) { total { energyKwh } }
    yearlySummary(year: $year) { total { energyKwh } }
    peakDemand(year: $year, month: $month) { panelId firstDay lastDay }
    loadProfile(from: $from, to: $to) { panelId baseLoadKw }
    emissionFactors { current { effectiveFrom } }
  }
  overview { panelCount todayUsage { energyKwh } }
  tariff { timezone current { effectiveFrom } }
  currentBill { monthToDate { total { amount } } }
  monthlyBill(year: $year, month: $month) { total { amount } }
  monthlySummary(year: $year, month: $month) { total { energyKwh } }
  yearlySummary(year: $year) { total { energyKwh } }
  peakDemand(year: $year, month: $month) { panelId firstDay lastDay }
  loadProfile(from: $from, to: $to) { panelId baseLoadKw }
  emissionFactors { current { effectiveFrom } }
}`;

type Both = Record<string, unknown> & { site: Record<string, unknown> };

describe('site', () => {
  it("holds the site's singletons and the building's figures, the same as the deprecated root fields, within the caller's panels", async () => {
    const api = await startTestApp({ AUTH: 'required', API_KEYS: [ADMIN.entry, TENANT.entry].join(',') }, undefined, { cleanup: disposers });
    const start = new Date(Date.now() - 2 * 3_600_000);
    seed(api.app, [...series('SITE_A', start, 60, { kwhStep: 0.5 }), ...series('SITE_B', start, 60, { kwhStep: 0.25 })]);
    const now = new Date();
    const today = now.toISOString().slice(0, 10);
    const variables = { year: now.getUTCFullYear(), month: now.getUTCMonth() + 1, from: today, to: today };

    for (const key of [ADMIN, TENANT]) {
      const answer = await httpRequest<Both, typeof variables>(api.httpUrl, BOTH, variables, bearer(key.key));
      expect(answer.errors).toBeUndefined();
      const { site, ...root } = answer.data!;
      const { timezone, currency, ...figures } = site;
      expect({ timezone, currency }).toEqual({ timezone: 'Asia/Jakarta', currency: 'IDR' });
      expect(figures).toEqual(root);
      // The building is what the caller sees: both panels for the admin, SITE_A for the tenant.
      expect((figures.overview as { panelCount: number }).panelCount).toBe(key === ADMIN ? 2 : 1);
    }
  });
});
