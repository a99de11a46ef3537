import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { bearer, makeKey } from '../access/support.js';
import { spawnProduct, waitReady, type Product } from '../hostile/product.js';
import { disposer, tempDir } from '../support/disposer.js';
import { httpData, httpRequest, wsClient, wsRequest } from '../support/graphql-client.js';
import { connectMeter, meterPayload, minutesAgo, publishQos1 } from '../support/mqtt.js';
import { freePort } from '../support/net.js';
import { metricValue } from '../support/test-app.js';

/**
 * Issue 20, point 2: no input through the API can stop a start. Against the real process (as `npm
 * start`): every mutation with the largest and oddest inputs the transport carries (HTTP_MAX_BODY,
 * 64 KiB by default), then a restart that must succeed and show the same state; and entries of the
 * admin record this version cannot interpret (another version wrote them) are skipped, logged,
 * counted and shown to operators instead of stopping the start.
 */

const ADMIN = makeKey('site-admin', 'admin');
const OPERATOR = makeKey('facility', 'operator');
const PANELS = ['PANEL_A', 'PANEL_B', 'PANEL_C'] as const;

const cleanup = disposer();
let dataDir: string;
let product: Product;

function startOn(dir: string): Promise<Product> {
  return (async () => {
    const started = spawnProduct({ DATA_DIR: dir, AUTH: 'required', API_KEYS: `${ADMIN.entry},${OPERATOR.entry}` }, cleanup, {
      http: await freePort(),
      mqtt: await freePort(),
    });
    await waitReady(started);
    return started;
  })();
}

async function stop(running: Product): Promise<void> {
  running.child.kill('SIGTERM');
  expect(await running.exited).toEqual({ code: 0, signal: null });
}

type Vars = Record<string, unknown>;
const as = (key: string, query: string, variables: Vars = {}) => httpRequest<Record<string, unknown>, Vars>(product.httpUrl, query, variables, bearer(key));
const asAdmin = (query: string, variables: Vars = {}) => as(ADMIN.key, query, variables);

type Refusal = { status: number; data?: unknown; errors?: readonly { extensions?: Record<string, unknown>; message: string }[] };

/**
 * Refused as the caller's mistake: BAD_USER_INPUT from the product's checks, with a short message
 * (at most a short part of what was sent is quoted), or, for a value of the wrong GraphQL type
 * (a string for a Float, an Int beyond 32 bits, an unknown enum value), GraphQL's own coercion
 * error, which refuses the operation before any resolver runs (src/http/client-errors.ts passes
 * those on as they are).
 */
async function expectBadInput(result: Promise<Refusal>, label: string): Promise<void> {
  const { errors, data } = await result;
  // A mutation's payload refuses with user errors (a code and a short message), recording nothing.
  const payload = errors === undefined && data && typeof data === 'object' ? (Object.values(data)[0] as { userErrors?: Array<{ code: string; message: string }> }) : null;
  if (payload) {
    const context = `${label}: ${JSON.stringify(payload).slice(0, 300)}`;
    expect(payload.userErrors?.length, context).toBeGreaterThan(0);
    for (const userError of payload.userErrors!) expect(userError.message.length, context).toBeLessThan(600);
    return;
  }
  const first = errors?.[0];
  const context = `${label}: ${JSON.stringify(errors)?.slice(0, 300)}`;
  expect(first, context).toBeDefined();
  expect(data ?? null, context).toBeNull();
  // GraphQL's coercion errors quote the whole variable (graphql-js), the product's own do not.
  const coercion = /^Variable "\$\w+" got invalid value /.test(first!.message);
  if (first!.extensions?.code === undefined) expect(coercion, context).toBe(true);
  else expect(first!.extensions.code, context).toBe('BAD_USER_INPUT');
  if (!coercion) expect(first!.message.length, context).toBeLessThan(600);
}

