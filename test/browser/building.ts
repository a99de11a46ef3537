import { DateTime } from 'luxon';
import { clearOfMidnight, seed, SITE_TZ, startOfTodayWib, type SeedReading } from '../support/seed.js';
import type { Disposer } from '../support/disposer.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/** Three panels with names, as a building manager sees them. */
export const PANELS = ['PANEL_A', 'PANEL_B', 'PANEL_C'] as const;
export const PANEL_NAMES = 'PANEL_A=Lantai 1,PANEL_B=Lantai 2,PANEL_C=Basement';
export const NAMES = ['Lantai 1', 'Lantai 2', 'Basement', ...PANELS];

/**
 * The building's product: its three named panels, a time-of-use plan with 3 % street-lighting tax
 * (a bill with LWBP, WBP and TAX lines); stopped, with its data, after the test.
 */
export async function startBuildingApp(disposers: Disposer, env: Record<string, string> = {}): Promise<TestApp> {
  return disposers.use(
    await startTestApp({ PANEL_NAMES, TARIFF_PLAN: 'time-of-use', TARIFF_LWBP_RP_PER_KWH: '1114.74', TARIFF_TAX_PERCENT: '3', ...env }),
    (app) => app.stop({ removeData: true }),
  );
}

/**
 * A building with history: on four days of last month (site calendar) each panel uses energy
 * between 10:00 and 11:00 (off-peak) and between 18:00 and 19:00 (peak on a time-of-use plan), a
 * different amount per day and panel; today each panel has used some since midnight and reported
 * a second ago. Returns the first day of last month.
 */
export async function seedBuilding(app: TestApp): Promise<DateTime> {
  const now = await clearOfMidnight();
  const lastMonth = DateTime.fromJSDate(now, { zone: SITE_TZ }).minus({ months: 1 }).startOf('month');
  const readings: SeedReading[] = [];
  for (const [k, panelId] of PANELS.entries()) {
    let counter = 500 * (k + 1);
    for (const day of [2, 9, 17, 28]) {
      for (const hour of [10, 18]) {
        const at = lastMonth.set({ day, hour });
        readings.push({ panelId, time: at.toJSDate(), kwh: counter, kw: 20 });
        counter = Number((counter + day * 1.125 + k * 0.5 + (hour === 18 ? 2 : 0)).toFixed(3));
        readings.push({ panelId, time: at.plus({ hours: 1 }).toJSDate(), kwh: counter, kw: 20 });
      }
    }
    readings.push({ panelId, time: new Date(startOfTodayWib(now).getTime() - 3_600_000), kwh: counter });
    readings.push({
      panelId,
      time: new Date(Math.floor(now.getTime() / 1000) * 1000 - 1_000),
      kwh: Number((counter + 12.345 * (k + 1)).toFixed(3)),
      kw: 6.5 + k,
    });
  }
  seed(app.app, readings);
  return lastMonth;
}
