import { randomUUID } from 'node:crypto';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { mqttTrace } from './mqtt-codec.js';
import { z } from 'zod';
import type { Logger } from '../config/logger.js';
import { redactUrl } from '../config/redact.js';
import { StartupConfigError } from '../config/startup-error.js';
import type { Reading } from '../models/reading.js';
import { unrecoverableConnectError } from './mqtt-subscriber.js';
import { LogLimiter } from '../config/log-limiter.js';
import type { PanelAdmission } from '../ingest/panel-admission.js';
import { isPanelId, PANEL_ID_RULE } from '../models/panel-id.js';
import { claimMessage, SessionClaims } from './session-claims.js';

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
const goneMessage = z.object({ clientId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/) });

export interface StoredFeedOptions {
  readonly url: string;
  readonly username?: string;
  readonly password?: string;
  /** The topic root (MQTT_FEED_TOPIC, default `energy-monitoring/feed`). */
  readonly topic: string;
  /** This process's client id for the feed connection (its own, not the ingester's). */
  readonly clientId: string;
  /** This process's ingest client id: its claims on gone members' sessions name it (SessionClaims). */
  readonly memberId: string;
  /** How long a won claim on a gone member's session holds without the adopter's "done" (SessionClaims). */
  readonly claimExpiresAfterMs: number;
  /** Readings another process stored, those with a valid panel id that `admission` admits. */
  readonly onReadings: (readings: readonly Reading[]) => void;
  /**
   * The panel admission meter readings pass (retired panels, MAX_PANELS): anyone who may publish
   * on the feed's topics must not add panels ingestion would refuse.
   */
  readonly admission: PanelAdmission;
  /** Another process recorded an admin change. */
  readonly onAdminChange: () => void;
  /**
   * A shared-group member went away (the broker published its Will) and this process won the claim
   * to adopt its session (its ingest client id): exactly one member is told (SessionClaims). Call
   * StoredFeed.sessionEnded() once the session is ended; otherwise the claim lapses and is decided again.
   */
  readonly onMemberGone: (clientId: string) => void;
  /** Where those Wills are published (sharedGroupGoneTopic). */
  readonly goneTopic: string;
  readonly logger: Logger;
  /** TLS settings of the broker connection, as for the ingester. */
  readonly tls?: Pick<IClientOptions, 'ca' | 'cert' | 'key' | 'rejectUnauthorized'>;
}

export interface StoredFeed {
  /** Tells the other processes about readings this one stored (QoS 1, in order). */
  publishReadings(readings: readonly Reading[]): void;
  /** Resolves once the broker has acknowledged every announcement made so far (or it failed, logged). */
  announced(): Promise<void> | undefined;
  publishAdminChange(): void;
  /** This process adopted a gone member's session and ended it: the others stop claiming it. */
  sessionEnded(clientId: string): void;
  isConnected(): boolean;
  stop(): Promise<void>;
}

export async function startStoredFeed(options: StoredFeedOptions): Promise<StoredFeed> {
  const origin = randomUUID();
  const topics = feedTopics(options);
  const client = await connectFeed(options);
  const feed: Feed = { options, logger: options.logger, origin, topics, client, claims: sessionClaims(options, origin, topics, client) };
  await subscribeFeed(feed);
  const onMessage = messageHandler(feed);
  feed.client.on('message', onMessage);
  feed.client.on('error', (error) => feed.logger.warn({ err: error }, 'stored-readings feed: MQTT error'));
  feed.logger.info({ url: redactUrl(options.url), topic: options.topic }, 'stored-readings feed connected');
  return feedHandle(feed);
}

/** The topics under the feed's root. */
interface FeedTopics {
  readonly readings: string;
  readonly admin: string;
  /**
   * Who adopts a gone member's session: claims on `<feed>/claims/<client id>` (SessionClaims),
   * heard with No Local off, since a member must hear its own.
   */
  readonly claims: string;
  readonly gone: string;
}

/** One process's feed: its connection, topics and the origin that marks its own messages. */
interface Feed {
  readonly options: StoredFeedOptions;
  readonly logger: Logger;
  readonly origin: string;
  readonly topics: FeedTopics;
  readonly client: MqttClient;
  readonly claims: SessionClaims;
}

