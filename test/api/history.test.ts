import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PanelDetailDocument } from '../generated/graphql.js';
import { httpData } from '../support/graphql-client.js';
import { seed, wib } from '../support/seed.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/** Panel.readings(from, to, every): raw history and downsampled windows, over HTTP. */

let api: TestApp;

// Ten readings one a minute from 10:00 WIB: power 1..10 kW, counter +0.1 kWh each, voltage L1 rising.
const readings = Array.from({ length: 10 }, (_, k) => ({
  panelId: 'HIST',
  time: wib(`2025-09-01 10:0${k}:00`),
  kwh: Number((100 + k * 0.1).toFixed(1)),
  kw: k + 1,
  voltage: [220 + k, 230, 240, 230 + k / 3] as const,
  current: [10, 11, 12, 11 + k] as const,
}));

beforeAll(async () => {
  api = await startTestApp();
  seed(api.app, readings);
  seed(api.app, [{ panelId: 'HIST', time: wib('2025-09-03 12:00:00'), kwh: 101.5, kw: 2 }]);
});
afterAll(() => api.stop({ removeData: true }));

async function history(from: string, to: string, every?: string) {
  const { panel } = await httpData(api.httpUrl, PanelDetailDocument, { id: 'HIST', from, to, every: every ?? null });
  if (!panel) throw new Error('panel HIST not found');
  return panel.readings;
}

describe('readings', () => {
  it('returns raw readings in [from, to), oldest first, as the meter reported them', async () => {
    const raw = await history('2025-09-01T10:00:00+07:00', '2025-09-01T10:09:00+07:00');
    expect(raw!.map((r) => r.time)).toEqual(readings.slice(0, 9).map((r) => r.time.toISOString()));
    expect(raw![0]).toMatchObject({ activePowerKw: 1, energyKwh: 100, powerFactor: 0.92, apparentPowerKva: 1.08, voltage: { average: 230 } });
    expect(raw![8]).toMatchObject({ activePowerKw: 9, energyKwh: 100.8, current: { average: 19 } });

    // Every field of the Reading type, straight from the meter payload.
    const full = await httpData<{ panel: { readings: unknown[] } }, Record<string, never>>(
      api.httpUrl,
      `{ panel(id: "HIST") { readings(from: "2025-09-01T03:03:00Z", to: "2025-09-01T03:04:00Z") {
          panelId time activePowerKw apparentPowerKva energyKwh powerFactor voltageUnbalance currentUnbalance
          voltage { l1 l2 l3 average } current { l1 l2 l3 average } } } }`,
    );
    expect(full.panel.readings).toEqual([
      {
        panelId: 'HIST',
        time: '2025-09-01T03:03:00.000Z',
        activePowerKw: 4,
        apparentPowerKva: 4.32,
        energyKwh: 100.3,
        powerFactor: 0.92,
        voltageUnbalance: 0.4,
        currentUnbalance: 1.2,
        voltage: { l1: 223, l2: 230, l3: 240, average: 231 },
        current: { l1: 10, l2: 11, l3: 12, average: 14 },
      },
    ]);
  });

  it('downsamples to `every`: the mean of instantaneous values and the last kWh of each window, labelled by its start', async () => {
    const fiveMinutes = await history('2025-09-01T10:00:00+07:00', '2025-09-01T10:10:00+07:00', '5m');
    expect(fiveMinutes).toHaveLength(2);
    expect(fiveMinutes![0]).toMatchObject({ time: wib('2025-09-01 10:00:00').toISOString(), activePowerKw: 3, energyKwh: 100.4 });
    expect(fiveMinutes![1]).toMatchObject({ time: wib('2025-09-01 10:05:00').toISOString(), activePowerKw: 8, energyKwh: 100.9 });
    expect(fiveMinutes![0]?.voltage.average).toBeCloseTo((230 * 5 + (0 + 1 + 2 + 3 + 4) / 3) / 5, 2); // rounded to 2 decimals on output
    expect(fiveMinutes![1]?.current.average).toBeCloseTo(11 + 7, 9);

    // Windows are aligned to `from`; empty windows are left out.
    const hourly = await history('2025-09-01T09:30:00+07:00', '2025-09-01T12:30:00+07:00', '1h');
    expect(hourly).toHaveLength(1);
    expect(hourly![0]).toMatchObject({ time: wib('2025-09-01 09:30:00').toISOString(), activePowerKw: 5.5, energyKwh: 100.9 });

    const daily = await history('2025-09-01T00:00:00+07:00', '2025-10-01T00:00:00+07:00', '1d');
    expect(daily!.map((r) => [r.time, r.activePowerKw, r.energyKwh])).toEqual([
      [wib('2025-09-01 00:00:00').toISOString(), 5.5, 100.9],
      [wib('2025-09-03 00:00:00').toISOString(), 2, 101.5],
    ]);
  });

  it('returns an empty list for a range without readings', async () => {
    expect(await history('2024-01-01T00:00:00Z', '2024-01-02T00:00:00Z')).toEqual([]);
    expect(await history('2024-01-01T00:00:00Z', '2024-01-02T00:00:00Z', '15m')).toEqual([]);
  });
});
