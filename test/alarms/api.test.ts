import { afterEach, describe, expect, it } from 'vitest';
import { bearer, makeKey } from '../access/support.js';
import { disposer, tempDir } from '../support/disposer.js';
import { httpRequest, subscribe, wsClient } from '../support/graphql-client.js';
import { seed, type SeedReading } from '../support/seed.js';
import { startTestApp } from '../support/test-app.js';

const cleanup = disposer();
afterEach(() => cleanup.run());

const MINUTE = 60_000;
const admin = makeKey('ops-admin', 'admin');
const floorA = makeKey('floor-a', 'operator', ['PANEL_A']);
const env = { AUTH: 'required', API_KEYS: [admin.entry, floorA.entry].join(',') };

/** Ten minutes of readings (from an hour ago unless given) with every phase at `volts` (out of band: an alarm after 5 min). */
function sag(panelId: string, volts: number, start = Date.now() - 60 * MINUTE): SeedReading[] {
  return Array.from({ length: 10 }, (_, i) => ({ panelId, time: new Date(start + i * MINUTE), kwh: 100 + i * 0.1, voltage: [volts, volts, volts, volts] as const }));
}

const ALARMS = /* GraphQL */ `
  query Alarms($filter: AlarmFilter, $first: Int, $after: String) {
    alarms(filter: $filter, first: $first, after: $after) {
      edges { cursor node { id type severity state panelId value threshold acknowledgedBy note } }
      pageInfo { hasNextPage endCursor }
      totalCount
    }
  }
`;
const ACK = /* GraphQL */ `
  mutation Ack($input: AcknowledgeAlarmInput!) {
    acknowledgeAlarm(input: $input) { alarm { id state acknowledgedBy note } userErrors { field code message } }
  }
`;

interface AlarmsData {
  alarms: {
    edges: Array<{ cursor: string; node: { id: string; type: string; state: string; panelId: string | null; acknowledgedBy: string | null; note: string | null; value: number } }>;
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
    totalCount: number;
  };
}

