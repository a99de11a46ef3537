/**
 * Child process: 1,000 live subscribers and the meters that feed them, on one clock.
 *
 * Publishing and receiving happen in this process so each latency is one `performance.now()`
 * difference: from just before the MQTT publish of a reading to its arrival at each subscriber,
 * correlated by (panel, meter time). Runs apart from the server under test, so client and server
 * never share an event loop.
 *
 * Modes: `graphql` (graphql-ws clients running the dashboard's LiveReadings subscription against
 * the product) and `ws` (plain WebSocket clients of the bare broadcast baseline).
 */
import { readFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createClient, type Client } from 'graphql-ws';
import mqtt from 'mqtt';
import WebSocket from 'ws';
import { childMain } from './child.js';
import { loadConfig } from '../../src/config/config.js';
import { CounterWalk } from '../../src/services/energy/counting-rule.js';
import { advance, type MeterState } from './meters.js';
import { summarize } from './stats.js';

export interface FanoutConfig {
  readonly mode: 'graphql' | 'ws';
  readonly url: string;
  readonly subscribers: number;
  readonly mqttUrl: string;
  readonly topicRoot: string;
  readonly meters: MeterState[];
  /** Readings per second, all meters together. */
  readonly rate: number;
  readonly durationSeconds: number;
  /** Give up warming up (every subscriber has received something) after this long. */
  readonly warmupMaxSeconds: number;
  /** Meter time step between two readings of one meter. */
  readonly stepMs: number;
}

interface ReadingFields {
  readonly panelId: string;
  readonly time: string;
}

const config = JSON.parse(process.env.BENCH_FANOUT ?? '{}') as FanoutConfig;
const liveQuery = readFileSync(new URL('../../operations/live-readings.graphql', import.meta.url), 'utf8');

/** publish time (performance.now) and index of each measured reading, by `panel|meterTimeMs`. */
const sent = new Map<string, { at: number; index: number }>();
/** Readings published during the warm-up (received, but not measured). */
const warmupSent = new Set<string>();
/** Each meter's reading before the run: a subscription starts with it (the current state). */
const initialState = new Set<string>(config.meters.map((meter) => `${meter.panelId}|${meter.timeMs}`));
const total = config.rate * config.durationSeconds;
const latencies = new Float64Array(total * config.subscribers);
let latencyCount = 0;
const deliveredPerReading = new Uint32Array(total);
const receivedPerSubscriber = new Uint32Array(config.subscribers);
let duplicates = 0;
let unexpected = 0;
let errors = 0;
let firstError: string | null = null;
const seenBySubscriber = Array.from({ length: config.subscribers }, () => new Set<number>());

function onReading(subscriber: number, reading: ReadingFields): void {
  const now = performance.now();
  receivedPerSubscriber[subscriber]!++;
  const key = `${reading.panelId}|${Date.parse(reading.time)}`;
  const entry = sent.get(key);
  if (!entry) {
    if (!warmupSent.has(key) && !initialState.has(key)) unexpected++;
    return;
  }
  if (seenBySubscriber[subscriber]!.has(entry.index)) {
    duplicates++;
    return;
  }
  seenBySubscriber[subscriber]!.add(entry.index);
  deliveredPerReading[entry.index]!++;
  latencies[latencyCount++] = now - entry.at;
}

function onError(error: unknown): void {
  errors++;
  firstError ??= error instanceof Error ? error.message : JSON.stringify(error);
}

/**
 * Live usage (graphql mode): one more client on `todayUsage` for every panel. Each panel reports
 * every (panels / rate) seconds, far apart from its next reading, so the first update of a panel
 * after a measured reading's publish is that reading's: publish → that update is the lag of the
 * coalesced live usage behind the store (plus ingestion).
 */
const usagePending = new Map<string, { readonly at: number; readonly counts: boolean }>();
const usageLags: number[] = [];
let usageUnchanged = 0;
/** Updates after a reading that rightly left today's energy as it was (its counter did not move). */
let usageNotCounted = 0;
const usageLast = new Map<string, number>();

/**
 * Whether each published reading adds to today's energy, by the counting rule walked over what
 * the meters publish. A meter's counter has two decimals: a panel drawing under 3.6 kW does not
 * move it on every 10 s step, and then the product rightly sends today's energy unchanged. The
 * check used to count those as "updates without the reading" (25 of 200 in one run, issue 27).
 */
const countingRule = loadConfig({}).site.countingRule;
const walks = new Map(
  config.meters.map((meter) => {
    const walk = new CounterWalk(countingRule);
    walk.step(meter.timeMs, Number(meter.exactKwh.toFixed(2)), meter.kw, 0, () => {});
    return [meter.panelId, walk] as const;
  }),
);

function counted(reading: { panelId: string; timeMs: number; kwh: number }, kw: number): boolean {
  let increase = 0;
  walks.get(reading.panelId)?.step(reading.timeMs, reading.kwh, kw, 0, (_t, rise) => (increase += rise));
  return increase > 0;
}

function onUsage(update: { panelId: string; today: { energyKwh: number } }): void {
  const now = performance.now();
  const previous = usageLast.get(update.panelId);
  usageLast.set(update.panelId, update.today.energyKwh);
  const pending = usagePending.get(update.panelId);
  if (pending === undefined) return;
  usagePending.delete(update.panelId);
  if (previous !== undefined && previous === update.today.energyKwh) {
    if (pending.counts) usageUnchanged++;
    else usageNotCounted++;
  }
  usageLags.push(now - pending.at);
}

