import mqttPacket from 'mqtt-packet';
import { afterEach, describe, expect, it } from 'vitest';
import { connectMeter, disposer, EXAMPLE_PAYLOAD, publishQos1 } from '../support/mqtt.js';
import { startTestApp } from '../support/test-app.js';

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
});