/** The claims on gone members' sessions, published on the feed. */
function sessionClaims(options: StoredFeedOptions, origin: string, topics: FeedTopics, client: MqttClient): SessionClaims {
  const { logger } = options;
  return new SessionClaims({
    origin,
    member: options.memberId,
    expiresAfterMs: options.claimExpiresAfterMs,
    logger,
    won: (gone) => options.onMemberGone(gone),
    publish: (gone, message) =>
      client.publish(`${topics.claims}/${gone}`, JSON.stringify(message), { qos: 1 }, (error) => {
        // Not heard by anyone then: another member's claim decides, or the session waits at the broker.
        if (error) logger.warn({ err: error, clientId: gone }, 'stored-readings feed: could not publish a claim on the session of a member that went away');
      }),
  });
}

function feedTopics(options: StoredFeedOptions): FeedTopics {
  return { readings: `${options.topic}/readings`, admin: `${options.topic}/admin`, claims: `${options.topic}/claims`, gone: options.goneTopic };
}

async function connectFeed(options: StoredFeedOptions): Promise<MqttClient> {
  return mqtt
    .connectAsync(options.url, {
      clientId: options.clientId,
      // A persistent session: messages published while this process reconnects are queued for it.
      clean: false,
      protocolVersion: 5,
      properties: { sessionExpiryInterval: 3_600 },
      reconnectPeriod: 1_000,
      log: mqttTrace(options.logger),
      ...(options.username ? { username: options.username, password: options.password } : {}),
      ...options.tls,
    })
    .catch((error: unknown) => {
      // It connects before ingestion starts: bad credentials or an untrusted certificate show here first.
      throw (error instanceof Error ? unrecoverableConnectError(error, options.url) : null) ?? error;
    });
}

/**
 * No Local (MQTT 5): the broker does not send this process its own messages back; the origin
 * check still guards a broker that ignores the option. A broker whose ACL does not let this
 * account use the feed refuses the subscription (reason code >= 128): the processes would silently
 * drift apart, so say so and stop.
 */
async function subscribeFeed({ client, topics, options }: Feed): Promise<void> {
  try {
    await client.subscribeAsync([`${topics.readings}/+`, topics.admin, `${topics.gone}/+`], { qos: 1, nl: true });
    await client.subscribeAsync(`${topics.claims}/+`, { qos: 1, nl: false });
  } catch (error) {
    await client.endAsync(true);
    throw new StartupConfigError(
      `the broker refused the stored-readings feed subscription (${(error as Error).message}): let this MQTT account read and write ${options.topic}/# (MQTT_FEED_TOPIC)`,
      { cause: error },
    );
  }
}

/** What the feed does with each message: a gone member's Will, a claim for its session, or another process's readings or admin notice. */
function messageHandler(feed: Feed): (topic: string, payload: Buffer) => void {
  const admit = admitter(feed);
  return (topic, payload) => {
    if (topic.startsWith(`${feed.topics.gone}/`)) claimSessionOfGone(feed, topic, payload);
    else if (topic.startsWith(`${feed.topics.claims}/`)) decideClaim(feed, topic, payload);
    else applyFromElsewhere(feed, admit, topic, payload);
  };
}

/** A member's Will: claim its session, and the sessions it had won and not ended. */
function claimSessionOfGone({ logger, claims }: Feed, topic: string, payload: Buffer): void {
  const gone = goneMessage.safeParse(safeJson(payload));
  if (!gone.success) {
    logger.warn({ topic }, 'ignored a malformed gone notice on the stored-readings feed');
    return;
  }
  claims.gone(gone.data.clientId);
}

/** A claim (the first of a new round wins, SessionClaims) or an adopter's "done". */
function decideClaim({ logger, claims, topics }: Feed, topic: string, payload: Buffer): void {
  const claim = claimMessage.safeParse(safeJson(payload));
  if (claim.success) claims.heard(topic.slice(topics.claims.length + 1), claim.data);
  else logger.warn({ topic }, 'ignored a malformed claim on the stored-readings feed');
}

