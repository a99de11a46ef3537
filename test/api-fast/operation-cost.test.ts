import { parse } from 'graphql';
import { afterEach, describe, expect, it } from 'vitest';
import { schema } from '../../src/graphql/schema.js';
import { operationCost, productListSizes } from '../../src/http/operation-cost.js';
import { disposer } from '../support/disposer.js';
import { startInProcessApi, type InProcessApi } from '../support/in-process.js';

/**
 * Issue 23 point 4 and issue 20's bound: GRAPHQL_MAX_COST counts a page of a connection at the
 * `first` it asks (a literal or a variable, the same), and a page of `history` or `readings` at
 * the range its windows walk, not the whole range (paging must not hide work, nor overcount it).
 */

const cleanup = disposer();
afterEach(() => cleanup.run());

/** The cost of `query` with `variables`, with `panels` panels known. */
function costWith(api: InProcessApi, panels: number) {
  const sizes = productListSizes(() => panels, api.services.history);
  // Variables as a request carries them (JSON): the cost coerces them as execution does.
  return (query: string, variables: Record<string, unknown> = {}) => operationCost(schema, parse(query), null, variables, sizes);
}

describe('operation cost of connections', () => {
  it('counts a page of panels at its first, literal or variable, and at most the panels known', async () => {
    const cost = costWith(await startInProcessApi(cleanup), 5_000);
    const ten = cost('{ panels(first: 10) { nodes { id name } } }');
    const thousand = cost('{ panels(first: 1000) { nodes { id name } } }');
    expect(thousand).toBeGreaterThan(90 * ten);
    expect(cost('query ($n: Int) { panels(first: $n) { nodes { id name } } }', { n: 1000 })).toBe(thousand);
    // The default page is the largest; with 3 panels known a page holds 3.
    expect(cost('{ panels { nodes { id name } } }')).toBe(thousand);
    const few = costWith(await startInProcessApi(cleanup), 3);
    expect(few('{ panels(first: 1000) { nodes { id name } } }')).toBe(few('{ panels(first: 3) { nodes { id name } } }'));
    // edges { node } count the same page.
    expect(cost('{ adminChanges(first: 1000) { edges { node { id } } } }')).toBeGreaterThan(10 * cost('{ adminChanges(first: 10) { edges { node { id } } } }'));
  });

  it("counts a page of history at its windows and the hours they walk, a later page at its own range", async () => {
    const api = await startInProcessApi(cleanup);
    const cost = costWith(api, 1);
    const to = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000);
    const from = new Date(to.getTime() - 20_000 * 3_600_000);
    const vars = { from: from.toISOString(), to: to.toISOString() };
    const query = (page: string) =>
      `query ($from: DateTime!, $to: DateTime!, $after: String) { panel(id: "P") { history(from: $from, to: $to, every: "1h"${page}) { nodes { start energyKwh } } } }`;
    const whole = cost(query(''), vars); // the default page: 5,000 windows
    const small = cost(query(', first: 100'), vars);
    expect(whole).toBeGreaterThan(5_000 * 3);
    expect(small).toBeLessThan(whole / 40);
    // A page after a cursor walks its own 100 hours, not the range before it.
    const after = Buffer.from(`history|${from.getTime() + 10_000 * 3_600_000}`).toString('base64url');
    expect(cost(query(', first: 100, after: $after'), { ...vars, after })).toBe(small);
    // The same range as literals costs the same as in variables.
    const literal = `{ panel(id: "P") { history(from: "${vars.from}", to: "${vars.to}", every: "1h", first: 100) { nodes { start energyKwh } } } }`;
    expect(cost(literal)).toBe(small);
    // The last page holds only the windows left.
    const last = Buffer.from(`history|${to.getTime() - 11 * 3_600_000}`).toString('base64url');
    expect(cost(query(', first: 100, after: $after'), { ...vars, after: last })).toBeLessThan(small / 5);
  });

  it('counts a page of raw readings at its first', async () => {
    const cost = costWith(await startInProcessApi(cleanup), 1);
    const query = (first: number) => `{ panel(id: "P") { readings(from: "2026-01-01T00:00:00Z", to: "2026-01-02T00:00:00Z", first: ${first}) { nodes { time activePowerKw } } } }`;
    expect(cost(query(5_000))).toBeGreaterThan(40 * cost(query(100)));
  });
});
