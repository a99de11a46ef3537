import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import type { Config } from '../config/config.js';
import type { Logger } from '../config/logger.js';
import { StartupConfigError } from '../config/startup-error.js';
import type { IngestService } from '../ingest/ingest-service.js';
import type { Metrics } from '../config/metrics.js';
import { AclFile, PasswordFile } from './broker-access.js';
import { startEmbeddedBroker, type EmbeddedBrokerAuth, type EmbeddedBrokerLimits } from './embedded-broker.js';
import { startSubscriber } from './mqtt-subscriber.js';
import { topicPrefix } from '../config/topic-pattern.js';

export interface Ingestion {
  /** The embedded broker's port, or null when using MQTT_URL. */
  readonly mqttPort: number | null;
  /** The embedded broker's TLS port (MQTTS_PORT), or null. */
  readonly mqttsPort: number | null;
  /** Where meters (and the simulator) publish. */
  readonly mqttUrl: string;
  /** Credentials for the product's own publisher (the simulator) at `mqttUrl`, if any are needed. */
  readonly publisher: { readonly username?: string; readonly password?: string };
  /** Whether readings can arrive now (for /ready). */
  isConnected(): boolean;
  /**
   * Messages received and not yet acknowledged to the broker (with several processes they wait for
   * InfluxDB's confirmation), and since when the oldest stored one waits. Zero for the embedded broker.
   */
  unacknowledged(): { readonly messages: number; readonly oldestSince: Date | null };
  /**
   * With MQTT_SHARED_GROUP: takes over the broker session of a member that went away without a
   * clean stop (its "gone" notice, see sharedGroupGoneTopic) and stores what the broker kept for it.
   * Resolves with the number of messages received and whether the session was ended (false: it
   * still holds messages, e.g. InfluxDB did not confirm them in time). Absent for one process.
   */
  readonly adopt?: (clientId: string) => Promise<{ readonly messages: number; readonly ended: boolean }>;
  stop(): Promise<void>;
}

/** How to reach the broker of MQTT_URL: its URL, account and TLS files' contents. */
export interface ExternalBroker {
  readonly url: string;
  readonly username?: string;
  readonly password?: string;
  readonly tls?: { ca?: Buffer; cert?: Buffer; key?: Buffer };
}

/**
 * The broker of MQTT_URL with the files its settings name read (password, TLS), or null for the
 * embedded broker. A file that cannot be read stops the start with the setting's name.
 */
export function externalBroker(mqtt: Config['mqtt']): ExternalBroker | null {
  if (!mqtt.url) return null;
  const password = mqtt.passwordFile ? readSetting('MQTT_PASSWORD_FILE', mqtt.passwordFile).toString('utf8').replace(/\r?\n$/, '') : mqtt.password;
  const { caFile, certFile, keyFile } = mqtt.tls;
  const tls =
    caFile || certFile
      ? {
          ...(caFile ? { ca: readSetting('MQTT_CA_FILE', caFile) } : {}),
          ...(certFile ? { cert: readSetting('MQTT_CERT_FILE', certFile) } : {}),
          ...(keyFile ? { key: readSetting('MQTT_KEY_FILE', keyFile) } : {}),
        }
      : undefined;
  try {
    // Files that are not PEM, or a key that is not the certificate's: said now, with the settings' names.
    if (tls) createSecureContext(tls);
  } catch (error) {
    throw new StartupConfigError(`MQTT_CA_FILE / MQTT_CERT_FILE / MQTT_KEY_FILE cannot be used: ${(error as Error).message}`, { cause: error });
  }
  return { url: mqtt.url, username: mqtt.username, password, tls };
}

/** Where the broker publishes a shared-group member's Will when it is gone (its client id last). */
export function sharedGroupGoneTopic(feedTopic: string): string {
  return `${feedTopic}/gone`;
}

/** How long an adopter or a leaving member waits for the last in-flight messages. */
const LEAVE_QUIET_MS = 1_000;
const LEAVE_MAX_MS = 10_000;
/** How long an adopter waits for what it drained to be confirmed before it leaves the session for a later claim. */
export const ADOPT_MAX_MS = 60_000;

/**
 * Feeds the ingest service from MQTT: subscribes to MQTT_URL when it is set, otherwise runs the
 * embedded broker and ingests in its publish hook. Files named by settings (passwords, ACL, TLS)
 * are read once (here, or in externalBroker()); one that cannot be read or used stops the start
 * with the setting's name.
 */
