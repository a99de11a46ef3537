import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { bearer, makeKey } from '../access/support.js';
import { httpRequest } from '../support/graphql-client.js';
import { disposer, tempDir } from '../support/disposer.js';
import { uniquePanelId } from '../support/readings.js';
import { report, startProduct, type Product } from '../hostile/product.js';
import { aliasAttack, costliestOperations, HOUR_MS, KWH_PER_HOUR, SEEDED_HOURS, seedHourlyYear, type SeededYear } from './costly-work.js';

/**
 * Issue 20, point 1, against the real process (`npm start`, a year of hourly readings stored): a
 * viewer's operations are charged for the range they walk, ranges before METER_TIME_FLOOR are
 * clamped, and the costliest operations a viewer may send leave the event loop free, so /health
 * keeps answering while ten viewers send them at once.
 */
const cleanup = disposer();
let product: Product;
let seeded: SeededYear;
const PANELS = [uniquePanelId('BOUNDED'), uniquePanelId('BOUNDED'), uniquePanelId('BOUNDED')];
const viewer = makeKey('viewer-bounded', 'viewer');
const operator = makeKey('operator-bounded', 'operator');

interface GraphqlAnswer {
  readonly status: number;
  readonly data?: Record<string, unknown> | null;
  readonly errors?: ReadonlyArray<{ message: string; extensions?: Record<string, unknown> }>;
}

const ask = (query: string): Promise<GraphqlAnswer> => httpRequest(product.httpUrl, query, {}, bearer(viewer.key)) as Promise<GraphqlAnswer>;

async function metrics(): Promise<string> {
  const response = await fetch(`${product.baseUrl}/metrics`, { headers: bearer(operator.key) });
  expect(response.status).toBe(200);
  return response.text();
}

function metric(text: string, name: string): number {
  const line = text.split('\n').find((entry) => entry.startsWith(`${name} `));
  return line === undefined ? Number.NaN : Number(line.slice(name.length + 1));
}

beforeAll(async () => {
  const dataDir = tempDir(cleanup, 'energy-bounded-work-');
  seeded = await seedHourlyYear(join(dataDir, 'readings.sqlite'), PANELS);
  product = await startProduct({ DATA_DIR: dataDir, AUTH: 'required', API_KEYS: `${viewer.entry},${operator.entry}` }, cleanup);
  // The ledger has walked the stored year once the first year's total is there.
  await vi.waitFor(
    async () => {
      const answer = await ask(`{ panel(id: "${PANELS[0]}") { history(from: "${new Date(seeded.firstMs).toISOString()}", to: "${new Date(seeded.lastMs + HOUR_MS).toISOString()}", every: "366d") { nodes { energyKwh } } } }`);
      expect(answer.errors).toBeUndefined();
    },
    { timeout: 30_000, interval: 200 },
  );
}, 90_000);
afterAll(() => cleanup.run());

