import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Reading } from '../../src/models/reading.js';
import { Forwarder, type ForwarderOptions } from '../../src/store/influx/forwarder.js';
import { InfluxHttp } from '../../src/store/influx/influx-http.js';
import { SqliteJournal } from '../../src/store/sqlite/sqlite-journal.js';
import { influxError, startFakeInflux, type FakeInfluxDB } from '../support/fake-influx.js';
import { makeReading } from '../support/readings.js';

/**
 * The journal → InfluxDB path under faults, with the real SQLite journal and a strict fake
 * InfluxDB on loopback. "Exactly once" is checked on the fake's store (merged by series and time,
 * like InfluxDB); deliveries are counted separately.
 */

const T0 = Date.parse('2026-03-01T00:00:00.000Z');

let fake: FakeInfluxDB;
let dir: string;
const disposers: Array<() => Promise<unknown> | unknown> = [];

beforeAll(async () => {
  fake = await startFakeInflux();
});
afterAll(async () => {
  await fake.stop();
});
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'forwarder-'));
});
afterEach(async () => {
  for (const dispose of disposers.splice(0).reverse()) await dispose();
  fake.hang('off');
  fake.rejectLinesWhere(undefined);
  await fake.up();
  rmSync(dir, { recursive: true, force: true });
});

let panelCounter = 0;
/** Readings of a panel no other test uses, one a minute. */
function readings(count: number, panelId = `P${++panelCounter}`): Reading[] {
  return Array.from({ length: count }, (_, i) => makeReading(panelId, new Date(T0 + i * 60_000), 100 + i * 0.1));
}

function openJournal(file = join(dir, 'journal.sqlite'), now?: () => number): SqliteJournal {
  const journal = new SqliteJournal({ file, now });
  disposers.push(() => journal.close());
  return journal;
}

/** `timeoutMs`: per request; short only where a test waits for a hanging server to time out. */
function makeForwarder(journal: SqliteJournal, options: Partial<ForwarderOptions> = {}, timeoutMs = 10_000): Forwarder {
  const forwarder = new Forwarder({
    source: journal,
    writer: new InfluxHttp(fake.connection, { timeoutMs }),
    backoff: { initialMs: 20, maxMs: 200 },
    idlePollMs: 60_000, // deliveries in these tests come from notify(), not from polling
    lingerMs: 5,
    ...options,
  });
  disposers.push(() => forwarder.stop({ deadlineMs: 500 }));
  return forwarder;
}

async function journalAndNotify(journal: SqliteJournal, forwarder: Forwarder, batch: readonly Reading[]): Promise<void> {
  journal.writeBatchSync(batch);
  forwarder.notify();
}

function storedFor(panelId: string): Array<{ time: number; energy: number | undefined }> {
  return fake
    .storedPoints()
    .filter((p) => p.tags.panel_id === panelId)
    .map((p) => ({ time: p.time, energy: p.fields.energy_kwh }));
}

function expectExactlyOnce(batch: readonly Reading[]): void {
  const panelId = batch[0]!.panelId;
  expect(storedFor(panelId)).toEqual(batch.map((r) => ({ time: r.time.getTime(), energy: r.energyKwh })));
}

const waitFor = <T>(check: () => T, timeout = 5_000): Promise<T> => vi.waitFor(check, { timeout, interval: 10 });

