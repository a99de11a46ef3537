import { join } from 'node:path';
import { startBackgroundMeters, operation, storeReads, waitStored, SITE_TIMEZONE, type StoreCalls } from './dashboard.bench.js';
import { createAgent, postGraphql, runLoad } from './http-load.js';
import { startProduct } from './product.js';
import { fmt, type Report } from './report.js';
import { minuteFloor, panelIds, seedHistory, type SeededHistory } from './seed.js';
import { summarize } from './stats.js';

export interface ScalingOptions {
  readonly brokerUrl: string;
  readonly workDir: string;
  readonly panelCounts: readonly number[];
  /** One-minute readings per panel (the same for every size). */
  readonly perPanel: number;
  readonly concurrency: number;
  readonly warmup: number;
  /** Measured requests per size (fewer for the largest, whose requests take longest). */
  readonly requests: (panels: number) => number;
  readonly meterIntervalMs: number;
}

interface Point {
  readonly panels: number;
  readonly readings: number;
  readonly p50: number;
  readonly p99: number;
  readonly requestsPerSecond: number;
  /** Server-side cost per request: wall time / requests × concurrency is latency; this is 1/throughput. */
  readonly msPerRequest: number;
  readonly storeReadsPerQuery: number;
  readonly coldStoreReads: number;
  readonly coldMs: number;
  readonly responseBytes: number;
  readonly failures: number;
}

/** Seeds one store per size first (not timed), so sizes are measured back to back. */
export async function seedScaling(options: ScalingOptions): Promise<Map<number, { dataDir: string; history: SeededHistory }>> {
  const end = minuteFloor(Date.now());
  const seeded = new Map<number, { dataDir: string; history: SeededHistory }>();
  for (const count of options.panelCounts) {
    const dataDir = join(options.workDir, `scaling-${count}`);
    const history = await seedHistory({
      file: join(dataDir, 'readings.sqlite'),
      panelIds: panelIds(count),
      perPanel: options.perPanel,
      end,
      timezone: SITE_TIMEZONE,
    });
    seeded.set(count, { dataDir, history });
  }
  return seeded;
}

/**
 * Benchmark 3: the dashboard's main operation at growing numbers of panels with the same history
 * per panel, meters reporting at their real cadence. Reports the latency and cost curve and the
 * store round trips per query (counted by wrapping the store's methods in the product process).
 */