export async function startIngestion(
  mqtt: Config['mqtt'] & { readonly clientId: string },
  /** externalBroker(mqtt): read by the composition root, which also connects the stored-readings feed with it. */
  external: ExternalBroker | null,
  ingest: IngestService,
  logger: Logger,
  /** The embedded broker's limits and where it counts them. */
  embedded: { readonly limits?: EmbeddedBrokerLimits; readonly metrics?: Metrics } = {},
  /** With an external broker: what acknowledgements wait for (SubscriberOptions.beforeAck). */
  beforeAck?: () => Promise<void> | undefined,
): Promise<Ingestion> {
  return external ? subscribeToExternal(mqtt, external, ingest, logger, beforeAck) : runEmbeddedBroker(mqtt, ingest, logger, embedded);
}

/** MQTT_URL: a persistent subscription, and with a shared group a Will and the adoption of gone members' sessions. */
async function subscribeToExternal(
  mqtt: Config['mqtt'] & { readonly clientId: string },
  external: ExternalBroker,
  ingest: IngestService,
  logger: Logger,
  beforeAck: (() => Promise<void> | undefined) | undefined,
): Promise<Ingestion> {
  const connection = {
    ...external,
    topic: mqtt.sharedGroup ? `$share/${mqtt.sharedGroup}/${mqtt.topic}` : mqtt.topic,
    protocolVersion: mqtt.protocolVersion,
    sessionExpirySeconds: mqtt.sessionExpirySeconds,
    onMessages: (messages: Parameters<IngestService['ingestBatch']>[0]) => void ingest.ingestBatch(messages),
    beforeAck,
  };
  // A shared-group member's persistent session keeps being handed its share of the meters'
  // messages while it is away, and the broker keeps them for it alone. A member that stops
  // cleanly ends its session; one that dies leaves a Will, so that another member adopts the
  // session and stores what it holds (docs/several-processes.md).
  const group = mqtt.sharedGroup !== undefined && mqtt.protocolVersion === 5;
  const subscriber = await startSubscriber({
    ...connection,
    clientId: mqtt.clientId,
    logger,
    ...(group
      ? { will: { topic: `${sharedGroupGoneTopic(mqtt.feedTopic)}/${mqtt.clientId}`, payload: JSON.stringify({ clientId: mqtt.clientId }), delaySeconds: mqtt.sharedAdoptAfterSeconds } }
      : {}),
  });
  return {
    mqttPort: null,
    mqttsPort: null,
    mqttUrl: external.url,
    publisher: { username: external.username, password: external.password },
    isConnected: () => subscriber.isConnected(),
    unacknowledged: () => subscriber.unacknowledged(),
    ...(group
      ? {
          adopt: async (clientId: string) => {
            const log = logger.child({ adoptedClientId: clientId });
            const adopted = await startSubscriber({ ...connection, clientId, logger: log, adopt: true });
            const ended = await adopted.endSession({ quietMs: LEAVE_QUIET_MS, maxMs: ADOPT_MAX_MS });
            if (ended) log.info({ messages: adopted.received() }, 'adopted the session of a shared-group member that went away, stored what it held and ended it');
            return { messages: adopted.received(), ended };
          },
        }
      : {}),
    stop: async () => {
      if (group) await subscriber.endSession({ quietMs: LEAVE_QUIET_MS, maxMs: LEAVE_MAX_MS });
      else await subscriber.stop();
    },
  };
}

