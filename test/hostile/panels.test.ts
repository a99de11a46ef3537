import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { httpData, httpRequest } from '../support/graphql-client.js';
import { disposer, tempDir } from '../support/disposer.js';
import { connectMeter, meterPayload, minutesAgo, publishQos1 } from '../support/mqtt.js';
import { HeapSampler, report, startProduct, type Product } from './product.js';

/**
 * Readings on thousands of made-up panel ids (anyone may publish to DATA/PM/<id>): at most
 * MAX_PANELS panels are ever known, the rest are rejected (panel_limit) and counted, the dashboard
 * keeps working (also after a restart), and retiring a panel makes room for a new one.
 */
const cleanup = disposer();
afterAll(() => cleanup.run());

const MAX_PANELS = 5;
const MADE_UP = 2_000;
const DASHBOARD = readFileSync(new URL('../../operations/dashboard.graphql', import.meta.url), 'utf8');

interface Dashboard {
  readonly panels: { readonly nodes: ReadonlyArray<{ readonly id: string }> };
  readonly site: { readonly overview: { readonly panelCount: number } };
}

async function publishAll(product: Product, ids: readonly string[]): Promise<void> {
  const meter = await connectMeter(product.mqttUrl, cleanup);
  const time = minutesAgo(1);
  // QoS 1, a few hundred in flight: each is acknowledged whether stored or rejected.
  for (let i = 0; i < ids.length; i += 200) {
    await Promise.all(ids.slice(i, i + 200).map((id) => publishQos1(meter, `DATA/PM/${id}`, meterPayload({ time }))));
  }
}

async function limitHits(product: Product): Promise<number> {
  const text = await (await fetch(`${product.baseUrl}/metrics`)).text();
  return Number(/^energy_limit_hits_total\{limit="MAX_PANELS"\} (\d+)/m.exec(text)?.[1] ?? Number.NaN);
}

describe('MAX_PANELS', () => {
  // Two starts of the product and 2,000 made-up panels' publishes: a budget of its own.
  it('admits at most MAX_PANELS panels, rejects the rest with panel_limit, and makes room when one is retired', { timeout: 180_000 }, async () => {
    const dataDir = tempDir(cleanup, 'energy-hostile-panels-');
    const env = { MAX_PANELS: String(MAX_PANELS), DATA_DIR: dataDir };
    let product = await startProduct(env, cleanup);
    const heap = new HeapSampler(product);
    heap.start();
    const ids = Array.from({ length: MADE_UP }, (_, i) => `FAKE_${String(i).padStart(5, '0')}`);
    await publishAll(product, ids);

    const dashboard = await httpData<Dashboard, unknown>(product.httpUrl, DASHBOARD);
    expect(dashboard.panels.nodes).toHaveLength(MAX_PANELS);
    expect(dashboard.site.overview.panelCount).toBe(MAX_PANELS);
    expect(await limitHits(product)).toBe(MADE_UP - MAX_PANELS);
    const status = await httpData<{ ingestStatus: { rejections: Array<{ reason: string; count: number }> } }, unknown>(
      product.httpUrl,
      '{ ingestStatus { rejections { reason count } } }',
    );
    const panelLimit = status.ingestStatus.rejections.filter((rejection) => rejection.reason === 'PANEL_LIMIT');
    expect(panelLimit.reduce((sum, rejection) => sum + rejection.count, 0)).toBe(MADE_UP - MAX_PANELS);
    // The rejection statistics and metrics stay bounded however many ids are made up.
    expect((await (await fetch(`${product.baseUrl}/metrics`)).text()).length).toBeLessThan(1_000_000);
    report(`${MADE_UP} readings on made-up panel ids, MAX_PANELS=${MAX_PANELS}`, { maxHeapUsedMiB: await heap.stop(), ...(await product.memory()) });

    // Retire one (operator mutation; open in development mode): a new panel is admitted in its place.
    const retired = dashboard.panels.nodes[0]!.id;
    const retire = await httpRequest(product.httpUrl, `mutation { updatePanel(input: { id: "${retired}", retired: true }) { changes { kind } } }`);
    expect(retire.errors).toBeUndefined();
    await publishAll(product, ['NEWCOMER']);
    const after = await httpData<Dashboard, unknown>(product.httpUrl, DASHBOARD);
    expect(after.panels.nodes.map((panel) => panel.id)).toContain('NEWCOMER');
    expect(after.panels.nodes.map((panel) => panel.id)).not.toContain(retired);
    expect(after.panels.nodes).toHaveLength(MAX_PANELS);

    // SIGINT stops cleanly; after a restart the dashboard still works and the limit still holds.
    product.child.kill('SIGINT');
    expect(await product.exited).toEqual({ code: 0, signal: null });
    product = await startProduct(env, cleanup);
    const restarted = await httpData<Dashboard, unknown>(product.httpUrl, DASHBOARD);
    expect(restarted.panels.nodes.map((panel) => panel.id).sort()).toEqual(after.panels.nodes.map((panel) => panel.id).sort());
    await publishAll(product, ['LATECOMER', retired]);
    expect(await limitHits(product)).toBe(1);
    const final = await httpData<Dashboard, unknown>(product.httpUrl, DASHBOARD);
    expect(final.panels.nodes.map((panel) => panel.id)).not.toContain('LATECOMER');
    expect(final.panels.nodes.map((panel) => panel.id)).not.toContain(retired);
  });
});
