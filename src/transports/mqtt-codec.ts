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