/** No MQTT_URL: the embedded broker, ingesting in its publish hook. */
async function runEmbeddedBroker(
  mqtt: Config['mqtt'],
  ingest: IngestService,
  logger: Logger,
  embedded: { readonly limits?: EmbeddedBrokerLimits; readonly metrics?: Metrics },
): Promise<Ingestion> {
  const prefix = topicPrefix(mqtt.topic);
  const auth = brokerAuth(mqtt, logger);
  const { tls } = mqtt.broker;
  const broker = await startEmbeddedBroker({
    port: mqtt.embeddedPort,
    host: mqtt.broker.host,
    tls: tls
      ? {
          port: tls.port,
          host: tls.host,
          cert: readSetting('MQTTS_CERT_FILE', tls.certFile),
          key: readSetting('MQTTS_KEY_FILE', tls.keyFile),
          ...(tls.caFile ? { ca: readSetting('MQTTS_CA_FILE', tls.caFile) } : {}),
        }
      : undefined,
    auth,
    // Everything MQTT_TOPIC would match, so a meter publishing to the bare prefix is counted as
    // invalid_topic, as with MQTT_URL.
    accepts: (topic) => topic === prefix || topic.startsWith(`${prefix}/`),
    onPublish: (topic, payload) => void ingest.ingest(topic, payload),
    logger,
    limits: embedded.limits,
    metrics: embedded.metrics,
  }).catch((error: unknown) => {
    // A certificate and key that do not belong together, or files that are not PEM.
    if (error instanceof Error && /PEM|key values mismatch|certificate|asn1/i.test(error.message) && !(error instanceof StartupConfigError)) {
      throw new StartupConfigError(`MQTTS_CERT_FILE / MQTTS_KEY_FILE / MQTTS_CA_FILE cannot be used: ${error.message}`, { cause: error });
    }
    throw error;
  });
  return {
    mqttPort: broker.port,
    mqttsPort: broker.tlsPort,
    mqttUrl: `mqtt://${connectHost(mqtt.broker.host)}:${broker.port}`,
    publisher: broker.productAccount,
    isConnected: () => true,
    unacknowledged: () => ({ messages: 0, oldestSince: null }),
    stop: () => broker.close(),
  };
}

/**
 * Who may use the embedded broker. Anonymous access is what development gets by default without
 * any account (said loudly); production without an account refuses to start unless
 * MQTT_ALLOW_ANONYMOUS=true says it is meant.
 */
function brokerAuth(mqtt: Config['mqtt'], logger: Logger): EmbeddedBrokerAuth {
  const { passwordFile, aclFile, production } = mqtt.broker;
  const passwords = passwordFile ? parseFile('MQTT_BROKER_PASSWORD_FILE', passwordFile, PasswordFile.parse) : undefined;
  const acl = aclFile ? parseFile('MQTT_BROKER_ACL_FILE', aclFile, AclFile.parse) : undefined;
  const account = mqtt.username && mqtt.password ? { username: mqtt.username, password: mqtt.password } : undefined;
  const hasAccounts = passwords !== undefined || account !== undefined;
  const allowAnonymous = mqtt.broker.allowAnonymous ?? (!hasAccounts && !production);
  if (!hasAccounts && !allowAnonymous && mqtt.broker.allowAnonymous === undefined) {
    throw new StartupConfigError(
      'The embedded MQTT broker has no accounts and NODE_ENV=production: set MQTT_BROKER_PASSWORD_FILE (a mosquitto_passwd file, one account per gateway), ' +
        'or MQTT_ALLOW_ANONYMOUS=true to let anyone who reaches the port publish readings.',
    );
  }
  if (allowAnonymous) {
    logger.warn(
      { host: mqtt.broker.host, port: mqtt.embeddedPort },
      'embedded MQTT broker is OPEN: anyone who can reach it may publish readings for any panel without a password' +
        (mqtt.broker.allowAnonymous ? ' (MQTT_ALLOW_ANONYMOUS=true)' : ' (development default; set MQTT_BROKER_PASSWORD_FILE to require accounts)'),
    );
  }
  if (passwords && acl) {
    const unknown = acl.usernames().filter((name) => !passwords.has(name) && name !== account?.username);
    if (unknown.length > 0) logger.warn({ users: unknown }, 'MQTT_BROKER_ACL_FILE names users MQTT_BROKER_PASSWORD_FILE does not have');
  }
  if (hasAccounts && !acl) logger.info('embedded MQTT broker: every account may publish to every panel (set MQTT_BROKER_ACL_FILE to limit gateways to their panels)');
  return { passwords, acl, account, allowAnonymous, clientIds: mqtt.broker.clientIds };
}

function readSetting(setting: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new StartupConfigError(`${setting}: cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, { cause: error });
  }
}

function parseFile<T>(setting: string, path: string, parse: (text: string, path: string) => T): T {
  const text = readSetting(setting, path).toString('utf8');
  try {
    return parse(text, path);
  } catch (error) {
    throw new StartupConfigError(`${setting}: ${(error as Error).message}`, { cause: error });
  }
}

/** A host to connect to for a listener bound to `host` (any interface: this machine's loopback). */
function connectHost(host: string | undefined): string {
  if (!host || host === '0.0.0.0' || host === '::') return 'localhost';
  return host.includes(':') ? `[${host}]` : host;
}
