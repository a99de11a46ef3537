import { afterEach, describe, expect, it } from 'vitest';
import { DashboardDocument, PanelStatusChangesDocument } from '../generated/graphql.js';
import { httpData, liveSubscriptions, subscribe, wsClient } from '../support/graphql-client.js';
import { disposer } from '../support/disposer.js';
import { seed } from '../support/seed.js';
import { startTestApp } from '../support/test-app.js';

const disposers = disposer();
afterEach(() => disposers.run());

describe('panel status', () => {
  // A hang guard, not a time bound: on a loaded 2-core machine starting the app alone can take seconds.
  it('goes OFFLINE exactly OFFLINE_AFTER after the last reading (timer-driven) and ONLINE again on the next, announced over WebSocket', { timeout: 60_000 }, async () => {
    const api = disposers.use(await startTestApp({ OFFLINE_AFTER: '1s' }), (a) => a.stop({ removeData: true }));
    // Silent for days: listed, OFFLINE, and never announced (it was never seen online).
    seed(api.app, [{ panelId: 'STATUS_OLD', time: new Date(Date.now() - 3 * 86_400_000), kwh: 5 }]);

    const client = disposers.use(wsClient(api.wsUrl), (c) => c.dispose());
    const all = disposers.use(subscribe(client, PanelStatusChangesDocument, {}), (a) => a.dispose());
    const onlyA = disposers.use(subscribe(client, PanelStatusChangesDocument, { panelId: 'STATUS_A' }), (o) => o.dispose());
    await expect.poll(() => liveSubscriptions(api.baseUrl)).toBe(2);
    // A subscription starts with the current status of every panel it covers.
    expect((await all.next()).data?.panelStatusChanged).toMatchObject({ panelId: 'STATUS_OLD', status: 'OFFLINE' });

    const t0 = new Date();
    seed(api.app, [
      { panelId: 'STATUS_A', time: t0, kwh: 1 },
      { panelId: 'STATUS_B', time: t0, kwh: 1 },
    ]);
    // Two panels crossing at the same instant may be announced in either order.
    const byPanel = (a?: { panelId: string }, b?: { panelId: string }) => (a?.panelId ?? '').localeCompare(b?.panelId ?? '');
    const online = [await all.next(), await all.next()].map((r) => r.data?.panelStatusChanged).sort(byPanel);
    expect(online).toEqual([
      { panelId: 'STATUS_A', status: 'ONLINE', at: t0.toISOString() },
      { panelId: 'STATUS_B', status: 'ONLINE', at: t0.toISOString() },
    ]);
    expect((await onlyA.next()).data?.panelStatusChanged).toEqual({ panelId: 'STATUS_A', status: 'ONLINE', at: t0.toISOString() });
    let dashboard = await httpData(api.httpUrl, DashboardDocument, {});
    expect(dashboard.panels.nodes.map((p) => [p.id, p.status])).toEqual([
      ['STATUS_A', 'ONLINE'],
      ['STATUS_B', 'ONLINE'],
      ['STATUS_OLD', 'OFFLINE'],
    ]);
    expect(dashboard.site.overview).toMatchObject({ panelCount: 3, onlineCount: 2, offlineCount: 1 });

    // No request is made now: the monitor's own timer announces both, not before the threshold.
    // (That it fires at the threshold rather than at a later poll is the fake-clock test's job,
    // test/api-fast/status.test.ts: a wall-clock bound here would flake on a busy machine.)
    const offlineAt = new Date(t0.getTime() + 1_000);
    const offline = [await all.next(), await all.next()].map((r) => r.data?.panelStatusChanged).sort(byPanel);
    expect(Date.now()).toBeGreaterThanOrEqual(offlineAt.getTime());
    expect(offline).toEqual([
      { panelId: 'STATUS_A', status: 'OFFLINE', at: offlineAt.toISOString() },
      { panelId: 'STATUS_B', status: 'OFFLINE', at: offlineAt.toISOString() },
    ]);
    expect((await onlyA.next()).data?.panelStatusChanged).toMatchObject({ panelId: 'STATUS_A', status: 'OFFLINE' });
    dashboard = await httpData(api.httpUrl, DashboardDocument, {});
    expect(dashboard.panels.nodes.map((p) => p.status)).toEqual(['OFFLINE', 'OFFLINE', 'OFFLINE']);
    expect(dashboard.site.overview).toMatchObject({ onlineCount: 0, offlineCount: 3 });

    // A new reading from A brings it back at once; B stays offline.
    const t1 = new Date();
    seed(api.app, [{ panelId: 'STATUS_A', time: t1, kwh: 1.001 }]);
    expect((await all.next()).data?.panelStatusChanged).toEqual({ panelId: 'STATUS_A', status: 'ONLINE', at: t1.toISOString() });
    expect((await onlyA.next()).data?.panelStatusChanged).toEqual({ panelId: 'STATUS_A', status: 'ONLINE', at: t1.toISOString() });
    dashboard = await httpData(api.httpUrl, DashboardDocument, {});
    expect(dashboard.panels.nodes.map((p) => p.status)).toEqual(['ONLINE', 'OFFLINE', 'OFFLINE']);

    // ...and it times out again on its own.
    expect((await onlyA.next()).data?.panelStatusChanged).toEqual({
      panelId: 'STATUS_A',
      status: 'OFFLINE',
      at: new Date(t1.getTime() + 1_000).toISOString(),
    });
    // The filtered subscriber saw only STATUS_A; STATUS_OLD appeared once, in the initial state.
    expect(onlyA.results.map((r) => r.data?.panelStatusChanged.panelId)).toEqual(['STATUS_A', 'STATUS_A', 'STATUS_A', 'STATUS_A']);
    await all.received(7);
    expect(all.results.filter((r) => r.data?.panelStatusChanged.panelId === 'STATUS_OLD')).toHaveLength(1);
  });

  it('does not flip ONLINE for a late reading older than OFFLINE_AFTER', async () => {
    const api = disposers.use(await startTestApp({ OFFLINE_AFTER: '1s' }), (a) => a.stop({ removeData: true }));
    const client = disposers.use(wsClient(api.wsUrl), (c) => c.dispose());
    const all = disposers.use(subscribe(client, PanelStatusChangesDocument, {}), (a) => a.dispose());
    await expect.poll(() => liveSubscriptions(api.baseUrl)).toBe(1);

    seed(api.app, [{ panelId: 'STATUS_LATE', time: new Date(Date.now() - 60_000), kwh: 1 }]);
    const { panels } = await httpData(api.httpUrl, DashboardDocument, {});
    expect(panels.nodes.map((p) => [p.id, p.status])).toEqual([['STATUS_LATE', 'OFFLINE']]);
    // Absence proved by order, not by waiting: a fresh panel's ONLINE, published after the late
    // reading was handled, is the first event the subscriber gets.
    const fresh = new Date();
    seed(api.app, [{ panelId: 'STATUS_FRESH', time: fresh, kwh: 1 }]);
    expect((await all.next()).data?.panelStatusChanged).toEqual({ panelId: 'STATUS_FRESH', status: 'ONLINE', at: fresh.toISOString() });
  });
});
