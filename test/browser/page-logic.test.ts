import { describe, expect, it } from 'vitest';
import { historyRange } from '../../web/src/history-range.js';
import { EMPTY_OVERLAY, isUnknownPanel, mergeView, withReading, withStatus, withUsage } from '../../web/src/live/live-overlay.js';
import { addDays, dateAt, daysBetween, offsetMs, parseIsoDate, startOfDay } from '../../web/src/time.js';
import type { DashboardData, Panel, Reading } from '../../web/src/types.js';
import { dateFormatter, timeFormatter } from '../../web/src/format.js';
import { ageText } from '../../web/src/i18n/age.js';
import { CATALOGUES, translator } from '../../web/src/i18n/i18n.js';
import { parseRoute, routeHash } from '../../web/src/route.js';

/** The page's calendar and live-merge rules, without a browser: the parts with edge cases. */

describe('site calendar (web/src/time.ts)', () => {
  it("finds local midnight in each of Indonesia's zones, whatever the browser's zone", () => {
    const day = { year: 2026, month: 7, day: 1 };
    expect(new Date(startOfDay('Asia/Jakarta', day)).toISOString()).toBe('2026-06-30T17:00:00.000Z');
    expect(new Date(startOfDay('Asia/Makassar', day)).toISOString()).toBe('2026-06-30T16:00:00.000Z');
    expect(new Date(startOfDay('Asia/Jayapura', day)).toISOString()).toBe('2026-06-30T15:00:00.000Z');
    expect(offsetMs('UTC', Date.UTC(2026, 0, 1))).toBe(0);
    // 23:59:59 WIB is still the day before in UTC terms, and the day itself in Jakarta.
    expect(dateAt('Asia/Jakarta', Date.parse('2026-07-01T16:59:59Z'))).toEqual(day);
    expect(dateAt('Asia/Jakarta', Date.parse('2026-07-01T17:00:00Z'))).toEqual({ year: 2026, month: 7, day: 2 });
  });

  it('keeps days right across daylight saving, month and year ends', () => {
    // Europe/Berlin moves to summer time on 2026-03-29: that day is 23 hours long.
    const start = startOfDay('Europe/Berlin', { year: 2026, month: 3, day: 29 });
    const next = startOfDay('Europe/Berlin', { year: 2026, month: 3, day: 30 });
    expect(new Date(start).toISOString()).toBe('2026-03-28T23:00:00.000Z');
    expect(next - start).toBe(23 * 3_600_000);
    expect(addDays({ year: 2026, month: 12, day: 31 }, 1)).toEqual({ year: 2027, month: 1, day: 1 });
    expect(addDays({ year: 2028, month: 3, day: 1 }, -1)).toEqual({ year: 2028, month: 2, day: 29 });
    expect(daysBetween({ year: 2026, month: 1, day: 25 }, { year: 2026, month: 2, day: 3 })).toBe(9);
    expect(parseIsoDate('2026-02-29')).toBeNull();
    expect(parseIsoDate('2026-02-28')).toEqual({ year: 2026, month: 2, day: 28 });
    expect(parseIsoDate('')).toBeNull();
  });
});

