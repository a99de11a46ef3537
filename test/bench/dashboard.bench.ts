import { readFileSync } from 'node:fs';
import { DateTime } from 'luxon';
import mqtt from 'mqtt';
import type { ChildMessage } from './child.js';
import { createAgent, postGraphql, runLoad, type GraphqlRequest, type LoadResult } from './http-load.js';
import { advance, type MeterState } from './meters.js';
import { startProduct, uniqueName, type Product } from './product.js';
import { fmt, type Report } from './report.js';
import type { SeededHistory } from './seed.js';
import { ratio, summarize, type Summary } from './stats.js';

export const SITE_TIMEZONE = 'Asia/Jakarta';

/** The dashboard's own operations, as checked in (operations/*.graphql). */
export function operation(file: string, operationName?: string, variables?: Record<string, unknown>): GraphqlRequest {
  const query = readFileSync(new URL(`../../operations/${file}`, import.meta.url), 'utf8');
  return { query, ...(operationName ? { operationName } : {}), ...(variables ? { variables } : {}) };
}

export const BASELINE_OP: GraphqlRequest = { query: '{ __typename }' };

/** The product process's memory over one benchmark. */
export interface ProductMemory {
  /** VmHWM from /proc: the peak resident set size. */
  readonly peakRss: number;
  /** The host's own sampling (peak heap) and its heap after a full collection. */
  readonly breakdown: ChildMessage;
  /** RSS right after the product's modules were imported, before startApp. */
  readonly rssAfterImport: number;
}

export interface StoreCalls extends ChildMessage {
  readonly calls: Record<string, number>;
  readonly callMs: Record<string, number>;
}

/** Store read round trips in a call count snapshot (writes excluded). */
export function storeReads(calls: Record<string, number>): number {
  return ['energy', 'latestReadings', 'readings', 'downsample', 'panels'].reduce((sum, m) => sum + (calls[m] ?? 0), 0);
}

export interface DashboardOptions {
  readonly brokerUrl: string;
  readonly dataDir: string;
  readonly history: SeededHistory;
  readonly concurrency: number;
  readonly warmup: number;
  readonly requests: number;
  readonly summaryRequests: number;
  readonly rounds: number;
  /** Background meters during the measured runs: one reading per panel per this interval (ms). */
  readonly meterIntervalMs: number;
}

interface Measured {
  readonly summary: Summary;
  readonly requestsPerSecond: number;
  readonly failures: number;
  readonly firstFailure: string | null;
  readonly lastBody: unknown;
  readonly responseBytes: number;
}

function merge(results: readonly LoadResult[]): Measured {
  const all = new Float64Array(results.reduce((n, r) => n + r.latencies.length, 0));
  let offset = 0;
  for (const r of results) {
    all.set(r.latencies, offset);
    offset += r.latencies.length;
  }
  const wall = results.reduce((sum, r) => sum + r.wallMs, 0);
  return {
    summary: summarize(all),
    requestsPerSecond: (all.length / wall) * 1000,
    failures: results.reduce((n, r) => n + r.failures, 0),
    firstFailure: results.find((r) => r.firstFailure)?.firstFailure ?? null,
    lastBody: results[results.length - 1]?.lastBody ?? null,
    responseBytes: results[results.length - 1]?.responseBytes ?? 0,
  };
}

interface DashboardBody {
  data: {
    overview: { panelCount: number; onlineCount: number; offlineCount: number; todayUsage: { energyKwh: number; cost: number } };
    panels: Array<{ id: string; latestReading: { time: string; energyKwh: number } | null; todayUsage: { energyKwh: number } }>;
  };
}
interface MonthlyBody {
  data: { monthlySummary: { total: { energyKwh: number }; days: Array<{ energyKwh: number }> } };
}
interface YearlyBody {
  data: { yearlySummary: { total: { energyKwh: number }; months: Array<{ energyKwh: number }> } };
}

/**
 * Benchmark 2 (and the memory of 5): the dashboard's main operation, the building's monthly and
 * yearly summaries, and `{ __typename }` as the baseline, over HTTP at a fixed concurrency against
 * the product started on a seeded store, while meters keep reporting at their real rate.
 */
