import { afterEach, describe, expect, it } from 'vitest';
import { DashboardDocument, MonthlySummaryDocument, PanelDetailDocument, YearlySummaryDocument } from '../generated/graphql.js';
import { disposer } from '../support/disposer.js';
import type { HttpResult } from '../support/graphql-client.js';
import { startInProcessApi, type InProcessApi } from '../support/in-process.js';
import { seed, series, wib, type SeedReading } from '../support/seed.js';

/**
 * The fast layer: the dashboard's operations through yoga's `fetch` on the product's schema,
 * with the real services over a temporary SQLite store, readings fed through the real ingest
 * path. No broker, socket or server process, so each test takes milliseconds; test/api asks the
 * same of the running product over HTTP and WebSocket.
 */

const cleanup = disposer();
afterEach(() => cleanup.run());

const R = (panelId: string, time: string, kwh: number, kw = 6): SeedReading => ({ panelId, time: wib(time), kwh, kw });

describe('panels and overview', () => {
  it('lists every panel with its newest reading, and counts them in the overview', async () => {
    const api = await startInProcessApi(cleanup, { PANEL_NAMES: 'FAST_A=Lantai 1' });
    seed(api, [R('FAST_A', '2025-05-01 08:00:00', 10, 4), R('FAST_A', '2025-05-01 08:01:00', 10.07, 4.2), R('FAST_B', '2025-05-01 08:00:00', 500)]);

    const {
      panels,
      site: { overview },
    } = await api.data(DashboardDocument, {});
    expect(panels!.nodes.map((p) => [p.id, p.name, p.status])).toEqual([
      ['FAST_A', 'Lantai 1', 'OFFLINE'],
      ['FAST_B', 'Fast B', 'OFFLINE'], // no name configured: one made from the id
    ]);
    expect(panels!.nodes[0]?.latestReading).toMatchObject({ time: wib('2025-05-01 08:01:00').toISOString(), meterEnergyKwh: 10.07, activePowerKw: 4.2 });
    expect(panels!.nodes[0]?.lastSeenAt).toBe(wib('2025-05-01 08:01:00').toISOString());
    expect(overview).toMatchObject({ panelCount: 2, onlineCount: 0, offlineCount: 2 });
  });

  it('answers an empty building with no panels and zero counts', async () => {
    const api = await startInProcessApi(cleanup);
    const {
      panels,
      site: { overview },
    } = await api.data(DashboardDocument, {});
    expect(panels).toEqual({ nodes: [], pageInfo: { hasNextPage: false, endCursor: null } });
    expect(overview).toMatchObject({ panelCount: 0, onlineCount: 0, offlineCount: 0, todayUsage: { energyKwh: 0, cost: { amount: '0.00' } } });
  });
});

