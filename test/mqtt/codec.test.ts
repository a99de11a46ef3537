import mqttPacket from 'mqtt-packet';
import { afterEach, describe, expect, it } from 'vitest';
import { connectMeter, disposer, EXAMPLE_PAYLOAD, publishQos1 } from '../support/mqtt.js';
import { startTestApp } from '../support/test-app.js';
import { pubackBytes } from '../../src/transports/mqtt-codec.js';

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

  // The subscriber writes a stored group's PUBACKs itself, in one buffer: the codec mqtt.js and
  // aedes use must read them as the PUBACKs of exactly those packet ids, in both protocol versions.
  it.each([4, 5] as const)('writes a group of PUBACKs that MQTT %i parsers read as those acknowledgements', (protocolVersion) => {
    const ids = [1, 2, 255, 256, 4_097, 65_535];
    const parser = mqttPacket.parser({ protocolVersion });
    const packets: mqttPacket.Packet[] = [];
    parser.on('packet', (packet) => packets.push(packet));
    const errors: Error[] = [];
    parser.on('error', (error) => errors.push(error));

    const bytes = pubackBytes(ids);
    // Split across reads at an odd place, as a socket may deliver them.
    parser.parse(bytes.subarray(0, 7));
    parser.parse(bytes.subarray(7));

    expect(errors).toEqual([]);
    expect(bytes.length).toBe(4 * ids.length);
    expect(packets.map((packet) => ({ cmd: packet.cmd, messageId: 'messageId' in packet ? packet.messageId : undefined }))).toEqual(
      ids.map((messageId) => ({ cmd: 'puback', messageId })),
    );
    // mqtt-packet's own encoding of the same PUBACK in 3.1.1 is these bytes, byte for byte.
    if (protocolVersion === 4) expect(mqttPacket.generate({ cmd: 'puback', messageId: 4_097 }, { protocolVersion })).toEqual(pubackBytes([4_097]));
    expect(pubackBytes([])).toHaveLength(0);
    expect(() => pubackBytes([65_536])).toThrow(RangeError);
  });
});
