import { afterEach, describe, expect, it } from 'vitest';
import { disposer } from '../support/disposer.js';
import { httpData } from '../support/graphql-client.js';
import { seed } from '../support/seed.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { bearer, makeKey } from './support.js';

/** Issue 23 point 2: mutations answer payloads with the changed object and user errors; retries record nothing twice. */

const disposers = disposer();
afterEach(() => disposers.run());

const OPERATOR = makeKey('facility', 'operator');
const ADMIN = makeKey('ops-admin', 'admin');
const KEYS = [OPERATOR, ADMIN].map((k) => k.entry).join(',');
/** Two days ahead is "tomorrow at the earliest" in any timezone. */
const EFFECTIVE = new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10);

async function start(): Promise<TestApp> {
  const app = await startTestApp({ AUTH: 'required', API_KEYS: KEYS }, undefined, { cleanup: disposers });
  const time = new Date(Date.now() - 60_000);
  seed(app.app, [
    { panelId: 'PANEL_A', time, kwh: 10 },
    { panelId: 'PANEL_B', time, kwh: 20 },
  ]);
  return app;
}

interface Change { id: string; kind: string; actor: string }
type Page = { adminChanges: { edges: Array<{ cursor: string; node: Change }>; pageInfo: { hasNextPage: boolean; endCursor: string | null }; totalCount: number } };
const CHANGES = 'query ($first: Int, $after: String) { adminChanges(first: $first, after: $after) { edges { cursor node { id kind actor } } pageInfo { hasNextPage endCursor } totalCount } }';

const UPDATE = `mutation ($input: UpdatePanelInput!) { updatePanel(input: $input) {
  panel { id name hidden retired } changes { kind actor } userErrors { field code message } } }`;
const SET_PLAN = `mutation ($input: SetTariffPlanInput!) { setTariffPlan(input: $input) {
  plan { effectiveFrom kind recordedBy } recorded userErrors { field code message } } }`;

describe('updatePanel', () => {
  it('answers the changed panel and what it recorded; a retry records nothing again', async () => {
    const app = await start();
    const input = { id: 'PANEL_A', name: 'Lantai 1', hidden: true };
    expect(await httpData(app.httpUrl, UPDATE, { input }, bearer(OPERATOR.key))).toEqual({
      updatePanel: {
        panel: { id: 'PANEL_A', name: 'Lantai 1', hidden: true, retired: false },
        changes: [{ kind: 'PANEL_NAME', actor: 'key:facility' }, { kind: 'PANEL_HIDDEN', actor: 'key:facility' }],
        userErrors: [],
      },
    });
    const before = (await httpData<Page, unknown>(app.httpUrl, CHANGES, {}, bearer(ADMIN.key))).adminChanges.totalCount;
    expect(await httpData(app.httpUrl, UPDATE, { input }, bearer(OPERATOR.key))).toEqual({
      updatePanel: { panel: { id: 'PANEL_A', name: 'Lantai 1', hidden: true, retired: false }, changes: [], userErrors: [] },
    });
    expect((await httpData<Page, unknown>(app.httpUrl, CHANGES, {}, bearer(ADMIN.key))).adminChanges.totalCount).toBe(before);
  });

  it('refuses a malformed or unknown panel with a user error naming the field, recording nothing', async () => {
    const app = await start();
    expect(await httpData(app.httpUrl, UPDATE, { input: { id: 'bad id!', hidden: true } }, bearer(OPERATOR.key))).toMatchObject({
      updatePanel: { panel: null, changes: [], userErrors: [{ field: ['input', 'id'], code: 'INVALID_PANEL_ID' }] },
    });
    expect(await httpData(app.httpUrl, UPDATE, { input: { id: 'PANEL_Z', hidden: true } }, bearer(OPERATOR.key))).toMatchObject({
      updatePanel: { panel: null, changes: [], userErrors: [{ field: ['input', 'id'], code: 'UNKNOWN_PANEL', message: 'unknown panel "PANEL_Z"' }] },
    });
    expect(await httpData(app.httpUrl, UPDATE, { input: { id: 'PANEL_A', name: 'x'.repeat(81) } }, bearer(OPERATOR.key))).toMatchObject({
      updatePanel: { changes: [], userErrors: [{ field: ['input', 'name'], code: 'INVALID_CHANGE' }] },
    });
  });

  it('lists hidden and retired panels only when asked, each with its flags', async () => {
    const app = await start();
    await httpData(app.httpUrl, UPDATE, { input: { id: 'PANEL_A', hidden: true } }, bearer(OPERATOR.key));
    const retired = await httpData(app.httpUrl, UPDATE, { input: { id: 'PANEL_B', retired: true } }, bearer(OPERATOR.key));
    // A retired panel is forgotten by the live parts: the payload still shows it, from the store.
    expect(retired).toMatchObject({ updatePanel: { panel: { id: 'PANEL_B', retired: true }, userErrors: [] } });
    const list = (args: string) => httpData(app.httpUrl, `{ panels${args} { nodes { id hidden retired } } }`, {}, bearer(OPERATOR.key));
    expect(await list('')).toEqual({ panels: { nodes: [] } });
    expect(await list('(includeHidden: true)')).toEqual({ panels: { nodes: [{ id: 'PANEL_A', hidden: true, retired: false }] } });
    expect(await list('(includeHidden: true, includeRetired: true)')).toEqual({
      panels: {
        nodes: [
          { id: 'PANEL_A', hidden: true, retired: false },
          { id: 'PANEL_B', hidden: false, retired: true },
        ],
      },
    });
  });
});