describe('summaries', () => {
  it('puts energy in the local day and month of the later reading, priced at the configured rate', async () => {
    const api = await startInProcessApi(cleanup, { TARIFF_RATE_PER_KWH: '1500' });
    seed(api, [
      R('SUM', '2025-03-10 23:59:30', 100.0, 3),
      R('SUM', '2025-03-11 00:00:30', 100.05, 3),
      R('SUM', '2025-03-31 23:59:00', 101.0, 3),
      R('SUM', '2025-04-01 00:01:00', 101.1, 3),
    ]);
    const march = (await api.data(MonthlySummaryDocument, { year: 2025, month: 3, panelId: 'SUM' })).monthlySummary;
    expect(march!.days).toHaveLength(31);
    expect(march!.days.filter((d) => d.energyKwh !== 0).map((d) => [d.date, d.energyKwh, d.cost.amount])).toEqual([
      ['2025-03-11', 0.05, '75.00'],
      ['2025-03-31', 0.95, '1425.00'],
    ]);
    expect(march!.total).toEqual({ energyKwh: 1, cost: { amount: '1500.00' } });

    const year = (await api.data(YearlySummaryDocument, { year: 2025, panelId: null })).yearlySummary;
    expect(year!.months.filter((m) => m.energyKwh !== 0).map((m) => [m.month, m.energyKwh])).toEqual([
      [3, 1],
      [4, 0.1],
    ]);
  });

  it('shows a plan recorded for later in the summaries of its period at once, with no new reading', async () => {
    const api = await startInProcessApi(cleanup, { TARIFF_RATE_PER_KWH: '1500' });
    const now = Date.now();
    seed(api, [
      { panelId: 'PLAN', time: new Date(now - 120_000), kwh: 10, kw: 3 },
      { panelId: 'PLAN', time: new Date(now - 60_000), kwh: 10.05, kw: 3 },
    ]);
    // The month of the day after tomorrow (local), where the new plan will be in force.
    const [year, month] = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Jakarta', year: 'numeric', month: '2-digit' })
      .format(new Date(now + 2 * 86_400_000))
      .split('-')
      .map(Number) as [number, number];
    const blocks = async () => {
      const { total } = await api.services.panels.monthlySummary(year, month, null, null);
      return total.blocks.map((b) => b.block);
    };
    const yearBlocks = async () => (await api.services.panels.yearlySummary(year, null, null)).total.blocks.map((b) => b.block);
    expect(await blocks()).toEqual(['FLAT']);
    expect(await yearBlocks()).toEqual(['FLAT']);

    const from = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Jakarta' }).format(new Date(now + 2 * 86_400_000));
    await api.services.settings.record('test', {
      kind: 'tariff.plan',
      effectiveFrom: from,
      plan: { name: null, pricing: { kind: 'time-of-use', offPeakRatePerKwh: 1000, peakMultiplier: 1.5, peakStartHour: 17, peakEndHour: 22 }, reactiveRatePerKvarh: null, minimumBill: null, taxPercent: 0 },
    });
    expect(await blocks()).toEqual(['LWBP', 'WBP', 'FLAT']);
    expect(await yearBlocks()).toEqual(['LWBP', 'WBP', 'FLAT']);
  });

  it('shows rates rounded like every figure (K × LWBP in floating point is 1672.1100000000001)', async () => {
    const api = await startInProcessApi(cleanup);
    const from = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Jakarta' }).format(new Date(Date.now() + 2 * 86_400_000));
    await api.services.settings.record('test', {
      kind: 'tariff.plan',
      effectiveFrom: from,
      plan: { name: null, pricing: { kind: 'time-of-use', offPeakRatePerKwh: 1114.74, peakMultiplier: 1.5, peakStartHour: 17, peakEndHour: 22 }, reactiveRatePerKvarh: null, minimumBill: null, taxPercent: 0 },
    });
    expect(1114.74 * 1.5).not.toBe(1672.11);
    const { tariff } = (
      await api.data<{ site: { tariff: { versions: Array<{ blocks: Array<{ block: string; ratePerKwh: { amount: string } }> }> } } }, Record<string, never>>(
        '{ site { tariff { versions { blocks { block ratePerKwh { amount } } } } } }',
        {},
      )
    ).site;
    expect(tariff.versions.at(-1)?.blocks).toEqual([
      { block: 'LWBP', ratePerKwh: { amount: '1114.74' } },
      { block: 'WBP', ratePerKwh: { amount: '1672.11' } },
    ]);
  });

  it('averages history into the requested windows', async () => {
    const api = await startInProcessApi(cleanup);
    seed(api, series('HIST', wib('2025-06-01 00:00:00'), 120, { kw: 6 }));
    const { panel } = await api.data(PanelDetailDocument, {
      id: 'HIST',
      from: '2025-06-01T00:00:00+07:00',
      to: '2025-06-01T02:00:00+07:00',
      every: '1h',
    });
    expect(panel?.readings!.nodes.map((r) => [r.time, r.activePowerKw])).toEqual([
      [wib('2025-06-01 00:00:00').toISOString(), 6],
      [wib('2025-06-01 01:00:00').toISOString(), 6],
    ]);
  });
});

describe('errors', () => {
  const cases: ReadonlyArray<readonly [string, (api: InProcessApi) => Promise<HttpResult<unknown>>, RegExp]> = [
    ['month 13', (api) => api.request(MonthlySummaryDocument, { year: 2025, month: 13, panelId: null }), /^month must be 1-12 \(got 13\)$/],
    ['an unknown panel', (api) => api.request(YearlySummaryDocument, { year: 2025, panelId: 'NO_SUCH_PANEL' }), /unknown panel "NO_SUCH_PANEL"/],
    [
      'from after to',
      (api) => api.request(PanelDetailDocument, { id: 'ERR', from: '2025-08-02T00:00:00Z', to: '2025-08-01T00:00:00Z', every: '1h' }),
      /"from" must be before "to"/,
    ],
  ];
  it.each(cases)('answers %s with BAD_USER_INPUT and what is wrong', async (_name, ask, message) => {
    const api = await startInProcessApi(cleanup);
    seed(api, [R('ERR', '2025-08-01 00:00:00', 1)]);
    const result = await ask(api);
    expect(result.errors).toHaveLength(1);
    // No answer for the field asked about: null at the error's path (the failure stays in its
    // field, docs/api.md), or no data at all where nothing above it may be null.
    const path = result.errors?.[0]?.path ?? [];
    const atPath = path.reduce<unknown>((value, key) => (value == null ? null : (value as Record<string | number, unknown>)[key]), result.data ?? null);
    expect(atPath ?? null).toBeNull();
    expect(result.errors?.[0]?.message).toMatch(message);
    expect(result.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });
});
