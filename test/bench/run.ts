/**
 * `npm run bench`: every benchmark in one command, against baselines measured in the same run.
 * Prints a table, writes bench-results.json (git-ignored) and exits non-zero only when a work check
 * fails (work not done, readings lost, a wrong total); missed targets are reported, not failed.
 *
 *   npm run bench                       all benchmarks; the InfluxDB lines (6) only when
 *                                       scripts/local-influxdb.sh has a cached binary (or BENCH_INFLUX=1)
 *   npm run bench -- --only ingest,fanout
 *   npm run bench -- --only influx      the InfluxDB lines (with line 2, their comparison); builds
 *                                       InfluxDB first when no binary is cached
 *   BENCH_INFLUX=0 npm run bench        everything but the InfluxDB lines
 *   BENCH_CPU_PROF=1 npm run bench -- --only fanout   also write .cpuprofile files of every
 *                                                      child process (test/bench/results/profiles/)
 *   BENCH_SRC=.tmp/copy/src npm run bench              benchmark a prototype copy of src/
 *   BENCH_PRODUCT_NODE_OPTIONS=--max-old-space-size=128 npm run bench   runtime flags, product only
 *   BENCH_TSX=1 npm run bench                          run the product through tsx, not compiled
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchBoundedWork } from './bounded-work.bench.js';
import { benchDashboard, SITE_TIMEZONE, type ProductMemory, type SuiteResult } from './dashboard.bench.js';
import { benchAckPath } from './ack-path.bench.js';
import { benchAlarms } from './alarms.bench.js';
import { benchExport } from './export.bench.js';
import { benchFanout } from './fanout.bench.js';
import { benchInflux } from './influx.bench.js';
import { buildInflux, influxBinaryCached, influxBinaryPath, startInflux, type InfluxServer } from './influx-server.js';
import { benchIngest } from './ingest.bench.js';
import { benchProcesses, benchScaling, seedScaling, type ScalingOptions } from './scaling.bench.js';
import { buildProduct } from './build.js';
import { startBroker } from './mosquitto.js';
import { setProductRuntime } from './product.js';
import { startScript } from '../support/product-process.js';
import { fmt, Report } from './report.js';
import { minuteFloor, panelIds, seedHistory, type SeededHistory } from './seed.js';

const BENCHMARKS = ['ingest', 'dashboard', 'scaling', 'processes', 'ackpath', 'fanout', 'bounded', 'alarms', 'export', 'influx'] as const;
type BenchName = (typeof BENCHMARKS)[number];

const INFLUX_COMMAND = 'npm run bench -- --only influx   (or BENCH_INFLUX=1 npm run bench for everything)';

/**
 * The benchmarks to run, and why the InfluxDB lines are left out when they are. Without --only,
 * influx runs when the script's binary is cached (building it takes tens of minutes) or
 * BENCH_INFLUX=1; BENCH_INFLUX=0 leaves it out. `influx` compares with line 2, so it brings it along.
 */
function selected(): { only: Set<BenchName>; influxSkipped: string | null; influxRequested: boolean } {
  const index = process.argv.indexOf('--only');
  if (index < 0) {
    const wanted = process.env.BENCH_INFLUX;
    const cached = influxBinaryCached();
    const run = wanted === '1' || (wanted !== '0' && cached);
    const reason =
      wanted === '0' ? 'BENCH_INFLUX=0' : `no InfluxDB binary cached at ${influxBinaryPath()} (scripts/local-influxdb.sh build makes one, tens of minutes)`;
    return {
      // `processes` (several products on one InfluxDB) needs the InfluxDB binary too.
      only: new Set(BENCHMARKS.filter((name) => (name !== 'influx' && name !== 'processes' && name !== 'ackpath') || run)),
      influxSkipped: run ? null : reason,
      influxRequested: wanted === '1',
    };
  }
  const names = (process.argv[index + 1] ?? '').split(',').filter(Boolean);
  for (const name of names) {
    if (!(BENCHMARKS as readonly string[]).includes(name)) throw new Error(`unknown benchmark "${name}" (${BENCHMARKS.join(', ')})`);
  }
  const only = new Set(names as BenchName[]);
  if (only.has('influx')) only.add('dashboard');
  return { only, influxSkipped: only.has('influx') ? null : 'not selected', influxRequested: only.has('influx') };
}

