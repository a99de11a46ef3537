import mqttPacket from 'mqtt-packet';

/**
 * mqtt-packet, the MQTT codec under mqtt.js and aedes, builds on the first packet it writes a
 * cache of 65,536 two-byte Buffers (every packet id and length it might write). In this process
 * that was about 10 MB of the JS heap for good and 65,536 more objects for every full collection
 * to mark: a sixth of the live heap (a heap snapshot after the benchmark's dashboard load), for
 * buffers that cost nothing to make when a packet needs one. Off, as the library documents, before
 * any client or broker of the product writes a packet (imported by the modules that open them).
 */
mqttPacket.writeToStream.cacheNumbers = false;
