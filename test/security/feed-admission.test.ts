import { connectAsync } from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { disposer } from '../support/disposer.js';
import { realInflux } from '../support/influx.js';
import { uniquePanelId } from '../support/mqtt.js';
import { makeSparseReading } from '../support/readings.js';
import { gql, logLines, ready, startCluster } from '../cluster/support.js';

/**
 * Readings heard on the stored-readings feed pass the same panel-id rule and panel admission
 * (retired panels, MAX_PANELS) as meter readings: whoever can publish on the feed's topics cannot
 * add panels ingestion would refuse (issue 20, point 10, the consumer's half).
 */
const cleanup = disposer();
afterEach(() => cleanup.run());

describe.skipIf(!realInflux)('the stored-readings feed is as strict as ingestion', () => {
  it('drops feed readings with an invalid panel id, of a retired panel, or beyond MAX_PANELS', { timeout: 90_000 }, async () => {
    const { broker, bucket, launch } = await startCluster(cleanup, 'feedadm', { MAX_PANELS: '2', OFFLINE_AFTER: '1h' });
    const node = await launch('f1');
    await ready(node);
    const feed = await connectAsync(broker.url, { protocolVersion: 5 });
    cleanup.add(() => feed.endAsync(true));
    const announce = (panelId: string, readings: ReturnType<typeof makeSparseReading>[]) =>
      feed.publishAsync(`feed/${bucket.name}/readings/${panelId}`, JSON.stringify({ origin: 'another-process', readings }), { qos: 1 });
    const base = Math.floor(Date.now() / 60_000) * 60_000 - 10 * 60_000;
    const at = (minute: number) => new Date(base + minute * 60_000);
    const panels = async () => (await gql<{ panels: { nodes: Array<{ id: string }> } }>(node, '{ panels { nodes { id } } }')).panels.nodes.map((p) => p.id).sort();

    const first = uniquePanelId('FA_1');
    const retired = uniquePanelId('FA_R');
    // A known panel, then retired through the API.
    await announce(retired, [makeSparseReading(retired, at(0), 1)]);
    await expect.poll(panels, { timeout: 20_000 }).toEqual([retired]);
    await gql(node, 'mutation ($id: ID!) { updatePanel(input: { id: $id, retired: true }) { __typename } }', { id: retired });
    await expect.poll(panels, { timeout: 10_000 }).toEqual([]);

    // Refused: an id against the panel-id rule, the retired panel, and a third panel (MAX_PANELS=2
    // with the retired one still counted is decided by the same admission as meter readings).
    const third = uniquePanelId('FA_3');
    const second = uniquePanelId('FA_2');
    await announce('bad', [makeSparseReading('bad id/#', at(1), 1), makeSparseReading(retired, at(2), 2)]);
    await announce(first, [makeSparseReading(first, at(3), 3), makeSparseReading(second, at(3), 3), makeSparseReading(third, at(3), 3)]);
    // The last message admitted (the feed's messages from one publisher arrive in order): everything before it has been judged.
    await announce(first, [makeSparseReading(first, at(4), 4)]);
    await expect.poll(async () => (await gql<{ panel: { latestReading: { time: string } | null } | null }>(node, `{ panel(id: "${first}") { latestReading { time } } }`)).panel?.latestReading?.time, { timeout: 10_000 }).toBe(at(4).toISOString());
    expect(await panels()).toEqual([first, second].sort());
    // The log reaches this process over a pipe, with no order against the HTTP answers above.
    const refused = () => logLines(node, 'stored-readings feed: reading refused').map((line) => line.reason);
    await expect.poll(refused, { timeout: 5_000 }).toEqual(['invalid_panel_id', 'panel_retired', 'panel_limit']);
  });
});