describe('cost counts the range walked', () => {
  it('refuses the issue\'s 20 aliases of a history from year 1 with BAD_USER_INPUT, naming GRAPHQL_MAX_COST', async () => {
    const before = await metrics();
    const answer = await ask(aliasAttack(PANELS[0]!));
    expect(answer.status).toBe(400);
    expect(answer.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(answer.errors?.[0]?.message).toContain('GRAPHQL_MAX_COST');
    const after = await metrics();
    const hits = (text: string) => Number(/energy_limit_hits_total\{limit="GRAPHQL_MAX_COST"\} (\d+)/.exec(text)?.[1] ?? 0);
    expect(hits(after)).toBe(hits(before) + 1);
  });
});

describe('ranges are clamped to where readings can be', () => {
  const floor = Date.parse('2000-01-01T00:00:00Z'); // METER_TIME_FLOOR's default
  const expectedKwh = (SEEDED_HOURS - 1) * KWH_PER_HOUR;
  const total = (points: ReadonlyArray<{ energyKwh: number }>) => points.reduce((sum, point) => sum + point.energyKwh, 0);

  it('one history from year 1 is answered from the window holding METER_TIME_FLOOR on, with every reading counted', async () => {
    const to = new Date(seeded.lastMs + HOUR_MS).toISOString();
    const answer = await ask(`{ panel(id: "${PANELS[0]}") { history(from: "0001-01-01T00:00:00Z", to: "${to}", every: "366d") { nodes { start end energyKwh } } } }`);
    expect(answer.errors).toBeUndefined();
    const points = (answer.data as { panel: { history: { nodes: Array<{ start: string; end: string; energyKwh: number }> } } }).panel.history.nodes;
    // The caller's grid is kept: the first window is the one that holds the floor, 366 days long.
    const first = points[0]!;
    expect(Date.parse(first.start)).toBeLessThanOrEqual(floor);
    expect(Date.parse(first.end)).toBeGreaterThan(floor);
    expect((Date.parse(first.start) - Date.parse('0001-01-01T00:00:00Z')) % (366 * 86_400_000)).toBe(0);
    expect(points.at(-1)!.end).toBe(to);
    expect(total(points)).toBeCloseTo(expectedKwh, 3);
  });

  it('windows after now are zeros (not walked), and the year of readings is all there', async () => {
    const answer = await ask(
      `{ panel(id: "${PANELS[1]}") { history(from: "${new Date(seeded.firstMs).toISOString()}", to: "2100-01-01T00:00:00Z", every: "30d") { nodes { start energyKwh } } } }`,
    );
    expect(answer.errors).toBeUndefined();
    const points = (answer.data as { panel: { history: { nodes: Array<{ start: string; energyKwh: number }> } } }).panel.history.nodes;
    expect(points.length).toBe(Math.ceil((Date.parse('2100-01-01T00:00:00Z') - seeded.firstMs) / (30 * 86_400_000)));
    expect(points.filter((point) => Date.parse(point.start) > Date.now()).every((point) => point.energyKwh === 0)).toBe(true);
    expect(total(points)).toBeCloseTo(expectedKwh, 3);
  });

  it('a range that ends before METER_TIME_FLOOR has no windows and no readings', async () => {
    const answer = await ask(
      `{ panel(id: "${PANELS[0]}") { history(from: "0001-01-01T00:00:00Z", to: "1999-01-01T00:00:00Z", every: "366d") { nodes { start } } readings(from: "0001-01-01T00:00:00Z", to: "1999-01-01T00:00:00Z") { nodes { time } } } }`,
    );
    expect(answer.errors).toBeUndefined();
    expect(answer.data).toEqual({ panel: { history: { nodes: [] }, readings: { nodes: [] } } });
  });
});


describe('the costliest accepted operations', () => {
  it('are each accepted, and twice the costliest is refused', async () => {
    for (const [name, query] of Object.entries(costliestOperations(seeded))) {
      const answer = await ask(query);
      expect({ name, status: answer.status, errors: answer.errors }).toEqual({ name, status: 200, errors: undefined });
    }
    const doubled = costliestOperations(seeded).hourly.replace(/history\(([^)]*)\) \{ nodes \{ start energyKwh cost \{ amount \} \} \}/, (all, args: string) => `a: ${all} b: history(${args}) { nodes { start } }`);
    const answer = await ask(doubled);
    expect(answer.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('sent by ten viewers at once leave /health answering and the event loop turning', async () => {
    const operations = Object.entries(costliestOperations(seeded));
    const answered = new Map<string, number>(operations.map(([name]) => [name, 0]));
    const busy = { count: 0 };
    let loading = true;
    const health: number[] = [];
    let maxLagSeconds = 0;
    const poll = (async () => {
      while (loading) health.push((await fetch(`${product.baseUrl}/health`)).status);
    })();
    const lag = (async () => {
      await metrics(); // starts a fresh window of the event-loop delay histogram
      while (loading) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        maxLagSeconds = Math.max(maxLagSeconds, metric(await metrics(), 'nodejs_eventloop_lag_max_seconds'));
      }
    })();
    await Promise.all(
      Array.from({ length: 10 }, async (_, viewerIndex) => {
        for (let round = 0; round < 3; round++) {
          for (let k = 0; k < operations.length; k++) {
            const [name, query] = operations[(k + viewerIndex) % operations.length]!;
            const answer = await ask(query);
            if (answer.status === 503 && answer.errors?.[0]?.extensions?.code === 'SERVICE_UNAVAILABLE') busy.count++;
            else {
              expect({ name, status: answer.status, errors: answer.errors }).toEqual({ name, status: 200, errors: undefined });
              answered.set(name, answered.get(name)! + 1);
            }
          }
        }
      }),
    );
    loading = false;
    await Promise.all([poll, lag]);
    // Every kind of operation ran (GRAPHQL_MAX_COST_IN_FLIGHT turns some away with 503 meanwhile).
    for (const [name, count] of answered) expect({ name, answered: count > 0 }).toEqual({ name, answered: true });
    expect(health.length).toBeGreaterThan(0);
    expect(health.every((status) => status === 200)).toBe(true);
    // The product's own measure (prom-client's event-loop delay histogram, reset at each scrape).
    // Before, one history from the floor held the loop for about 3 s; the 50 ms target is the
    // benchmark's (test/bench/bounded-work.bench.ts): here the machine may be shared with others.
    expect(maxLagSeconds).toBeGreaterThan(0);
    expect(maxLagSeconds).toBeLessThan(1);
    report('ten viewers sending the costliest accepted operations', {
      answered: Object.fromEntries(answered),
      busy503: busy.count,
      healthPolls: health.length,
      maxEventLoopDelayMs: Math.round(maxLagSeconds * 1000),
    });
  }, 120_000);
});
