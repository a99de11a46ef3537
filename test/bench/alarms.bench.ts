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
  /** Alternating runs with alarms off and on. */
  readonly runs: number;
  readonly storedAlarms: number;
  readonly queries: number;
}

const ADMIN: Viewer = { name: 'bench', role: 'admin', panels: null, expiresAt: null };
const MINUTE = 60_000;

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

/**
 * Benchmark 8 (alarms): the ingest path (parse, validate, durable write, after-write pipeline) with
 * every default alarm rule on for `panels` panels against the same with ALARMS=false, in this
 * process, alternating runs; and the `alarms` query over `storedAlarms` stored alarms.
 */
export async function benchAlarms(report: Report, options: AlarmBenchOptions): Promise<void> {
  const elapsed: Record<'on' | 'off', number[]> = { on: [], off: [] };
  // Run 0 warms the JIT up and is not counted; then pairs in alternating order (the machine's
  // load drifts), compared pair by pair.
  for (let run = 0; run <= options.runs; run++) {
    for (const mode of run % 2 === 0 ? (['off', 'on'] as const) : (['on', 'off'] as const)) {
      const app = await core(join(options.workDir, `alarms-ingest-${mode}-${run}`), { ALARMS: mode === 'on' ? 'true' : 'false' });
      try {
        // Minute readings an hour ago onwards, voltage swinging out of band now and then so rules work.
        const start = Math.floor(Date.now() / MINUTE) * MINUTE - (options.readingsPerPanel + 5) * MINUTE;
        const messages: Array<[string, Buffer]> = [];
        for (let i = 0; i < options.readingsPerPanel; i++) {
          for (let p = 0; p < options.panels; p++) {
            const id = `BENCH_${String(p).padStart(3, '0')}`;
            const payload = JSON.parse(meterPayload(id, start + i * MINUTE, 100 + i * 0.1, 6)) as { data: { v: number[] } };
            if (i % 40 > 30) payload.data.v = [236, 236, 236, 236];
            messages.push([`DATA/PM/${id}`, Buffer.from(JSON.stringify(payload))]);
          }
        }
        const began = performance.now();
        for (const [topic, payload] of messages) {
          const outcome = app.built.ingest.ingest(topic, payload);
          if (outcome.status !== 'stored') throw new Error(`bench reading refused: ${outcome.status}`);
        }
        if (run > 0) elapsed[mode].push(performance.now() - began);
        if (mode === 'on') {
          const raised = app.built.services.alarms!.service.list(null).length;
          report.check('alarms: the rules raised alarms while ingesting', raised > 0, `${raised} alarms`);
        }
      } finally {
        await app.close();
      }
    }
  }
  const total = options.panels * options.readingsPerPanel;
  const on = median(elapsed.on);
  const off = median(elapsed.off);
  const cost = median(elapsed.on.map((ms, i) => ms / elapsed.off[i]! - 1));
  report.line({
    benchmark: '8 alarms',
    measure: `ingest ${fmt.int(total)} readings of ${options.panels} panels, every default rule on (baseline: ALARMS=false)`,
    product: fmt.rate((total / on) * 1000, 'readings/s'),
    baseline: fmt.rate((total / off) * 1000, 'readings/s'),
    ratio: fmt.pct(cost),
    target: '≤ 10 % cost',
    result: report.target('alarms: ingest cost of the rules', cost <= 0.1, `${fmt.pct(cost)} slower (median of ${options.runs} pairs)`),
  });

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