/** The dashboard load of line 2, also applied to the product on InfluxDB (line 6). */
const DASHBOARD_LOAD = {
  concurrency: 10,
  warmup: 100,
  warmupMs: 15_000,
  requests: 3_000,
  summaryRequests: 1_500,
  rounds: 3,
  meterIntervalMs: 60_000,
  // Spawn → correct summaries: the target is 10 s; give up (a work check) only far beyond it.
  startTimeoutMs: 900_000,
} as const;

async function main(): Promise<number> {
  const { only, influxSkipped, influxRequested } = selected();
  const startedAt = new Date();
  const t0 = performance.now();
  const workDir = mkdtempSync(join(process.env.BENCH_TMPDIR ?? tmpdir(), 'energy-bench-'));
  const report = new Report();
  const broker = await startBroker(workDir);
  const loadBefore = loadavg();
  const srcDir = process.env.BENCH_SRC ?? 'src';
  let product = `${srcDir === 'src' ? 'src/' : `PROTOTYPE ${srcDir}`} through tsx`;
  const flags = process.env.BENCH_PRODUCT_NODE_OPTIONS ? ` with ${process.env.BENCH_PRODUCT_NODE_OPTIONS}` : '';
  try {
    if (process.env.BENCH_TSX !== '1') {
      // Compiled like `npm run build`, run with plain node like `npm start`.
      const build = await buildProduct(srcDir, workDir);
      product = `${srcDir === 'src' ? 'src/' : `PROTOTYPE ${srcDir}`} compiled (tsc, ${fmt.ms(build.buildMs)})`;
      setProductRuntime({ hostScript: build.hostScript, scriptDir: build.scriptDir, srcRoot: build.srcRoot, description: product });
      if (build.typeErrors) {
        console.warn(`warning: tsc reported type errors in the product (benchmarking the emitted JavaScript anyway):\n${build.typeErrors}`);
        report.note(`tsc reported type errors while building the product: ${build.typeErrors.split('\n')[0]}`);
      }
    }
    console.log(
      `energy-monitoring benchmarks ${startedAt.toISOString()}: product ${product}${flags}; node ${process.version}, ` +
        `${cpus().length} cores, load average ${loadBefore[0]!.toFixed(2)}; broker: ${broker.description}`,
    );
    if (only.has('ingest')) {
      console.log('\n[1] ingest');
      await benchIngest(report, {
        brokerUrl: broker.url,
        workDir,
        panels: 100,
        readingsPerPanel: 1000,
        warmupReadingsPerPanel: 100,
        runs: 3,
        publishers: 4,
      });
    }
    let seeded: { dataDir: string; history: SeededHistory } | null = null;
    let dashboard: SuiteResult | null = null;
    const peaks: Array<[string, ProductMemory]> = [];
    if (only.has('dashboard') || only.has('fanout')) {
      console.log('\n[2] dashboard: seeding 100 panels × 30 days of one-minute readings');
      const seedStarted = performance.now();
      const dataDir = join(workDir, 'dashboard');
      const history = await seedHistory({
        file: join(dataDir, 'readings.sqlite'),
        panelIds: panelIds(100),
        perPanel: 30 * 1440,
        end: minuteFloor(Date.now()),
        timezone: SITE_TIMEZONE,
      });
      console.log(`  seeded ${fmt.int(history.rows)} readings in ${fmt.ms(performance.now() - seedStarted)} (not timed)`);
      seeded = { dataDir, history };
    }
    if (only.has('dashboard') && seeded) {
      const { dataDir, history } = seeded;
      // Line 2b (issue 27): the product's event-loop delay, 10 s idle then 10 s under the dashboard load.
      dashboard = await benchDashboard(report, { brokerUrl: broker.url, dataDir, history, ...DASHBOARD_LOAD, loopDelayPhaseMs: 10_000 });
      peaks.push(['2 dashboard', dashboard.memory]);
    }
    if (only.has('scaling')) {
      const options: ScalingOptions = {
        brokerUrl: broker.url,
        workDir,
        panelCounts: [10, 100, 1000],
        perPanel: 1440,
        concurrency: 10,
        warmup: 30,
        requests: (panels) => (panels >= 1000 ? 100 : 300),
        meterIntervalMs: 60_000,
      };
      console.log(`\n[3] scaling: seeding ${options.panelCounts.join(', ')} panels × 1 day of one-minute readings (shorter history than [2] to keep seeding within budget)`);
      const seedStarted = performance.now();
      const stores = await seedScaling(options);
      console.log(`  seeded in ${fmt.ms(performance.now() - seedStarted)} (not timed)`);
      await benchScaling(report, options, stores);
    }
    if (only.has('processes')) {
      console.log('\n[3b] processes: 1, 2 and 3 products with MQTT_SHARED_GROUP on one broker and one InfluxDB');
      if (!influxBinaryCached()) await buildInflux();
      const server = await startInflux(join(workDir, 'influxdb-processes'));
      try {
        await benchProcesses(report, {
          brokerUrl: broker.url,
          workDir,
          influx: server,
          processes: [1, 2, 3],
          panels: 50,
          readingsPerPanel: 100,
          subscribersPerProcess: 20,
          publishers: 4,
          queryConcurrency: 6,
          queryRequests: 150,
        });
      } finally {
        await server.stop();
      }
    }
    if (only.has('ackpath')) {
      console.log('\n[3c] acknowledgement paths: journal (one process) and InfluxDB (1, 2, 3 members with MQTT_SHARED_GROUP)');
      if (!influxBinaryCached()) await buildInflux();
      const server = await startInflux(join(workDir, 'influxdb-ackpath'));
      try {
        await benchAckPath(report, { brokerUrl: broker.url, workDir, influx: server, members: [1, 2, 3], panels: 100, readingsPerPanel: 200, publishers: 4 });
      } finally {
        await server.stop();
      }
    }
    if (only.has('fanout') && seeded) {
      console.log('\n[4] live fan-out');
      const memory = await benchFanout(report, {
        brokerUrl: broker.url,
        dataDir: seeded.dataDir,
        history: seeded.history,
        subscribers: 1000,
        rate: 10,
        durationSeconds: 20,
        warmupMaxSeconds: 20,
      });
      peaks.push(['4 fan-out', memory]);
    }
    if (only.has('bounded')) {
      console.log('\n[7] bounded work: event-loop delay while 10 viewers send the costliest accepted operations');
      await benchBoundedWork(report, { workDir, panels: 20, viewers: 10, phaseMs: 20_000, publishEveryMs: 200 });
    }
    if (only.has('alarms')) {
      console.log('\n[8] alarms: ingest with every default rule on vs ALARMS=false; the alarms query over 10,000 stored alarms');
      await benchAlarms(report, { workDir, panels: 100, readingsPerPanel: 600, rounds: 5, chunk: 500, storedAlarms: 10_000, queries: 400 });
    }
    if (only.has('export')) {
      console.log('\n[9] export: a year of one panel\'s one-minute readings as CSV, SQLite and InfluxDB');
      // The InfluxDB half needs the binary; without one it is skipped with a note.
      const exportInflux = influxBinaryCached() ? await startInflux(join(workDir, 'export-influxdb')) : null;
      try {
        await benchExport(report, { workDir, rows: 525_600, influx: exportInflux });
      } finally {
        await exportInflux?.stop();
      }
    }
    if (only.has('influx')) {
      console.log('\n[6] InfluxDB');
      let server: InfluxServer | null = null;
      try {
        if (!influxBinaryCached()) {
          console.log(`  no InfluxDB binary at ${influxBinaryPath()}: building it with scripts/local-influxdb.sh build (tens of minutes on 2 cores)`);
          await buildInflux();
        }
        server = await startInflux(join(workDir, 'influxdb'));
      } catch (error) {
        if (influxRequested) throw error;
        const reason = `InfluxDB could not be started: ${(error as Error).message.split('\n')[0]}`;
        console.log(`  skipped: ${reason}`);
        report.note(`6 influx: SKIPPED (${reason}); run them with: ${INFLUX_COMMAND}`);
      }
      if (server) {
        console.log(`  ${server.description}`);
        try {
          await benchInflux(report, {
            brokerUrl: broker.url,
            workDir,
            server,
            panels: 100,
            perPanel: 30 * 1440,
            end: minuteFloor(Date.now()),
            seedParallel: 4,
            dashboard: DASHBOARD_LOAD,
            sqlite: dashboard,
            forward: { panels: 100, perPanel: 2000, rounds: 3 },
          });
        } finally {
          await server.stop();
        }
      }
    } else {
      console.log(`\n[6] InfluxDB lines skipped (${influxSkipped}); run them with: ${INFLUX_COMMAND}`);
      report.note(`6 influx: SKIPPED (${influxSkipped}); run them with: ${INFLUX_COMMAND}`);
    }
    if (peaks.length > 0) {
      const peak = Math.max(...peaks.map(([, memory]) => memory.peakRss));
      const heap = (memory: ProductMemory, key: 'peak' | 'afterGc') =>
        ((memory.breakdown as { [k: string]: { heapUsed?: number } | undefined })[key]?.heapUsed ?? Number.NaN);
      report.note(
        '5 memory: peak RSS (VmHWM) of the product process over its whole life in 2 and in 4. The product runs alone in its ' +
          `process (test/bench/app-host.ts → startApp; ${product}); "before startApp" is that process right after loading the modules; ` +
          '"live heap" is what a full garbage collection leaves at the end.',
      );
      report.line({
        benchmark: '5 memory',
        measure: `peak RSS in ${peaks.map(([name]) => name).join(' | ')}`,
        product: peaks.map(([, memory]) => fmt.mb(memory.peakRss)).join(' | '),
        target: '≤ 256 MB',
        result: report.target('product peak RSS ≤ 256 MB (issue 27)', peak <= 256 * 1_048_576, peaks.map(([n, m]) => `${n} ${fmt.mb(m.peakRss)}`).join(', ')),
      });
      report.line({
        benchmark: '5 memory',
        measure: 'peak JS heap | live heap after full GC | RSS before startApp (info)',
        product: peaks
          .map(([, memory]) => `${fmt.mb(heap(memory, 'peak'))} | ${fmt.mb(heap(memory, 'afterGc'))} | ${fmt.mb(memory.rssAfterImport)}`)
          .join(' ; '),
      });
      report.figures.memory = Object.fromEntries(peaks);
    }
  } finally {
    await broker.stop();
    rmSync(workDir, { recursive: true, force: true });
  }
  const totalSeconds = (performance.now() - t0) / 1000;
  const loadAfter = loadavg();
  report.note(
    `Run ${startedAt.toISOString()}, ${totalSeconds.toFixed(0)} s, product ${product}${flags}; load average ${loadBefore[0]!.toFixed(2)} before, ` +
      `${loadAfter[0]!.toFixed(2)} after (2 cores; other work on the machine adds noise, hence the same-run baselines).`,
  );
  report.print();
  const out = fileURLToPath(new URL('../../bench-results.json', import.meta.url));
  report.writeJson(out, {
    date: startedAt.toISOString(),
    node: process.version,
    cores: cpus().length,
    cpu: cpus()[0]?.model,
    memoryGb: Math.round(totalmem() / 2 ** 30),
    broker: broker.description,
    product,
    productNodeOptions: process.env.BENCH_PRODUCT_NODE_OPTIONS ?? startScript().nodeFlags.join(' '),
    // The environment package.json's start script sets (MALLOC_ARENA_MAX), which the product runs with too.
    productEnv: startScript().env,
    loadAverage: { before: loadBefore, after: loadAfter },
    totalSeconds,
  });
  console.log(`figures written to ${out}`);
  return report.checks.every((check) => check.ok) ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(2);
  },
);