export async function benchDashboard(report: Report, options: DashboardOptions): Promise<ProductMemory> {
  const product = await startProduct({ dataDir: options.dataDir, mqttUrl: options.brokerUrl, name: 'dashboard-product' });
  const agent = createAgent(options.concurrency);
  const now = DateTime.now().setZone(SITE_TIMEZONE);
  const dashboard = operation('dashboard.graphql');
  const monthly = operation('summaries.graphql', 'MonthlySummary', { year: now.year, month: now.month, panelId: null });
  const yearly = operation('summaries.graphql', 'YearlySummary', { year: now.year, panelId: null });
  const ops = { baseline: BASELINE_OP, dashboard, monthly, yearly } as const;
  type OpName = keyof typeof ops;
  const panelCount = options.history.panels.length;
  const bench = '2 dashboard';
  report.note(
    `2 dashboard: store seeded with ${panelCount} panels × ${Math.round(options.history.panels[0]!.counters.length / 1440)} days of one-minute readings ` +
      `(${fmt.int(options.history.rows)} readings, ending at the start of the run); operations/dashboard.graphql, the building's ` +
      `MonthlySummary/YearlySummary (operations/summaries.graphql, this month/year) and the baseline { __typename }, over HTTP ` +
      `keep-alive at concurrency ${options.concurrency} (closed loop), ${options.warmup} warm-up requests each, then ${options.rounds} interleaved rounds; ` +
      'meanwhile every panel keeps reporting once a minute over MQTT (each reading invalidates its panel\'s day in the cache). ' +
      '"first after start" = the first request after the product reported ready, which it does once its start-up warm-up (this year\'s daily energy, in the store\'s query workers) has finished.',
  );
  console.log(
    `  product started in ${fmt.ms(product.ready.startupMs)} on ${fmt.int(options.history.rows)} readings; cache warm-up ${fmt.ms(product.ready.warmUpMs)}`,
  );

  try {
    // Cold: the first request of each operation after start (caches empty).
    const cold: Record<string, { ms: number; storeReads: number }> = {};
    await product.child.request<StoreCalls>({ type: 'store-calls' }, 'store-calls');
    for (const name of ['dashboard', 'monthly', 'yearly'] as const) {
      const response = await postGraphql(product.httpUrl, JSON.stringify(ops[name]), agent);
      const calls = await product.child.request<StoreCalls>({ type: 'store-calls' }, 'store-calls');
      cold[name] = { ms: response.ms, storeReads: storeReads(calls.calls) };
      report.check(`dashboard: cold ${name} answered`, response.status === 200 && !response.text.includes('"errors"'), response.text.slice(0, 200));
    }

    for (const name of Object.keys(ops) as OpName[]) {
      await runLoad(product.httpUrl, ops[name], { concurrency: options.concurrency, requests: options.warmup, agent });
    }

    // Meters keep reporting while the dashboard is used: each reading invalidates its panel's day.
    const meters = startBackgroundMeters(product, options);
    const runs: Record<OpName, LoadResult[]> = { baseline: [], dashboard: [], monthly: [], yearly: [] };
    const callsDuring: Record<OpName, number> = { baseline: 0, dashboard: 0, monthly: 0, yearly: 0 };
    await product.child.request<StoreCalls>({ type: 'store-calls' }, 'store-calls');
    for (let round = 0; round < options.rounds; round++) {
      for (const name of Object.keys(ops) as OpName[]) {
        const requests = Math.round((name === 'monthly' || name === 'yearly' ? options.summaryRequests : options.requests) / options.rounds);
        runs[name].push(await runLoad(product.httpUrl, ops[name], { concurrency: options.concurrency, requests, agent }));
        callsDuring[name] += storeReads((await product.child.request<StoreCalls>({ type: 'store-calls' }, 'store-calls')).calls);
      }
    }
    // The summaries one at a time as well (a single user's view of the targets).
    const single = {
      monthly: summarize((await runLoad(product.httpUrl, monthly, { concurrency: 1, requests: 50, agent })).latencies),
      yearly: summarize((await runLoad(product.httpUrl, yearly, { concurrency: 1, requests: 50, agent })).latencies),
    };
    const published = await meters.stop();
    const measured = Object.fromEntries((Object.keys(ops) as OpName[]).map((name) => [name, merge(runs[name])])) as Record<OpName, Measured>;

    // Work checks: every response without errors, and the figures equal what was written.
    for (const name of Object.keys(ops) as OpName[]) {
      report.check(`dashboard: ${name} responses without errors`, measured[name].failures === 0, `${measured[name].failures} failed; ${measured[name].firstFailure ?? ''}`);
    }
    const stored = await waitStored(product, published);
    report.check('dashboard: background readings stored', stored === published, `${published} published, ${stored} stored`);
    const verify = async <T>(op: GraphqlRequest) => JSON.parse((await postGraphql(product.httpUrl, JSON.stringify(op), agent)).text) as T;
    const today = DateTime.now().setZone(SITE_TIMEZONE).startOf('day');
    const month = today.startOf('month');
    const year = today.startOf('year');
    const expectToday = options.history.expectedKwh(today.toJSDate(), today.plus({ days: 1 }).toJSDate());
    const expectMonth = options.history.expectedKwh(month.toJSDate(), month.plus({ months: 1 }).toJSDate());
    const expectYear = options.history.expectedKwh(year.toJSDate(), year.plus({ years: 1 }).toJSDate());
    const d = await verify<DashboardBody>(dashboard);
    const panelSum = d.data.panels.reduce((sum, p) => sum + p.todayUsage.energyKwh, 0);
    const withLatest = d.data.panels.filter((p) => p.latestReading !== null).length;
    report.check(
      'dashboard: all panels, each with its latest reading',
      d.data.overview.panelCount === panelCount && d.data.panels.length === panelCount && withLatest === panelCount,
      `overview.panelCount ${d.data.overview.panelCount}, ${d.data.panels.length} panels, ${withLatest} with a latest reading (expected ${panelCount})`,
    );
    report.check(
      "dashboard: today's usage equals the counters written",
      near(d.data.overview.todayUsage.energyKwh, expectToday) && near(panelSum, expectToday, 0.001 * panelCount),
      `overview ${d.data.overview.todayUsage.energyKwh} kWh, sum of panels ${panelSum.toFixed(3)}, expected ${expectToday.toFixed(3)}`,
    );
    const m = await verify<MonthlyBody>(monthly);
    report.check(
      'dashboard: monthly summary equals the counters written',
      near(m.data.monthlySummary.total.energyKwh, expectMonth) && m.data.monthlySummary.days.length === month.daysInMonth,
      `total ${m.data.monthlySummary.total.energyKwh} kWh, expected ${expectMonth.toFixed(3)}; ${m.data.monthlySummary.days.length} days`,
    );
    const y = await verify<YearlyBody>(yearly);
    report.check(
      'dashboard: yearly summary equals the counters written',
      near(y.data.yearlySummary.total.energyKwh, expectYear) && y.data.yearlySummary.months.length === 12,
      `total ${y.data.yearlySummary.total.energyKwh} kWh, expected ${expectYear.toFixed(3)}`,
    );

    const base = measured.baseline.summary;
    const dash = measured.dashboard.summary;
    const dashRatio = ratio(dash.p50, base.p50);
    const perQuery = (name: OpName) => callsDuring[name] / runs[name].reduce((n, r) => n + r.latencies.length, 0);
    report.line({
      benchmark: bench,
      measure: `Dashboard p50 (${measured.dashboard.summary.n} req)`,
      product: fmt.ms(dash.p50),
      baseline: fmt.ms(base.p50),
      ratio: fmt.ratio(dashRatio),
      target: 'p50 ≤ 5× baseline',
      result: report.target('dashboard p50 ≤ 5× baseline p50', dashRatio <= 5, `${dash.p50.toFixed(2)} ms vs ${base.p50.toFixed(2)} ms = ${dashRatio.toFixed(2)}×`),
    });
    report.line({ benchmark: bench, measure: 'Dashboard p99', product: fmt.ms(dash.p99), baseline: fmt.ms(base.p99), ratio: fmt.ratio(ratio(dash.p99, base.p99)) });
    report.line({
      benchmark: bench,
      measure: 'Dashboard throughput',
      product: fmt.rate(measured.dashboard.requestsPerSecond, 'req/s'),
      baseline: fmt.rate(measured.baseline.requestsPerSecond, 'req/s'),
      ratio: fmt.ratio(ratio(measured.dashboard.requestsPerSecond, measured.baseline.requestsPerSecond)),
    });
    report.line({
      benchmark: bench,
      measure: 'Dashboard store round trips/query (warm | first after start)',
      product: `${perQuery('dashboard').toFixed(2)} | ${cold.dashboard!.storeReads}`,
      baseline: `${perQuery('baseline').toFixed(2)}`,
    });
    report.line({ benchmark: bench, measure: 'Dashboard first request after start', product: fmt.ms(cold.dashboard!.ms) });
    for (const [name, label, limit] of [
      ['monthly', 'monthlySummary', 50],
      ['yearly', 'yearlySummary', 200],
    ] as const) {
      const s = measured[name].summary;
      report.line({
        benchmark: bench,
        measure: `${label} p50 | p99`,
        product: `${fmt.ms(s.p50)} | ${fmt.ms(s.p99)}`,
        baseline: `${fmt.ms(base.p50)} | ${fmt.ms(base.p99)}`,
        ratio: fmt.ratio(ratio(s.p99, base.p99)),
        target: `p99 < ${limit} ms`,
        result: report.target(`${name} summary p99 < ${limit} ms`, s.p99 < limit, `p99 ${s.p99.toFixed(2)} ms`),
      });
      report.line({
        benchmark: bench,
        measure: `${label} req/s | p99 at c=1 | first after start | store trips/query`,
        product: `${fmt.rate(measured[name].requestsPerSecond, 'req/s')} | ${fmt.ms(single[name].p99)} | ${fmt.ms(cold[name]!.ms)} | ${perQuery(name).toFixed(2)}`,
      });
    }
    const memory = product.child.memory();
    const breakdown = await product.child.request<ChildMessage>({ type: 'memory' }, 'memory');
    report.figures.dashboard = {
      options: { ...options, history: undefined },
      panels: panelCount,
      readings: options.history.rows,
      startupMs: product.ready.startupMs,
      warmUpMs: product.ready.warmUpMs,
      cold,
      measured: Object.fromEntries(Object.entries(measured).map(([k, v]) => [k, { ...v, lastBody: undefined }])),
      singleUser: single,
      storeReadsPerQuery: Object.fromEntries((Object.keys(ops) as OpName[]).map((name) => [name, perQuery(name)])),
      backgroundReadings: published,
      expected: { today: expectToday, month: expectMonth, year: expectYear },
      memory: { ...memory, breakdown },
    };
    return { peakRss: memory?.peakRss ?? Number.NaN, breakdown, rssAfterImport: product.ready.rssAfterImport };
  } finally {
    agent.destroy();
    await product.child.stop();
  }
}

