import { describe, expect, it } from 'vitest';
import { panelIdFromTopic } from '../../src/ingest/topic.js';
import type { MeterState } from '../../src/simulators/meter-model.js';
import { createMeterModel } from '../../src/simulators/meter-model.js';
import { assertPanelId, meterTopic, toMeterPayload } from '../../src/simulators/meter-payload.js';
import { LocalTime } from '../../src/time/local-time.js';
import { expectMeterPayload } from './support.js';

const state: MeterState = {
  panelId: 'PANEL_LANTAI_1',
  time: new Date('2026-07-01T05:30:05Z'),
  voltage: [224.73, 224.66, 223.04],
  current: [10.123, 9.876, 10.005],
  powerKw: 6.3349,
  apparentPowerKva: 6.8858,
  energyKwh: 1532.0849,
  powerFactor: 0.92,
  voltageUnbalance: 0.0049,
  currentUnbalance: 0.01234,
};

describe('meter payload', () => {
  it('has exactly the firmware fields, strings where the firmware sends strings', () => {
    const payload = toMeterPayload(state, new LocalTime('Asia/Jakarta'));
    expect(payload).toEqual({
      status: 'OK',
      data: {
        v: [224.7, 224.7, 223, 224.1],
        i: [10.12, 9.88, 10.01, 10],
        kw: '6.33',
        kVA: '6.89',
        kWh: '1532.08',
        pf: 0.92,
        vunbal: 0.005,
        iunbal: 0.012,
        time: '2026-07-01 12:30:05',
      },
    });
    expectMeterPayload(JSON.parse(JSON.stringify(payload)));
  });

  it('writes the meter time on the meters\' clock, without an offset', () => {
    const at = { ...state, time: new Date('2026-12-31T16:59:59Z') };
    expect(toMeterPayload(at, new LocalTime('Asia/Jakarta')).data.time).toBe('2026-12-31 23:59:59');
    expect(toMeterPayload(at, new LocalTime('Asia/Makassar')).data.time).toBe('2027-01-01 00:59:59');
    expect(toMeterPayload(at, new LocalTime('Asia/Jayapura')).data.time).toBe('2027-01-01 01:59:59');
  });

  it('keeps kVA ≥ kW and the counter non-decreasing after rounding', () => {
    const model = createMeterModel({ panelId: 'PANEL_LANTAI_2', timezone: 'Asia/Jakarta' });
    const clock = new LocalTime('Asia/Jakarta');
    let previousKwh = -Infinity;
    for (let minute = 0; minute < 24 * 60; minute += 3) {
      const { data } = toMeterPayload(model.next(new Date(Date.UTC(2026, 6, 1) + minute * 60_000)), clock);
      expect(Number(data.kVA)).toBeGreaterThanOrEqual(Number(data.kw));
      expect(Number(data.kWh)).toBeGreaterThanOrEqual(previousKwh);
      previousKwh = Number(data.kWh);
    }
  });

  it('publishes to <prefix>/<panel> and refuses ids the ingester would reject', () => {
    expect(meterTopic('DATA/PM', 'PANEL_LANTAI_1')).toBe('DATA/PM/PANEL_LANTAI_1');
    expect(meterTopic('site/meters', 'P-1.2')).toBe('site/meters/P-1.2');
    for (const bad of ['', 'A/B', 'A+', '#', 'with space', 'x'.repeat(65), '-A', '.hidden']) {
      expect(() => assertPanelId(bad), bad).toThrow(RangeError);
      // The same rule as ingestion's: what the simulator refuses, the ingester would reject.
      expect(panelIdFromTopic(`DATA/PM/${bad}`).ok, bad).toBe(false);
    }
  });
});