describe('history range picker (web/src/history-range.ts)', () => {
  const zone = 'Asia/Jakarta';
  // 2026-07-10 09:20:00 WIB.
  const now = Date.parse('2026-07-10T02:20:00Z');
  const today = dateAt(zone, now);

  it('ends ranges that include today at the end of the window holding now', () => {
    expect(historyRange(zone, now, today, 'today')).toEqual({
      from: '2026-07-09T17:00:00.000Z',
      to: '2026-07-10T02:30:00.000Z',
      every: '15m',
    });
    expect(historyRange(zone, now, today, '7d')).toEqual({ from: '2026-07-03T17:00:00.000Z', to: '2026-07-10T03:00:00.000Z', every: '1h' });
    expect(historyRange(zone, now, today, '30d')).toEqual({ from: '2026-06-10T17:00:00.000Z', to: '2026-07-10T03:00:00.000Z', every: '1h' });
    // Exactly on a window boundary: that window is complete, no empty one after it.
    expect(historyRange(zone, Date.parse('2026-07-10T02:30:00Z'), today, 'today').to).toBe('2026-07-10T02:30:00.000Z');
    // At midnight itself: one window, never an empty range.
    expect(historyRange(zone, Date.parse('2026-07-09T17:00:00Z'), today, 'today').to).toBe('2026-07-09T17:15:00.000Z');
  });

  it('covers whole site days in the past, and picks windows the API allows (under 5,000)', () => {
    expect(historyRange(zone, now, today, 'yesterday')).toEqual({ from: '2026-07-08T17:00:00.000Z', to: '2026-07-09T17:00:00.000Z', every: '15m' });
    const custom = historyRange(zone, now, today, 'custom', { first: { year: 2026, month: 6, day: 30 }, last: { year: 2026, month: 5, day: 1 } });
    expect(custom).toEqual({ from: '2026-04-30T17:00:00.000Z', to: '2026-06-30T17:00:00.000Z', every: '1d' });
    const tenYears = historyRange(zone, now, today, 'custom', { first: { year: 2016, month: 7, day: 11 }, last: { year: 2026, month: 7, day: 9 } });
    expect((Date.parse(tenYears.to) - Date.parse(tenYears.from)) / 86_400_000).toBeLessThan(5_000);
  });
});

describe('live updates over the last query (web/src/live/live-overlay.ts)', () => {
  const reading = (panelId: string, time: string, activePowerKw: number): Reading => ({
    panelId,
    time,
    activePowerKw,
    meterEnergyKwh: 100,
    powerFactor: 0.9,
    voltage: { average: 230 },
    current: { average: 10 },
  });
  const panel = (id: string, latest: Reading | null): Panel => ({
    id,
    name: id,
    status: 'ONLINE',
    lastSeenAt: latest?.time ?? null,
    latestReading: latest,
    todayUsage: { energyKwh: 1, cost: { amount: '1500.00' } },
  });
  const snapshot: DashboardData = {
    site: {
      overview: { panelCount: 2, onlineCount: 2, offlineCount: 0, todayUsage: { energyKwh: 2, cost: { amount: '3000.00' } } },
      tariff: { ratePerKwh: { amount: '1500.00' }, currency: 'IDR', timezone: 'Asia/Jakarta' },
    },
    panels: { nodes: [panel('A', reading('A', '2026-07-10T02:00:00.000Z', 5)), panel('B', null)], pageInfo: { hasNextPage: false, endCursor: null } },
  };

  it('shows the newest reading by meter time, whichever arrived last', () => {
    let overlay = withReading(EMPTY_OVERLAY, reading('A', '2026-07-10T02:01:00.000Z', 7));
    // A late reading is stored but is not the latest.
    overlay = withReading(overlay, reading('A', '2026-07-10T01:59:00.000Z', 3));
    const view = mergeView(snapshot, overlay);
    expect(view.panels![0]?.latestReading?.activePowerKw).toBe(7);
    expect(view.panels![0]?.lastSeenAt).toBe('2026-07-10T02:01:00.000Z');
    // A query answered after a reading it does not yet hold keeps the newer one.
    const older = mergeView(snapshot, withReading(EMPTY_OVERLAY, reading('A', '2026-07-10T01:00:00.000Z', 1)));
    expect(older.panels![0]?.latestReading?.activePowerKw).toBe(5);
  });

  it('lays status and usage events over the query, panel by panel', () => {
    let overlay = withStatus(EMPTY_OVERLAY, { panelId: 'B', status: 'OFFLINE', at: '2026-07-10T02:05:00.000Z' });
    overlay = withUsage(overlay, { panelId: 'A', date: '2026-07-10', at: '2026-07-10T02:05:00.000Z', today: { energyKwh: 1.5, cost: { amount: '2250.00' }, blocks: [] } });
    const view = mergeView(snapshot, overlay);
    expect(view.panels!.map((p) => [p.id, p.status, p.todayUsage!.energyKwh])).toEqual([
      ['A', 'ONLINE', 1.5],
      ['B', 'OFFLINE', 1],
    ]);
    expect(view.overview).toBe(snapshot.site.overview);
    expect(view.tariff).toBe(snapshot.site.tariff);
    expect(isUnknownPanel(snapshot, 'C')).toBe(true);
    expect(isUnknownPanel(snapshot, 'B')).toBe(false);
  });
});