describe('Forwarder', () => {
  it('sends journaled readings promptly after notify() and removes them from the outbox after 204', async () => {
    const journal = openJournal();
    const forwarder = makeForwarder(journal);
    forwarder.start();
    const batch = readings(12);
    await journalAndNotify(journal, forwarder, batch);
    // idlePollMs is a minute (longer than the test's timeout): only notify() can have woken it.
    await waitFor(() => expect(journal.stats().count).toBe(0));
    expectExactlyOnce(batch);
    expect(forwarder.stats()).toMatchObject({ state: 'ok', backlog: 0, oldestUnsentAgeMs: null, sentTotal: 12, lastError: null });
    const [request] = fake.writeRequests().filter((r) => r.body.includes(`panel_id=${batch[0]!.panelId} `));
    expect(request!.headers['content-encoding']).toBe('gzip');
    expect(request!.params.get('precision')).toBe('ms');
  });

  it('sends at most 5,000 lines per request', async () => {
    const journal = openJournal();
    const forwarder = makeForwarder(journal);
    const batch = readings(12_000);
    journal.writeBatchSync(batch);
    const before = fake.writeRequests().length;
    forwarder.start();
    await waitFor(() => expect(journal.stats().count).toBe(0), 15_000);
    expect(fake.writeRequests().slice(before).map((r) => r.body.split('\n').length)).toEqual([5_000, 5_000, 2_000]);
    expectExactlyOnce(batch);
  });

  it('keeps readings in the journal through an outage, reports lag, then delivers each exactly once', async () => {
    let now = T0;
    const journal = openJournal(undefined, () => now);
    const forwarder = makeForwarder(journal, { now: () => now });
    forwarder.start();
    await fake.down();
    const batch = readings(100);
    for (let i = 0; i < 100; i += 25) {
      await journalAndNotify(journal, forwarder, batch.slice(i, i + 25));
      now += 1_000;
    }
    await waitFor(() => expect(forwarder.stats().state).toBe('degraded'));
    const stats = forwarder.stats();
    expect(stats.backlog).toBe(100);
    expect(stats.oldestUnsentAgeMs).toBe(4_000);
    expect(stats.lastError?.message).toMatch(/unreachable/);
    expect(storedFor(batch[0]!.panelId)).toEqual([]);

    await fake.up();
    await waitFor(() => expect(forwarder.stats()).toMatchObject({ state: 'ok', backlog: 0 }));
    expectExactlyOnce(batch);
  });

  it('retries server errors with backoff until they stop', async () => {
    const journal = openJournal();
    const forwarder = makeForwarder(journal);
    fake.failWrites(3, influxError(500, 'internal error', 'engine: cache-max-memory-size exceeded'));
    const before = fake.writeRequests().length;
    forwarder.start();
    const batch = readings(5);
    await journalAndNotify(journal, forwarder, batch);
    await waitFor(() => expect(journal.stats().count).toBe(0));
    expect(fake.writeRequests().length - before).toBe(4);
    expectExactlyOnce(batch);
    expect(forwarder.stats()).toMatchObject({ state: 'ok', consecutiveFailures: 0 });
    expect(forwarder.stats().lastError).toMatchObject({ status: 500, message: expect.stringContaining('cache-max-memory-size') });
  });

  it('honours Retry-After on 503', async () => {
    const journal = openJournal();
    const forwarder = makeForwarder(journal);
    fake.failWrites(1, influxError(503, 'unavailable', 'too many requests', { 'Retry-After': '1' }));
    const before = fake.writeRequests().length;
    forwarder.start();
    const batch = readings(3);
    await journalAndNotify(journal, forwarder, batch);
    await waitFor(() => expect(journal.stats().count).toBe(0));
    const [first, second] = fake.writeRequests().slice(before);
    expect(second!.receivedAt - first!.receivedAt).toBeGreaterThanOrEqual(950);
    expectExactlyOnce(batch);
  });

  it('times out on a server that hangs, and delivers once it answers again', async () => {
    const journal = openJournal();
    const forwarder = makeForwarder(journal, {}, 300);
    fake.hang('before-store');
    forwarder.start();
    const batch = readings(7);
    await journalAndNotify(journal, forwarder, batch);
    await waitFor(() => expect(forwarder.stats().lastError?.message).toMatch(/timed out/));
    expect(forwarder.stats()).toMatchObject({ state: 'degraded', backlog: 7 });
    fake.hang('off');
    await waitFor(() => expect(journal.stats().count).toBe(0));
    expectExactlyOnce(batch);
  });

  it('does not ack when the answer is lost: resends, and InfluxDB keeps one copy', async () => {
    const journal = openJournal();
    const forwarder = makeForwarder(journal, {}, 300);
    fake.hang('after-store');
    forwarder.start();
    const batch = readings(4);
    await journalAndNotify(journal, forwarder, batch);
    await waitFor(() => expect(storedFor(batch[0]!.panelId)).toHaveLength(4));
    await waitFor(() => expect(forwarder.stats().consecutiveFailures).toBeGreaterThan(0));
    expect(journal.stats().count).toBe(4); // stored, but never confirmed: still in the journal
    fake.hang('off');
    await waitFor(() => expect(journal.stats().count).toBe(0));
    expectExactlyOnce(batch);
    expect(fake.deliveries.get(`${batch[0]!.panelId}|${batch[0]!.time.getTime()}`)).toBeGreaterThanOrEqual(2);
  });

  it('isolates a point InfluxDB rejects (400) by bisecting, quarantines it and sends the rest', async () => {
    const journal = openJournal();
    const forwarder = makeForwarder(journal);
    const batch = readings(16);
    const bad = batch[11]!;
    fake.rejectLinesWhere((line) => line.endsWith(` ${bad.time.getTime()}`) && line.includes(`panel_id=${bad.panelId} `));
    const before = fake.writeRequests().length;
    journal.writeBatchSync(batch);
    forwarder.start();
    await waitFor(() => expect(journal.stats().count).toBe(0));
    expect(storedFor(bad.panelId)).toEqual(batch.filter((r) => r !== bad).map((r) => ({ time: r.time.getTime(), energy: r.energyKwh })));
    expect(journal.stats().quarantined).toBe(1);
    expect(forwarder.stats()).toMatchObject({ quarantinedTotal: 1, sentTotal: 15, state: 'ok' });
    // 16 → 8+8 → 4+4 → 2+2 → 1+1: 1 + 2·4 requests, not one per reading.
    expect(fake.writeRequests().length - before).toBe(9);
    // Quarantined is kept (in the journal's quarantine table), not silently dropped.
    expect(journal.stats()).toMatchObject({ count: 0, quarantined: 1 });
  });

  it('quarantines a reading that cannot be expressed in line protocol without sending it', async () => {
    const journal = openJournal();
    const forwarder = makeForwarder(journal);
    const batch = [...readings(2, 'TAB\tPANEL'), ...readings(3)];
    journal.writeBatchSync(batch);
    forwarder.start();
    await waitFor(() => expect(journal.stats().count).toBe(0));
    expect(forwarder.stats()).toMatchObject({ quarantinedTotal: 2, sentTotal: 3 });
    expectExactlyOnce(batch.slice(2));
  });

  it('treats a wrong token like an outage: keeps retrying, reports the 401, recovers when fixed', async () => {
    const journal = openJournal();
    const forwarder = makeForwarder(journal);
    fake.failWrites(4, influxError(401, 'unauthorized', 'unauthorized access'));
    forwarder.start();
    const batch = readings(3);
    await journalAndNotify(journal, forwarder, batch);
    await waitFor(() => expect(forwarder.stats().lastError?.status).toBe(401));
    await waitFor(() => expect(journal.stats().count).toBe(0));
    expectExactlyOnce(batch);
  });

  it('stop() leaves unsent readings in the journal; a new forwarder on the same file sends them', async () => {
    const file = join(dir, 'journal.sqlite');
    const journal = new SqliteJournal({ file });
    const forwarder = makeForwarder(journal);
    forwarder.start();
    await fake.down();
    const batch = readings(50);
    await journalAndNotify(journal, forwarder, batch);
    await waitFor(() => expect(forwarder.stats().state).toBe('degraded'));
    expect(await forwarder.stop({ deadlineMs: 300 })).toEqual({ flushed: 0, left: 50 });
    await journal.close();

    await fake.up();
    const reopened = openJournal(file);
    expect(reopened.stats().count).toBe(50);
    const next = makeForwarder(reopened);
    next.start();
    await waitFor(() => expect(reopened.stats().count).toBe(0));
    expectExactlyOnce(batch);
  });

  it('stop() flushes the backlog when InfluxDB answers', async () => {
    const journal = openJournal();
    // A long linger keeps the readings waiting until stop() cuts it short and flushes.
    const forwarder = makeForwarder(journal, { lingerMs: 60_000 });
    forwarder.start();
    const batch = readings(30);
    await journalAndNotify(journal, forwarder, batch);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(journal.stats().count).toBe(30);
    expect(await forwarder.stop({ deadlineMs: 2_000 })).toEqual({ flushed: 30, left: 0 });
    expectExactlyOnce(batch);
  });

  it('stop() gives up on a hanging request at the deadline', async () => {
    const journal = openJournal();
    // The request would time out only after an hour, far beyond this test's timeout: stop()
    // returning at all shows it gave up at its own deadline.
    const forwarder = makeForwarder(journal, {}, 3_600_000);
    forwarder.start();
    fake.hang('before-store');
    const batch = readings(5);
    await journalAndNotify(journal, forwarder, batch);
    await waitFor(() => expect(fake.writeRequests().some((r) => r.body.includes(`panel_id=${batch[0]!.panelId} `))).toBe(true));
    expect(await forwarder.stop({ deadlineMs: 200 })).toEqual({ flushed: 0, left: 5 });
  });
});
