import { randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { Aedes, type AuthenticateError, type Client } from 'aedes';
import { isLoopbackHost } from '../config/hosts.js';
import { LogLimiter } from '../config/log-limiter.js';
import type { Logger } from '../config/logger.js';
import { formatSize } from '../config/size.js';
import { StartupConfigError } from '../config/startup-error.js';
import { StoreWriteError } from '../ingest/ingest-service.js';
import type { LimitName, Metrics, MqttRefusal } from '../services/metrics.js';
import { clientIdOwner, type AclFile, type ClientIdRule, type PasswordFile, type Principal } from './broker-access.js';
import { LoginThrottle } from './login-throttle.js';
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

/** Who may connect and what they may publish (README "MQTT access"). */
export interface EmbeddedBrokerAuth {
  /** MQTT_BROKER_PASSWORD_FILE: one account per gateway, hashed. */
  readonly passwords?: PasswordFile;
  /** MQTT_USERNAME / MQTT_PASSWORD: one more account, configured in plain text. */
  readonly account?: { readonly username: string; readonly password: string };
  /** MQTT_BROKER_ACL_FILE: which topics each account may publish to; without it, every panel. */
  readonly acl?: AclFile;
  /** Clients without a username are let in (and may publish to every panel unless the ACL says otherwise). */
  readonly allowAnonymous: boolean;
  /** MQTT_CLIENT_IDS: which client ids an account may use. Default `owned`. */
  readonly clientIds?: ClientIdRule;
}

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
  const { logger, auth } = options;
  const limits = options.limits ?? DEFAULT_BROKER_LIMITS;
  // At most a few lines a minute per kind, whatever a client does.
  const limitLog = new LogLimiter({ perWindow: 5, windowMs: 60_000 });
  const hit = (limit: LimitName, fields: Record<string, unknown>, message: string) => {
    options.metrics?.limitHits.inc({ limit });
    const { log, suppressed } = limitLog.take(limit);
    if (log) logger.warn({ limit, ...fields, ...(suppressed > 0 ? { suppressed } : {}) }, message);
  };
  const refusedLog = new LogLimiter({ perWindow: 5, windowMs: 60_000 });
  const refuse = (reason: MqttRefusal, fields: Record<string, unknown>, message: string) => {
    options.metrics?.mqttRefused.inc({ reason });
    const { log, suppressed } = refusedLog.take(reason);
    if (log) logger.warn({ reason, ...fields, ...(suppressed > 0 ? { suppressed } : {}) }, message);
  };
  const product = { username: `energy-api-product-${randomBytes(6).toString('hex')}`, password: randomBytes(24).toString('base64url') };
  const principals = new WeakMap<Client, Principal>();
  const clientIds = auth.clientIds ?? 'owned';
  const isAccount = (name: string) => name === product.username || name === auth.account?.username || (auth.passwords?.has(name) ?? false);
  /** Clients whose CONNECT had no client id (aedes made one up): they get one of their account's. */
  const madeUpIds = new WeakSet<Client>();
  const throttle = new LoginThrottle({
    addressMaxMs: limits.loginDelayMaxMs ?? 10_000,
    usernameMaxMs: limits.loginUserDelayMaxMs ?? 1_000,
  });
  const legacy = auth.passwords?.legacyUsers() ?? [];
  if (legacy.length > 0) {
    logger.warn(
      { users: legacy },
      'MQTT_BROKER_PASSWORD_FILE has $6$ entries (one round of SHA-512: a stolen file gives their passwords up fast); they still work. ' +
        'Re-create them as $7$ (PBKDF2-SHA512): mosquitto_passwd -b FILE USER PASSWORD with Mosquitto 2, or its -H sha512-pbkdf2',
    );
  }

  /** The client's account, or why it is refused. */
  const identify = async (username: string | undefined, password: Buffer): Promise<Principal | 'no_credentials' | 'bad_credentials'> => {
    if (username === undefined || username === '') return auth.allowAnonymous ? { kind: 'anonymous' } : 'no_credentials';
    if (username === product.username) return safeEqual(password, product.password) ? { kind: 'product' } : 'bad_credentials';
    if (auth.passwords?.has(username)) return (await auth.passwords.verify(username, password)) ? { kind: 'user', username } : 'bad_credentials';
    if (auth.account && username === auth.account.username) {
      return safeEqual(password, auth.account.password) ? { kind: 'user', username } : 'bad_credentials';
    }
    // Without any account a username proves nothing: such a client is anonymous (never the user it names).
    if (!auth.passwords && !auth.account && auth.allowAnonymous) return { kind: 'anonymous' };
    // Unknown user: as slow as a wrong password, so names cannot be probed by timing.
    await auth.passwords?.verify(username, password);
    return 'bad_credentials';
  };

  /**
   * A login with a password waits for its turn (LoginThrottle: after failed ones from its address or
   * with its name) before the password is checked. The product's own account is not held back: its
   * password is random and never written down, and its client logs in from inside this process.
   */
  const login = async (client: Client, username: string | undefined, password: Buffer): Promise<Principal | 'no_credentials' | 'bad_credentials' | 'gone'> => {
    if (username === undefined || username === '' || username === product.username) return identify(username, password);
    const turn = await throttle.turn(remoteOf(client), username, () => client.closed);
    if (turn.by) options.metrics?.mqttLoginsDelayed.inc({ by: turn.by });
    // It left while waiting: nothing is checked, so it learns nothing.
    if (client.closed) {
      turn.done('abandoned');
      return 'gone';
    }
    try {
      const result = await identify(username, password);
      const outcome = typeof result === 'object' ? 'accepted' : 'refused';
      options.metrics?.mqttLoginDelay.observe({ outcome }, turn.waitedMs / 1000);
      turn.done(outcome);
      return result;
    } catch (error) {
      turn.done('abandoned');
      throw error;
    }
  };

  /**
   * Whether the client may use its client id (MQTT_CLIENT_IDS), checked after its password and
   * before aedes registers it: a refused client never takes another's connection over. A made-up
   * id (the CONNECT had none) is replaced by one of the account's own.
   */
  const claimClientId = (client: Client, principal: Principal): boolean => {
    const name = principal.kind === 'user' ? principal.username : principal.kind === 'product' ? product.username : null;
    if (clientIds === 'any') return true;
    if (clientIds === 'username' && name !== null) {
      client.id = name;
      return true;
    }
    if (madeUpIds.has(client)) {
      if (name !== null) client.id = `${name}-${randomUUID()}`;
      return true;
    }
    return clientIdOwner(client.id, isAccount) === name;
  };

  const broker = await Aedes.createBroker({
    connectTimeout: limits.connectTimeoutMs,
    maxTopicLevels: limits.maxTopicLevels,
    preConnect: (client, packet, done) => {
      if (!packet.clientId) madeUpIds.add(client);
      done(null, true);
    },
    authenticate: (client, username, password, done) => {
      login(client, username, password ?? Buffer.alloc(0)).then(
        (result) => {
          if (result === 'gone') return;
          const fields = { client: clip(client.id), ...(username ? { username: clip(username) } : {}), remote: remoteOf(client) };
          if (typeof result === 'object') {
            if (!claimClientId(client, result)) {
              refuse('client_id_not_owned', fields, `MQTT client refused: its client id belongs to another account (MQTT_CLIENT_IDS=${clientIds}: an account uses its user name or ids starting with "<user name>-")`);
              // CONNACK 2 "identifier rejected"; the client holding that id keeps its connection.
              done(Object.assign(new Error('identifier rejected'), { returnCode: 2 }) as AuthenticateError, null);
              return;
            }
            principals.set(client, result);
            done(null, true);
            return;
          }
          if (result === 'no_credentials') refuse(result, fields, 'MQTT client refused: no username and password (anonymous access is off)');
          else refuse(result, fields, 'MQTT client refused: unknown user or wrong password');
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
        if (packet.payload.length > 0) hit('MQTT_RETAIN', { client: client?.id, topic: clip(packet.topic) }, 'retained message delivered but not kept (MQTT_RETAIN=false)');
      }
      const principal = client ? principals.get(client) : undefined;
      const denied = !options.accepts(packet.topic)
        ? 'the topic is not under MQTT_TOPIC'
        : principal && auth.acl && !auth.acl.mayPublish(principal, client?.id ?? '', packet.topic)
          ? 'the ACL does not let this account publish there'
          : null;
      if (denied) {
        refuse(
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
        if (!(error instanceof StoreWriteError)) {
          const { log, suppressed } = refusedLog.take('publish');
          if (log) logger.error({ err: error, topic: packet.topic, client: client?.id, ...(suppressed > 0 ? { suppressed } : {}) }, 'publish refused; the meter will resend');
        }
        done(error instanceof Error ? error : new Error(String(error)));
      }
    },
    authorizeSubscribe: (client, subscription, done) => {
      const principal = principals.get(client);
      refuse(
        'subscribe_denied',
        { client: clip(client.id), ...(principal?.kind === 'user' ? { username: principal.username } : {}), topic: clip(subscription.topic) },
        'MQTT subscription refused: the embedded broker serves no subscriptions',
      );
      // SUBACK 0x80 for this filter; the connection stays open.
      done(null, null);
    },
  });
  const onClientError = (client: { id?: string | null } | null, error: Error) => {
    const limit = AEDES_LIMIT_ERRORS.find(([pattern]) => pattern.test(error.message))?.[1];
    if (limit) hit(limit, { client: client?.id ?? null, error: error.message }, 'MQTT client disconnected at a limit');
    else logger.debug({ client: client?.id, err: error }, 'MQTT client error');
  };
  broker.on('clientError', onClientError);
  broker.on('connectionError', onClientError);

  const handle = (socket: Socket) => {
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
  };
  const limitConnections = (server: Server) => {
    server.maxConnections = limits.maxConnections;
    server.on('drop', (data) =>
      hit('MQTT_MAX_CONNECTIONS', { remote: data?.remoteAddress }, `MQTT connection refused: MQTT_MAX_CONNECTIONS (${limits.maxConnections}) open`),
    );
  };

  const servers: Server[] = [];
  const closeAll = async () => {
    await new Promise<void>((resolve) => broker.close(() => resolve()));
    await Promise.all(servers.filter((server) => server.listening).map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
  };
  try {
    const plain = createServer(handle);
    limitConnections(plain);
    servers.push(plain);
    const port = await listen(plain, options.port, options.host, 'MQTT_PORT');
    let tlsPort: number | null = null;
    if (options.tls) {
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
        refuse('tls', { remote: socket.remoteAddress, error: clip(error.message) }, 'MQTT TLS handshake failed; connection closed'),
      );
      servers.push(secure);
      tlsPort = await listen(secure, options.tls.port, options.tls.host ?? options.host, 'MQTTS_PORT');
    }
    logger.info(
      { port, tlsPort, host: options.host, maxConnections: limits.maxConnections, clientIds, loginDelayMaxMs: throttle.addressMaxMs, loginUserDelayMaxMs: throttle.usernameMaxMs },
      'embedded MQTT broker listening',
    );
    // Open is meant for a developer's machine (the default binds 127.0.0.1): say so when it is not on one.
    const exposed = [options.host, ...(options.tls ? [options.tls.host ?? options.host] : [])].filter((host) => !isLoopbackHost(host));
    if (auth.allowAnonymous && exposed.length > 0) {
      logger.warn(
        { hosts: exposed.map((host) => host ?? 'every interface'), port, tlsPort },
        'embedded MQTT broker is OPEN and reachable from the network: anyone who can reach it may publish readings for any panel without a password. ' +
          'Set MQTT_BROKER_PASSWORD_FILE, or MQTT_HOST=127.0.0.1 to keep it on this machine',
      );
    }
    return {
      port,
      tlsPort,
      productAccount: product,
      connectedClients: () => broker.connectedClients,
      close: closeAll,
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
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

function remoteOf(client: Client): string | undefined {
  return client.conn instanceof GuardedConnection ? client.conn.socket.remoteAddress : undefined;
}

/** Client-chosen text in a log line, cut short. */
function clip(text: string | null | undefined): string | undefined {
  if (text === null || text === undefined) return undefined;
  return text.length > 100 ? `${text.slice(0, 100)}…` : text;
}

function safeEqual(given: Buffer, expected: string): boolean {
  const b = Buffer.from(expected);
  return given.length === b.length && timingSafeEqual(given, b);
}
