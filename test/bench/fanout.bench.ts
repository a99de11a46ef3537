import { startChild, type ChildMessage } from './child.js';
import type { ProductMemory } from './dashboard.bench.js';
import type { FanoutConfig } from './fanout-client.js';
import type { MeterState } from './meters.js';
import { startBaseline, startProduct, uniqueName } from './product.js';
import { fmt, type Report } from './report.js';
import type { SeededHistory } from './seed.js';
import { ratio, type Summary } from './stats.js';

export interface FanoutOptions {
  readonly brokerUrl: string;
  readonly dataDir: string;
  readonly history: SeededHistory;
  readonly subscribers: number;
  readonly rate: number;
  readonly durationSeconds: number;
  readonly warmupMaxSeconds: number;
}

export interface FanoutResult {
  readonly subscribers: number;
  readonly readings: number;
  readonly expected: number;
  readonly delivered: number;
  readonly fractionDelivered: number;
  readonly readingsMissedBySomeone: number;
  readonly duplicates: number;
  readonly unexpected: number;
  readonly errors: number;
  readonly firstError: string | null;
  readonly notLiveAfterWarmup: number;
  readonly connectMs: number;
  readonly latency: Summary;
  readonly clientCpuFraction: number;
  readonly clientLoopDelayP99Ms: number;
  /** The coalesced live usage (todayUsage) behind each measured reading: graphql mode only. */
  readonly usage: { readonly lag: Summary; readonly updates: number; readonly missing: number; readonly unchanged: number; readonly notCounted: number } | null;
}

/**
 * Benchmark 4 (and the memory of 5): 1,000 graphql-ws subscribers of every panel's readings while
 * meters publish over MQTT, end to end from publish to each subscriber; against a bare ws
 * broadcast of the same readings from a bare MQTT subscriber, in the same run.
 */