describe('setTariffPlan', () => {
  it('answers the plan as recorded, and a retry with the same content answers success without recording it twice', async () => {
    const app = await start();
    const input = { effectiveFrom: EFFECTIVE, plan: { kind: 'FLAT', ratePerKwh: 1700 } };
    const first = await httpData(app.httpUrl, SET_PLAN, { input }, bearer(ADMIN.key));
    expect(first).toEqual({ setTariffPlan: { plan: { effectiveFrom: EFFECTIVE, kind: 'FLAT', recordedBy: 'key:ops-admin' }, recorded: true, userErrors: [] } });
    const count = async () =>
      (await httpData<Page, unknown>(app.httpUrl, CHANGES, { first: 1000 }, bearer(ADMIN.key))).adminChanges.edges.filter((e) => e.node.kind === 'TARIFF_PLAN').length;
    const plans = await count();
    const retry = await httpData(app.httpUrl, SET_PLAN, { input }, bearer(ADMIN.key));
    expect(retry).toEqual({ setTariffPlan: { plan: { effectiveFrom: EFFECTIVE, kind: 'FLAT', recordedBy: 'key:ops-admin' }, recorded: false, userErrors: [] } });
    expect(await count()).toBe(plans);
    // Another plan for the same day is a change: recorded.
    const other = await httpData(app.httpUrl, SET_PLAN, { input: { ...input, plan: { kind: 'FLAT', ratePerKwh: 1800 } } }, bearer(ADMIN.key));
    expect(other).toMatchObject({ setTariffPlan: { recorded: true } });
    expect(await count()).toBe(plans + 1);
  });

  it('refuses a plan with a user error a program can branch on', async () => {
    const app = await start();
    expect(await httpData(app.httpUrl, SET_PLAN, { input: { effectiveFrom: EFFECTIVE, plan: { kind: 'FLAT' } } }, bearer(ADMIN.key))).toMatchObject({
      setTariffPlan: { plan: null, recorded: false, userErrors: [{ field: ['input', 'plan'], code: 'INVALID_TARIFF_PLAN' }] },
    });
    expect(await httpData(app.httpUrl, SET_PLAN, { input: { effectiveFrom: '2020-01-01', plan: { kind: 'FLAT', ratePerKwh: 1 } } }, bearer(ADMIN.key))).toMatchObject({
      setTariffPlan: { plan: null, userErrors: [{ field: ['input', 'effectiveFrom'], code: 'TARIFF_DATE_TOO_EARLY' }] },
    });
  });
});

