import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { disposer } from '../support/disposer.js';
import { subscribe, wsClient } from '../support/graphql-client.js';
import { seed } from '../support/seed.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { makeKey } from './support.js';

const disposers = disposer();
afterEach(() => disposers.run());

/** A tenant's dashboard key: panels A and B of the building's A, B and C. */
const TENANT = makeKey('tenant-floors-1-2', 'viewer', ['PANEL_A', 'PANEL_B']);

let app: TestApp;
beforeEach(async () => {
  app = await startTestApp({ AUTH: 'required', API_KEYS: TENANT.entry }, undefined, { cleanup: disposers });
  const t = Date.now() - 60_000;
  seed(app.app, ['PANEL_A', 'PANEL_B', 'PANEL_C'].map((panelId) => ({ panelId, time: new Date(t), kwh: 1 })));
});

function tenantClient() {
  return disposers.use(wsClient(app.wsUrl, { authorization: `Bearer ${TENANT.key}` }), (c) => c.dispose());
}

describe('panel subscriptions within a panel limit', () => {
  it('refuse a panel outside the limit with UNKNOWN_PANEL, as an unknown one, instead of a silent subscription', async () => {
    const client = tenantClient();
    for (const query of [
      'subscription ($ids: [ID!]) { panelReadingChanged(panelIds: $ids) { initial } }',
      'subscription ($ids: [ID!]) { panelStatusChanged(panelIds: $ids) { initial } }',
      'subscription ($ids: [ID!]) { panelUsageChanged(panelIds: $ids) { initial } }',
    ]) {
      for (const ids of [['PANEL_C'], ['PANEL_A', 'PANEL_C'], ['NOT_A_PANEL']]) {
        const live = disposers.use(subscribe<unknown, { ids: string[] }>(client, query, { ids }), (l) => l.dispose());
        await live.ended();
        const errors = live.errors ?? live.results.flatMap((r) => r.errors ?? []);
        expect(errors.map((e) => e.extensions), `${query} ${ids.join()}`).toEqual([expect.objectContaining({ code: 'BAD_USER_INPUT', reason: 'UNKNOWN_PANEL' })]);
        expect(live.results.every((r) => r.data == null)).toBe(true);
      }
    }
  });

  it('follow only the panels within the limit when panelIds is omitted or lists some of them', async () => {
    const client = tenantClient();
    type Event = { panelStatusChanged: { initial: boolean; panel: { panelId: string } } };
    const all = disposers.use(subscribe<Event, Record<string, never>>(client, 'subscription { panelStatusChanged { initial panel { panelId } } }', {}), (l) => l.dispose());
    const onlyB = disposers.use(
      subscribe<Event, { ids: string[] }>(client, 'subscription ($ids: [ID!]) { panelStatusChanged(panelIds: $ids) { initial panel { panelId } } }', { ids: ['PANEL_B'] }),
      (l) => l.dispose(),
    );
    await all.received(2);
    await onlyB.received(1);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(all.results.map((r) => r.data?.panelStatusChanged)).toEqual([
      { initial: true, panel: { panelId: 'PANEL_A' } },
      { initial: true, panel: { panelId: 'PANEL_B' } },
    ]);
    expect(onlyB.results.map((r) => r.data?.panelStatusChanged)).toEqual([{ initial: true, panel: { panelId: 'PANEL_B' } }]);
  });
});
