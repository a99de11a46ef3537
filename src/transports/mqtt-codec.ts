import { format } from 'node:util';
import mqttPacket from 'mqtt-packet';
import type { Logger } from '../config/logger.js';

/**
 * mqtt-packet, the MQTT codec under mqtt.js and aedes, builds on the first packet it writes a
 * cache of 65,536 two-byte Buffers (every packet id and length it might write). In this process
 * that was about 10 MB of the JS heap for good and 65,536 more objects for every full collection
 * to mark: a sixth of the live heap (a heap snapshot after the benchmark's dashboard load), for
 * buffers that cost nothing to make when a packet needs one. Off, as the library documents, before
 * any client or broker of the product writes a packet (imported by the modules that open them).
 */
mqttPacket.writeToStream.cacheNumbers = false;

/**
 * mqtt.js's own trace (what `DEBUG=mqttjs*` would show) into the product's log at trace level,
 * and nothing at all below it. mqtt.js calls it several times per packet with a format and its
 * arguments, and the `debug` package it uses by default gathers the arguments into an array
 * before it looks whether it is on: a tenth of what ingesting a reading allocated (an allocation
 * profile of the benchmark's ingest line, docs/benchmarks.md).
 */
export function mqttTrace(logger: Logger): (...args: unknown[]) => void {
  if (!logger.isLevelEnabled('trace')) return ignore;
  return (...args) => logger.trace({ component: 'mqtt.js' }, format(...args));
}

function ignore(): void {}

/** PUBACK's fixed header: packet type 4, no flags. */
const PUBACK = 0x40;

/**
 * The PUBACKs of a stored group, one after another in one buffer, to be written at once. A success
 * PUBACK without properties is four bytes in MQTT 3.1.1 and 5 alike: the header, a remaining
 * length of 2 and the packet id (MQTT 5 §3.4.2.1 lets the reason code 0 and the properties be left
 * out). mqtt.js would write each one in three or four small buffers, its socket keeps every one of
 * them (and an entry for it) until the write completes, and with groups of 2,000 those outlived
 * the young generation: a quarter of what ingestion promoted to the old one (issue 27).
 */
export function pubackBytes(messageIds: readonly number[]): Buffer {
  const bytes = Buffer.allocUnsafe(4 * messageIds.length);
  let at = 0;
  for (const id of messageIds) {
    bytes[at] = PUBACK;
    bytes[at + 1] = 2;
    // Throws for an id outside 0-65535, which no parsed packet has.
    bytes.writeUInt16BE(id, at + 2);
    at += 4;
  }
  return bytes;
}