describe('the alarm API (real product over HTTP and WebSocket)', () => {
  it('pages newest first, limits panel-limited callers to their panels, acknowledges with a note, records it, and keeps it over a restart', { timeout: 60_000 }, async () => {
    const dir = tempDir(cleanup);
    const first = await startTestApp(env, dir, { cleanup });
    seed(first.app, sag('PANEL_A', 190, Date.now() - 10 * MINUTE));
    seed(first.app, sag('PANEL_B', 240, Date.now() - 9.5 * MINUTE));
    const asAdmin = bearer(admin.key);
    const asFloorA = bearer(floorA.key);

    const page1 = await httpRequest<AlarmsData, unknown>(first.httpUrl, ALARMS, { first: 1 }, asAdmin);
    expect(page1.errors).toBeUndefined();
    expect(page1.data!.alarms.totalCount).toBe(2);
    expect(page1.data!.alarms.edges.map((e) => e.node.panelId)).toEqual(['PANEL_B']);
    expect(page1.data!.alarms.pageInfo.hasNextPage).toBe(true);
    const page2 = await httpRequest<AlarmsData, unknown>(first.httpUrl, ALARMS, { first: 1, after: page1.data!.alarms.pageInfo.endCursor }, asAdmin);
    expect(page2.data!.alarms.edges.map((e) => e.node)).toMatchObject([{ panelId: 'PANEL_A', type: 'VOLTAGE_OUT_OF_RANGE', severity: 'MAJOR', state: 'ACTIVE_UNACK', value: 190, threshold: 198 }]);
    expect(page2.data!.alarms.pageInfo).toEqual({ hasNextPage: false, endCursor: page2.data!.alarms.edges[0]!.cursor });
    const idA = page2.data!.alarms.edges[0]!.node.id;
    const idB = page1.data!.alarms.edges[0]!.node.id;

    // A caller limited to PANEL_A sees its alarm only, and may not acknowledge PANEL_B's (as if it did not exist).
    const limited = await httpRequest<AlarmsData, unknown>(first.httpUrl, ALARMS, {}, asFloorA);
    expect(limited.data!.alarms.edges.map((e) => e.node.id)).toEqual([idA]);
    const refused = await httpRequest<{ acknowledgeAlarm: { alarm: null; userErrors: unknown[] } }, unknown>(first.httpUrl, ACK, { input: { id: idB } }, asFloorA);
    expect(refused.data!.acknowledgeAlarm).toEqual({ alarm: null, userErrors: [{ field: ['input', 'id'], code: 'UNKNOWN_ALARM', message: expect.any(String) }] });

    // A live subscriber of PANEL_A's alarms: the open one first (initial), then the acknowledgement.
    const client = wsClient(first.wsUrl, { authorization: `Bearer ${floorA.key}` });
    cleanup.add(() => client.dispose());
    // Another panel than its own ends the subscription at once, as an unknown one, not silently.
    const outside = subscribe<unknown, unknown>(client, 'subscription { alarmChanged(panelIds: ["PANEL_A", "PANEL_B"]) { initial } }');
    cleanup.add(() => outside.dispose());
    await outside.ended();
    expect((outside.errors ?? outside.results.flatMap((r) => r.errors ?? [])).map((e) => e.extensions?.reason)).toEqual(['UNKNOWN_PANEL']);
    const live = subscribe<{ alarmChanged: { initial: boolean; transition: string | null; alarm: { id: string; state: string } } }, unknown>(
      client,
      'subscription { alarmChanged(panelIds: ["PANEL_A"]) { initial transition alarm { id state } } }',
    );
    cleanup.add(() => live.dispose());
    expect((await live.next()).data!.alarmChanged).toEqual({ initial: true, transition: null, alarm: { id: idA, state: 'ACTIVE_UNACK' } });

    const acked = await httpRequest<{ acknowledgeAlarm: unknown }, unknown>(first.httpUrl, ACK, { input: { id: idA, note: 'electrician called' } }, asFloorA);
    expect(acked.data!.acknowledgeAlarm).toEqual({ alarm: { id: idA, state: 'ACTIVE_ACK', acknowledgedBy: 'key:floor-a', note: 'electrician called' }, userErrors: [] });
    expect((await live.next()).data!.alarmChanged).toEqual({ initial: false, transition: 'ACKNOWLEDGED', alarm: { id: idA, state: 'ACTIVE_ACK' } });

    // Recorded in the admin record, with who.
    const changes = await httpRequest<{ adminChanges: { nodes: Array<{ actor: string; kind: string; change: string }> } }, unknown>(first.httpUrl, '{ adminChanges { nodes { actor kind change } } }', {}, asAdmin);
    expect(changes.data!.adminChanges.nodes.find((c) => c.kind === 'ALARM_ACKNOWLEDGED')).toMatchObject({ actor: 'key:floor-a' });
    const counts = await httpRequest<{ alarmCounts: unknown }, unknown>(first.httpUrl, '{ alarmCounts { open unacknowledged bySeverity { severity count } } }', {}, asAdmin);
    expect(counts.data!.alarmCounts).toEqual({
      open: 2,
      unacknowledged: 1,
      bySeverity: [{ severity: 'CRITICAL', count: 0 }, { severity: 'MAJOR', count: 2 }, { severity: 'MINOR', count: 0 }, { severity: 'WARNING', count: 0 }],
    });

    // A restart: the same alarms, ids and acknowledgement.
    const before = await httpRequest<AlarmsData, unknown>(first.httpUrl, ALARMS, {}, asAdmin);
    live.dispose();
    await client.dispose();
    await first.stop();
    const second = await startTestApp(env, dir, { cleanup });
    const after = await httpRequest<AlarmsData, unknown>(second.httpUrl, ALARMS, {}, asAdmin);
    expect(after.data).toEqual(before.data);
  });

  it('acknowledges several alarms as one record (operator), answers an unknown id with a user error, and refuses a viewer; caller says each role', { timeout: 60_000 }, async () => {
    const desk = makeKey('ops-desk', 'operator');
    const lobby = makeKey('lobby', 'viewer');
    const app = await startTestApp({ AUTH: 'required', API_KEYS: [admin.entry, desk.entry, lobby.entry].join(',') }, tempDir(cleanup), { cleanup });
    seed(app.app, sag('PANEL_A', 190, Date.now() - 10 * MINUTE));
    seed(app.app, sag('PANEL_B', 240, Date.now() - 9.5 * MINUTE));
    const ids = (await httpRequest<AlarmsData, unknown>(app.httpUrl, ALARMS, {}, bearer(admin.key))).data!.alarms.edges.map((e) => e.node.id);
    expect(ids).toHaveLength(2);

    // The page asks who it is before offering an Acknowledge button.
    const CALLER = '{ caller { name role panelIds } }';
    expect((await httpRequest(app.httpUrl, CALLER, {}, bearer(lobby.key))).data).toEqual({ caller: { name: 'key:lobby', role: 'VIEWER', panelIds: null } });
    expect((await httpRequest(app.httpUrl, CALLER, {}, bearer(floorA.key))).errors?.[0]?.extensions).toMatchObject({ code: 'UNAUTHENTICATED' });
    expect((await httpRequest(app.httpUrl, CALLER, {}, bearer(desk.key))).data).toEqual({ caller: { name: 'key:ops-desk', role: 'OPERATOR', panelIds: null } });

    const ACK_MANY = 'mutation($input: AcknowledgeAlarmsInput!) { acknowledgeAlarms(input: $input) { alarms { id state acknowledgedBy note } userErrors { field code } } }';
    const byViewer = await httpRequest(app.httpUrl, ACK_MANY, { input: { ids } }, bearer(lobby.key));
    expect(byViewer.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'NOT_ALLOWED' });
    const acked = await httpRequest<{ acknowledgeAlarms: { alarms: Array<{ id: string; state: string }>; userErrors: unknown[] } }, unknown>(
      app.httpUrl,
      ACK_MANY,
      { input: { ids: [...ids, 'no-such-alarm'], note: 'both seen' } },
      bearer(desk.key),
    );
    expect(acked.data!.acknowledgeAlarms.alarms.map((a) => a.id).sort()).toEqual([...ids].sort());
    expect(acked.data!.acknowledgeAlarms.alarms).toEqual(expect.arrayContaining(ids.map((id) => ({ id, state: 'ACTIVE_ACK', acknowledgedBy: 'key:ops-desk', note: 'both seen' }))));
    expect(acked.data!.acknowledgeAlarms.userErrors).toEqual([{ field: ['input', 'ids', '2'], code: 'UNKNOWN_ALARM' }]);
    const changes = await httpRequest<{ adminChanges: { nodes: Array<{ actor: string; kind: string }> } }, unknown>(app.httpUrl, '{ adminChanges { nodes { actor kind } } }', {}, bearer(admin.key));
    expect(changes.data!.adminChanges.nodes.filter((c) => c.kind === 'ALARM_ACKNOWLEDGED')).toEqual([{ actor: 'key:ops-desk', kind: 'ALARM_ACKNOWLEDGED' }]);
  });

  it('sets rules and budgets as an admin, records them, and refuses panel-limited callers', { timeout: 60_000 }, async () => {
    const app = await startTestApp(env, undefined, { cleanup });
    seed(app.app, sag('PANEL_A', 225));
    const asAdmin = bearer(admin.key);
    const set = await httpRequest<{ setAlarmRule: unknown }, unknown>(
      app.httpUrl,
      'mutation { setAlarmRule(input: { type: DEMAND_HIGH, panelId: "PANEL_A", raiseAbove: 50, clearBelow: 42.5 }) { rule { type panelId raiseAbove clearBelow version enabled } userErrors { code } } }',
      {},
      asAdmin,
    );
    expect(set.data!.setAlarmRule).toEqual({ rule: { type: 'DEMAND_HIGH', panelId: 'PANEL_A', raiseAbove: 50, clearBelow: 42.5, version: 1, enabled: true }, userErrors: [] });
    const unknown = await httpRequest<{ setAlarmRule: unknown }, unknown>(app.httpUrl, 'mutation { setAlarmRule(input: { type: DEMAND_HIGH, panelId: "NOPE" }) { rule { type } userErrors { field code } } }', {}, asAdmin);
    expect(unknown.data!.setAlarmRule).toEqual({ rule: null, userErrors: [{ field: ['input', 'panelId'], code: 'UNKNOWN_PANEL' }] });
    const budget = await httpRequest<{ setBudget: { budget: { kwh: number; usedKwh: number; projectedKwh: number } } }, unknown>(
      app.httpUrl,
      'mutation { setBudget(input: { kwh: 1000 }) { budget { panelId kwh rupiah { amount } usedKwh projectedKwh } userErrors { code } } }',
      {},
      asAdmin,
    );
    expect(budget.data!.setBudget.budget).toMatchObject({ panelId: null, kwh: 1000, rupiah: null });
    const refused = await httpRequest<unknown, unknown>(app.httpUrl, 'mutation { setBudget(input: { kwh: 1 }) { userErrors { code } } }', {}, bearer(floorA.key));
    expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const changes = await httpRequest<{ adminChanges: { nodes: Array<{ kind: string }> } }, unknown>(app.httpUrl, '{ adminChanges { nodes { kind } } }', {}, asAdmin);
    expect(changes.data!.adminChanges.nodes.map((c) => c.kind)).toEqual(expect.arrayContaining(['ALARM_RULE', 'ALARM_BUDGET']));
  });

  it('PANEL_OFFLINE follows the status monitor: raised at the instant the panel went silent, cleared by its next reading', { timeout: 60_000 }, async () => {
    const app = await startTestApp({ ...env, OFFLINE_AFTER: '2s' }, undefined, { cleanup });
    const [last] = seed(app.app, [{ panelId: 'PANEL_A', time: new Date(Date.now() - 500), kwh: 100 }]);
    const asAdmin = bearer(admin.key);
    const offline = async () =>
      (await httpRequest<AlarmsData, unknown>(app.httpUrl, ALARMS, { filter: { type: ['PANEL_OFFLINE'] } }, asAdmin)).data!.alarms.edges.map((e) => e.node);
    await expect.poll(offline, { timeout: 15_000 }).toMatchObject([{ type: 'PANEL_OFFLINE', panelId: 'PANEL_A', state: 'ACTIVE_UNACK', severity: 'MAJOR' }]);
    const { alarms } = (await httpRequest<{ alarms: { edges: Array<{ node: { startedAt: string } }> } }, unknown>(app.httpUrl, '{ alarms(filter: { type: [PANEL_OFFLINE] }) { edges { node { startedAt } } } }', {}, asAdmin)).data!;
    expect(alarms.edges[0]!.node.startedAt).toBe(new Date(last!.time.getTime() + 2_000).toISOString());
    seed(app.app, [{ panelId: 'PANEL_A', time: new Date(), kwh: 100.01 }]);
    await expect.poll(async () => (await offline()).map((a) => a.state), { timeout: 15_000 }).toEqual(['CLEARED_UNACK']);
  });
});
