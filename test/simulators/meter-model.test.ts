import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { createMeterModel, type MeterState } from '../../src/simulators/meter-model.js';

const ZONE = 'Asia/Jakarta';
const MINUTE = 60_000;

/** Local midnight starting a Monday (2026-07-06), a Saturday and a Sunday. */
const MONDAY = DateTime.fromISO('2026-07-06T00:00', { zone: ZONE }).toMillis();
const SATURDAY = DateTime.fromISO('2026-07-11T00:00', { zone: ZONE }).toMillis();
const SUNDAY = DateTime.fromISO('2026-07-12T00:00', { zone: ZONE }).toMillis();

function series(panelId: string, startMs: number, minutes: number, stepMinutes = 1, zone = ZONE): MeterState[] {
  const model = createMeterModel({ panelId, timezone: zone });
  return Array.from({ length: minutes / stepMinutes + 1 }, (_, index) => model.next(new Date(startMs + index * stepMinutes * MINUTE)));
}

const meanKw = (states: readonly MeterState[]) => states.reduce((sum, state) => sum + state.powerKw, 0) / states.length;

/** Mean kW of the samples whose local hour lies in [fromHour, toHour). */
function meanKwBetween(states: readonly MeterState[], fromHour: number, toHour: number, zone = ZONE): number {
  return meanKw(states.filter((state) => {
    const hour = DateTime.fromJSDate(state.time, { zone }).hour;
    return hour >= fromHour && hour < toHour;
  }));
}

describe('meter model', () => {
  it('is deterministic: the same panel, seed and time give the same state', () => {
    const at = new Date(MONDAY + 10.5 * 3_600_000);
    const a = createMeterModel({ panelId: 'PANEL_LANTAI_1', timezone: ZONE }).next(at);
    const b = createMeterModel({ panelId: 'PANEL_LANTAI_1', timezone: ZONE }).next(at);
    expect(b).toEqual(a);
    expect(createMeterModel({ panelId: 'PANEL_LANTAI_2', timezone: ZONE }).next(at).energyKwh).not.toBe(a.energyKwh);
    expect(createMeterModel({ panelId: 'PANEL_LANTAI_1', timezone: ZONE, seed: 7 }).next(at).energyKwh).not.toBe(a.energyKwh);
  });

  it('samples on whole seconds', () => {
    const state = createMeterModel({ panelId: 'P', timezone: ZONE }).next(new Date(MONDAY + 12_345));
    expect(state.time.getTime()).toBe(MONDAY + 12_000);
  });

  it('gives the same counter whatever the step size, so backfill and live agree', () => {
    const end = new Date(MONDAY + 36 * 3_600_000 + 17_000);
    const stepped = createMeterModel({ panelId: 'P', timezone: ZONE });
    for (let ms = MONDAY; ms < end.getTime(); ms += MINUTE) stepped.next(new Date(ms));
    const jumped = createMeterModel({ panelId: 'P', timezone: ZONE });
    expect(stepped.next(end).energyKwh).toBeCloseTo(jumped.next(end).energyKwh, 6);
  });

  it('keeps the counter non-decreasing and its daily increase equal to the integral of kW', () => {
    for (const panel of ['PANEL_LANTAI_1', 'PANEL_LANTAI_2', 'X']) {
      const day = series(panel, MONDAY, 24 * 60);
      for (let index = 1; index < day.length; index++) {
        expect(day[index]!.energyKwh).toBeGreaterThanOrEqual(day[index - 1]!.energyKwh);
      }
      let trapezoidKwh = 0;
      for (let index = 1; index < day.length; index++) trapezoidKwh += ((day[index - 1]!.powerKw + day[index]!.powerKw) / 2) * (1 / 60);
      const counted = day.at(-1)!.energyKwh - day[0]!.energyKwh;
      expect(counted).toBeGreaterThan(0);
      expect(Math.abs(counted - trapezoidKwh) / counted).toBeLessThan(0.02);
    }
  });

  it('follows an office day in local time: night low, working hours high, lunch dip, evening tail', () => {
    const day = series('PANEL_LANTAI_1', MONDAY, 24 * 60);
    const night = meanKwBetween(day, 0, 6);
    const morning = meanKwBetween(day, 9, 11);
    const lunch = meanKwBetween(day, 12, 13);
    const afternoon = meanKwBetween(day, 14, 16);
    const evening = meanKwBetween(day, 19, 21);
    expect(morning).toBeGreaterThan(2 * night);
    expect(afternoon).toBeGreaterThan(2 * night);
    expect(lunch).toBeLessThan(0.9 * Math.min(morning, afternoon));
    expect(evening).toBeGreaterThan(night);
    expect(evening).toBeLessThan(morning);
  });

  it('uses less on weekends, least on Sunday', () => {
    const weekday = meanKw(series('PANEL_LANTAI_1', MONDAY, 24 * 60, 5));
    const saturday = meanKw(series('PANEL_LANTAI_1', SATURDAY, 24 * 60, 5));
    const sunday = meanKw(series('PANEL_LANTAI_1', SUNDAY, 24 * 60, 5));
    expect(saturday).toBeLessThan(0.8 * weekday);
    expect(sunday).toBeLessThan(saturday);
  });

  it('follows the site clock: a Jayapura office starts two hours of UTC earlier than a Jakarta one', () => {
    // 08:30 in Jayapura (UTC+9) is 06:30 in Jakarta: one is at work, the other still asleep.
    const at = DateTime.fromISO('2026-07-06T08:30', { zone: 'Asia/Jayapura' }).toJSDate();
    const jayapura = createMeterModel({ panelId: 'P', timezone: 'Asia/Jayapura' }).next(at);
    const jakarta = createMeterModel({ panelId: 'P', timezone: ZONE }).next(at);
    expect(jayapura.powerKw).toBeGreaterThan(2 * jakarta.powerKw);
  });

  it('keeps electrical quantities realistic and consistent with each other', () => {
    for (const state of series('PANEL_LANTAI_3', MONDAY, 48 * 60, 7)) {
      for (const volts of state.voltage) {
        expect(volts).toBeGreaterThanOrEqual(215);
        expect(volts).toBeLessThanOrEqual(235);
      }
      expect(state.powerFactor).toBeGreaterThanOrEqual(0.85);
      expect(state.powerFactor).toBeLessThanOrEqual(0.98);
      expect(state.apparentPowerKva).toBeGreaterThan(state.powerKw);
      expect(state.powerKw / state.apparentPowerKva).toBeCloseTo(state.powerFactor, 9);
      const fromPhases = state.voltage.reduce((sum, volts, phase) => sum + volts * state.current[phase]! * state.powerFactor, 0) / 1000;
      expect(fromPhases).toBeCloseTo(state.powerKw, 9);
      expect(state.voltageUnbalance).toBeGreaterThanOrEqual(0);
      expect(state.voltageUnbalance).toBeLessThan(0.03);
      expect(state.currentUnbalance).toBeGreaterThanOrEqual(0);
      expect(state.currentUnbalance).toBeLessThan(0.25);
    }
  });

  it('rejects an unknown timezone', () => {
    expect(() => createMeterModel({ panelId: 'P', timezone: 'Mars/Olympus' })).toThrow(/timezone/);
  });
});
