import mqttPacket from 'mqtt-packet';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { connectMeter, disposer, EXAMPLE_PAYLOAD, publishQos1, startPrivateMosquitto } from '../support/mqtt.js';
import { startTestApp, type LogLine } from '../support/test-app.js';

const cleanup = disposer();
afterEach(() => cleanup.run());

describe('the MQTT codec', () => {
  // mqtt-packet would otherwise keep 65,536 Buffers (about 10 MB of heap) from the first packet on.
  it('writes packets without its number cache, for the embedded broker and its clients alike', async () => {
    const product = await startTestApp({ MQTT_ALLOW_ANONYMOUS: 'true' }, undefined, { cleanup });
    const meter = await connectMeter(product.mqttUrl, cleanup);
    await publishQos1(meter, 'DATA/PM/CODEC_1', EXAMPLE_PAYLOAD);
    expect(mqttPacket.writeToStream.cacheNumbers).toBe(false);
  });

  // Left to the `debug` package, mqtt.js's trace gathered its arguments for every packet even when off.
  it("puts mqtt.js's own trace in the product's log at trace level, and nothing of it below", async () => {
    const broker = await startPrivateMosquitto(cleanup);
    const start = (logLevel: 'trace' | 'debug', clientId: string) =>
      startTestApp({ MQTT_URL: broker.url, MQTT_CLIENT_ID: clientId }, undefined, { cleanup, logLevel });
    const fromMqttJs = (logs: readonly LogLine[]) => logs.filter((line) => line.component === 'mqtt.js');

    const traced = await start('trace', 'codec-traced');
    await publishQos1(await connectMeter(broker.url, cleanup), 'DATA/PM/CODEC_2', EXAMPLE_PAYLOAD);
    await vi.waitFor(() => expect(traced.app.services.panels.list(null)).toHaveLength(1));
    expect(fromMqttJs(traced.logs).some((line) => line.level === 10 && line.msg.includes('publish'))).toBe(true);
    await traced.stop();

    const quiet = await start('debug', 'codec-quiet');
    await publishQos1(await connectMeter(broker.url, cleanup), 'DATA/PM/CODEC_3', EXAMPLE_PAYLOAD);
    await vi.waitFor(() => expect(quiet.app.services.panels.list(null).map((panel) => panel.id)).toEqual(['CODEC_3']));
    expect(fromMqttJs(quiet.logs)).toEqual([]);
  });
});
