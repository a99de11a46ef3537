import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import mqtt, { type MqttClient } from 'mqtt';
import { LocalTime } from '../../src/time/local-time.js';
import { sharedNow, type BenchChild, type ChildMessage } from './child.js';
import { allocationsDuring, startBaseline, startProduct, uniqueName } from './product.js';
import { fmt, type Report } from './report.js';
import { median } from './stats.js';

export interface IngestOptions {
  readonly brokerUrl: string;
  readonly workDir: string;
  readonly panels: number;
  readonly readingsPerPanel: number;
  readonly warmupReadingsPerPanel: number;
  readonly runs: number;
  readonly publishers: number;
}

interface Message {
  readonly topic: string;
  readonly payload: Buffer;
  readonly publisher: number;
}

interface RunResult {
  readonly label: string;
  readonly readings: number;
  readonly received: number;
  readonly rowsStored: number | null;
  readonly elapsedMs: number;
  readonly perSecond: number;
  readonly publishMs: number;
}

interface Status extends ChildMessage {
  readonly count: number;
  readonly firstAt: number;
  readonly lastAt: number;
}

const STALL_MS = 10_000;

/**
 * Benchmark 1: readings published with QoS 1 to the broker until the product has stored them all
 * (rows in SQLite) and published them on its pubsub (`readingStored` events), against a bare
 * mqtt.js subscriber that acknowledges and discards the same messages from the same broker.
 */
export async function benchIngest(report: Report, options: IngestOptions): Promise<void> {
  const dataDir = join(options.workDir, 'ingest');
  mkdirSync(dataDir, { recursive: true });
  const product = await startProduct({ dataDir, mqttUrl: options.brokerUrl, name: 'ingest-product' });
  const sinkRoot = uniqueName('SINK');
  const sink = await startBaseline(
    'mqtt-sink',
    { BENCH_MQTT_URL: options.brokerUrl, BENCH_MQTT_TOPIC: `${sinkRoot}/PM/#`, BENCH_MQTT_CLIENT_ID: uniqueName('bench-sink') },
    'ingest-baseline',
  );
  await sink.next('ready');
  const publishers = await Promise.all(
    Array.from({ length: options.publishers }, (_, i) =>
      mqtt.connectAsync(options.brokerUrl, { clientId: uniqueName(`bench-pub${i}`), protocolVersion: 4, clean: true, reconnectPeriod: 0 }),
    ),
  );
  const db = new Database(join(dataDir, 'readings.sqlite'), { readonly: true, fileMustExist: true });
  const countRows = db.prepare<[string, string], { n: number }>('SELECT count(*) AS n FROM readings WHERE panel_id >= ? AND panel_id < ?');

  const runOne = async (target: 'product' | 'baseline', label: string, perPanel: number): Promise<RunResult> => {
    const child = target === 'product' ? product.child : sink;
    const root = target === 'product' ? product.topicRoot : sinkRoot;
    const prefix = `${label}-`;
    const messages = buildMessages(root, prefix, options.panels, perPanel, options.publishers);
    await child.request({ type: 'expect', prefix }, 'expecting');
    const published = await publishAll(publishers, messages);
    const status = await waitForCount(child, messages.length);
    const rowsStored = target === 'product' ? countRows.get(prefix, `${label}.`)!.n : null;
    const elapsedMs = status.lastAt - published.firstAt;
    return {
      label,
      readings: messages.length,
      received: status.count,
      rowsStored,
      elapsedMs,
      perSecond: (status.count / elapsedMs) * 1000,
      publishMs: published.lastAckAt - published.firstAt,
    };
  };

  try {
    const results: Record<'product' | 'baseline', RunResult[]> = { product: [], baseline: [] };
    const warmup = [await runOne('baseline', 'WB', options.warmupReadingsPerPanel), await runOne('product', 'WP', options.warmupReadingsPerPanel)];
    for (let run = 1; run <= options.runs; run++) {
      // Alternate the order so drift on the shared machine does not favour one side.
      const order: Array<'product' | 'baseline'> = run % 2 === 1 ? ['baseline', 'product'] : ['product', 'baseline'];
      for (const target of order) {
        const measured = () => runOne(target, `${target === 'product' ? 'P' : 'B'}${run}`, options.readingsPerPanel);
        // BENCH_HEAP_PROF=1: the product's allocations over its last run.
        const result = target === 'product' && run === options.runs ? await allocationsDuring(product, 'ingest', measured) : await measured();
        results[target].push(result);
        console.log(
          `  ingest ${target} run ${run}: ${fmt.int(result.received)}/${fmt.int(result.readings)} in ${fmt.ms(result.elapsedMs)} ` +
            `(${fmt.rate(result.perSecond, 'readings/s')}; publishers done in ${fmt.ms(result.publishMs)})`,
        );
      }
    }

    const expected = options.panels * options.readingsPerPanel;
    const product50 = median(results.product.map((r) => r.perSecond));
    const baseline50 = median(results.baseline.map((r) => r.perSecond));
    const ratio = product50 / baseline50;
    const lost = Math.max(
      ...results.product.map((r) => Math.max(r.readings - r.received, r.readings - (r.rowsStored ?? 0))),
    );
    const baselineLost = Math.max(...results.baseline.map((r) => r.readings - r.received));
    for (const r of [...warmup, ...results.product, ...results.baseline]) {
      report.check(
        `ingest ${r.label}: every reading delivered${r.rowsStored === null ? '' : ', stored and published'}`,
        r.received === r.readings && (r.rowsStored === null || r.rowsStored === r.readings),
        `${r.readings} published, ${r.received} ${r.rowsStored === null ? 'received' : `published on the pubsub, ${r.rowsStored} rows in SQLite`}`,
      );
    }
    const bench = '1 ingest';
    report.note(
      `1 ingest: ${fmt.int(expected)} readings (${options.panels} panels × ${options.readingsPerPanel}, one a minute each) published with QoS 1 over ` +
        `${options.publishers} connections; timed from the first publish to the last reading stored in SQLite and published on the ` +
        `pubsub. Baseline: bare mqtt.js QoS 1 subscriber (persistent session) that acks and discards. Warm-up ` +
        `${fmt.int(options.panels * options.warmupReadingsPerPanel)} each, then ${options.runs} runs each, alternating.`,
    );
    report.line({
      benchmark: bench,
      measure: `readings/s (median of ${options.runs} runs)`,
      product: fmt.rate(product50, '/s'),
      baseline: fmt.rate(baseline50, '/s'),
      ratio: fmt.ratio(ratio),
      target: 'ratio ≥ 0.6',
      result: report.target('ingest ratio ≥ 0.6 (issue 27)', ratio >= 0.6, `${ratio.toFixed(2)} (${Math.round(product50)} vs ${Math.round(baseline50)} readings/s)`),
    });
    report.line({
      benchmark: bench,
      measure: 'first publish → last stored (median)',
      product: fmt.ms(median(results.product.map((r) => r.elapsedMs))),
      baseline: fmt.ms(median(results.baseline.map((r) => r.elapsedMs))),
    });
    report.line({
      benchmark: bench,
      measure: 'readings lost (worst run)',
      product: fmt.int(lost),
      baseline: fmt.int(baselineLost),
      target: '0',
      result: report.target('ingest loses no reading', lost === 0, `${lost} lost`),
    });
    const memory = product.child.memory();
    const breakdown = await product.child.request<ChildMessage>({ type: 'memory' }, 'memory');
    const sinkMemory = sink.memory();
    report.line({
      benchmark: bench,
      measure: 'peak RSS of the process (info)',
      product: fmt.mb(memory?.peakRss ?? Number.NaN),
      baseline: fmt.mb(sinkMemory?.peakRss ?? Number.NaN),
    });
    report.figures.ingest = {
      options,
      warmup,
      results,
      medianPerSecond: { product: product50, baseline: baseline50 },
      ratio,
      lost,
      memory: { product: memory, productBreakdown: breakdown, baseline: sinkMemory },
    };
  } finally {
    db.close();
    await Promise.all(publishers.map((client) => client.endAsync()));
    await Promise.all([product.child.stop(), sink.stop()]);
  }
}