export async function benchScaling(
  report: Report,
  options: ScalingOptions,
  seeded: Map<number, { dataDir: string; history: SeededHistory }>,
): Promise<void> {
  const dashboard = operation('dashboard.graphql');
  const points: Point[] = [];
  for (const count of options.panelCounts) {
    const { dataDir, history } = seeded.get(count)!;
    const product = await startProduct({ dataDir, mqttUrl: options.brokerUrl, name: `scaling-${count}-product` });
    const agent = createAgent(options.concurrency);
    try {
      await product.child.request<StoreCalls>({ type: 'store-calls' }, 'store-calls');
      const cold = await postGraphql(product.httpUrl, JSON.stringify(dashboard), agent);
      const coldCalls = await product.child.request<StoreCalls>({ type: 'store-calls' }, 'store-calls');
      await runLoad(product.httpUrl, dashboard, { concurrency: options.concurrency, requests: options.warmup, agent });
      const meters = startBackgroundMeters(product, { brokerUrl: options.brokerUrl, history, meterIntervalMs: options.meterIntervalMs });
      await product.child.request<StoreCalls>({ type: 'store-calls' }, 'store-calls');
      const requests = options.requests(count);
      const result = await runLoad(product.httpUrl, dashboard, { concurrency: options.concurrency, requests, agent });
      const calls = await product.child.request<StoreCalls>({ type: 'store-calls' }, 'store-calls');
      const published = await meters.stop();
      const stored = await waitStored(product, published);
      const summary = summarize(result.latencies);
      const body = result.lastBody as { data?: { panels?: unknown[] } } | null;
      report.check(
        `scaling ${count}: every response complete`,
        result.failures === 0 && body?.data?.panels?.length === count && cold.status === 200,
        `${result.failures} failed ${result.firstFailure ?? ''}; last response has ${body?.data?.panels?.length ?? 0} panels`,
      );
      report.check(`scaling ${count}: background readings stored`, stored === published, `${published} published, ${stored} stored`);
      points.push({
        panels: count,
        readings: history.rows,
        p50: summary.p50,
        p99: summary.p99,
        requestsPerSecond: result.requestsPerSecond,
        msPerRequest: 1000 / result.requestsPerSecond,
        storeReadsPerQuery: storeReads(calls.calls) / requests,
        coldStoreReads: storeReads(coldCalls.calls),
        coldMs: cold.ms,
        responseBytes: result.responseBytes,
        failures: result.failures,
      });
      console.log(`  ${count} panels: p50 ${fmt.ms(summary.p50)}, ${fmt.rate(result.requestsPerSecond, 'req/s')}, ${(storeReads(calls.calls) / requests).toFixed(2)} store trips/query`);
    } finally {
      agent.destroy();
      await product.child.stop();
    }
  }

  const bench = '3 scaling';
  report.note(
    `3 scaling: the dashboard operation at ${options.panelCounts.join(', ')} panels, each with ${options.perPanel / 1440} day(s) of one-minute readings ` +
      `(a shorter history than 2, to keep seeding within the time budget), concurrency ${options.concurrency}, meters reporting once a minute. ` +
      'cost/request = 1 / throughput (server and load generator share the 2 cores); trips = store read calls per query.',
  );
  for (const point of points) {
    report.line({
      benchmark: bench,
      measure: `${fmt.int(point.panels)} panels: p50 | p99 | cost/req | per panel | trips warm, first`,
      product:
        `${fmt.ms(point.p50)} | ${fmt.ms(point.p99)} | ${fmt.ms(point.msPerRequest)} | ` +
        `${((point.msPerRequest / point.panels) * 1000).toFixed(0)} µs | ${point.storeReadsPerQuery.toFixed(2)}, ${point.coldStoreReads}`,
    });
  }
  // Linear or better: 10× the panels may cost at most 10× per request (+20 % for noise).
  let worst = 0;
  const steps: string[] = [];
  for (let i = 1; i < points.length; i++) {
    const a = points[i - 1]!;
    const b = points[i]!;
    const growth = b.msPerRequest / a.msPerRequest / (b.panels / a.panels);
    worst = Math.max(worst, growth);
    steps.push(`${a.panels}→${b.panels}: cost ×${(b.msPerRequest / a.msPerRequest).toFixed(2)} for panels ×${b.panels / a.panels}`);
  }
  report.line({
    benchmark: bench,
    measure: 'cost growth ÷ panel growth (worst step)',
    product: steps.join('; '),
    ratio: fmt.ratio(worst),
    target: '≤ 1.2× (linear)',
    result: report.target('dashboard cost no worse than linear in panels', worst <= 1.2, steps.join('; ')),
  });
  const coldTrips = points.map((p) => p.coldStoreReads);
  const warmTrips = points.map((p) => p.storeReadsPerQuery);
  const constant = new Set(coldTrips).size === 1 && Math.max(...warmTrips) <= 2;
  report.line({
    benchmark: bench,
    measure: 'store round trips per query at each size',
    product: `first: ${coldTrips.join(' / ')}; warm: ${warmTrips.map((t) => t.toFixed(2)).join(' / ')}`,
    target: 'constant (≤ 2)',
    result: report.target('store round trips per query constant in panels', constant, `first request ${coldTrips.join('/')}, warm ${warmTrips.map((t) => t.toFixed(2)).join('/')}`),
  });
  report.figures.scaling = { options: { ...options, requests: options.panelCounts.map(options.requests) }, points };
}
