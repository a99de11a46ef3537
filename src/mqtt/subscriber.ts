import mqtt, { type IClientOptions, type IPublishPacket, type MqttClient } from 'mqtt';
import type { Logger } from '../config/logger.js';

export interface SubscriberOptions {
  readonly url: string;
  readonly username?: string;
  readonly password?: string;
  /** Stable across restarts: the broker keeps the session (and queued messages) under this id. */
  readonly clientId: string;
  /** e.g. `DATA/PM/#`, or `$share/<group>/DATA/PM/#` to split writing across processes (MQTT 5). */
  readonly topic: string;
  /** 5 (default) or 4 (MQTT 3.1.1). */
  readonly protocolVersion: 4 | 5;
  /** MQTT 5 session expiry: how long the broker keeps the session while we are away. */
  readonly sessionExpirySeconds: number;
  /**
   * Handles one message synchronously. Returning normally acknowledges it; throwing withholds the
   * acknowledgement so the broker redelivers it after we reconnect.
   */
  readonly onMessage: (topic: string, payload: Buffer) => void;
  readonly logger: Logger;
}

export interface Subscriber {
  isConnected(): boolean;
  stop(): Promise<void>;
}

const MIN_RECONNECT_MS = 1_000;
const MAX_RECONNECT_MS = 30_000;
const START_WAIT_MS = 5_000;

/**
 * The ingestion client for an external broker: QoS 1 on a persistent session, acknowledging each
 * message only after `onMessage` returned.
 *
 * mqtt.js calls `handleMessage(packet, done)` before it sends a PUBACK, for MQTT 5 and 3.1.1
 * alike, and sends none when `done` gets an error. (`customHandleAcks` can only answer with an
 * error reason code, and a PUBACK carrying one is never redelivered.) An unacknowledged message is
 * redelivered only on a new connection, so after a failure we drop the connection and reconnect
 * with a growing delay, letting the broker replay everything not yet acknowledged.
 */
export async function startSubscriber(options: SubscriberOptions): Promise<Subscriber> {
  const { logger } = options;
  const clientOptions: IClientOptions = {
    clientId: options.clientId,
    clean: false,
    protocolVersion: options.protocolVersion,
    reconnectPeriod: MIN_RECONNECT_MS,
    connectTimeout: 10_000,
    keepalive: 30,
    resubscribe: true,
    manualConnect: true,
    ...(options.username ? { username: options.username, password: options.password } : {}),
    ...(options.protocolVersion === 5 ? { properties: { sessionExpiryInterval: options.sessionExpirySeconds } } : {}),
  };
  const client: MqttClient = mqtt.connect(options.url, clientOptions);
  let failureBackoff = MIN_RECONNECT_MS;
  let dropping = false;
  // mqtt.js sets `connected` before it emits 'connect' (and so before we subscribe): only a
  // granted subscription on the current connection means messages can arrive.
  let subscribed = false;
  let onFirstSubscribe: (() => void) | null = null;

  client.handleMessage = (packet: IPublishPacket, done: (error?: Error) => void) => {
    if (dropping) {
      done(new Error('connection is being reset after a failed write'));
      return;
    }
    try {
      const payload = typeof packet.payload === 'string' ? Buffer.from(packet.payload) : packet.payload;
      options.onMessage(packet.topic, payload);
      failureBackoff = MIN_RECONNECT_MS;
      done();
    } catch (error) {
      logger.error({ err: error, topic: packet.topic, messageId: packet.messageId }, 'message not acknowledged; will reconnect for redelivery');
      done(error instanceof Error ? error : new Error(String(error)));
      dropConnectionForRedelivery();
    }
  };

  function dropConnectionForRedelivery(): void {
    if (dropping) return;
    dropping = true;
    client.options.reconnectPeriod = failureBackoff;
    failureBackoff = Math.min(failureBackoff * 2, MAX_RECONNECT_MS);
    client.stream?.destroy();
  }

  client.on('connect', (connack) => {
    dropping = false;
    client.options.reconnectPeriod = MIN_RECONNECT_MS;
    logger.info({ url: redact(options.url), clientId: options.clientId, sessionPresent: connack.sessionPresent }, 'connected to MQTT broker');
    // With a stored session the subscription survives, but subscribing again is harmless and
    // covers a broker that lost its session state.
    client.subscribe(options.topic, { qos: 1 }, (error, granted) => {
      if (error) logger.error({ err: error, topic: options.topic }, 'subscribe failed');
      else if (granted?.some((grant) => grant.qos > 2)) logger.error({ granted }, 'broker refused the subscription');
      else {
        subscribed = client.connected;
        logger.info({ topic: options.topic }, 'subscribed');
        onFirstSubscribe?.();
      }
    });
  });
  client.on('close', () => {
    subscribed = false;
  });
  client.on('reconnect', () => logger.debug('reconnecting to MQTT broker'));
  client.on('offline', () => logger.warn({ url: redact(options.url) }, 'MQTT broker unreachable'));
  client.on('error', (error) => logger.warn({ err: error }, 'MQTT client error'));

  client.connect();
  // Wait for the first subscription so start-up reports bad credentials (and a started app is
  // receiving), but not forever: an unreachable broker is an outage to ride out (mqtt.js keeps
  // retrying), not a reason to exit.
  await new Promise<void>((resolve, reject) => {
    const giveUp = setTimeout(() => {
      client.off('error', onError);
      onFirstSubscribe = null;
      logger.warn({ url: redact(options.url) }, 'MQTT broker not reachable yet; starting anyway and retrying');
      resolve();
    }, START_WAIT_MS);
    onFirstSubscribe = () => {
      onFirstSubscribe = null;
      clearTimeout(giveUp);
      client.off('error', onError);
      resolve();
    };
    const onError = (error: Error) => {
      // Bad credentials or a refused protocol will not fix themselves: fail start-up.
      if ('code' in error && typeof error.code === 'number') {
        clearTimeout(giveUp);
        onFirstSubscribe = null;
        client.end(true);
        reject(new Error(`MQTT broker at ${redact(options.url)} refused the connection: ${error.message}`, { cause: error }));
      }
    };
    client.on('error', onError);
  });

  return {
    isConnected: () => client.connected && subscribed,
    stop: () => client.endAsync(),
  };
}

function redact(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//***@');
}
