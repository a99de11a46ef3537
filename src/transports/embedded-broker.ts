import { createServer, type Server, type Socket } from 'node:net';
import { timingSafeEqual } from 'node:crypto';
import { Aedes } from 'aedes';
import { LogLimiter } from '../config/log-limiter.js';
import type { Logger } from '../config/logger.js';
import { formatSize } from '../config/size.js';
import { StartupConfigError } from '../config/startup-error.js';
import { StoreWriteError } from '../ingest/ingest-service.js';
import type { LimitName, Metrics } from '../services/metrics.js';
import { GuardedConnection } from './mqtt-frame-guard.js';

/** What one client, and all of them, may take from the embedded broker (README "Limits and faults"). */
export interface EmbeddedBrokerLimits {
  /** MQTT_MAX_CONNECTIONS: more are closed at once. */
  readonly maxConnections: number;
  /** MQTT_MAX_PACKET_SIZE: a client announcing a larger packet is disconnected before it is buffered. */
  readonly maxPacketBytes: number;
  /** MQTT_MAX_TOPIC_LEVELS. */
  readonly maxTopicLevels: number;
  /** MQTT_CONNECT_TIMEOUT: CONNECT must arrive within this time. */
  readonly connectTimeoutMs: number;
  /** MQTT_IDLE_TIMEOUT: a connection without a packet for this long is closed. */
  readonly idleTimeoutMs: number;
  /** MQTT_RETAIN: keep retained messages (true) or deliver them as ordinary ones (false). */
  readonly retain: boolean;
}

/** Limits for tests and tools that pass none: the defaults of the settings. */
export const DEFAULT_BROKER_LIMITS: EmbeddedBrokerLimits = {
  maxConnections: 1_000,
  maxPacketBytes: 64 * 1024,
  maxTopicLevels: 8,
  connectTimeoutMs: 10_000,
  idleTimeoutMs: 10 * 60_000,
  retain: false,
};

export interface EmbeddedBrokerOptions {
  readonly port: number;
  readonly host?: string;
  /** When set, clients must present these credentials. */
  readonly username?: string;
  readonly password?: string;
  /** Which published topics are meter readings for `onPublish`. */
  readonly accepts: (topic: string) => boolean;
  /**
   * Handles one meter message before the broker acknowledges it. Throwing refuses the publish:
   * the broker drops that connection without a PUBACK, so the meter sends it again.
   */
  readonly onPublish: (topic: string, payload: Buffer) => void;
  readonly logger: Logger;
  readonly limits?: EmbeddedBrokerLimits;
  readonly metrics?: Pick<Metrics, 'limitHits' | 'mqttConnections'>;
}

export interface EmbeddedBroker {
  readonly port: number;
  connectedClients(): number;
  close(): Promise<void>;
}

export class PortInUseError extends StartupConfigError {
  constructor(readonly port: number) {
    super(
      `MQTT port ${port} is already in use (another broker is probably running there). ` +
        `Either set MQTT_URL=mqtt://localhost:${port} to use that broker, ` +
        `or set MQTT_PORT to a free port for the embedded broker.`,
    );
    this.name = 'PortInUseError';
  }
}

/** aedes's messages for the limits it enforces itself. */
const AEDES_LIMIT_ERRORS: ReadonlyArray<[RegExp, LimitName]> = [
  [/too many levels/, 'MQTT_MAX_TOPIC_LEVELS'],
  [/connect did not arrive in time/, 'MQTT_CONNECT_TIMEOUT'],
];

/**
 * The zero-setup MQTT broker (Aedes, MQTT 3.1/3.1.1). It shares the process with the ingester,
 * so no broker-side queue could survive a crash: instead each meter message is stored in the
 * `authorizePublish` hook, which runs before the broker sends its PUBACK. A meter that saw its
 * publish acknowledged therefore knows the reading is durable.
 *
 * Anyone who can reach the port may connect when no credentials are set, so what a client can make
 * the broker hold is bounded: connections, packet size (checked on the wire, before buffering),
 * topic depth, time to CONNECT and idle time; retained messages are not kept (MQTT_RETAIN), and a
 * persistent session's subscriptions are granted QoS 0, so nothing is queued in memory for a
 * client that went away.
 */
