import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { disposer, tempDir } from '../support/disposer.js';
import { httpRequest } from '../support/graphql-client.js';
import { seed, type SeedReading } from '../support/seed.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { bearer, makeKey } from './support.js';

const disposers = disposer();
afterEach(() => disposers.run());

const MINUTE = 60_000;
const ADMIN = makeKey('ops-admin', 'admin');
/** A tenant's dashboard: panels A and B of the building's A, B and C. */
const TENANT = makeKey('tenant-floors-1-2', 'viewer', ['PANEL_A', 'PANEL_B']);

/** Ten minutes with every phase at 190 V: a voltage alarm on the panel after five. */
function sag(panelId: string, start: number): SeedReading[] {
  return Array.from({ length: 10 }, (_, i) => ({ panelId, time: new Date(start + i * MINUTE), kwh: 100 + i * 0.1, voltage: [190, 190, 190, 190] as const }));
}

interface Ids {
  panels: Record<string, string>;
  alarms: Record<string, string>;
  apiKey: string;
  adminChange: string;
  tariffVersion: string;
  site: string;
}

let app: TestApp;
let ids: Ids;

beforeEach(async () => {
  app = await startTestApp({ AUTH: 'required', API_KEYS: [ADMIN.entry, TENANT.entry].join(',') }, tempDir(disposers), { cleanup: disposers });
  const start = Date.now() - 30 * MINUTE;
  for (const panelId of ['PANEL_A', 'PANEL_B', 'PANEL_C']) seed(app.app, sag(panelId, start));
  const admin = bearer(ADMIN.key);
  // An API key and with it an admin change, so every type has an object to ask for.
  const made = await httpRequest<{ createApiKey: { apiKey: { id: string } } }, unknown>(
    app.httpUrl,
    'mutation { createApiKey(input: { name: "lobby", role: VIEWER }) { apiKey { id } } }',
    {},
    admin,
  );
  type Listing = {
    a: { id: string; panelId: string };
    b: { id: string; panelId: string };
    c: { id: string; panelId: string };
    alarms: { edges: Array<{ node: { id: string; panelId: string | null } }> };
    adminChanges: { nodes: Array<{ id: string }> };
    site: { id: string; tariff: { versions: Array<{ id: string }> } };
  };
  const listed = await httpRequest<Listing, unknown>(
    app.httpUrl,
    '{ a: panel(id: "PANEL_A") { id panelId } b: panel(id: "PANEL_B") { id panelId } c: panel(id: "PANEL_C") { id panelId } alarms { edges { node { id panelId } } } adminChanges { nodes { id } } site { id tariff { versions { id } } } }',
    {},
    admin,
  );
  if (!listed.data || listed.errors) throw new Error(JSON.stringify(listed.errors));
  const data = listed.data;
  const panels = [data.a, data.b, data.c];
  ids = {
    panels: Object.fromEntries(panels.map((p) => [p.panelId, p.id])),
    alarms: Object.fromEntries(data.alarms.edges.map(({ node: a }) => [a.panelId ?? 'building', a.id])),
    apiKey: made.data!.createApiKey.apiKey.id,
    adminChange: data.adminChanges.nodes[0]!.id,
    tariffVersion: data.site.tariff.versions[0]!.id,
    site: data.site.id,
  };
});

// Alarm.panelId is nullable (a building alarm) and Panel.panelId is not: one response name each.
const NODE = 'query ($id: ID!) { node(id: $id) { __typename id ... on Panel { panelId } ... on Alarm { alarmPanel: panelId } } }';

async function node(id: string, key: string) {
  return httpRequest<{ node: { __typename: string; id: string; panelId?: string; alarmPanel?: string | null } | null }, { id: string }>(app.httpUrl, NODE, { id }, bearer(key));
}

