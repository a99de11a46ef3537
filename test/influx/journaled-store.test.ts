import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createJournaledInfluxStore, type JournaledStore } from '../../src/store/journaled-store.js';
import { startFakeInflux, type FakeInfluxDB } from '../support/fake-influx.js';
import { fluxDiagnostics } from '../support/flux-check.js';
import { local, makeReading } from '../support/readings.js';

const jakarta = local('Asia/Jakarta');
const rule = { maxPowerRatio: 10, minPowerKw: 1 };

let fake: FakeInfluxDB;
let dir: string;
let store: JournaledStore;
let now = Date.parse('2026-03-01T03:00:00Z');

beforeAll(async () => {
  fake = await startFakeInflux({ validateFlux: fluxDiagnostics });
});
afterAll(async () => {
  await fake.stop();
});
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'journaled-'));
  fake.requests.length = 0;
  store = createJournaledInfluxStore({
    journalFile: join(dir, 'journal.sqlite'),
    timezone: 'Asia/Jakarta',
    counterRule: rule,
    influx: fake.connection,
    forwarder: { backoff: { initialMs: 20, maxMs: 100 }, idlePollMs: 60_000, lingerMs: 5 },
    closeDeadlineMs: 500,
    now: () => now,
  });
  store.start();
});
afterEach(async () => {
  await store.close();
  await fake.up();
  rmSync(dir, { recursive: true, force: true });
});

describe('JournaledStore', () => {
  it('writes only to the journal; the forwarder brings readings to InfluxDB', async () => {
    const reading = makeReading('J1', jakarta('2026-03-01 10:00'), 100);
    await store.writeBatch([reading]);
    // The write resolved from the local commit; InfluxDB receives it from the forwarder.
    await vi.waitFor(() => expect(fake.storedPoints().some((p) => p.tags.panel_id === 'J1')).toBe(true), { timeout: 3_000, interval: 10 });
    await vi.waitFor(() => expect(store.lag()).toEqual({ backlog: 0, oldestUnsentAgeMs: null }), { timeout: 3_000, interval: 10 });
  });

  it('keeps ingesting, and answers latest readings and panels from the journal, while InfluxDB is down', async () => {
    await fake.down();
    const first = makeReading('J2', jakarta('2026-03-01 10:00'), 100);
    const second = makeReading('J2', jakarta('2026-03-01 10:01'), 100.1);
    await store.writeBatch([first]);
    now += 30_000;
    await store.writeBatch([second]);
    expect((await store.latestReadings(['J2'])).get('J2')).toEqual(second);
    expect(await store.panels()).toEqual([{ id: 'J2', firstSeenAt: first.time, lastSeenAt: second.time }]);
    await expect(store.ping()).resolves.toBeUndefined(); // ready, if degraded
    await expect(store.pingInflux()).rejects.toThrow(/unreachable/);
    await vi.waitFor(() => expect(store.forwarderStats().state).toBe('degraded'), { timeout: 3_000, interval: 10 });
    expect(store.lag()).toEqual({ backlog: 2, oldestUnsentAgeMs: 30_000 });
    expect(fake.queryRequests()).toHaveLength(0);

    await fake.up();
    await vi.waitFor(() => expect(store.lag().backlog).toBe(0), { timeout: 3_000, interval: 10 });
    expect(fake.storedPoints().filter((p) => p.tags.panel_id === 'J2').map((p) => p.time)).toEqual([first.time.getTime(), second.time.getTime()]);
  });

  it('sends history and energy queries to InfluxDB', async () => {
    const from = jakarta('2026-03-01 00:00');
    const to = jakarta('2026-03-02 00:00');
    await store.readings('J3', from, to);
    await store.downsample('J3', from, to, 60_000);
    await store.energy({ panelIds: ['J3'], from, to, groupBy: 'day' });
    expect(fake.queryRequests()).toHaveLength(3); // readings, downsample, energy bounds (no panel inside: no step 2)
  });

  it('tells listeners when InfluxDB confirmed readings', async () => {
    const confirmed: string[] = [];
    store.onConfirmed((readings) => confirmed.push(...readings.map((r) => `${r.panelId}@${r.time.toISOString()}`)));
    const reading = makeReading('J4', jakarta('2026-03-01 11:00'), 5);
    await store.writeBatch([reading]);
    await vi.waitFor(() => expect(confirmed).toEqual([`J4@${reading.time.toISOString()}`]), { timeout: 3_000, interval: 10 });
  });

  it('close() flushes what it can and leaves the rest for the next start', async () => {
    await fake.down();
    await store.writeBatch([makeReading('J5', jakarta('2026-03-01 12:00'), 5)]);
    await store.close();
    await fake.up();
    const reopened = createJournaledInfluxStore({
      journalFile: join(dir, 'journal.sqlite'),
      timezone: 'Asia/Jakarta',
      counterRule: rule,
      influx: fake.connection,
      forwarder: { idlePollMs: 60_000 },
    });
    try {
      expect(reopened.lag().backlog).toBe(1);
      reopened.start();
      await vi.waitFor(() => expect(reopened.lag().backlog).toBe(0), { timeout: 3_000, interval: 10 });
      expect(fake.storedPoints().some((p) => p.tags.panel_id === 'J5')).toBe(true);
    } finally {
      await reopened.close();
    }
  });
});