export async function startEmbeddedBroker(options: EmbeddedBrokerOptions): Promise<EmbeddedBroker> {
  const { logger } = options;
  const limits = options.limits ?? DEFAULT_BROKER_LIMITS;
  // At most a few lines a minute per kind, whatever a client does.
  const limitLog = new LogLimiter({ perWindow: 5, windowMs: 60_000 });
  const hit = (limit: LimitName, fields: Record<string, unknown>, message: string) => {
    options.metrics?.limitHits.inc({ limit });
    const { log, suppressed } = limitLog.take(limit);
    if (log) logger.warn({ limit, ...fields, ...(suppressed > 0 ? { suppressed } : {}) }, message);
  };
  const refusedLog = new LogLimiter({ perWindow: 5, windowMs: 60_000 });

  const broker = await Aedes.createBroker({
    connectTimeout: limits.connectTimeoutMs,
    maxTopicLevels: limits.maxTopicLevels,
    authenticate: (_client, username, password, done) => {
      if (!options.username) return done(null, true);
      const ok = username === options.username && safeEqual(password, options.password ?? '');
      if (!ok) logger.warn({ username }, 'embedded broker refused a client with bad credentials');
      done(null, ok);
    },
    authorizePublish: (client, packet, done) => {
      if (packet.retain && !limits.retain) {
        // Delivered as an ordinary message; nothing is kept (20 retained 20 MB messages would stay for good).
        packet.retain = false;
        if (packet.payload.length > 0) hit('MQTT_RETAIN', { client: client?.id, topic: packet.topic.slice(0, 200) }, 'retained message delivered but not kept (MQTT_RETAIN=false)');
      }
      if (!options.accepts(packet.topic)) return done(null);
      try {
        options.onPublish(packet.topic, Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload));
        done(null);
      } catch (error) {
        // A failed write is reported (rate-limited) by the ingest service; here only what it was not.
        if (!(error instanceof StoreWriteError)) {
          const { log, suppressed } = refusedLog.take('publish');
          if (log) logger.error({ err: error, topic: packet.topic, client: client?.id, ...(suppressed > 0 ? { suppressed } : {}) }, 'publish refused; the meter will resend');
        }
        done(error instanceof Error ? error : new Error(String(error)));
      }
    },
    authorizeSubscribe: (client, subscription, done) => {
      // A persistent session would keep QoS 1 messages in memory for as long as its client stays away.
      done(null, client.clean === false && subscription.qos > 0 ? { ...subscription, qos: 0 } : subscription);
    },
  });
  const onClientError = (client: { id?: string | null } | null, error: Error) => {
    const limit = AEDES_LIMIT_ERRORS.find(([pattern]) => pattern.test(error.message))?.[1];
    if (limit) hit(limit, { client: client?.id ?? null, error: error.message }, 'MQTT client disconnected at a limit');
    else logger.debug({ client: client?.id, err: error }, 'MQTT client error');
  };
  broker.on('clientError', onClientError);
  broker.on('connectionError', onClientError);

  const server: Server = createServer((socket: Socket) => {
    options.metrics?.mqttConnections.inc();
    socket.once('close', () => options.metrics?.mqttConnections.dec());
    // Acknowledgements are small and latency-bound: never hold them back for coalescing.
    socket.setNoDelay(true);
    // No packet at all (not even PINGREQ) for this long: a dead or hostile client.
    socket.setTimeout(limits.idleTimeoutMs, () => {
      hit('MQTT_IDLE_TIMEOUT', { remote: socket.remoteAddress }, 'MQTT connection idle; closed');
      socket.destroy();
    });
    const connection = new GuardedConnection(socket, limits.maxPacketBytes, (size) =>
      hit(
        'MQTT_MAX_PACKET_SIZE',
        { remote: socket.remoteAddress, size: Number.isFinite(size) ? size : 'malformed' },
        `MQTT packet larger than MQTT_MAX_PACKET_SIZE (${formatSize(limits.maxPacketBytes)}); connection closed`,
      ),
    );
    broker.handle(connection);
  });
  server.maxConnections = limits.maxConnections;
  server.on('drop', (data) =>
    hit('MQTT_MAX_CONNECTIONS', { remote: data?.remoteAddress }, `MQTT connection refused: MQTT_MAX_CONNECTIONS (${limits.maxConnections}) open`),
  );
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port, options.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    await new Promise<void>((resolve) => broker.close(() => resolve()));
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new PortInUseError(options.port);
    throw error;
  }
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  logger.info({ port, maxConnections: limits.maxConnections }, 'embedded MQTT broker listening');

  return {
    port,
    connectedClients: () => broker.connectedClients,
    async close() {
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function safeEqual(given: Buffer | string | undefined, expected: string): boolean {
  const a = Buffer.from(given ?? '');
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
