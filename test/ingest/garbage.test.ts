import { afterEach, describe, expect, it, vi } from 'vitest';
import { getJson, LOG_LEVEL, startTestApp, uniqueTopicRoot } from '../support/test-app.js';
import {
  MQTT_TEST_URL,
  connectMeter,
  disposer,
  externalIngesterEnv,
  meterPayload,
  minutesAgo,
  peekStore,
  publishQos1,
  uniquePanelId,
} from '../support/mqtt.js';
import { httpData } from '../support/graphql-client.js';

/**
 * Garbage interleaved with good readings, over both transports: every good reading is stored,
 * every bad message is acknowledged (it can never become valid), logged with topic and reason,
 * and counted per panel and reason where the API exposes it; the process keeps running.
 */
const cleanup = disposer();
afterEach(() => cleanup.run());

const transports = [
  { name: 'embedded broker', env: (): Record<string, string> => ({}) },
  {
    name: 'Mosquitto (MQTT_URL)',
    env: () => externalIngesterEnv(MQTT_TEST_URL, cleanup),
  },
];

interface RejectionView {
  readonly panelId: string | null;
  readonly reason: string;
  readonly count: number;
  readonly lastTopic: string;
}

describe.each(transports)('garbage between good readings ($name)', ({ env }) => {
  it('loses none of the good readings and counts each rejection per panel and reason', async () => {
    const root = uniqueTopicRoot('GARBAGE');
    const app = await startTestApp({ MQTT_TOPIC: `${root}/PM/#`, ...env() }, undefined, { cleanup });
    const disk = peekStore(app.dataDir, cleanup);
    const meter = await connectMeter(app.mqttUrl, cleanup);
    const good = uniquePanelId('GOOD');
    const bad = uniquePanelId('BAD');
    const topic = (panelId: string) => `${root}/PM/${panelId}`;
    const goodTimes = [minutesAgo(5), minutesAgo(4), minutesAgo(3), minutesAgo(2)];
    const goodReading = (k: number) => [topic(good), meterPayload({ kWh: `${200 + k}.5`, time: goodTimes[k] })] as const;

    const messages: ReadonlyArray<readonly [string, string]> = [
      goodReading(0),
      [topic(bad), 'this is not json'],
      [topic(bad), '{"status":"OK","data":{"kWh":'],
      goodReading(1),
      [topic(bad), meterPayload({ firmwareNote: 'x'.repeat(17 * 1024) })],
      [topic(bad), meterPayload({ kWh: '-3' })],
      [topic(bad), meterPayload({ kWh: 'lots' })],
      [topic(bad), meterPayload({ kWh: null })],
      [topic(bad), meterPayload({ pf: 1.7 })],
      [topic(bad), meterPayload({ v: [230, 231] })],
      [topic(bad), JSON.stringify({ status: 'ERROR', data: null })],
      [topic(bad), '[1,2,3]'],
      [topic(bad), meterPayload({ time: new Date(Date.now() + 3_600_000) })],
      [topic(bad), meterPayload({ time: 'yesterday noon' })],
      goodReading(2),
      [`${topic(bad)}/extra-level`, meterPayload({ time: minutesAgo(1) })],
      [`${root}/PM/-bad id`, meterPayload({ time: minutesAgo(1) })],
      [`${root}/PM`, meterPayload({ time: minutesAgo(1) })],
      goodReading(3),
    ];
    for (const [to, payload] of messages) await publishQos1(meter, to, payload);

    await vi.waitFor(() => expect(disk.count(good)).toBe(4));
    expect(disk.rows(good).map((row) => [row.time_ms, row.energy_kwh])).toEqual(
      goodTimes.map((time, k) => [time.getTime(), 200 + k + 0.5]),
    );
    expect(disk.count(bad)).toBe(0);

    const expected = [
      [null, 'invalid_topic', 3],
      [bad, 'invalid_json', 2],
      [bad, 'invalid_number', 1],
      [bad, 'invalid_phase_array', 1],
      [bad, 'invalid_time', 1],
      [bad, 'missing_field', 1],
      [bad, 'negative_value', 1],
      [bad, 'not_an_object', 1],
      [bad, 'payload_too_large', 1],
      [bad, 'power_factor_out_of_range', 1],
      [bad, 'status_not_ok', 1],
      [bad, 'time_in_future', 1],
    ];
    // Through the API, as the dashboard will see it. The last good reading came after every bad
    // message on the same connection, so all rejections are in by now.
    const { ingestStatus } = await httpData<{ ingestStatus: { rejections: RejectionView[] } }, Record<string, never>>(
      app.httpUrl,
      '{ ingestStatus { rejections { panelId reason count lastTopic } } }',
    );
    const summary = (rows: readonly RejectionView[]) =>
      rows.map((row) => [row.panelId, row.reason, row.count]).sort((a, b) => String(a).localeCompare(String(b)));
    // The API names reasons as an enum: the metric label in upper case.
    expect(summary(ingestStatus.rejections)).toEqual(summary(expected.map(([panelId, reason, count]) => ({ panelId, reason: String(reason).toUpperCase(), count }) as RejectionView)));
    expect(ingestStatus.rejections.find((row) => row.reason === 'PAYLOAD_TOO_LARGE')?.lastTopic).toBe(topic(bad));

    // Each rejection logged with its topic and reason.
    const rejected = app.logs.filter((line) => line.msg === 'payload rejected');
    expect(rejected).toHaveLength(messages.length - 4);
    for (const line of rejected) {
      expect(line.level).toBe(LOG_LEVEL.warn);
      expect(line).toMatchObject({ topic: expect.stringContaining(root), reason: expect.any(String) });
    }

    // Still running and still ingesting.
    expect((await getJson(`${app.baseUrl}/health`)).status).toBe(200);
    await publishQos1(meter, topic(good), meterPayload({ kWh: '300', time: minutesAgo(1) }));
    await vi.waitFor(() => expect(disk.count(good)).toBe(5));
  });
});
