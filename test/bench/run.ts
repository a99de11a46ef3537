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
import { benchIngest } from './ingest.bench.js';
import { startBroker } from './mosquitto.js';
import { fmt, Report } from './report.js';
import { minuteFloor, panelIds, seedHistory } from './seed.js';

const BENCHMARKS = ['ingest', 'dashboard'] as const;
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
    if (only.has('dashboard')) {
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
      await benchDashboard(report, {
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