describe('API keys', () => {
  it('lists keys without their secret, and a revoke answers the revoked key, also when retried', async () => {
    const app = await start();
    const made = await httpData<{ createApiKey: { key: string; apiKey: { id: string } } }, unknown>(
      app.httpUrl,
      'mutation { createApiKey(input: { name: "floor-3", role: VIEWER, panelIds: ["PANEL_A"] }) { key apiKey { id } userErrors { code } } }',
      {},
      bearer(ADMIN.key),
    );
    const { key, apiKey } = made.createApiKey;
    expect(key).toMatch(/^emk_/);
    const LIST = '{ apiKeys { id name role panelIds createdBy revoked revokedBy } }';
    const listed = await httpData(app.httpUrl, LIST, {}, bearer(ADMIN.key));
    expect(listed).toEqual({ apiKeys: [{ id: apiKey.id, name: 'floor-3', role: 'VIEWER', panelIds: ['PANEL_A'], createdBy: 'key:ops-admin', revoked: false, revokedBy: null }] });
    expect(JSON.stringify(listed)).not.toContain(key);

    const REVOKE = 'mutation ($id: ID!) { revokeApiKey(input: { id: $id }) { apiKey { id revoked revokedBy } userErrors { code } } }';
    const revoked = { revokeApiKey: { apiKey: { id: apiKey.id, revoked: true, revokedBy: 'key:ops-admin' }, userErrors: [] } };
    expect(await httpData(app.httpUrl, REVOKE, { id: apiKey.id }, bearer(ADMIN.key))).toEqual(revoked);
    expect(await httpData(app.httpUrl, REVOKE, { id: apiKey.id }, bearer(ADMIN.key))).toEqual(revoked);
    const kinds = (await httpData<Page, unknown>(app.httpUrl, CHANGES, {}, bearer(ADMIN.key))).adminChanges.edges.map((e) => e.node.kind);
    expect(kinds.filter((kind) => kind === 'API_KEY_REVOKED')).toHaveLength(1);
    expect(await httpData(app.httpUrl, REVOKE, { id: '0123456789ab' }, bearer(ADMIN.key))).toEqual({ revokeApiKey: { apiKey: null, userErrors: [{ code: 'UNKNOWN_API_KEY' }] } });
  });
});

describe('adminChanges', () => {
  it('reaches the whole record page by page, newest first, with cursors that stay valid while changes are recorded', async () => {
    const app = await start();
    for (let i = 0; i < 7; i++) await httpData(app.httpUrl, UPDATE, { input: { id: 'PANEL_A', name: `Name ${i}` } }, bearer(OPERATOR.key));
    const all = (await httpData<Page, unknown>(app.httpUrl, CHANGES, { first: 1000 }, bearer(ADMIN.key))).adminChanges;
    expect(all.pageInfo.hasNextPage).toBe(false);
    expect(all.totalCount).toBe(all.edges.length);

    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const page: Page['adminChanges'] = (await httpData<Page, unknown>(app.httpUrl, CHANGES, { first: 3, after }, bearer(ADMIN.key))).adminChanges;
      seen.push(...page.edges.map((e) => e.node.id));
      // A change recorded between pages comes before the first page, never into the rest.
      if (seen.length === 3) await httpData(app.httpUrl, UPDATE, { input: { id: 'PANEL_A', name: 'Later' } }, bearer(OPERATOR.key));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(seen).toEqual(all.edges.map((e) => e.node.id));
    expect(await httpData(app.httpUrl, CHANGES, { first: 1001 }, bearer(ADMIN.key)).catch((error: unknown) => String(error))).toContain('first must be 0-1000');
  });
});
