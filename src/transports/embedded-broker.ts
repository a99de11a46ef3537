import { createServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import type { AedesOptions, AuthenticateError } from 'aedes';
import './mqtt-codec.js';
import { isLoopbackHost } from '../config/hosts.js';
import { LogLimiter } from '../config/log-limiter.js';
import type { Logger } from '../config/logger.js';
import { formatSize } from '../config/size.js';
import { StartupConfigError } from '../config/startup-error.js';
import { StoreWriteError } from '../ingest/ingest-service.js';
import type { LimitName, Metrics, MqttRefusal } from '../config/metrics.js';
import { BrokerIdentities, remoteOf, type EmbeddedBrokerAuth } from './broker-identities.js';
import { GuardedConnection } from './mqtt-frame-guard.js';

export type { EmbeddedBrokerAuth } from './broker-identities.js';

/** What one client, and all of them, may take from the embedded broker (docs/limits-and-faults.md). */
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
  /** MQTT_LOGIN_DELAY_MAX: the longest a source address's failed logins hold its next one back (default 10 s). */
  readonly loginDelayMaxMs?: number;
  /** MQTT_LOGIN_USER_DELAY_MAX: the longest a user name's failed logins hold a login with that name back (default 1 s). */
  readonly loginUserDelayMaxMs?: number;
}

/** Limits for tests and tools that pass none: the defaults of the settings. */
export const DEFAULT_BROKER_LIMITS: EmbeddedBrokerLimits = {
  maxConnections: 1_000,
  maxPacketBytes: 64 * 1024,
  maxTopicLevels: 8,
  connectTimeoutMs: 10_000,
  idleTimeoutMs: 10 * 60_000,
  retain: false,
  loginDelayMaxMs: 10_000,
  loginUserDelayMaxMs: 1_000,
};

/** MQTT over TLS (MQTTS_*), a second listener next to the plain one. */
export interface EmbeddedBrokerTls {
  readonly port: number;
  readonly host?: string;
  readonly cert: Buffer;
  readonly key: Buffer;
  /** When set, every TLS client must present a certificate this CA signed. */
  readonly ca?: Buffer;
}

export interface EmbeddedBrokerOptions {
  readonly port: number;
  readonly host?: string;
  readonly tls?: EmbeddedBrokerTls;
  readonly auth: EmbeddedBrokerAuth;
  /** Which published topics are meter readings for `onPublish`. */
  readonly accepts: (topic: string) => boolean;
  /**
   * Handles one meter message before the broker acknowledges it. Throwing refuses the publish:
   * the broker drops that connection without a PUBACK, so the meter sends it again.
   */
  readonly onPublish: (topic: string, payload: Buffer) => void;
  readonly logger: Logger;
  readonly limits?: EmbeddedBrokerLimits;
  readonly metrics?: Pick<Metrics, 'limitHits' | 'mqttConnections' | 'mqttRefused' | 'mqttLoginsDelayed' | 'mqttLoginDelay'>;
}

export interface EmbeddedBroker {
  readonly port: number;
  /** The TLS listener's port, or null without MQTTS_PORT. */
  readonly tlsPort: number | null;
  /**
   * An account for the product's own publisher (the in-process simulator): made at start, never
   * written down, allowed to publish to every panel; its client ids start with its user name.
   */
  readonly productAccount: { readonly username: string; readonly password: string };
  connectedClients(): number;
  close(): Promise<void>;
}

