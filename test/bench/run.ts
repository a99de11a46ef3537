/**
 * `npm run bench`: every benchmark of issue 5 in one command, against baselines measured in the
 * same run. Prints a table, writes bench-results.json (git-ignored) and exits non-zero only when a
 * work check fails (work not done, readings lost); missed targets are reported, not failed.
 *
 *   npm run bench                       all benchmarks (about 4 minutes on 2 cores)
 *   npm run bench -- --only ingest,fanout
 *   BENCH_CPU_PROF=1 npm run bench -- --only fanout   also write .cpuprofile files of the
 *                                                      product (test/bench/results/profiles/)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchDashboard, SITE_TIMEZONE } from './dashboard.bench.js';
import { benchFanout } from './fanout.bench.js';
import { benchIngest } from './ingest.bench.js';
import { benchScaling, seedScaling, type ScalingOptions } from './scaling.bench.js';
import { startBroker } from './mosquitto.js';
import { fmt, Report } from './report.js';
import { minuteFloor, panelIds, seedHistory, type SeededHistory } from './seed.js';

const BENCHMARKS = ['ingest', 'dashboard', 'scaling', 'fanout'] as const;
type BenchName = (typeof BENCHMARKS)[number];

function selected(): Set<BenchName> {
  const index = process.argv.indexOf('--only');
  if (index < 0) return new Set(BENCHMARKS);
  const names = (process.argv[index + 1] ?? '').split(',').filter(Boolean);
  for (const name of names) {
    if (!(BENCHMARKS as readonly string[]).includes(name)) throw new Error(`unknown benchmark "${name}" (${BENCHMARKS.join(', ')})`);
  }
  return new Set(names as BenchName[]);
}

async function main(): Promise<number> {
  const only = selected();
  const startedAt = new Date();
  const t0 = performance.now();
  const workDir = mkdtempSync(join(process.env.BENCH_TMPDIR ?? tmpdir(), 'energy-bench-'));
  const report = new Report();
  const broker = await startBroker(workDir);
  console.log(`energy-monitoring benchmarks, ${startedAt.toISOString()}, node ${process.version}, ${cpus().length} cores, broker: ${broker.description}`);
  try {
    if (only.has('ingest')) {
      console.log('\n[1] ingest');
      await benchIngest(report, {
        brokerUrl: broker.url,
        workDir,
        panels: 100,
        readingsPerPanel: 1000,
        warmupReadingsPerPanel: 100,
        runs: 2,
        publishers: 4,
      });
    }
    let seeded: { dataDir: string; history: SeededHistory } | null = null;
    const peaks: Array<[string, number]> = [];
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
      const { peakRss } = await benchDashboard(report, {
        brokerUrl: broker.url,
        dataDir,
        history,
        concurrency: 10,
        warmup: 100,
        requests: 600,
        summaryRequests: 300,
        rounds: 3,
        meterIntervalMs: 60_000,
      });
      peaks.push(['2 dashboard', peakRss]);
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
    if (only.has('fanout') && seeded) {
      console.log('\n[4] live fan-out');
      const { peakRss } = await benchFanout(report, {
        brokerUrl: broker.url,
        dataDir: seeded.dataDir,
        history: seeded.history,
        subscribers: 1000,
        rate: 10,
        durationSeconds: 20,
        warmupMaxSeconds: 20,
      });
      peaks.push(['4 fan-out', peakRss]);
    }
    if (peaks.length > 0) {
      const peak = Math.max(...peaks.map(([, bytes]) => bytes));
      report.line({
        benchmark: '5 memory (product process, peak RSS)',
        measure: peaks.map(([name]) => name).join(' | '),
        product: peaks.map(([, bytes]) => fmt.mb(bytes)).join(' | '),
        target: '< 300 MB',
        result: report.target('product peak RSS < 300 MB', peak < 300 * 1_048_576, peaks.map(([n, b]) => `${n} ${fmt.mb(b)}`).join(', ')),
      });
      report.figures.memory = Object.fromEntries(peaks);
    }
  } finally {
    await broker.stop();
    rmSync(workDir, { recursive: true, force: true });
  }
  const totalSeconds = (performance.now() - t0) / 1000;
  report.print();
  console.log(`total ${totalSeconds.toFixed(0)} s`);
  const out = fileURLToPath(new URL('../../bench-results.json', import.meta.url));
  report.writeJson(out, {
    date: startedAt.toISOString(),
    node: process.version,
    cores: cpus().length,
    cpu: cpus()[0]?.model,
    memoryGb: Math.round(totalmem() / 2 ** 30),
    broker: broker.description,
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