const SET_NAME = 'mutation ($id: ID!, $name: String) { updatePanel(input: { id: $id, name: $name }) { panel { id } userErrors { code message } } }';
const SET_HIDDEN = 'mutation ($id: ID!, $hidden: Boolean!) { updatePanel(input: { id: $id, hidden: $hidden }) { panel { id } userErrors { code message } } }';
const SET_RETIRED = 'mutation ($id: ID!, $retired: Boolean!) { updatePanel(input: { id: $id, retired: $retired }) { panel { id } userErrors { code message } } }';
const SET_PLAN = 'mutation ($from: Date!, $plan: TariffPlanInput!) { setTariffPlan(input: { effectiveFrom: $from, plan: $plan }) { plan { effectiveFrom } userErrors { code message } } }';
const CREATE_KEY =
  'mutation ($name: String!, $role: ApiRole!, $panels: [ID!]) { createApiKey(input: { name: $name, role: $role, panelIds: $panels }) { key apiKey { keyId name } userErrors { code message } } }';
const REVOKE_KEY = 'mutation ($keyId: ID!) { revokeApiKey(input: { id: $keyId }) { apiKey { id } userErrors { code message } } }';
/** A mutation's answer without user errors (what each accepted input must give). */
function accepted(result: { errors?: unknown; data?: unknown }): unknown {
  return result.errors ?? (Object.values((result.data ?? {}) as Record<string, { userErrors?: unknown[] }>)[0]?.userErrors?.length ? result.data : undefined);
}

/** The largest string that still fits in one request under HTTP_MAX_BODY (64 KiB) with its query. */
const HUGE = 'N'.repeat(63_000);

/** Display texts refused: too long, control characters, NUL, bidirectional overrides, broken UTF-16. */
const REFUSED_TEXTS: Record<string, string> = {
  huge: HUGE,
  '81 characters': 'x'.repeat(81),
  NUL: 'Lantai\u00001',
  newline: 'Lantai\n1',
  escape: '\u001b[31mLantai',
  DEL: 'Lantai\u007f',
  'C1 control': 'Lantai\u0085',
  'RTL override': 'Panel \u202Egnp.exe',
  'bidi isolate': '\u2066Lantai\u2069',
  'line separator': 'Lantai\u20281',
  'lone surrogate': 'Lantai \ud800',
};

/** Display texts kept exactly: emoji (with joiners), right-to-left and other scripts, combining marks, the longest allowed. */
const ACCEPTED_TEXTS = ['⚡ Lantai 1 🔌', '👩‍🔧 Ruang teknisi', 'لوحة الطابق ١', '配电盘 2', 'Pane\u0301l Lobby', 'y'.repeat(80)];

/** Panel ids refused: the rule of src/models/panel-id.ts. */
const BAD_PANEL_IDS = ['', ' ', HUGE, 'x'.repeat(65), '../PANEL_A', 'DATA/PM/PANEL_A', '#', '+', 'PANEL A', '-PANEL', 'PANEL_\u0000', 'ПАНЕЛЬ', '😀', 'PANEL_A\n'];

const EFFECTIVE = new Date(Date.now() + 3 * 86_400_000).toISOString().slice(0, 10);

/** Everything the admin record adds up to, as the API shows it. */
const STATE = `{
  tariff { versions { effectiveFrom name kind blocks { block ratePerKwh { amount } hours } peakMultiplier reactiveRatePerKvarh { amount } minimumBillConnectedKva minimumBillHours taxPercent } }
  panels { nodes { id name } }
}`;
/** The admin record itself, asked for apart: with the state above it is more than one operation's cost allows. */
const RECORD = '{ adminChanges(first: 500) { nodes { id at actor kind change } } }';

async function state(): Promise<unknown> {
  return { ...(await httpData<Record<string, unknown>, unknown>(product.httpUrl, STATE, {}, bearer(ADMIN.key))), ...(await httpData<Record<string, unknown>, unknown>(product.httpUrl, RECORD, {}, bearer(ADMIN.key))) };
}

beforeAll(async () => {
  dataDir = tempDir(cleanup, 'energy-admin-input-');
  product = await startOn(dataDir);
  const meter = await connectMeter(product.mqttUrl, cleanup);
  for (const panelId of PANELS) await publishQos1(meter, `DATA/PM/${panelId}`, meterPayload({ time: minutesAgo(1) }));
  meter.end();
  await vi.waitFor(
    async () => expect(await httpData(product.httpUrl, '{ panels { nodes { id } } }', {}, bearer(ADMIN.key))).toEqual({ panels: { nodes: PANELS.map((id) => ({ id })) } }),
    { timeout: 10_000, interval: 100 },
  );
}, 60_000);
afterAll(() => cleanup.run());

