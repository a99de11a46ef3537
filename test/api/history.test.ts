import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PanelDetailDocument, PanelHistoryDocument, type PanelDetailQuery } from '../generated/graphql.js';
import { httpData, httpRequest } from '../support/graphql-client.js';
import { seed, series, wib } from '../support/seed.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/** Panel.readings(from, to, every) and Panel.history: raw history and windows, page by page (Relay connections), over HTTP. */

let api: TestApp;
const DAY17_COUNT = Math.ceil(86_400 / 17);

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
  // A day of raw readings at one every 17 s: 5,083 readings, more than one page (issue 23 point 4).
  seed(api.app, series('DAY17', wib('2025-09-02 00:00:00'), DAY17_COUNT, { stepMs: 17_000, kwhStep: 0.01 }));
});
afterAll(() => api.stop({ removeData: true }));

async function history(from: string, to: string, every?: string) {
  const { panel } = await httpData(api.httpUrl, PanelDetailDocument, { id: 'HIST', from, to, every: every ?? null });
  if (!panel?.readings) throw new Error('panel HIST not found');
  return panel.readings.nodes;
}

describe('readings', () => {
  it('returns raw readings in [from, to), oldest first, as the meter reported them', async () => {
    const raw = await history('2025-09-01T10:00:00+07:00', '2025-09-01T10:09:00+07:00');
    expect(raw.map((r) => r.time)).toEqual(readings.slice(0, 9).map((r) => r.time.toISOString()));
    expect(raw[0]).toMatchObject({ activePowerKw: 1, meterEnergyKwh: 100, powerFactor: 0.92, apparentPowerKva: 1.08, voltage: { average: 230 } });
    expect(raw[8]).toMatchObject({ activePowerKw: 9, meterEnergyKwh: 100.8, current: { average: 19 } });

    // Every field of the Reading type, straight from the meter payload.
    const full = await httpData<{ panel: { readings: { nodes: unknown[] } } }, Record<string, never>>(
      api.httpUrl,
      `{ panel(id: "HIST") { readings(from: "2025-09-01T03:03:00Z", to: "2025-09-01T03:04:00Z") { nodes {
          panelId time activePowerKw apparentPowerKva meterEnergyKwh meterReactiveEnergyKvarh powerFactor voltageUnbalance currentUnbalance
          voltage { l1 l2 l3 average } current { l1 l2 l3 average } } } } }`,
    );
    expect(full.panel.readings.nodes).toEqual([
      {
        panelId: 'HIST',
        time: '2025-09-01T03:03:00.000Z',
        activePowerKw: 4,
        apparentPowerKva: 4.32,
        meterEnergyKwh: 100.3,
        meterReactiveEnergyKvarh: null,
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
    expect(fiveMinutes[0]).toMatchObject({ time: wib('2025-09-01 10:00:00').toISOString(), activePowerKw: 3, meterEnergyKwh: 100.4 });
    expect(fiveMinutes[1]).toMatchObject({ time: wib('2025-09-01 10:05:00').toISOString(), activePowerKw: 8, meterEnergyKwh: 100.9 });
    expect(fiveMinutes[0]?.voltage.average).toBeCloseTo((230 * 5 + (0 + 1 + 2 + 3 + 4) / 3) / 5, 2); // rounded to 2 decimals on output
    expect(fiveMinutes[1]?.current.average).toBeCloseTo(11 + 7, 9);

    // Windows are aligned to `from`; empty windows are left out.
    const hourly = await history('2025-09-01T09:30:00+07:00', '2025-09-01T12:30:00+07:00', '1h');
    expect(hourly).toHaveLength(1);
    expect(hourly[0]).toMatchObject({ time: wib('2025-09-01 09:30:00').toISOString(), activePowerKw: 5.5, meterEnergyKwh: 100.9 });

    const daily = await history('2025-09-01T00:00:00+07:00', '2025-10-01T00:00:00+07:00', '1d');
    expect(daily.map((r) => [r.time, r.activePowerKw, r.meterEnergyKwh])).toEqual([
      [wib('2025-09-01 00:00:00').toISOString(), 5.5, 100.9],
      [wib('2025-09-03 00:00:00').toISOString(), 2, 101.5],
    ]);
  });

  it('returns an empty list for a range without readings', async () => {
    expect(await history('2024-01-01T00:00:00Z', '2024-01-02T00:00:00Z')).toEqual([]);
    expect(await history('2024-01-01T00:00:00Z', '2024-01-02T00:00:00Z', '15m')).toEqual([]);
  });

  it('pages raw readings: a day at one every 17 s is read whole, page after page, each cursor continuing after the last reading', async () => {
    const from = wib('2025-09-02 00:00:00').toISOString();
    const to = wib('2025-09-03 00:00:00').toISOString();
    const times: string[] = [];
    let after: string | null = null;
    let pages = 0;
    for (;;) {
      const answer: PanelDetailQuery = await httpData(api.httpUrl, PanelDetailDocument, { id: 'DAY17', from, to, every: null, first: 2_000, after });
      const page = answer.panel!.readings!;
      times.push(...page.nodes.map((r) => r.time));
      pages++;
      expect(page.nodes.length).toBe(page.pageInfo.hasNextPage ? 2_000 : DAY17_COUNT - 4_000);
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(pages).toBe(3);
    expect(times).toHaveLength(DAY17_COUNT);
    expect(new Set(times).size).toBe(DAY17_COUNT);
    expect(times).toEqual([...times].sort());
    expect(times[0]).toBe(from);

    // The default page is the largest, 5,000: one more page holds the rest.
    const { panel } = await httpData(api.httpUrl, PanelDetailDocument, { id: 'DAY17', from, to, every: null });
    expect(panel!.readings!.nodes).toHaveLength(5_000);
    expect(panel!.readings!.pageInfo.hasNextPage).toBe(true);
  });

  it('refuses a page over 5,000 and a cursor of another list, with a reason a program can branch on', async () => {
    const vars = { id: 'DAY17', from: '2025-09-01T17:00:00Z', to: '2025-09-02T17:00:00Z', every: null };
    const big = await httpRequest(api.httpUrl, PanelDetailDocument, { ...vars, first: 5_001 });
    expect(big.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'LIMIT_OUT_OF_RANGE', maximum: 5_000 });
    const history = await httpData(api.httpUrl, PanelHistoryDocument, { ...vars, every: '1h', first: 1 });
    const foreign = await httpRequest(api.httpUrl, PanelDetailDocument, { ...vars, after: history.panel!.history!.pageInfo.endCursor });
    expect(foreign.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'INVALID_CURSOR' });
  });

  it('pages history windows: every window once, zero-filled, the same figures as one page, with totalCount', async () => {
    const vars = { id: 'DAY17', from: wib('2025-09-01 22:00:00').toISOString(), to: wib('2025-09-02 02:00:00').toISOString(), every: '1m' };
    const whole = (await httpData(api.httpUrl, PanelHistoryDocument, vars)).panel!.history!;
    expect(whole.nodes).toHaveLength(240);
    expect(whole.pageInfo.hasNextPage).toBe(false);
    const paged: typeof whole.nodes = [];
    let after: string | null = null;
    do {
      const page: typeof whole = (await httpData(api.httpUrl, PanelHistoryDocument, { ...vars, first: 100, after })).panel!.history!;
      paged.push(...page.nodes);
      after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
    } while (after !== null);
    expect(paged).toEqual(whole.nodes);
    // Windows before the first reading are zero-filled; the ones with readings average every phase.
    expect(paged[0]).toMatchObject({ start: vars.from, energyKwh: 0, readingCount: 0, voltage: null });
    expect(paged[120]!.readingCount).toBeGreaterThan(2);
    expect(paged[120]!.voltage?.average).toEqual(expect.any(Number));
    const counted = await httpData<{ panel: { history: { totalCount: number } } }, typeof vars>(
      api.httpUrl,
      `query ($id: ID!, $from: DateTime!, $to: DateTime!, $every: String!) { panel(id: $id) { history(from: $from, to: $to, every: $every, first: 1) { totalCount } } }`,
      vars,
    );
    expect(counted.panel.history.totalCount).toBe(240);
  });

  it('answers the operation a whole file names, each with its own figures (the page sends operations/panel-detail.graphql whole)', async () => {
    const file = readFileSync(new URL('../../operations/panel-detail.graphql', import.meta.url), 'utf8');
    const vars = { id: 'HIST', from: '2025-09-01T10:00:00+07:00', to: '2025-09-01T12:00:00+07:00', every: '1h' };
    const post = async (operationName: string, variables: Record<string, unknown>) => {
      const response = await fetch(api.httpUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: file, operationName, variables }) });
      return (await response.json()) as { data?: { panel: Record<string, { nodes: Array<Record<string, unknown>> }> }; errors?: Array<{ message: string }> };
    };
    // Each twice, alternating: an operation compiled once is never answered with the other's plan.
    for (let round = 0; round < 2; round++) {
      const history = await post('PanelHistory', vars);
      expect(history.data?.panel.history?.nodes.map((n) => n.readingCount)).toEqual([10, 0]);
      const detail = await post('PanelDetail', vars);
      expect(detail.data?.panel.readings?.nodes.map((n) => n.activePowerKw)).toEqual([5.5]);
      expect(detail.data?.panel.history).toBeUndefined();
    }
    // A bad variable is still told in the scalar's own words.
    const bad = await post('PanelHistory', { ...vars, from: 'yesterday' });
    expect(bad.errors?.[0]?.message).toMatch(/\$from/);
    expect(bad.errors?.[0]?.message).not.toMatch(/^Internal/);
  });
});
