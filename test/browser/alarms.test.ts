import { describe, expect, it } from 'vitest';
import { connectMeter, meterPayload } from '../support/mqtt.js';
import { axeViolations } from './axe.js';
import { NAMES, startBuildingApp } from './building.js';
import { untranslated } from './page-text.js';
import { attribute, browserSuite, card, field, openPage, screenshot, SIZES, text, type PageLang } from './support.js';

/**
 * Alarms on the page (docs/alarms.md "Page"): an alarm raised by real readings published over MQTT
 * reaches the header's badge (alarmCounts, asked again on alarmChanged) and its panel's card, live.
 */
const LOADED = { timeout: 30_000 };
const suite = browserSuite();
const { disposers } = suite;

const SEVERITY_TEXT: Record<PageLang, string> = { id: 'Mayor: 1', en: 'Major: 1' };
const CARD_TEXT: Record<PageLang, string> = { id: 'Alarm Mayor: Tegangan di luar rentang', en: 'Major alarm: Voltage out of range' };

describe('alarms on the dashboard', () => {
  it('an alarm raised by real readings appears in the header and on the card, in both languages', { timeout: 120_000 }, async () => {
    const app = await startBuildingApp(disposers);
    const meter = await connectMeter(app.mqttUrl, disposers);
    for (const lang of ['id', 'en'] as const) {
      const { page, errors } = await openPage(suite.browser, `${app.baseUrl}/`, disposers, SIZES.desktop, { lang });
      if (lang === 'id') {
        // Nothing open yet: the badge says so. Then 240 V on every phase for 9 minutes (above 231 V for more than 5).
        await expect.poll(() => attribute(page.getByTestId('alarm-badge'), 'data-open'), LOADED).toBe('0');
        const end = Math.floor(Date.now() / 1000) * 1000 - 1000;
        for (let i = 9; i >= 0; i--) {
          const time = new Date(end - i * 60_000);
          await meter.publishAsync('DATA/PM/PANEL_A', meterPayload({ kWh: String(1000 + (9 - i) * 0.1), kw: '6', v: [240, 240, 240, 240], time }), { qos: 1 });
        }
      }
      const badge = page.getByTestId('alarm-badge');
      await expect.poll(() => attribute(badge, 'data-open'), LOADED).toBe('1');
      expect(await text(badge.locator('[data-severity="MAJOR"]'))).toBe(SEVERITY_TEXT[lang]);
      const alarm = field(card(page, 'PANEL_A'), 'alarm');
      await expect.poll(() => text(alarm), LOADED).toBe(CARD_TEXT[lang]);
      expect(await attribute(alarm, 'data-severity')).toBe('MAJOR');
      expect(await field(card(page, 'PANEL_B'), 'alarm').count()).toBe(0);
      expect(await untranslated(page, [...NAMES, 'Asia/Jakarta'])).toEqual([]);
      expect(await axeViolations(page)).toEqual([]);
      await screenshot(page, `alarms-dashboard-${lang}-desktop`);
      expect(errors).toEqual([]);
    }
  });
});
