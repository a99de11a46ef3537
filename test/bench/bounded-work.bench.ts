import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { makeKey } from '../access/support.js';
import { aliasAttack, costliestOperations, seedHourlyYear, type CostlyOperations } from '../security/costly-work.js';
import { freePort } from '../support/net.js';
import { meterPayload } from './meters.js';
import { startProduct, uniqueName } from './product.js';
import { fmt, type Report } from './report.js';
import { summarize } from './stats.js';

export interface BoundedWorkOptions {
  readonly workDir: string;
  /** Panels with a year of hourly readings each. */
  readonly panels: number;
  readonly viewers: number;
  /** How long the idle phase and the loaded phase each last. */
  readonly phaseMs: number;
  /** One QoS 1 reading every this many ms during both phases. */
  readonly publishEveryMs: number;
}

/** What /metrics reports of the event-loop delay since the previous scrape (prom-client's histogram, reset at each scrape). */
interface LoopDelay {
  readonly p99Ms: number;
  readonly maxMs: number;
}

/**
 * Benchmark 7 (issue 20, point 1): the event-loop delay of the product while ten viewers send the
 * costliest operations GRAPHQL_MAX_COST accepts (test/security/costly-work.ts), next to the idle
 * delay measured in the same run, with a meter publishing at QoS 1 to the product's embedded broker
 * meanwhile: its PUBACKs come from the product's event loop, so their latency is what a stalled
 * loop would hold back. The delay is the product's own measure (/metrics,
 * nodejs_eventloop_lag_p99_seconds); target p99 ≤ 50 ms.
 */