describe('every mutation with the largest and oddest inputs', () => {
  it('setPanelName refuses bad names and ids with BAD_USER_INPUT and keeps odd but valid names exactly', async () => {
    for (const [label, name] of Object.entries(REFUSED_TEXTS)) await expectBadInput(as(OPERATOR.key, SET_NAME, { id: 'PANEL_A', name }), `name ${label}`);
    for (const id of BAD_PANEL_IDS) await expectBadInput(as(OPERATOR.key, SET_NAME, { id, name: 'Lantai 1' }), `id ${JSON.stringify(id.slice(0, 20))}`);
    for (const name of ACCEPTED_TEXTS) {
      expect(accepted(await as(OPERATOR.key, SET_NAME, { id: 'PANEL_A', name })), name).toBeUndefined();
      expect(await httpData(product.httpUrl, '{ panel(id: "PANEL_A") { name } }', {}, bearer(OPERATOR.key))).toEqual({ panel: { name } });
    }
    // Surrounding spaces are trimmed; only spaces means "back to the derived name".
    await as(OPERATOR.key, SET_NAME, { id: 'PANEL_B', name: '  Lantai 2\u00a0 ' });
    expect(await httpData(product.httpUrl, '{ panel(id: "PANEL_B") { name } }', {}, bearer(OPERATOR.key))).toEqual({ panel: { name: 'Lantai 2' } });
  });

  it('setPanelHidden and setPanelRetired refuse malformed and unknown ids with BAD_USER_INPUT', async () => {
    for (const id of [...BAD_PANEL_IDS, 'PANEL_UNKNOWN']) {
      await expectBadInput(as(OPERATOR.key, SET_HIDDEN, { id, hidden: true }), `hide ${JSON.stringify(id.slice(0, 20))}`);
      await expectBadInput(as(OPERATOR.key, SET_RETIRED, { id, retired: true }), `retire ${JSON.stringify(id.slice(0, 20))}`);
    }
    expect(accepted(await as(OPERATOR.key, SET_HIDDEN, { id: 'PANEL_B', hidden: true }))).toBeUndefined();
    expect(accepted(await as(OPERATOR.key, SET_RETIRED, { id: 'PANEL_C', retired: true }))).toBeUndefined();
  });

  it('setTariffPlan refuses out-of-range, non-finite and mistyped values with BAD_USER_INPUT', async () => {
    const flat = { kind: 'FLAT', ratePerKwh: 1_500 };
    const tou = { kind: 'TIME_OF_USE', offPeakRatePerKwh: 1_114.74, peakMultiplier: 1.5, peakStartHour: 17, peakEndHour: 22 };
    const refused: Record<string, { from?: unknown; plan: Vars }> = {
      'negative rate': { plan: { ...flat, ratePerKwh: -1 } },
      'zero rate': { plan: { ...flat, ratePerKwh: 0 } },
      'negative zero rate': { plan: { ...flat, ratePerKwh: -0 } },
      'huge rate': { plan: { ...flat, ratePerKwh: 1.7976931348623157e308 } },
      'NaN rate': { plan: { ...flat, ratePerKwh: 'NaN' } },
      'Infinity rate': { plan: { ...flat, ratePerKwh: 'Infinity' } },
      'rate as text': { plan: { ...flat, ratePerKwh: '1500' } },
      'no rate': { plan: { kind: 'FLAT' } },
      'unknown kind': { plan: { ...flat, kind: 'FLAT\u0000' } },
      'huge kind': { plan: { ...flat, kind: HUGE } },
      'huge name': { plan: { ...flat, name: HUGE } },
      'name with NUL': { plan: { ...flat, name: 'B-3\u0000' } },
      'name with RTL override': { plan: { ...flat, name: 'B-3 \u202E3-B' } },
      'multiplier below 1': { plan: { ...tou, peakMultiplier: 0.5 } },
      'hour -1': { plan: { ...tou, peakStartHour: -1 } },
      'hour 25': { plan: { ...tou, peakEndHour: 25 } },
      'largest Int hour': { plan: { ...tou, peakStartHour: 2_147_483_647 } },
      'hour beyond Int': { plan: { ...tou, peakStartHour: 2_147_483_648 } },
      'fractional hour': { plan: { ...tou, peakStartHour: 17.5 } },
      'empty peak window': { plan: { ...tou, peakStartHour: 0, peakEndHour: 24 } },
      'negative tax': { plan: { ...flat, taxPercent: -3 } },
      'tax over 100': { plan: { ...flat, taxPercent: 101 } },
      'negative connected kVA': { plan: { ...flat, minimumBillConnectedKva: -200 } },
      'minimum bill hours over a month': { plan: { ...flat, minimumBillConnectedKva: 200, minimumBillHours: 745 } },
      'negative reactive rate': { plan: { ...flat, reactiveRatePerKvarh: -1 } },
      'date today': { from: new Date().toISOString().slice(0, 10), plan: flat },
      'date 0000-01-01': { from: '0000-01-01', plan: flat },
      'date 2026-02-30': { from: '2026-02-30', plan: flat },
      'date with time': { from: `${EFFECTIVE}T00:00:00Z`, plan: flat },
      'huge date': { from: HUGE, plan: flat },
    };
    for (const [label, { from, plan }] of Object.entries(refused)) await expectBadInput(asAdmin(SET_PLAN, { from: from ?? EFFECTIVE, plan }), label);
    const acceptedPlan = { kind: 'TIME_OF_USE', name: 'B-3 ⚡ Jawa-Bali', offPeakRatePerKwh: 1_114.74, peakMultiplier: 2, peakStartHour: 22, peakEndHour: 6, taxPercent: 10 };
    expect(accepted(await asAdmin(SET_PLAN, { from: EFFECTIVE, plan: acceptedPlan }))).toBeUndefined();
  });

  it('createApiKey refuses bad names, malformed or too many panel ids and unknown roles with BAD_USER_INPUT', async () => {
    for (const [label, name] of Object.entries(REFUSED_TEXTS)) {
      await expectBadInput(asAdmin(CREATE_KEY, { name, role: 'VIEWER', panels: ['PANEL_A'] }), `key name ${label}`);
    }
    for (const id of BAD_PANEL_IDS) await expectBadInput(asAdmin(CREATE_KEY, { name: 'tenant', role: 'VIEWER', panels: [id] }), `key panel ${JSON.stringify(id.slice(0, 20))}`);
    await expectBadInput(asAdmin(CREATE_KEY, { name: 'tenant', role: 'VIEWER', panels: Array.from({ length: 501 }, (_, i) => `P${i}`) }), '501 panels');
    await expectBadInput(asAdmin(CREATE_KEY, { name: 'tenant', role: 'root', panels: null }), 'role root');
    await expectBadInput(asAdmin(CREATE_KEY, { name: 'tenant', role: HUGE, panels: null }), 'huge role');
    const created = await asAdmin(CREATE_KEY, { name: '👩‍🔧 لوحة tenant', role: 'VIEWER', panels: ['PANEL_A', 'PANEL_A', 'PANEL_B'] });
    expect(accepted(created)).toBeUndefined();
  });

  it('revokeApiKey refuses malformed key ids with BAD_USER_INPUT', async () => {
    for (const keyId of ['', HUGE, 'not-hex-at-all', 'ABCDEF012345', '0123456789a', `${'0'.repeat(12)}\u0000`, 'x'.repeat(65)]) {
      await expectBadInput(asAdmin(REVOKE_KEY, { keyId }), `key id ${JSON.stringify(keyId.slice(0, 20))}`);
    }
    await expectBadInput(asAdmin(REVOKE_KEY, { keyId: '0123456789ab' }), 'no such key');
  });

  it('refuses the same over WebSocket, where the frame may be as large as an HTTP body', async () => {
    const client = wsClient(product.wsUrl, { authorization: `Bearer ${OPERATOR.key}` });
    cleanup.add(() => client.dispose());
    const result = await wsRequest<{ updatePanel: { userErrors: Array<{ code: string }> } }, unknown>(client, SET_NAME, { id: 'PANEL_A', name: HUGE.slice(0, 60_000) }, 10_000);
    expect(result.data?.updatePanel.userErrors.map((e) => e.code), JSON.stringify(result.errors)?.slice(0, 300)).toEqual(['INVALID_CHANGE']);
  });

  it('restarts after all of it and shows the same state', async () => {
    const keyOf = await asAdmin(CREATE_KEY, { name: 'survives restart', role: 'VIEWER', panels: ['PANEL_A'] });
    const { key } = (keyOf.data as { createApiKey: { key: string } }).createApiKey;
    const before = await state();
    await stop(product);
    product = await startOn(dataDir);
    expect(await state()).toEqual(before);
    expect(await httpData(product.httpUrl, '{ panels { nodes { id } } }', {}, bearer(key))).toEqual({ panels: { nodes: [{ id: 'PANEL_A' }] } });
    expect(await metricValue(product.baseUrl, 'energy_admin_record_unreadable_entries')).toBe(0);
  });
});