/** Readings or an admin notice from another process, applied here; our own (a broker ignoring No Local) skipped. */
function applyFromElsewhere({ options, logger, origin, topics }: Feed, admit: (readings: readonly Reading[]) => Reading[], topic: string, payload: Buffer): void {
  let message: { kind: 'readings'; body: z.infer<typeof readingsMessage> } | { kind: 'admin'; body: z.infer<typeof adminMessage> };
  try {
    const json: unknown = JSON.parse(payload.toString('utf8'));
    message = topic === topics.admin ? { kind: 'admin', body: adminMessage.parse(json) } : { kind: 'readings', body: readingsMessage.parse(json) };
  } catch (error) {
    logger.warn({ err: error, topic }, 'ignored a malformed message on the stored-readings feed');
    return;
  }
  if (message.body.origin === origin) return;
  try {
    if (message.kind === 'readings') {
      const admitted = admit(message.body.readings);
      if (admitted.length > 0) options.onReadings(admitted);
    }
    else options.onAdminChange();
  } catch (error) {
    logger.error({ err: error, topic }, 'stored-readings feed: applying a message failed');
  }
}

/** The same panel-id rule and admission as meter readings; refusals logged, at most 5 a minute. */
function admitter({ options, logger }: Feed): (readings: readonly Reading[]) => Reading[] {
  const refusals = new LogLimiter({ perWindow: 5, windowMs: 60_000 });
  return (readings) => {
    const newInBatch = new Set<string>();
    return readings.filter((reading) => {
      const refusal = isPanelId(reading.panelId)
        ? options.admission.check(reading.panelId, newInBatch)
        : { reason: 'invalid_panel_id', detail: `panel id must be ${PANEL_ID_RULE}` };
      if (refusal === null) {
        newInBatch.add(reading.panelId);
        return true;
      }
      const { log, suppressed } = refusals.take(refusal.reason);
      if (log) logger.warn({ panelId: reading.panelId.slice(0, 100), reason: refusal.reason, detail: refusal.detail, ...(suppressed > 0 ? { suppressed } : {}) }, 'stored-readings feed: reading refused');
      return false;
    });
  };
}

/**
 * Announcements are numbered, and announced() waits for the broker's acknowledgements. Numbers
 * are issued in order and mostly acknowledged in order: `settled` advances past every
 * acknowledged number, so a waiter for "everything up to n" is resolved once settled reaches n,
 * in constant time per acknowledgement however many are outstanding during a burst.
 */
class Announcements {
  #issued = 0;
  #settled = 0;
  readonly #acknowledged = new Set<number>();
  readonly #waiters: Array<{ readonly upTo: number; readonly resolve: () => void }> = [];

  issue(): number {
    return ++this.#issued;
  }

  settle(n: number): void {
    this.#acknowledged.add(n);
    while (this.#acknowledged.delete(this.#settled + 1)) this.#settled++;
    // Waiters were added in order of upTo.
    while (this.#waiters.length > 0 && this.#waiters[0]!.upTo <= this.#settled) this.#waiters.shift()!.resolve();
  }

  /** Resolves once every announcement issued so far is settled; undefined when they all are. */
  announced(): Promise<void> | undefined {
    if (this.#settled === this.#issued) return undefined;
    const upTo = this.#issued;
    return new Promise<void>((resolve) => this.#waiters.push({ upTo, resolve }));
  }
}

function feedHandle({ client, logger, origin, topics, claims }: Feed): StoredFeed {
  const announcements = new Announcements();
  return {
    announced: () => announcements.announced(),
    publishReadings(readings) {
      // One message per panel per group, so each panel's readings keep their order on its topic.
      const byPanel = new Map<string, Reading[]>();
      for (const reading of readings) {
        const group = byPanel.get(reading.panelId);
        if (group) group.push(reading);
        else byPanel.set(reading.panelId, [reading]);
      }
      for (const [panelId, group] of byPanel) {
        const n = announcements.issue();
        client.publish(`${topics.readings}/${panelId}`, JSON.stringify({ origin, readings: group }), { qos: 1 }, (error) => {
          if (error) logger.warn({ err: error, panelId }, 'stored-readings feed: publish failed');
          announcements.settle(n);
        });
      }
    },
    publishAdminChange() {
      client.publish(topics.admin, JSON.stringify({ origin }), { qos: 1 }, (error) => {
        if (error) logger.warn({ err: error }, 'stored-readings feed: admin notice not published (the others catch up at their next poll)');
      });
    },
    sessionEnded: (clientId) => claims.ended(clientId),
    isConnected: () => client.connected,
    stop: () => {
      claims.stop();
      return client.endAsync();
    },
  };
}

function safeJson(payload: Buffer): unknown {
  try {
    return JSON.parse(payload.toString('utf8'));
  } catch {
    return undefined;
  }
}
