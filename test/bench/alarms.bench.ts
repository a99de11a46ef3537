import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/config.js';
import { silentLogger } from '../../src/config/logger.js';
import { buildCore } from '../../src/core.js';
import type { Viewer } from '../../src/graphql/context.js';
import { httpLimits } from '../../src/http/limits.js';
import { createYogaApp } from '../../src/http/yoga-app.js';
import { alarmId, transitionId, type AlarmType } from '../../src/models/alarm.js';
import { SqliteAlarmStore } from '../../src/store/alarms/sqlite-alarm-store.js';
import type { AlarmLogEntry } from '../../src/store/alarms/alarm-log.js';
import { openStores } from '../../src/store/open-stores.js';
import { meterPayload } from './meters.js';
import { fmt, type Report } from './report.js';
import { median, summarize } from './stats.js';

export interface AlarmBenchOptions {
  readonly workDir: string;
  readonly panels: number;
  readonly readingsPerPanel: number;
  /** Rounds, each with fresh cores (alarms off, on, and off as the control) fed the same readings; one more warms up. */
  readonly rounds: number;
  /** Readings fed to one core before the next takes its turn. */
  readonly chunk: number;
  readonly storedAlarms: number;
  readonly queries: number;
}

const ADMIN: Viewer = { name: 'bench', role: 'admin', panels: null, expiresAt: null };
const MINUTE = 60_000;
/** `control` is a second core with alarms off: how far two identical cores differ is the noise floor. */
const MODES = ['off', 'on', 'control'] as const;
type Mode = (typeof MODES)[number];

/** The product's core (the same buildCore as src/app.ts) over a fresh SQLite store, loaded. */
async function core(dataDir: string, env: Record<string, string>) {
  mkdirSync(dataDir, { recursive: true });
  const config = loadConfig({ SIMULATE: 'false', DATA_DIR: dataDir, OFFLINE_AFTER: '1h', ...env });
  const stores = await openStores(config, silentLogger);
  const built = buildCore(config, stores, silentLogger, { brokerConnected: () => true });
  await built.load();
  return {
    built,
    config,
    async close() {
      await built.stop();
      await stores.close();
    },
  };
}

/** Minute readings of every panel ending a few minutes ago, voltage out of band now and then so the rules raise and clear. */
function readings(panels: number, perPanel: number): Array<[string, Buffer]> {
  const start = Math.floor(Date.now() / MINUTE) * MINUTE - (perPanel + 5) * MINUTE;
  const messages: Array<[string, Buffer]> = [];
  for (let i = 0; i < perPanel; i++) {
    for (let p = 0; p < panels; p++) {
      const id = `BENCH_${String(p).padStart(3, '0')}`;
      const payload = JSON.parse(meterPayload(id, start + i * MINUTE, 100 + i * 0.1, 6)) as { data: { v: number[] } };
      // Nine minutes of every 40 over the band (raises after 5), the rest well inside it (clears
      // after 5): each panel's alarm is raised and cleared 15 times in 600 readings.
      payload.data.v = i % 40 > 30 ? [236, 236, 236, 236] : [221.4, 222.0, 220.6, 221.8];
      messages.push([`DATA/PM/${id}`, Buffer.from(JSON.stringify(payload))]);
    }
  }
  return messages;
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 1_000));
const aLoopTurn = () => new Promise((resolve) => setImmediate(resolve));

/**
 * Benchmark 8 (alarms): the ingest path (parse, validate, durable write, after-write pipeline) with
 * every default alarm rule on for `panels` panels against the same with ALARMS=false, in this
 * process; and the `alarms` query over `storedAlarms` stored alarms.
 *
 * Why interleaved: separate short runs of each mode measured the machine's drift more than the
 * rules (off against off differed by up to 6 %). Here the cores are alive at once and are fed the
 * same readings in chunks, taking turns in rotating order, so a slow second of the machine falls
 * on all of them; each round's time per mode is the sum of its chunks. The cores settle a second after
 * their start before anything is timed (a start's deferred work otherwise lands in the first chunks).
 * A third core, alarms off too, is the control: its difference from the first is the noise floor.
 */