describe('an admin record entry this version cannot interpret', () => {
  it('is skipped, logged, counted and shown to operators; the start succeeds; a key it names stays revoked', async () => {
    const created = await asAdmin(CREATE_KEY, { name: 'named by a future entry', role: 'VIEWER', panels: null });
    const made = (created.data as { createApiKey: { key: string; apiKey: { keyId: string } } }).createApiKey;
    const newKey = { key: made.key, keyId: made.apiKey.keyId };
    expect((await as(newKey.key, '{ panels { nodes { id } } }')).errors).toBeUndefined();
    const before = (await state()) as { adminChanges: { nodes: unknown[] } };
    await stop(product);

    // As another (newer or older) version would have written them: a kind this version does not
    // know, a known kind whose field is outside today's rule, and a new kind that names a key.
    const db = new Database(join(dataDir, 'readings.sqlite'));
    const insert = db.prepare('INSERT INTO admin_records (id, at_ms, actor, change_json) VALUES (?, ?, ?, ?)');
    const at = Date.now();
    insert.run('future-1', at, 'key:site-admin', JSON.stringify({ kind: 'panel.colour', panelId: 'PANEL_A', colour: '#ff0000' }));
    insert.run('older-1', at + 1, 'key:facility', JSON.stringify({ kind: 'panel.name', panelId: 'PANEL_A', name: 'L'.repeat(200) }));
    insert.run('future-2', at + 2, 'key:site-admin', JSON.stringify({ kind: 'apiKey.suspended', keyId: newKey.keyId, until: '2099-01-01' }));
    db.close();

    product = await startOn(dataDir);
    const unreadable = await httpData<{ adminRecordUnreadable: Array<{ id: string; actor: string; kind: string | null; keyId: string | null; reason: string }> }, Vars>(
      product.httpUrl,
      '{ adminRecordUnreadable { id actor kind keyId reason } }',
      {},
      bearer(OPERATOR.key),
    );
    expect(unreadable.adminRecordUnreadable).toEqual([
      { id: 'future-1', actor: 'key:site-admin', kind: 'panel.colour', keyId: null, reason: expect.stringContaining('unknown kind') as unknown },
      { id: 'older-1', actor: 'key:facility', kind: 'panel.name', keyId: null, reason: 'name: at most 80 characters' },
      { id: 'future-2', actor: 'key:site-admin', kind: 'apiKey.suspended', keyId: newKey.keyId, reason: expect.stringContaining('unknown kind') as unknown },
    ]);
    expect(await metricValue(product.baseUrl, 'energy_admin_record_unreadable_entries')).toBe(3);
    const warnings = product.logs.filter((line) => line.level === 40 && String(line.msg).startsWith('admin record entry skipped'));
    expect(warnings.map((line) => (line as { id?: unknown }).id)).toEqual(['future-1', 'older-1', 'future-2']);

    // Everything else is as it was; the skipped entries changed nothing, and the key a skipped
    // entry names is refused (that entry might have been its revocation).
    expect(await state()).toEqual(before);
    expect(await as(newKey.key, '{ panels { nodes { id } } }')).toMatchObject({ status: 401 });
  });
});
