import type { Config } from '../config/config.js';
import type { Logger } from '../config/logger.js';
import type { IngestService } from '../ingest/ingest-service.js';
import type { Metrics } from '../services/metrics.js';
import { startEmbeddedBroker, type EmbeddedBrokerLimits } from './embedded-broker.js';
import { startSubscriber } from './mqtt-subscriber.js';
import { topicPrefix } from '../ingest/topic.js';

export interface Ingestion {
  /** The embedded broker's port, or null when using MQTT_URL. */
  readonly mqttPort: number | null;
  /** Where meters (and the simulator) publish. */
  readonly mqttUrl: string;
  /** Whether readings can arrive now (for /ready). */
  isConnected(): boolean;
  stop(): Promise<void>;
}

/**
 * Feeds the ingest service from MQTT: subscribes to MQTT_URL when it is set, otherwise runs the
 * embedded broker and ingests in its publish hook.
 */
export async function startIngestion(
  mqtt: Config['mqtt'],
  ingest: IngestService,
  logger: Logger,
  /** The embedded broker's limits and where it counts them. */
  embedded: { readonly limits?: EmbeddedBrokerLimits; readonly metrics?: Metrics } = {},
): Promise<Ingestion> {
  if (mqtt.url) {
    const subscriber = await startSubscriber({
      url: mqtt.url,
      username: mqtt.username,
      password: mqtt.password,
      clientId: mqtt.clientId,
      topic: mqtt.sharedGroup ? `$share/${mqtt.sharedGroup}/${mqtt.topic}` : mqtt.topic,
      protocolVersion: mqtt.protocolVersion,
      sessionExpirySeconds: mqtt.sessionExpirySeconds,
      onMessages: (messages) => void ingest.ingestBatch(messages),
      logger,
    });
    return { mqttPort: null, mqttUrl: mqtt.url, isConnected: () => subscriber.isConnected(), stop: () => subscriber.stop() };
  }
  const prefix = topicPrefix(mqtt.topic);
  const broker = await startEmbeddedBroker({
    port: mqtt.embeddedPort,
    username: mqtt.username,
    password: mqtt.password,
    // Everything MQTT_TOPIC would match, so a meter publishing to the bare prefix is counted as
    // invalid_topic, as with MQTT_URL.
    accepts: (topic) => topic === prefix || topic.startsWith(`${prefix}/`),
    onPublish: (topic, payload) => void ingest.ingest(topic, payload),
    logger,
    limits: embedded.limits,
    metrics: embedded.metrics,
  });
  return { mqttPort: broker.port, mqttUrl: `mqtt://localhost:${broker.port}`, isConnected: () => true, stop: () => broker.close() };
}