describe('node(id) within a panel limit', () => {
  it('gives what the direct fields give: panels and alarms within the limit, not panel C or its alarm', async () => {
    expect(Object.keys(ids.panels).sort()).toEqual(['PANEL_A', 'PANEL_B', 'PANEL_C']);
    expect(Object.keys(ids.alarms)).toEqual(expect.arrayContaining(['PANEL_A', 'PANEL_B', 'PANEL_C']));

    for (const panelId of ['PANEL_A', 'PANEL_B']) {
      expect((await node(ids.panels[panelId]!, TENANT.key)).data?.node).toEqual({ __typename: 'Panel', id: ids.panels[panelId], panelId });
      expect((await node(ids.alarms[panelId]!, TENANT.key)).data?.node).toEqual({ __typename: 'Alarm', id: ids.alarms[panelId], alarmPanel: panelId });
    }

    // Panel C: null with UNKNOWN_PANEL, as panel(id) answers it.
    const panelC = await node(ids.panels.PANEL_C!, TENANT.key);
    const direct = await httpRequest<{ panel: unknown }, { id: string }>(app.httpUrl, 'query ($id: ID!) { panel(id: $id) { id } }', { id: ids.panels.PANEL_C! }, bearer(TENANT.key));
    expect(panelC.data?.node).toBeNull();
    expect(panelC.errors?.map((e) => e.extensions?.reason)).toEqual(['UNKNOWN_PANEL']);
    expect(direct.data?.panel).toBeNull();
    expect(direct.errors?.map((e) => e.extensions?.reason)).toEqual(['UNKNOWN_PANEL']);
    expect(panelC.errors?.[0]?.message).toBe(direct.errors?.[0]?.message);

    // Panel C's alarm: null, as alarm(id) answers it, and nothing about it in the answer.
    const alarmC = await node(ids.alarms.PANEL_C!, TENANT.key);
    expect(alarmC).toMatchObject({ data: { node: null } });
    expect(alarmC.errors).toBeUndefined();
    const directAlarm = await httpRequest<{ alarm: unknown }, { id: string }>(app.httpUrl, 'query ($id: ID!) { alarm(id: $id) { id } }', { id: ids.alarms.PANEL_C! }, bearer(TENANT.key));
    expect(directAlarm.data?.alarm).toBeNull();

    // The admin sees panel C and its alarm through node() too.
    expect((await node(ids.panels.PANEL_C!, ADMIN.key)).data?.node).toMatchObject({ __typename: 'Panel', panelId: 'PANEL_C' });
    expect((await node(ids.alarms.PANEL_C!, ADMIN.key)).data?.node).toMatchObject({ __typename: 'Alarm', alarmPanel: 'PANEL_C' });
  });

  it('refuses API keys and admin changes to a viewer with FORBIDDEN, as apiKeys and adminChanges do, and gives the rest to everyone', async () => {
    for (const id of [ids.apiKey, ids.adminChange]) {
      const refused = await node(id, TENANT.key);
      expect(refused.data?.node).toBeNull();
      expect(refused.errors?.map((e) => e.extensions)).toEqual([expect.objectContaining({ code: 'FORBIDDEN', reason: 'NOT_ALLOWED' })]);
      expect((await node(id, ADMIN.key)).data?.node).toMatchObject({ id });
    }
    expect((await node(ids.tariffVersion, TENANT.key)).data?.node).toEqual({ __typename: 'TariffPlanVersion', id: ids.tariffVersion });
    expect((await node(ids.site, TENANT.key)).data?.node).toEqual({ __typename: 'Site', id: ids.site });
  });

  it('answers null for an id that names nothing, and keeps ids opaque, distinct and stable', async () => {
    for (const id of ['not an id', `~${Buffer.from('Alarm:no-such-alarm').toString('base64url')}`, `~${Buffer.from('Nothing:1').toString('base64url')}`, '~!!']) {
      const answer = await node(id, ADMIN.key);
      expect(answer, id).toEqual({ status: 200, data: { node: null } });
    }
    // An unknown panel answers as panel(id) does.
    expect((await node('PANEL_Z', ADMIN.key)).errors?.map((e) => e.extensions?.reason)).toEqual(['UNKNOWN_PANEL']);
    const all = [...Object.values(ids.panels), ...Object.values(ids.alarms), ids.apiKey, ids.adminChange, ids.tariffVersion, ids.site];
    expect(new Set(all).size).toBe(all.length);
    // A panel's global id is its panel id; every other starts with "~", which no panel id can.
    expect(ids.panels).toEqual({ PANEL_A: 'PANEL_A', PANEL_B: 'PANEL_B', PANEL_C: 'PANEL_C' });
    for (const id of all.filter((x) => !Object.values(ids.panels).includes(x))) expect(id).toMatch(/^~[A-Za-z0-9_-]+$/);
  });
});
