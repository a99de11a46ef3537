import { randomUUID } from 'node:crypto';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { z } from 'zod';
import type { Logger } from '../config/logger.js';
import { redactUrl } from '../config/redact.js';
import type { Reading } from '../models/reading.js';

/**
 * The feed that keeps several processes of one site in step, over the MQTT broker they already
 * share (no networking of our own): each process publishes every reading it made durable to
 * `<feed>/readings/<panel>` and a notice to `<feed>/admin` after every admin change; every process
 * subscribes to both (a plain, not shared, subscription: each process gets everything) and applies
 * readings made elsewhere to its live state, status, energy ledger and live subscribers.
 *
 * Why the broker: it is already the system's message bus, every process already holds a connection
 * to it, it queues QoS 1 messages for a process that is briefly away (persistent session), and a
 * clustered broker (EMQX, HiveMQ, VerneMQ) scales it with the rest of the ingestion. Redis would be
 * one more service to run, secure and watch for the same job.
 */

const phases = z.object({ l1: z.number().nullable(), l2: z.number().nullable(), l3: z.number().nullable(), average: z.number().nullable() });
const wireReading = z.object({
  panelId: z.string(),
  time: z.iso.datetime().transform((text) => new Date(text)),
  voltage: phases,
  current: phases,
  activePowerKw: z.number(),
  apparentPowerKva: z.number().nullable(),
  energyKwh: z.number(),
  reactiveEnergyKvarh: z.number().nullable(),
  powerFactor: z.number().nullable(),
  voltageUnbalance: z.number().nullable(),
  currentUnbalance: z.number().nullable(),
});
const readingsMessage = z.object({ origin: z.string(), readings: z.array(wireReading).max(10_000) });
const adminMessage = z.object({ origin: z.string() });

export interface StoredFeedOptions {
  readonly url: string;
  readonly username?: string;
  readonly password?: string;
  /** The topic root, e.g. `energy-monitoring/feed`. */
  readonly topic: string;
  /** This process's client id for the feed connection (its own, not the ingester's). */
  readonly clientId: string;
  /** Readings another process stored. */
  readonly onReadings: (readings: readonly Reading[]) => void;
  /** Another process recorded an admin change. */
  readonly onAdminChange: () => void;
  readonly logger: Logger;
  /** TLS settings of the broker connection, as for the ingester. */
  readonly tls?: Pick<IClientOptions, 'ca' | 'cert' | 'key' | 'rejectUnauthorized'>;
}

export interface StoredFeed {
  /** Tells the other processes about readings this one stored (QoS 1, in order). */
  publishReadings(readings: readonly Reading[]): void;
  publishAdminChange(): void;
  isConnected(): boolean;
  stop(): Promise<void>;
}

export async function startStoredFeed(options: StoredFeedOptions): Promise<StoredFeed> {
  const origin = randomUUID();
  const { logger } = options;
  const client: MqttClient = await mqtt.connectAsync(options.url, {
    clientId: options.clientId,
    // A persistent session: messages published while this process reconnects are queued for it.
    clean: false,
    protocolVersion: 5,
    properties: { sessionExpiryInterval: 3_600 },
    reconnectPeriod: 1_000,
    ...(options.username ? { username: options.username, password: options.password } : {}),
    ...options.tls,
  });
  const readingsTopic = `${options.topic}/readings`;
  const adminTopic = `${options.topic}/admin`;
  await client.subscribeAsync([`${readingsTopic}/+`, adminTopic], { qos: 1 });
  client.on('message', (topic, payload) => {
    try {
      const json: unknown = JSON.parse(payload.toString('utf8'));
      if (topic === adminTopic) {
        if (adminMessage.parse(json).origin !== origin) options.onAdminChange();
        return;
      }
      const message = readingsMessage.parse(json);
      if (message.origin !== origin) options.onReadings(message.readings);
    } catch (error) {
      logger.warn({ err: error, topic }, 'ignored a malformed message on the stored-readings feed');
    }
  });
  client.on('error', (error) => logger.warn({ err: error }, 'stored-readings feed: MQTT error'));
  logger.info({ url: redactUrl(options.url), topic: options.topic }, 'stored-readings feed connected');

  return {
    publishReadings(readings) {
      // One message per panel per group, so each panel's readings keep their order on its topic.
      const byPanel = new Map<string, Reading[]>();
      for (const reading of readings) byPanel.set(reading.panelId, [...(byPanel.get(reading.panelId) ?? []), reading]);
      for (const [panelId, group] of byPanel) {
        client.publish(`${readingsTopic}/${panelId}`, JSON.stringify({ origin, readings: group }), { qos: 1 }, (error) => {
          if (error) logger.warn({ err: error, panelId }, 'stored-readings feed: publish failed');
        });
      }
    },
    publishAdminChange() {
      client.publish(adminTopic, JSON.stringify({ origin }), { qos: 1 });
    },
    isConnected: () => client.connected,
    stop: () => client.endAsync(),
  };
}
