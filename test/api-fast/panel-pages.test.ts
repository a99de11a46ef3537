import { afterEach, describe, expect, it } from 'vitest';
import { disposer } from '../support/disposer.js';
import { startInProcessApi } from '../support/in-process.js';
import { seed } from '../support/seed.js';

/**
 * Issue 23 point 4: `panels` is a connection a 1,000-panel site is read through page by page,
 * narrowed by status and by a search on the id or the name.
 */

const cleanup = disposer();
afterEach(() => cleanup.run());

interface Page {
  panels: { nodes: Array<{ id: string; name: string; status: string }>; pageInfo: { hasNextPage: boolean; endCursor: string | null }; totalCount: number };
}
const PANELS = 'query ($first: Int, $after: String, $status: PanelStatus, $search: String) { panels(first: $first, after: $after, status: $status, search: $search) { nodes { id name status } pageInfo { hasNextPage endCursor } totalCount } }';

describe('panels, page by page', () => {
  it('walks every panel once in id order by endCursor, and narrows by status and search', async () => {
    const api = await startInProcessApi(cleanup, { PANEL_NAMES: 'P_03=Basement pump,P_11=Lantai 1' });
    const now = Date.now();
    const ids = Array.from({ length: 25 }, (_, i) => `P_${String(i + 1).padStart(2, '0')}`);
    // P_01..P_20 report now (ONLINE); P_21..P_25 last reported two hours ago (OFFLINE).
    seed(api, ids.map((panelId, i) => ({ panelId, time: new Date(i < 20 ? now - 1_000 : now - 7_200_000), kwh: 10 })));

    const seen: string[] = [];
    let after: string | null = null;
    for (let pages = 1; ; pages++) {
      const { panels }: Page = await api.data<Page, Record<string, unknown>>(PANELS, { first: 10, after });
      seen.push(...panels.nodes.map((p) => p.id));
      expect(panels.totalCount).toBe(25);
      if (!panels.pageInfo.hasNextPage) {
        expect(pages).toBe(3);
        break;
      }
      after = panels.pageInfo.endCursor;
    }
    expect(seen).toEqual(ids);

    const offline = (await api.data<Page, Record<string, unknown>>(PANELS, { status: 'OFFLINE' })).panels;
    expect(offline.nodes.map((p) => p.id)).toEqual(['P_21', 'P_22', 'P_23', 'P_24', 'P_25']);
    expect(offline.totalCount).toBe(5);
    // By name, any case, or by part of the id.
    expect((await api.data<Page, Record<string, unknown>>(PANELS, { search: 'PUMP' })).panels.nodes).toEqual([{ id: 'P_03', name: 'Basement pump', status: 'ONLINE' }]);
    expect((await api.data<Page, Record<string, unknown>>(PANELS, { search: '_1' })).panels.nodes.map((p) => p.id)).toEqual(ids.slice(9, 19));
  });

  it('refuses a page over 1,000 and a cursor of another list', async () => {
    const api = await startInProcessApi(cleanup);
    const big = await api.request(PANELS, { first: 1_001 });
    expect(big.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'LIMIT_OUT_OF_RANGE', maximum: 1_000 });
    const foreign = await api.request(PANELS, { after: Buffer.from('history|0').toString('base64url') });
    expect(foreign.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'INVALID_CURSOR' });
  });
});