/**
 * `perPanel` one-minute readings for each panel, ending a minute ago, in time order across panels
 * (how meters report), each panel always on the same publisher connection. Payloads are the
 * gateway's wire format and are built before the clock starts.
 */
function buildMessages(root: string, prefix: string, panels: number, perPanel: number, publishers: number): Message[] {
  const end = Math.floor(Date.now() / 60_000) * 60_000 - 60_000;
  const messages: Message[] = [];
  const clock = new LocalTime('Asia/Jakarta');
  for (let k = 0; k < perPanel; k++) {
    const time = clock.formatWallClock(end - (perPanel - 1 - k) * 60_000);
    for (let p = 0; p < panels; p++) {
      const kwh = 5000 + p * 10 + k * 0.1;
      const payload = {
        status: 'OK',
        data: {
          v: [229.5, 230.1, 231.2, 230.3],
          i: [8.51, 9.02, 9.23, 8.92],
          kw: '6.00',
          kVA: '6.50',
          kWh: kwh.toFixed(2),
          pf: 0.92,
          vunbal: 0.4,
          iunbal: 1.2,
          time,
        },
      };
      messages.push({
        topic: `${root}/PM/${prefix}P${String(p).padStart(3, '0')}`,
        payload: Buffer.from(JSON.stringify(payload)),
        publisher: p % publishers,
      });
    }
  }
  return messages;
}

/** Publishes every message with QoS 1 on its connection; resolves when the broker acked them all. */
async function publishAll(clients: MqttClient[], messages: readonly Message[]): Promise<{ firstAt: number; lastAckAt: number }> {
  const perClient = clients.map(() => [] as Message[]);
  for (const message of messages) perClient[message.publisher]!.push(message);
  const firstAt = sharedNow();
  await Promise.all(
    clients.map(
      (client, i) =>
        new Promise<void>((resolve, reject) => {
          const own = perClient[i]!;
          let acked = 0;
          let next = 0;
          if (own.length === 0) return resolve();
          const onAck = (error?: Error) => {
            if (error) return reject(error);
            if (++acked === own.length) resolve();
          };
          // Chunks, so acks are read while publishing; each connection keeps the broker busy.
          const pump = () => {
            const stop = Math.min(own.length, next + 500);
            for (; next < stop; next++) client.publish(own[next]!.topic, own[next]!.payload, { qos: 1 }, onAck);
            if (next < own.length) setImmediate(pump);
          };
          pump();
        }),
    ),
  );
  return { firstAt, lastAckAt: sharedNow() };
}

/** Polls the child until it counted `expected` messages, or nothing moved for STALL_MS. */
async function waitForCount(child: BenchChild, expected: number): Promise<Status> {
  let last = -1;
  let lastChange = Date.now();
  for (;;) {
    const status = await child.request<Status>({ type: 'status' }, 'status');
    if (status.count >= expected) return status;
    if (status.count !== last) {
      last = status.count;
      lastChange = Date.now();
    } else if (Date.now() - lastChange > STALL_MS) {
      return status;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