export class PortInUseError extends StartupConfigError {
  constructor(
    readonly port: number,
    setting: 'MQTT_PORT' | 'MQTTS_PORT' = 'MQTT_PORT',
  ) {
    super(
      setting === 'MQTT_PORT'
        ? `MQTT port ${port} is already in use (another broker is probably running there). ` +
            `Either set MQTT_URL=mqtt://localhost:${port} to use that broker, ` +
            `or set MQTT_PORT to a free port for the embedded broker.`
        : `MQTTS_PORT ${port} is already in use. Set MQTTS_PORT to a free port for the embedded broker's TLS listener.`,
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
 * Access: every client authenticates (unless anonymous access is allowed), and may publish only to
 * `<MQTT_TOPIC prefix>/<panel>` topics its account may write. The broker takes readings in and hands
 * nothing out: every subscription is refused (the product ingests in-process, not by subscribing),
 * which also closes `$SYS` and `#`. A refused publish is acknowledged and dropped, as Mosquitto does
 * for MQTT 3.1.1 (which has no negative acknowledgement): disconnecting instead would make a gateway
 * resend it forever, holding back its other panels' readings behind it.
 *
 * What a client can make the broker hold is bounded: connections, packet size (checked on the
 * wire, before buffering), topic depth, time to CONNECT and idle time; retained messages are not
 * kept (MQTT_RETAIN).
 */
export async function startEmbeddedBroker(options: EmbeddedBrokerOptions): Promise<EmbeddedBroker> {
  const { logger } = options;
  const limits = options.limits ?? DEFAULT_BROKER_LIMITS;
  const log = brokerLog(logger, options.metrics);
  const identities = new BrokerIdentities({
    auth: options.auth,
    loginDelayMaxMs: limits.loginDelayMaxMs ?? 10_000,
    loginUserDelayMaxMs: limits.loginUserDelayMaxMs ?? 1_000,
    ...(options.metrics ? { metrics: options.metrics } : {}),
    logger,
  });
  // Loaded here, not with the module: a product on an external broker (MQTT_URL) never needs it.
  const { Aedes } = await import('aedes');
  const broker = await Aedes.createBroker({
    connectTimeout: limits.connectTimeoutMs,
    maxTopicLevels: limits.maxTopicLevels,
    ...brokerHooks(options, limits, identities, log),
  });
  const onClientError = (client: { id?: string | null } | null, error: Error) => {
    const limit = AEDES_LIMIT_ERRORS.find(([pattern]) => pattern.test(error.message))?.[1];
    if (limit) log.hit(limit, { client: client?.id ?? null, error: error.message }, 'MQTT client disconnected at a limit');
    else logger.debug({ client: client?.id, err: error }, 'MQTT client error');
  };
  broker.on('clientError', onClientError);
  broker.on('connectionError', onClientError);

  const servers: Server[] = [];
  const closeAll = async () => {
    await new Promise<void>((resolve) => broker.close(() => resolve()));
    await Promise.all(servers.filter((server) => server.listening).map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
  };
  try {
    const { port, tlsPort } = await listenBroker(options, limits, log, servers, (connection) => broker.handle(connection));
    const { clientIds, throttle } = identities;
    logger.info(
      { port, tlsPort, host: options.host, maxConnections: limits.maxConnections, clientIds, loginDelayMaxMs: throttle.addressMaxMs, loginUserDelayMaxMs: throttle.usernameMaxMs },
      'embedded MQTT broker listening',
    );
    warnIfOpenToTheNetwork(options, port, tlsPort);
    return { port, tlsPort, productAccount: identities.product, connectedClients: () => broker.connectedClients, close: closeAll };
  } catch (error) {
    await closeAll();
    throw error;
  }
}

/** Limit hits and refusals: counted, and logged at most a few lines a minute per kind, whatever a client does. */
interface BrokerLog {
  hit(limit: LimitName, fields: Record<string, unknown>, message: string): void;
  refuse(reason: MqttRefusal, fields: Record<string, unknown>, message: string): void;
  /** A publish the ingest path refused for another reason than a failed write. */
  publishFailed(error: unknown, fields: Record<string, unknown>): void;
}

function brokerLog(logger: Logger, metrics: EmbeddedBrokerOptions['metrics']): BrokerLog {
  const limitLog = new LogLimiter({ perWindow: 5, windowMs: 60_000 });
  const refusedLog = new LogLimiter({ perWindow: 5, windowMs: 60_000 });
  return {
    hit(limit, fields, message) {
      metrics?.limitHits.inc({ limit });
      const { log, suppressed } = limitLog.take(limit);
      if (log) logger.warn({ limit, ...fields, ...(suppressed > 0 ? { suppressed } : {}) }, message);
    },
    refuse(reason, fields, message) {
      metrics?.mqttRefused.inc({ reason });
      const { log, suppressed } = refusedLog.take(reason);
      if (log) logger.warn({ reason, ...fields, ...(suppressed > 0 ? { suppressed } : {}) }, message);
    },
    publishFailed(error, fields) {
      const { log, suppressed } = refusedLog.take('publish');
      if (log) logger.error({ err: error, ...fields, ...(suppressed > 0 ? { suppressed } : {}) }, 'publish refused; the meter will resend');
    },
  };
}

/**
 * Aedes's hooks: who gets in (password, then client id), what a publish may do (MQTT_TOPIC, the
 * ACL; a meter message is stored before its PUBACK), and no subscriptions at all.
 */
function brokerHooks(
  options: EmbeddedBrokerOptions,
  limits: EmbeddedBrokerLimits,
  identities: BrokerIdentities,
  log: BrokerLog,
): Pick<AedesOptions, 'preConnect' | 'authenticate' | 'authorizePublish' | 'authorizeSubscribe'> {
  const { logger, auth } = options;
  return {
    preConnect: (client, packet, done) => {
      if (!packet.clientId) identities.madeUpId(client);
      done(null, true);
    },
    authenticate: (client, username, password, done) => {
      identities.login(client, username, password ?? Buffer.alloc(0)).then(
        (result) => {
          if (result === 'gone') return;
          const fields = { client: clip(client.id), ...(username ? { username: clip(username) } : {}), remote: remoteOf(client) };
          if (typeof result === 'object') {
            if (identities.admit(client, result)) return done(null, true);
            log.refuse(
              'client_id_not_owned',
              fields,
              `MQTT client refused: its client id belongs to another account (MQTT_CLIENT_IDS=${identities.clientIds}: an account uses its user name or ids starting with "<user name>-")`,
            );
            // CONNACK 2 "identifier rejected"; the client holding that id keeps its connection.
            return done(Object.assign(new Error('identifier rejected'), { returnCode: 2 }) as AuthenticateError, null);
          }
          if (result === 'no_credentials') log.refuse(result, fields, 'MQTT client refused: no username and password (anonymous access is off)');
          else log.refuse(result, fields, 'MQTT client refused: unknown user or wrong password');
          // CONNACK 5 "not authorized" without credentials, 4 "bad user name or password" with wrong ones.
          done(Object.assign(new Error(result === 'no_credentials' ? 'not authorized' : 'bad user name or password'), { returnCode: result === 'no_credentials' ? 5 : 4 }) as AuthenticateError, null);
        },
        (error: unknown) => {
          logger.error({ err: error, client: clip(client.id) }, 'MQTT authentication failed');
          done(Object.assign(new Error('Server unavailable'), { returnCode: 3 }) as AuthenticateError, null);
        },
      );
    },
    authorizePublish: (client, packet, done) => {
      if (packet.retain && !limits.retain) {
        // Delivered as an ordinary message; nothing is kept (20 retained 20 MB messages would stay for good).
        packet.retain = false;
        if (packet.payload.length > 0) log.hit('MQTT_RETAIN', { client: client?.id, topic: clip(packet.topic) }, 'retained message delivered but not kept (MQTT_RETAIN=false)');
      }
      const principal = identities.principalOf(client);
      const denied = !options.accepts(packet.topic)
        ? 'the topic is not under MQTT_TOPIC'
        : principal && auth.acl && !auth.acl.mayPublish(principal, client?.id ?? '', packet.topic)
          ? 'the ACL does not let this account publish there'
          : null;
      if (denied) {
        log.refuse(
          'publish_denied',
          { client: clip(client?.id), ...(principal?.kind === 'user' ? { username: principal.username } : { account: principal?.kind }), topic: clip(packet.topic) },
          `MQTT publish refused (acknowledged and dropped): ${denied}`,
        );
        return done(null);
      }
      try {
        options.onPublish(packet.topic, Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload));
        done(null);
      } catch (error) {
        // A failed write is reported (rate-limited) by the ingest service; here only what it was not.
        if (!(error instanceof StoreWriteError)) log.publishFailed(error, { topic: packet.topic, client: client?.id });
        done(error instanceof Error ? error : new Error(String(error)));
      }
    },
    authorizeSubscribe: (client, subscription, done) => {
      const principal = identities.principalOf(client);
      log.refuse(
        'subscribe_denied',
        { client: clip(client.id), ...(principal?.kind === 'user' ? { username: principal.username } : {}), topic: clip(subscription.topic) },
        'MQTT subscription refused: the embedded broker serves no subscriptions',
      );
      // SUBACK 0x80 for this filter; the connection stays open.
      done(null, null);
    },
  };
}

/**
 * The plain listener (and the TLS one with MQTTS_*): bounded connections, no Nagle delay on
 * acknowledgements, an idle timeout, and packets checked for size on the wire before the broker
 * buffers them. Listening servers are pushed to `servers` as they start (closed by the caller).
 */
async function listenBroker(
  options: EmbeddedBrokerOptions,
  limits: EmbeddedBrokerLimits,
  log: BrokerLog,
  servers: Server[],
  handleConnection: (connection: GuardedConnection) => void,
): Promise<{ port: number; tlsPort: number | null }> {
  const handle = (socket: Socket) => {
    options.metrics?.mqttConnections.inc();
    socket.once('close', () => options.metrics?.mqttConnections.dec());
    // Acknowledgements are small and latency-bound: never hold them back for coalescing.
    socket.setNoDelay(true);
    // No packet at all (not even PINGREQ) for this long: a dead or hostile client.
    socket.setTimeout(limits.idleTimeoutMs, () => {
      log.hit('MQTT_IDLE_TIMEOUT', { remote: socket.remoteAddress }, 'MQTT connection idle; closed');
      socket.destroy();
    });
    handleConnection(
      new GuardedConnection(socket, limits.maxPacketBytes, (size) =>
        log.hit(
          'MQTT_MAX_PACKET_SIZE',
          { remote: socket.remoteAddress, size: Number.isFinite(size) ? size : 'malformed' },
          `MQTT packet larger than MQTT_MAX_PACKET_SIZE (${formatSize(limits.maxPacketBytes)}); connection closed`,
        ),
      ),
    );
  };
  const limitConnections = (server: Server) => {
    server.maxConnections = limits.maxConnections;
    server.on('drop', (data) =>
      log.hit('MQTT_MAX_CONNECTIONS', { remote: data?.remoteAddress }, `MQTT connection refused: MQTT_MAX_CONNECTIONS (${limits.maxConnections}) open`),
    );
  };
  const plain = createServer(handle);
  limitConnections(plain);
  servers.push(plain);
  const port = await listen(plain, options.port, options.host, 'MQTT_PORT');
  if (!options.tls) return { port, tlsPort: null };
  const secure = createTlsServer(
    {
      cert: options.tls.cert,
      key: options.tls.key,
      minVersion: 'TLSv1.2',
      handshakeTimeout: limits.connectTimeoutMs,
      ...(options.tls.ca ? { ca: options.tls.ca, requestCert: true, rejectUnauthorized: true } : {}),
    },
    handle,
  );
  limitConnections(secure);
  // A failed handshake: plain MQTT on the TLS port, no or an untrusted client certificate.
  secure.on('tlsClientError', (error, socket) =>
    log.refuse('tls', { remote: socket.remoteAddress, error: clip(error.message) }, 'MQTT TLS handshake failed; connection closed'),
  );
  servers.push(secure);
  return { port, tlsPort: await listen(secure, options.tls.port, options.tls.host ?? options.host, 'MQTTS_PORT') };
}

/** Open is meant for a developer's machine (the default binds 127.0.0.1): say so when it is not on one. */
function warnIfOpenToTheNetwork(options: EmbeddedBrokerOptions, port: number, tlsPort: number | null): void {
  const exposed = [options.host, ...(options.tls ? [options.tls.host ?? options.host] : [])].filter((host) => !isLoopbackHost(host));
  if (!options.auth.allowAnonymous || exposed.length === 0) return;
  options.logger.warn(
    { hosts: exposed.map((host) => host ?? 'every interface'), port, tlsPort },
    'embedded MQTT broker is OPEN and reachable from the network: anyone who can reach it may publish readings for any panel without a password. ' +
      'Set MQTT_BROKER_PASSWORD_FILE, or MQTT_HOST=127.0.0.1 to keep it on this machine',
  );
}

async function listen(server: Server, port: number, host: string | undefined, setting: 'MQTT_PORT' | 'MQTTS_PORT'): Promise<number> {
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new PortInUseError(port, setting);
    throw error;
  }
  const address = server.address();
  return typeof address === 'object' && address ? address.port : port;
}

/** Client-chosen text in a log line, cut short. */
function clip(text: string | null | undefined): string | undefined {
  if (text === null || text === undefined) return undefined;
  return text.length > 100 ? `${text.slice(0, 100)}…` : text;
}