export async function benchBoundedWork(report: Report, options: BoundedWorkOptions): Promise<void> {
  const dataDir = join(options.workDir, 'bounded-work');
  const panels = Array.from({ length: options.panels }, (_, i) => `BOUNDED_${String(i + 1).padStart(3, '0')}`);
  const seedStarted = performance.now();
  const seeded = await seedHourlyYear(join(dataDir, 'readings.sqlite'), panels);
  console.log(`  seeded ${options.panels} panels × a year of hourly readings in ${fmt.ms(performance.now() - seedStarted)} (not timed)`);
  const viewer = makeKey('bench-viewer', 'viewer');
  const mqttPort = await freePort();
  const product = await startProduct({
    dataDir,
    mqttUrl: '',
    name: 'bounded-work',
    // The embedded broker (no MQTT_URL): the meter's PUBACKs come from the product's own event loop.
    env: { MQTT_URL: '', MQTT_PORT: String(mqttPort), AUTH: 'required', API_KEYS: viewer.entry, METRICS_AUTH: 'open' },
  });
  const base = product.httpUrl.replace(/\/graphql$/, '');
  const ask = async (query: string): Promise<{ status: number; code: string | null }> => {
    const response = await fetch(product.httpUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${viewer.key}` },
      body: JSON.stringify({ query }),
    });
    const body = (await response.json()) as { errors?: Array<{ extensions?: { code?: string } }> };
    return { status: response.status, code: body.errors?.[0]?.extensions?.code ?? null };
  };
  const loopDelay = async (): Promise<LoopDelay> => {
    const text = await (await fetch(`${base}/metrics`)).text();
    const seconds = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? Number.NaN);
    return { p99Ms: seconds('nodejs_eventloop_lag_p99_seconds') * 1000, maxMs: seconds('nodejs_eventloop_lag_max_seconds') * 1000 };
  };
  const meter = await mqtt.connectAsync(`mqtt://127.0.0.1:${mqttPort}`, { clientId: uniqueName('bounded-meter'), reconnectPeriod: 0 });
  try {
    const operations = costliestOperations(seeded);
    // Work checks: each operation is accepted alone, the attack is refused.
    for (const [name, query] of Object.entries(operations)) {
      const answer = await ask(query);
      report.check(`bounded work: ${name} accepted`, answer.status === 200 && answer.code === null, `HTTP ${answer.status} ${answer.code ?? ''}`);
    }
    const attack = await ask(aliasAttack(panels[0]!));
    report.check('bounded work: the 20-alias attack refused', attack.status === 400 && attack.code === 'BAD_USER_INPUT', `HTTP ${attack.status} ${attack.code ?? ''}`);

    // The meter's clock: a reading a second from ten minutes ago (well clear of the future).
    const clock = { timeMs: Math.floor(Date.now() / 1000) * 1000 - 600_000, kwh: 5_000 };
    const idle = await phase(options, meter, product.topicRoot, clock, loopDelay, null);
    const loaded = await phase(options, meter, product.topicRoot, clock, loopDelay, { operations, viewers: options.viewers, ask });
    report.check('bounded work: PUBACKs kept coming under load', loaded.pubacks.n > 0 && loaded.pubacksMissing === 0, `${loaded.pubacks.n} PUBACKs, ${loaded.pubacksMissing} missing`);
    report.check('bounded work: the costly operations ran', loaded.answered > 0, `${loaded.answered} answered, ${loaded.busy} refused as busy (503)`);
    const met = loaded.delay.p99Ms <= 50;
    report.line({
      benchmark: '7 bounded work',
      measure: `event-loop delay p99, ${options.viewers} viewers sending the costliest accepted operations (idle: baseline)`,
      product: fmt.ms(loaded.delay.p99Ms),
      baseline: fmt.ms(idle.delay.p99Ms),
      ratio: `${(loaded.delay.p99Ms / idle.delay.p99Ms).toFixed(2)}×`,
      target: '≤ 50 ms',
      result: report.target('bounded work: event-loop delay p99 ≤ 50 ms under the costliest operations', met, fmt.ms(loaded.delay.p99Ms)),
    });
    report.line({ benchmark: '7 bounded work', measure: 'event-loop delay max (idle: baseline)', product: fmt.ms(loaded.delay.maxMs), baseline: fmt.ms(idle.delay.maxMs) });
    report.line({
      benchmark: '7 bounded work',
      measure: `QoS 1 PUBACKs during the phase: count, p99 latency (idle: baseline)`,
      product: `${fmt.int(loaded.pubacks.n)}, ${fmt.ms(loaded.pubacks.p99)}`,
      baseline: `${fmt.int(idle.pubacks.n)}, ${fmt.ms(idle.pubacks.p99)}`,
    });
    report.line({
      benchmark: '7 bounded work',
      measure: 'operations answered / refused busy (503: GRAPHQL_MAX_COST_IN_FLIGHT or the caller\'s share)',
      product: `${fmt.int(loaded.answered)} / ${fmt.int(loaded.busy)}`,
    });
    report.figures.boundedWork = { idle, loaded, panels: options.panels, viewers: options.viewers, phaseMs: options.phaseMs };
  } finally {
    await meter.endAsync().catch(() => undefined);
    await product.child.stop();
  }
}

interface PhaseResult {
  readonly delay: LoopDelay;
  readonly pubacks: ReturnType<typeof summarize>;
  readonly pubacksMissing: number;
  readonly answered: number;
  readonly busy: number;
}

/** One phase: the meter publishing, and (when `load` is given) the viewers sending the operations in turn. */
async function phase(
  options: BoundedWorkOptions,
  meter: MqttClient,
  topicRoot: string,
  clock: { timeMs: number; kwh: number },
  loopDelay: () => Promise<LoopDelay>,
  load: { operations: CostlyOperations; viewers: number; ask: (query: string) => Promise<{ status: number; code: string | null }> } | null,
): Promise<PhaseResult> {
  await loopDelay(); // a fresh histogram for this phase
  const endAt = performance.now() + options.phaseMs;
  const latencies: number[] = [];
  let sent = 0;
  const publisher = (async () => {
    while (performance.now() < endAt) {
      clock.timeMs += 1_000;
      clock.kwh += 0.01;
      const payload = meterPayload('ACK_METER', clock.timeMs, clock.kwh, 6);
      const started = performance.now();
      sent++;
      await meter.publishAsync(`${topicRoot}/PM/ACK_METER`, payload, { qos: 1 });
      latencies.push(performance.now() - started);
      await new Promise((resolve) => setTimeout(resolve, options.publishEveryMs));
    }
  })();
  let answered = 0;
  let busy = 0;
  const viewers = load
    ? Array.from({ length: load.viewers }, async (_, v) => {
        const list = Object.values(load.operations);
        for (let k = v; performance.now() < endAt; k++) {
          const answer = await load.ask(list[k % list.length]!);
          if (answer.status === 200 && answer.code === null) answered++;
          else if (answer.code === 'SERVICE_UNAVAILABLE') busy++;
          else throw new Error(`a costly operation failed: HTTP ${answer.status} ${answer.code ?? ''}`);
        }
      })
    : [];
  await Promise.all([publisher, ...viewers]);
  const delay = await loopDelay();
  return { delay, pubacks: summarize(latencies), pubacksMissing: sent - latencies.length, answered, busy };
}