function near(actual: number, expected: number, tolerance = 0.01): boolean {
  return Math.abs(actual - expected) <= tolerance;
}

/**
 * Publishes the seeded panels' next readings in turn, each panel once per `meterIntervalMs`
 * (the meters' real cadence), continuing their counters; records them in the history.
 */
export function startBackgroundMeters(
  product: Product,
  options: { brokerUrl: string; history: SeededHistory; meterIntervalMs: number },
): { stop(): Promise<number> } {
  const { history } = options;
  const meters: MeterState[] = history.panels.map((panel, i) => {
    const latest = history.latest(i);
    return { panelId: panel.id, timeMs: latest.timeMs, exactKwh: latest.kwh, kw: latest.kw };
  });
  let published = 0;
  let next = 0;
  let failure: Error | null = null;
  const clientPromise = mqtt.connectAsync(options.brokerUrl, { clientId: uniqueName('bench-meters'), protocolVersion: 4 });
  const timer = setInterval(() => {
    const index = next++ % meters.length;
    const reading = advance(meters[index]!, options.meterIntervalMs);
    history.append(index, reading.timeMs, reading.kwh);
    published++;
    clientPromise
      .then((client) => client.publishAsync(`${product.topicRoot}/PM/${reading.panelId}`, reading.payload, { qos: 1 }))
      .catch((error: unknown) => {
        failure ??= error instanceof Error ? error : new Error(String(error));
      });
  }, options.meterIntervalMs / meters.length);
  return {
    async stop() {
      clearInterval(timer);
      const client = await clientPromise;
      await client.endAsync();
      if (failure) throw failure;
      return published;
    },
  };
}

/** Waits until the product has stored and published every background reading. */
export async function waitStored(product: Product, published: number, timeoutMs = 10_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = await product.child.request<ChildMessage & { countedAll: number }>({ type: 'status' }, 'status');
    if (status.countedAll >= published || Date.now() > deadline) return status.countedAll;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