export async function benchFanout(report: Report, options: FanoutOptions): Promise<ProductMemory> {
  const meters = (): MeterState[] =>
    options.history.panels.map((panel, i) => {
      const latest = options.history.latest(i);
      return { panelId: panel.id, timeMs: latest.timeMs, exactKwh: latest.kwh, kw: latest.kw };
    });
  // Each meter reports every (panels / rate) seconds; its clock advances as much.
  const stepMs = Math.max(1000, Math.round((options.history.panels.length / options.rate) * 1000));
  const base = { subscribers: options.subscribers, mqttUrl: options.brokerUrl, rate: options.rate, durationSeconds: options.durationSeconds, warmupMaxSeconds: options.warmupMaxSeconds, stepMs };
  const timeoutMs = (options.warmupMaxSeconds + options.durationSeconds + 60) * 1000;

  // The product.
  const product = await startProduct({ dataDir: options.dataDir, mqttUrl: options.brokerUrl, name: 'fanout-product' });
  let productResult: FanoutResult;
  let peakRss: number;
  let breakdown: ChildMessage;
  let rssAfterImport: number;
  try {
    const config: FanoutConfig = { ...base, mode: 'graphql', url: product.wsUrl, topicRoot: product.topicRoot, meters: meters() };
    const client = await startChild('./fanout-client.ts', { BENCH_FANOUT: JSON.stringify(config) }, 'fanout-client-product');
    try {
      await client.next('ready');
      productResult = (await client.request<ChildMessage & { result: FanoutResult }>({ type: 'run' }, 'result', timeoutMs)).result;
    } finally {
      await client.stop();
    }
    peakRss = product.child.memory()?.peakRss ?? Number.NaN;
    breakdown = await product.child.request<ChildMessage>({ type: 'memory' }, 'memory');
    rssAfterImport = product.ready.rssAfterImport;
  } finally {
    await product.child.stop();
  }
  console.log(`  product: ${describe(productResult)}`);

  // The baseline: bare MQTT subscriber + bare ws broadcast.
  const root = uniqueName('WSBASE');
  const server = await startBaseline(
    'ws-baseline-host',
    { BENCH_MQTT_URL: options.brokerUrl, BENCH_MQTT_TOPIC: `${root}/PM/#`, BENCH_MQTT_CLIENT_ID: uniqueName('bench-ws-baseline') },
    'fanout-baseline',
  );
  let baselineResult: FanoutResult;
  try {
    const { port } = await server.next<ChildMessage & { port: number }>('ready');
    const config: FanoutConfig = { ...base, mode: 'ws', url: `ws://127.0.0.1:${port}`, topicRoot: root, meters: meters() };
    const client = await startChild('./fanout-client.ts', { BENCH_FANOUT: JSON.stringify(config) }, 'fanout-client-baseline');
    try {
      await client.next('ready');
      baselineResult = (await client.request<ChildMessage & { result: FanoutResult }>({ type: 'run' }, 'result', timeoutMs)).result;
    } finally {
      await client.stop();
    }
  } finally {
    await server.stop();
  }
  console.log(`  baseline: ${describe(baselineResult)}`);

  for (const [name, r] of [['product', productResult], ['baseline', baselineResult]] as const) {
    report.check(
      `fan-out ${name}: every subscriber live, nothing unexpected`,
      r.notLiveAfterWarmup === 0 && r.errors === 0 && r.unexpected === 0 && r.duplicates === 0,
      `${r.notLiveAfterWarmup} subscribers never received during warm-up, ${r.errors} errors (${r.firstError ?? 'none'}), ${r.unexpected} unexpected, ${r.duplicates} duplicates`,
    );
  }
  report.check(
    'fan-out baseline: everything delivered',
    baselineResult.delivered === baselineResult.expected,
    `${baselineResult.delivered} of ${baselineResult.expected}`,
  );

  const bench = '4 fan-out';
  report.note(
    `4 fan-out: ${fmt.int(options.subscribers)} graphql-ws clients running LiveReadings (all panels) against the product started on the store of 2; ` +
      `${options.rate} readings/s published over MQTT for ${options.durationSeconds} s after a warm-up; latency from just before each MQTT publish to ` +
      'its arrival at each subscriber (publisher and subscribers share one clock, in a child process apart from the server). ' +
      `Baseline: a bare mqtt.js subscriber + bare ws server broadcasting the same readings (serialized once) to ${fmt.int(options.subscribers)} sockets.`,
  );
  const p = productResult.latency;
  const b = baselineResult.latency;
  report.line({
    benchmark: bench,
    measure: `delivered (${fmt.int(productResult.expected)} = readings × subscribers)`,
    product: fmt.pct(productResult.fractionDelivered, 3),
    baseline: fmt.pct(baselineResult.fractionDelivered, 3),
    target: '100 %',
    result: report.target(
      'fan-out 100 % delivered',
      productResult.delivered === productResult.expected,
      `${productResult.delivered} of ${productResult.expected}; ${productResult.readingsMissedBySomeone} readings missed by at least one subscriber`,
    ),
  });
  report.line({
    benchmark: bench,
    measure: 'latency publish → subscriber, p99',
    product: fmt.ms(p.p99),
    baseline: fmt.ms(b.p99),
    ratio: fmt.ratio(ratio(p.p99, b.p99)),
    target: '< 100 ms',
    result: report.target('fan-out p99 < 100 ms', p.p99 < 100, `p99 ${p.p99.toFixed(1)} ms`),
  });
  report.line({
    benchmark: bench,
    measure: 'p99 relative to baseline p99',
    product: fmt.ms(p.p99),
    baseline: fmt.ms(b.p99),
    ratio: fmt.ratio(ratio(p.p99, b.p99)),
    target: '≤ 3× baseline',
    result: report.target('fan-out p99 ≤ 3× baseline p99', ratio(p.p99, b.p99) <= 3, `${p.p99.toFixed(1)} ms vs ${b.p99.toFixed(1)} ms`),
  });
  report.line({
    benchmark: bench,
    measure: 'latency p50 | max',
    product: `${fmt.ms(p.p50)} | ${fmt.ms(p.max)}`,
    baseline: `${fmt.ms(b.p50)} | ${fmt.ms(b.max)}`,
    ratio: fmt.ratio(ratio(p.p50, b.p50)),
  });
  report.line({
    benchmark: bench,
    measure: 'client process CPU | its loop delay p99 (info)',
    product: `${fmt.pct(productResult.clientCpuFraction)} | ${fmt.ms(productResult.clientLoopDelayP99Ms)}`,
    baseline: `${fmt.pct(baselineResult.clientCpuFraction)} | ${fmt.ms(baselineResult.clientLoopDelayP99Ms)}`,
  });
  const usage = productResult.usage;
  if (usage) {
    report.line({
      benchmark: bench,
      measure: `live usage (todayUsage) publish → update, max | p99 (${fmt.int(usage.updates)} updates)`,
      product: `${fmt.ms(usage.lag.max)} | ${fmt.ms(usage.lag.p99)}`,
      target: 'max ≤ 1 s, none missing',
      result: report.target(
        'live usage never more than a second behind, under the fan-out load',
        usage.lag.max <= 1_000 && usage.missing === 0 && usage.unchanged === 0,
        `max ${usage.lag.max.toFixed(0)} ms; ${usage.missing} readings without an update; ${usage.unchanged} updates without the reading` +
          ` (and ${usage.notCounted} rightly unchanged: the reading's counter did not move)`,
      ),
    });
  }
  report.figures.fanout = { options: { ...options, history: undefined }, product: productResult, baseline: baselineResult, memory: { peakRss, breakdown } };
  return { peakRss, breakdown, rssAfterImport };
}

function describe(r: FanoutResult): string {
  return (
    `${fmt.int(r.delivered)}/${fmt.int(r.expected)} delivered, p50 ${fmt.ms(r.latency.p50)}, p99 ${fmt.ms(r.latency.p99)}, ` +
    `max ${fmt.ms(r.latency.max)}; connected ${r.subscribers} in ${fmt.ms(r.connectMs)}; client CPU ${fmt.pct(r.clientCpuFraction)}`
  );
}
