import { execFileSync } from 'node:child_process';
import { closeSync, openSync, rmSync, statfsSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { httpData } from '../support/graphql-client.js';
import { disposer, tempDir } from '../support/disposer.js';
import { connectMeter, meterPayload, publishQos1, uniquePanelId } from '../support/mqtt.js';
import { HeapSampler, report, spawnProduct, startProduct, waitReady, type Product } from './product.js';

/**
 * A really full disk: DATA_DIR on a small tmpfs, filled by another file while a meter publishes.
 * The product stays up, acknowledges nothing it could not store, says so in /ready, ingestStatus,
 * metrics and a few log lines, and once space returns stores every reading published during the
 * outage exactly once, by itself.
 */
const cleanup = disposer();
afterEach(() => cleanup.run());

function smallFileSystem(sizeMiB: number): string {
  const dir = tempDir(cleanup, 'energy-hostile-disk-');
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeMiB}m`, 'tmpfs', dir]);
  cleanup.add(() => execFileSync('umount', ['-l', dir]));
  return dir;
}

/** Writes a file until the file system is full (ENOSPC), so that nothing is left. */
function fill(path: string): void {
  const fd = openSync(path, 'w');
  const chunk = Buffer.alloc(64 * 1024, 7);
  try {
    for (;;) writeSync(fd, chunk);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
  } finally {
    closeSync(fd);
  }
}

interface Status {
  readonly ingestStatus: { readonly storeWrites: { readonly writable: boolean; readonly problem: string | null; readonly refusedWrites: number } | null };
}

async function metric(product: Product, name: string): Promise<number> {
  const text = await (await fetch(`${product.baseUrl}/metrics`)).text();
  return Number(new RegExp(`^${name} (\\S+)`, 'm').exec(text)?.[1] ?? Number.NaN);
}

describe.each([
  { label: 'below the reserve (STORE_MIN_FREE=4MiB)', minFree: '4MiB' },
  { label: 'without a reserve (STORE_MIN_FREE=0: SQLite itself meets ENOSPC)', minFree: '0' },
])('disk full, $label', ({ minFree }) => {
  it('acknowledges nothing, reports it, and stores every reading exactly once after space returns', async () => {
    const dataDir = smallFileSystem(24);
    const product = await startProduct({ DATA_DIR: dataDir, STORE_MIN_FREE: minFree }, cleanup);
    const heap = new HeapSampler(product);
    heap.start();
    const panel = uniquePanelId('DISK');
    const meter = await connectMeter(product.mqttUrl, cleanup);
    const start = Math.floor(Date.now() / 1000) * 1000 - 120_000;
    const time = (i: number) => new Date(start + i * 1000);
    // Before: stored and acknowledged.
    for (let i = 0; i < 5; i++) await publishQos1(meter, `DATA/PM/${panel}`, meterPayload({ time: time(i) }));

    const filler = join(dataDir, 'filler');
    fill(filler);
    expect(Number(statfsSync(dataDir).bavail)).toBe(0);
    const outage = Array.from({ length: 40 }, (_, i) => i + 5);
    let acknowledged = 0;
    const publishes = outage.map((i) => publishQos1(meter, `DATA/PM/${panel}`, meterPayload({ time: time(i) })).then(() => void acknowledged++));

    await vi.waitFor(
      async () => {
        const ready = await fetch(`${product.baseUrl}/ready`);
        expect(ready.status).toBe(503);
        // A code for anyone; the path and the figures are in ingestStatus (below) and the log.
        expect(((await ready.json()) as { storeWrites?: string }).storeWrites).toBe('refused');
      },
      { timeout: 10_000 },
    );
    const status = await httpData<Status, unknown>(product.httpUrl, '{ ingestStatus { storeWrites { writable problem refusedWrites } } }');
    expect(status.ingestStatus.storeWrites).toMatchObject({ writable: false });
    expect(status.ingestStatus.storeWrites?.problem).toMatch(/full|STORE_MIN_FREE|SQLITE_FULL/);
    expect(await metric(product, 'energy_store_writable')).toBe(0);
    // Listed from the start (alerts see "none so far"); what it counts: test/store/wal-checkpointer.test.ts.
    expect(Number.isInteger(await metric(product, 'energy_store_log_checkpoint_failures_total'))).toBe(true);
    // The meter keeps resending (it reconnects every 100 ms): many refusals, few log lines.
    await vi.waitFor(async () => expect(await metric(product, 'energy_store_write_failures_total')).toBeGreaterThanOrEqual(20), { timeout: 15_000 });
    expect(acknowledged).toBe(0);
    const failureLines = product.logs.filter((line) => /cannot be stored/.test(line.msg));
    expect(failureLines.length).toBeGreaterThanOrEqual(1);
    expect(failureLines.length).toBeLessThanOrEqual(3);
    expect(product.logs.filter((line) => typeof line.err === 'object' && line.err !== null && 'stack' in line.err)).toEqual([]);
    expect((await fetch(`${product.baseUrl}/health`)).status).toBe(200);
    const outageMemory = { maxHeapUsedMiB: await heap.stop(), ...(await product.memory()) };

    // Space returns: ingestion resumes by itself.
    const freedAt = Date.now();
    rmSync(filler);
    await Promise.all(publishes);
    const ackedAfterMs = Date.now() - freedAt;
    await vi.waitFor(async () => expect((await fetch(`${product.baseUrl}/ready`)).status).toBe(200), { timeout: 10_000 });
    const readyAfterMs = Date.now() - freedAt;
    expect(acknowledged).toBe(outage.length);
    const stored = await httpData<{ panel: { readings: { nodes: Array<{ time: string }> } } }, unknown>(
      product.httpUrl,
      `{ panel(id: "${panel}") { readings(from: "${time(0).toISOString()}", to: "${time(100).toISOString()}") { nodes { time } } } }`,
    );
    const times = stored.panel.readings.nodes.map((reading) => Date.parse(reading.time));
    expect(times).toEqual(Array.from({ length: 45 }, (_, i) => time(i).getTime()));
    expect(await metric(product, 'energy_readings_stored_total')).toBe(45);
    expect(product.logs.some((line) => /stored again/.test(line.msg))).toBe(true);
    report(`disk full, STORE_MIN_FREE=${minFree}`, { ackedAfterMs, readyAfterMs, ...outageMemory });
  });
});

describe('disk full across restarts', () => {
  it('stops cleanly while full, starts again on the full disk not ready, and loses nothing once space returns', async () => {
    const dataDir = smallFileSystem(24);
    const env = { DATA_DIR: dataDir, STORE_MIN_FREE: '4MiB' };
    const first = await startProduct(env, cleanup);
    const ports = { http: first.httpPort, mqtt: first.mqttPort };
    const panel = uniquePanelId('RESTART');
    const meter = await connectMeter(first.mqttUrl, cleanup);
    const start = Math.floor(Date.now() / 1000) * 1000 - 120_000;
    const time = (i: number) => new Date(start + i * 1000);
    for (let i = 0; i < 5; i++) await publishQos1(meter, `DATA/PM/${panel}`, meterPayload({ time: time(i) }));
    const filler = join(dataDir, 'filler');
    fill(filler);
    const publishes = Array.from({ length: 20 }, (_, i) => publishQos1(meter, `DATA/PM/${panel}`, meterPayload({ time: time(i + 5) })));
    await vi.waitFor(async () => expect((await fetch(`${first.baseUrl}/ready`)).status).toBe(503), { timeout: 10_000 });

    first.child.kill('SIGTERM');
    expect((await first.exited).code).toBe(0);
    // Started again on the still-full disk: it comes up, not ready, and refuses (does not acknowledge).
    const restarted = spawnProduct(env, cleanup, ports);
    await waitReady(restarted, { ready: false });
    await vi.waitFor(
      async () => {
        const ready = await fetch(`${restarted.baseUrl}/ready`);
        expect(ready.status).toBe(503);
        expect(((await ready.json()) as { storeWrites?: string }).storeWrites).toBe('refused');
      },
      { timeout: 10_000 },
    );
    expect(restarted.alive()).toBe(true);

    const freedAt = Date.now();
    rmSync(filler);
    await waitReady(restarted);
    const recoveredAfterMs = Date.now() - freedAt;
    // The meter reconnects to the same port and resends what was never acknowledged.
    await Promise.all(publishes);
    const stored = await httpData<{ panel: { readings: { nodes: Array<{ time: string }> } } }, unknown>(
      restarted.httpUrl,
      `{ panel(id: "${panel}") { readings(from: "${time(0).toISOString()}", to: "${time(100).toISOString()}") { nodes { time } } } }`,
    );
    expect(stored.panel.readings.nodes.map((reading) => Date.parse(reading.time))).toEqual(Array.from({ length: 25 }, (_, i) => time(i).getTime()));
    report('disk full across a restart, STORE_MIN_FREE=4MiB', { readyAfterSpaceReturnedMs: recoveredAfterMs, ...(await restarted.memory()) });
  });
});