export async function benchAlarms(report: Report, options: AlarmBenchOptions): Promise<void> {
  const costs: number[] = [];
  const controls: number[] = [];
  const totals: Record<Mode, number> = { off: 0, on: 0, control: 0 };
  const messages = readings(options.panels, options.readingsPerPanel);
  // Round 0 warms the JIT up and is not counted.
  for (let round = 0; round <= options.rounds; round++) {
    const apps = {
      off: await core(join(options.workDir, `alarms-ingest-off-${round}`), { ALARMS: 'false' }),
      on: await core(join(options.workDir, `alarms-ingest-on-${round}`), { ALARMS: 'true' }),
      control: await core(join(options.workDir, `alarms-ingest-control-${round}`), { ALARMS: 'false' }),
    };
    try {
      await settle();
      const elapsed: Record<Mode, number> = { off: 0, on: 0, control: 0 };
      for (let from = 0, turn = 0; from < messages.length; from += options.chunk, turn++) {
        const to = Math.min(messages.length, from + options.chunk);
        // Each mode goes first, second and last in turn.
        for (let k = 0; k < MODES.length; k++) {
          const mode = MODES[(turn + k) % MODES.length]!;
          const { ingest, services } = apps[mode].built;
          const began = performance.now();
          for (let n = from; n < to; n++) {
            const [topic, payload] = messages[n]!;
            const outcome = ingest.ingest(topic, payload);
            if (outcome.status !== 'stored') throw new Error(`bench reading refused: ${outcome.status}`);
          }
          // The work a chunk leaves for later is its own: the alarm log's writes of what the rules
          // decided (awaited), and a turn of the loop for the rest, for every mode alike.
          await services.alarms?.service.written();
          await aLoopTurn();
          elapsed[mode] += performance.now() - began;
        }
      }
      if (round > 0) {
        costs.push(elapsed.on / elapsed.off - 1);
        controls.push(elapsed.control / elapsed.off - 1);
        for (const mode of MODES) totals[mode] += elapsed[mode];
      }
      const raised = apps.on.built.services.alarms!.service.list(null).length;
      report.check('alarms: the rules raised alarms while ingesting', raised > 0, `${raised} alarms`);
    } finally {
      for (const mode of MODES) await apps[mode].close();
    }
  }
  const total = messages.length * options.rounds;
  const cost = median(costs);
  const spread = `${fmt.pct(Math.min(...costs))} to ${fmt.pct(Math.max(...costs))}`;
  report.line({
    benchmark: '8 alarms',
    measure: `ingest ${fmt.int(messages.length)} readings of ${options.panels} panels × ${options.rounds} rounds, every default rule on (baseline: ALARMS=false, interleaved in chunks of ${options.chunk})`,
    product: fmt.rate((total / totals.on) * 1000, 'readings/s'),
    baseline: fmt.rate((total / totals.off) * 1000, 'readings/s'),
    ratio: fmt.pct(cost),
    target: '≤ 10 % cost',
    result: report.target('alarms: ingest cost of the rules', cost <= 0.1, `${fmt.pct(cost)} slower (median of ${options.rounds} rounds, ${spread})`),
  });
  const control = median(controls);
  report.line({
    benchmark: '8 alarms',
    measure: 'noise floor: a second core with alarms off, fed the same readings in the same turns',
    product: fmt.rate((total / totals.control) * 1000, 'readings/s'),
    baseline: fmt.rate((total / totals.off) * 1000, 'readings/s'),
    ratio: fmt.pct(control),
    target: '',
  });
  report.figures.alarmsIngest = { costs, controls };

  // The query over stored alarms: written to the alarm log before the start, read back by load().
  const dataDir = join(options.workDir, 'alarms-query');
  mkdirSync(dataDir, { recursive: true });
  const seedStore = new SqliteAlarmStore(join(dataDir, 'alarms.sqlite'));
  const types: AlarmType[] = ['VOLTAGE_OUT_OF_RANGE', 'VOLTAGE_UNBALANCE', 'LOW_POWER_FACTOR', 'METER_DATA'];
  const entries: AlarmLogEntry[] = [];
  const t0 = Date.now() - options.storedAlarms * MINUTE;
  for (let n = 0; n < options.storedAlarms; n++) {
    const subject = `BENCH_${String(n % options.panels).padStart(3, '0')}`;
    const type = types[Math.floor(n / options.panels) % types.length]!;
    const startedAt = new Date(t0 + n * MINUTE);
    const id = alarmId(subject, type, startedAt);
    const base = { alarmId: id, subject, type, severity: 'MINOR' as const, startedAt, value: 1, threshold: 0, message: 'bench', ruleVersion: 0 };
    entries.push({ ...base, id: transitionId(id, 'RAISED', startedAt), kind: 'RAISED', at: startedAt });
    // All but the newest per panel and type are cleared (one open alarm per panel and type).
    if (n < options.storedAlarms - options.panels * types.length) {
      const at = new Date(startedAt.getTime() + 30_000);
      entries.push({ ...base, id: transitionId(id, 'CLEARED', at), kind: 'CLEARED', at });
    }
  }
  await seedStore.append(entries);
  seedStore.close();
  const app = await core(dataDir, {});
  try {
    const stored = app.built.services.alarms!.service.list(null).length;
    report.check('alarms: the stored alarms were loaded', stored === options.storedAlarms, `${stored} of ${options.storedAlarms}`);
    const yoga = createYogaApp({
      services: app.built.services,
      logger: silentLogger,
      metrics: app.built.metrics,
      limits: httpLimits(app.config.limits),
      panelCount: () => app.built.live.size,
      viewerOf: () => ADMIN,
      callerOf: () => null,
    });
    const ask = async (query: string, variables: Record<string, unknown>) => {
      const response = await yoga.fetch('http://bench/graphql', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) });
      const body = (await response.json()) as { data?: { alarms?: { pageInfo: { endCursor: string | null } } }; errors?: unknown[] };
      if (body.errors) throw new Error(`alarms query failed: ${JSON.stringify(body.errors).slice(0, 300)}`);
      return body.data!.alarms!;
    };
    const QUERY = `query($filter: AlarmFilter, $after: String) { alarms(filter: $filter, first: 50, after: $after) {
      edges { cursor node { id type severity state panelId startedAt clearedAt value worstValue threshold message } } pageInfo { hasNextPage endCursor } totalCount } }`;
    const samples: number[] = [];
    let after: string | null = null;
    for (let q = 0; q < options.queries; q++) {
      // Newest first, one panel's, the open ones, and a page deep in the list, in turn.
      const variables = [
        {},
        { filter: { panelId: `BENCH_${String(q % options.panels).padStart(3, '0')}` } },
        { filter: { open: true, severity: ['MINOR'] } },
        { after },
      ][q % 4]!;
      const began = performance.now();
      const page = await ask(QUERY, variables);
      samples.push(performance.now() - began);
      if (q % 4 === 3 || after === null) after = page.pageInfo.endCursor;
    }
    const summary = summarize(samples);
    report.line({
      benchmark: '8 alarms',
      measure: `alarms(first: 50) over ${fmt.int(options.storedAlarms)} stored alarms, p50 / p99 (filters and cursors in turn)`,
      product: `${fmt.ms(summary.p50)} / ${fmt.ms(summary.p99)}`,
      target: 'p99 < 50 ms',
      result: report.target('alarms: query p99', summary.p99 < 50, `p99 ${fmt.ms(summary.p99)} over ${summary.n} queries`),
    });
  } finally {
    await app.close();
  }
}
