import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import type { DocumentNode } from 'graphql';
import type { Client } from 'graphql-ws';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { ErrorReason } from '../../src/services/user-input-error.js';
import { MonthlySummaryDocument, PanelDetailDocument, YearlySummaryDocument } from '../generated/graphql.js';
import { httpRequest, wsClient, wsRequest, type GraphqlResult } from '../support/graphql-client.js';
import { disposer } from '../support/disposer.js';
import { seed, series, wib } from '../support/seed.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/**
 * Bad arguments answer BAD_USER_INPUT with a message that says what is wrong, and internal errors
 * are masked, over HTTP and over WebSocket alike (both run yoga's envelop pipeline).
 */

let api: TestApp;
let client: Client;
const disposers = disposer();

beforeAll(async () => {
  api = await startTestApp();
  client = wsClient(api.wsUrl);
  // One panel with 5,001 raw readings in one WIB day, one a second.
  seed(api.app, series('ERR', wib('2025-08-01 00:00:00'), 5_001, { stepMs: 1_000, kwhStep: 0.001 }));
});
afterEach(() => disposers.run());
afterAll(async () => {
  await client.dispose();
  await api.stop({ removeData: true });
});

const detail = (from: string, to: string, every?: string, id = 'ERR') => ({ id, from, to, every: every ?? null });

interface Case {
  readonly name: string;
  readonly document: DocumentNode | string;
  readonly variables?: unknown;
  readonly message: RegExp;
  /** extensions.reason (services/user-input-error.ts), and what else extensions must hold. */
  readonly reason: string;
  readonly details?: Record<string, unknown>;
}

/** A case on a typed dashboard document: its variables are checked against the schema's types. */
function typed<TData, TVars>(
  name: string,
  document: TypedDocumentNode<TData, TVars>,
  variables: TVars,
  message: RegExp,
  reason: ErrorReason,
  details?: Record<string, unknown>,
): Case {
  return { name, document, variables, message, reason, details };
}

const cases: Case[] = [
  typed('month 13', MonthlySummaryDocument, { year: 2025, month: 13 }, /^month must be 1-12 \(got 13\)$/, 'MONTH_OUT_OF_RANGE'),
  typed('month 0', MonthlySummaryDocument, { year: 2025, month: 0 }, /month must be 1-12 \(got 0\)/, 'MONTH_OUT_OF_RANGE'),
  typed(
    'year 1999 (monthly)',
    MonthlySummaryDocument,
    { year: 1999, month: 1 },
    /year must be between 2000 and 2100 \(got 1999\)/,
    'YEAR_OUT_OF_RANGE',
  ),
  typed('year 1999 (yearly)', YearlySummaryDocument, { year: 1999 }, /year must be between 2000 and 2100 \(got 1999\)/, 'YEAR_OUT_OF_RANGE'),
  typed(
    'unknown panelId in a summary',
    MonthlySummaryDocument,
    { year: 2025, month: 8, panelId: 'NO_SUCH_PANEL' },
    /unknown panel "NO_SUCH_PANEL"/,
    'UNKNOWN_PANEL',
  ),
  typed(
    'unknown panelId in a yearly summary',
    YearlySummaryDocument,
    { year: 2025, panelId: 'NO_SUCH_PANEL' },
    /unknown panel "NO_SUCH_PANEL"/,
    'UNKNOWN_PANEL',
  ),
  typed(
    'from = to',
    PanelDetailDocument,
    detail('2025-08-01T00:00:00+07:00', '2025-08-01T00:00:00+07:00'),
    /"from" must be before "to"/,
    'INVALID_RANGE',
  ),
  typed(
    'from after to',
    PanelDetailDocument,
    detail('2025-08-02T00:00:00Z', '2025-08-01T00:00:00Z', '1h'),
    /"from" must be before "to"/,
    'INVALID_RANGE',
  ),
  typed(
    '`every` junk',
    PanelDetailDocument,
    detail('2025-08-01T00:00:00Z', '2025-08-02T00:00:00Z', 'soon'),
    /"every" must be a duration .*\(got "soon"\)/,
    'INVALID_INTERVAL',
  ),
  typed(
    'a page over the per-page maximum (readings and history are read page by page)',
    PanelDetailDocument,
    { ...detail('2025-08-01T00:00:00Z', '2025-08-01T02:00:00Z', '1s'), first: 5001 },
    /first must be 0-5000/,
    'LIMIT_OUT_OF_RANGE',
    { maximum: 5000 },
  ),
  typed(
    'a cursor that is not one of this list',
    PanelDetailDocument,
    { ...detail('2025-08-01T00:00:00+07:00', '2025-08-02T00:00:00+07:00'), after: 'bm90LWEtY3Vyc29y' },
    /after: not a cursor of this list/,
    'INVALID_CURSOR',
    {},
  ),
  typed(
    'DateTime variable without an offset',
    PanelDetailDocument,
    detail('2025-08-01T00:00:00', '2025-08-02T00:00:00Z'),
    /DateTime must be ISO-8601 with an offset.*\(got "2025-08-01T00:00:00"\)/,
    'INVALID_DATE_TIME',
  ),
  {
    name: 'DateTime literal without an offset',
    document: '{ panel(id: "ERR") { readings(from: "2025-08-01 00:00", to: "2025-08-02T00:00:00Z") { nodes { time } } } }',
    message: /DateTime must be ISO-8601 with an offset.*\(got "2025-08-01 00:00"\)/,
    reason: 'INVALID_DATE_TIME',
  },
  {
    name: 'Date literal that does not exist (Feb 30)',
    document: `mutation { setTariffPlan(input: { effectiveFrom: "2026-02-30", plan: { kind: FLAT, ratePerKwh: 1500 } }) { plan { effectiveFrom } } }`,
    message: /^Date 2026-02-30 is not a day of the calendar/,
    reason: 'INVALID_DATE',
  },
  {
    name: 'Date variable that does not exist (Apr 31)',
    document: `mutation Plan($day: Date!) { setTariffPlan(input: { effectiveFrom: $day, plan: { kind: FLAT, ratePerKwh: 1500 } }) { plan { effectiveFrom } } }`,
    variables: { day: '2026-04-31' },
    message: /Date 2026-04-31 is not a day of the calendar/,
    reason: 'INVALID_DATE',
  },
  {
    name: 'Date variable in another form',
    document: `mutation Plan($day: Date!) { setTariffPlan(input: { effectiveFrom: $day, plan: { kind: FLAT, ratePerKwh: 1500 } }) { plan { effectiveFrom } } }`,
    variables: { day: '1/3/2026' },
    message: /Date must be YYYY-MM-DD \(got "1\/3\/2026"\)/,
    reason: 'INVALID_DATE',
  },
  typed(
    'DateTime that does not exist (Feb 30)',
    PanelDetailDocument,
    detail('2025-02-30T00:00:00Z', '2025-03-02T00:00:00Z'),
    /DateTime 2025-02-30T00:00:00Z is not a valid instant/,
    'INVALID_DATE_TIME',
  ),
];

function expectBadUserInput(result: GraphqlResult<unknown>, { message, reason, details }: Case): void {
  expect(result.errors, JSON.stringify(result)).toHaveLength(1);
  const [error] = result.errors!;
  expect(error?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason, ...details });
  expect(error?.message).toMatch(message);
}