async function connectUsage(): Promise<void> {
  await connectSubscription<{ todayUsage: { panelId: string; today: { energyKwh: number } } }>(
    { query: 'subscription { todayUsage { panelId today { energyKwh } } }' },
    (data) => onUsage(data.todayUsage),
  );
}

const clients: Client[] = [];
const sockets: WebSocket[] = [];

/** One graphql-ws client running one subscription; resolves once connected. */
async function connectSubscription<TData>(
  request: { query: string; operationName?: string; variables?: Record<string, unknown> },
  onData: (data: TData) => void,
): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const client = createClient({
      url: config.url,
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      lazy: false,
      on: { connected: () => resolve(), error: (error) => reject(error instanceof Error ? error : new Error('connection failed')) },
    });
    clients.push(client);
    client.subscribe<TData>(request, {
      next: (result) => {
        if (result.data) onData(result.data);
        else onError(result.errors);
      },
      error: onError,
      complete: () => {},
    });
  });
}

async function connectGraphql(index: number): Promise<void> {
  await connectSubscription<{ panelReading: ReadingFields }>(
    { query: liveQuery, operationName: 'LiveReadings', variables: { panelId: null } },
    (data) => onReading(index, data.panelReading),
  );
}

async function connectWs(index: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const socket = new WebSocket(config.url);
    sockets.push(socket);
    socket.once('open', () => resolve());
    socket.once('error', reject);
    socket.on('message', (data: Buffer) => {
      const message = JSON.parse(data.toString('utf8')) as { payload: { data: { panelReading: ReadingFields } } };
      onReading(index, message.payload.data.panelReading);
    });
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

async function main(): Promise<Record<string, unknown>> {
  const connectStarted = performance.now();
  const connect = config.mode === 'graphql' ? connectGraphql : connectWs;
  for (let i = 0; i < config.subscribers; i += 50) {
    await Promise.all(Array.from({ length: Math.min(50, config.subscribers - i) }, (_, k) => connect(i + k)));
  }
  const connectMs = performance.now() - connectStarted;
  if (config.mode === 'graphql') await connectUsage();

  const publisher = await mqtt.connectAsync(config.mqttUrl, { protocolVersion: 4, clientId: `bench-fanout-meters-${process.pid}` });
  let meterIndex = 0;
  const publishNext = (measuredIndex: number | null) => {
    const meter = config.meters[meterIndex++ % config.meters.length]!;
    const reading = advance(meter, config.stepMs);
    const counts = counted(reading, meter.kw);
    const key = `${reading.panelId}|${reading.timeMs}`;
    if (measuredIndex === null) warmupSent.add(key);
    else {
      sent.set(key, { at: performance.now(), index: measuredIndex });
      if (config.mode === 'graphql' && !usagePending.has(reading.panelId)) usagePending.set(reading.panelId, { at: performance.now(), counts });
    }
    publisher.publish(`${config.topicRoot}/PM/${reading.panelId}`, reading.payload, { qos: 1 }, (error) => {
      if (error) onError(error);
    });
  };

  // Warm-up at the same rate until every subscriber has received a reading (the subscription is
  // live on the server), then one more second.
  const interval = 1000 / config.rate;
  const warmupStarted = performance.now();
  let warmupReadings = 0;
  while (receivedPerSubscriber.some((n) => n === 0) && performance.now() - warmupStarted < config.warmupMaxSeconds * 1000) {
    publishNext(null);
    warmupReadings++;
    await sleep(interval);
  }
  const notLive = receivedPerSubscriber.filter((n) => n === 0).length;
  for (let i = 0; i < config.rate; i++) {
    publishNext(null);
    warmupReadings++;
    await sleep(interval);
  }
  const warmupMs = performance.now() - warmupStarted;

  const loopDelay = monitorEventLoopDelay({ resolution: 5 });
  loopDelay.enable();
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  for (let j = 0; j < total; j++) {
    await sleep(started + j * interval - performance.now());
    publishNext(j);
  }
  const publishMs = performance.now() - started;
  // Stragglers: wait until everything arrived, or 5 s after the last publish.
  const expected = total * config.subscribers;
  const drainStarted = performance.now();
  while ((latencyCount < expected || usagePending.size > 0) && performance.now() - drainStarted < 5_000) await sleep(20);
  loopDelay.disable();
  const cpu = process.cpuUsage(cpuBefore);
  const measuredMs = performance.now() - started;

  await publisher.endAsync();
  const latency = summarize(latencies.subarray(0, latencyCount));
  return {
    mode: config.mode,
    subscribers: config.subscribers,
    readings: total,
    expected,
    delivered: latencyCount,
    fractionDelivered: latencyCount / expected,
    readingsMissedBySomeone: deliveredPerReading.filter((n) => n < config.subscribers).length,
    duplicates,
    unexpected,
    errors,
    firstError,
    notLiveAfterWarmup: notLive,
    connectMs,
    warmupMs,
    warmupReadings,
    publishMs,
    latency,
    clientCpuFraction: (cpu.user + cpu.system) / 1000 / measuredMs,
    clientLoopDelayP99Ms: loopDelay.percentile(99) / 1e6,
    usage:
      config.mode === 'graphql'
        ? { lag: summarize(Float64Array.from(usageLags)), updates: usageLags.length, missing: usagePending.size, unchanged: usageUnchanged, notCounted: usageNotCounted }
        : null,
  };
}

childMain(async (message, reply) => {
  if (message.type === 'run') reply({ type: 'result', result: await main() });
  if (message.type === 'stop') {
    for (const client of clients) void client.dispose();
    for (const socket of sockets) socket.terminate();
    setTimeout(() => process.exit(0), 200);
  }
});
process.send?.({ type: 'ready' });