describe('languages (web/src/i18n/)', () => {
  const placeholders = (message: string) => (message.match(/\{\w+\}/g) ?? []).sort();

  it('has the same keys and the same placeholders in every catalogue', () => {
    expect(Object.keys(CATALOGUES.en).sort()).toEqual(Object.keys(CATALOGUES.id).sort());
    for (const [key, message] of Object.entries(CATALOGUES.id)) {
      expect({ key, placeholders: placeholders(CATALOGUES.en[key as keyof typeof CATALOGUES.en]) }).toEqual({ key, placeholders: placeholders(message) });
    }
  });

  it('fills in values and writes dates in the chosen language', () => {
    expect(translator('id')('onlineCount', { n: 3 })).toBe('3 terhubung');
    expect(translator('en')('panelCountOther', { n: 3 })).toBe('3 panels');
    const friday = Date.parse('2026-12-04T05:00:00Z');
    const long = { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' } as const;
    expect(timeFormatter('id-ID', 'Asia/Jakarta', long)(friday)).toBe('Jumat, 4 Desember 2026');
    expect(timeFormatter('en-GB', 'Asia/Jakarta', long)(friday)).toBe('Friday, 4 December 2026');
    // A site day is the API's date, whatever the browser's zone.
    expect(dateFormatter('id-ID', { day: 'numeric', month: 'long' })('2026-12-31')).toBe('31 Desember');
    expect(ageText(translator('id'), 2 * 3_600_000 + 59_000)).toBe('2 jam lalu');
    expect(ageText(translator('en'), 59_999)).toBe('59 s ago');
    expect(ageText(translator('id'), 3 * 86_400_000)).toBe('3 hari lalu');
  });
});

describe('views in the URL fragment (web/src/route.ts)', () => {
  it('reads and writes the report of a month, for the building or a panel', () => {
    expect(parseRoute('')).toEqual({ view: 'dashboard' });
    expect(parseRoute('#/report')).toEqual({ view: 'report', period: null, panelId: null });
    expect(parseRoute('#/report/2026-11')).toEqual({ view: 'report', period: { year: 2026, month: 11 }, panelId: null });
    expect(parseRoute('#/report/2026-11/PANEL%20B')).toEqual({ view: 'report', period: { year: 2026, month: 11 }, panelId: 'PANEL B' });
    expect(parseRoute('#/report/2026-13')).toEqual({ view: 'report', period: null, panelId: null });
    expect(routeHash({ view: 'report', period: { year: 2026, month: 3 }, panelId: 'PANEL B' })).toBe('#/report/2026-03/PANEL%20B');
    expect(routeHash({ view: 'dashboard' })).toBe('#/');
  });

  it("reads and writes the alarm list, of every panel or one panel's", () => {
    expect(parseRoute('#/alarms')).toEqual({ view: 'alarms', panelId: null });
    expect(parseRoute('#/alarms/PANEL%20B')).toEqual({ view: 'alarms', panelId: 'PANEL B' });
    expect(routeHash({ view: 'alarms', panelId: null })).toBe('#/alarms');
    expect(routeHash({ view: 'alarms', panelId: 'PANEL B' })).toBe('#/alarms/PANEL%20B');
    expect(parseRoute(routeHash({ view: 'alarms', panelId: 'A/B' }))).toEqual({ view: 'alarms', panelId: 'A/B' });
  });
});