describe('bad arguments', () => {
  it.each(cases)('$name → BAD_USER_INPUT and $reason over HTTP', async (c) => {
    expectBadUserInput(await httpRequest(api.httpUrl, c.document, c.variables), c);
  });

  it.each(cases)('$name → BAD_USER_INPUT and $reason over WebSocket', async (c) => {
    expectBadUserInput(await wsRequest(client, c.document, c.variables), c);
  });

  it('rejects a bad subscription argument over WebSocket without closing the socket', async () => {
    const bad = await wsRequest(client, 'subscription { panelReading(panelId: 5.5) { time } }');
    expect(bad.errors?.[0]?.message).toMatch(/ID cannot represent a non-string and non-integer value: 5.5/);
    // The same connection still serves the next operation.
    const good = await wsRequest(client, YearlySummaryDocument, { year: 2025, panelId: 'ERR' });
    expect(good.errors).toBeUndefined();
  });
});

describe('internal errors', () => {
  it('are masked: no message, stack or path of the store leaks, over HTTP or WebSocket', async () => {
    vi.stubEnv('NODE_ENV', 'development'); // the product's default; yoga shows more in development
    const secret = 'SQLITE_IOERR: disk I/O error at /var/lib/energy/secret-readings.sqlite';
    const spy = vi.spyOn(SqliteStore.prototype, 'readings').mockRejectedValue(new Error(secret));
    disposers.add(() => {
      spy.mockRestore();
      vi.unstubAllEnvs();
    });
    const variables = detail('2025-08-01T00:00:00+07:00', '2025-08-01T01:00:00+07:00');

    const overHttp = await httpRequest(api.httpUrl, PanelDetailDocument, variables);
    const overWs = await wsRequest(client, PanelDetailDocument, variables);
    for (const result of [overHttp, overWs]) {
      expect(result.errors).toHaveLength(1);
      expect(result.errors?.[0]).toMatchObject({ message: 'Unexpected error.', extensions: { code: 'INTERNAL_SERVER_ERROR' } });
      const text = JSON.stringify(result);
      for (const leak of ['SQLITE', 'secret', 'sqlite', 'stack', 'originalError', '.ts:']) expect(text).not.toContain(leak);
    }
    expect(spy).toHaveBeenCalledTimes(2);
  });
});
