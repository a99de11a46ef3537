import { randomUUID } from 'node:crypto';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { z } from 'zod';
import type { Logger } from '../config/logger.js';
import { redactUrl } from '../config/redact.js';
import { StartupConfigError } from '../config/startup-error.js';
import type { Reading } from '../models/reading.js';
import { unrecoverableConnectError } from './mqtt-subscriber.js';
import { LogLimiter } from '../config/log-limiter.js';
import type { PanelAdmission } from '../ingest/panel-admission.js';
import { isPanelId, PANEL_ID_RULE } from '../models/panel-id.js';

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
const claimMessage = z.object({ origin: z.string() });

export interface StoredFeedOptions {
  readonly url: string;
  readonly username?: string;
  readonly password?: string;
  /** The topic root (MQTT_FEED_TOPIC, default `energy-monitoring/feed`). */
  readonly topic: string;
  /** This process's client id for the feed connection (its own, not the ingester's). */
  readonly clientId: string;
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
   * to adopt its session (its ingest client id): exactly one member is told, see claims below.
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
  isConnected(): boolean;
  stop(): Promise<void>;
}

export async function startStoredFeed(options: StoredFeedOptions): Promise<StoredFeed> {
  const origin = randomUUID();
  const { logger } = options;
  const client: MqttClient = await mqtt
    .connectAsync(options.url, {
      clientId: options.clientId,
      // A persistent session: messages published while this process reconnects are queued for it.
      clean: false,
      protocolVersion: 5,
      properties: { sessionExpiryInterval: 3_600 },
      reconnectPeriod: 1_000,
      ...(options.username ? { username: options.username, password: options.password } : {}),
      ...options.tls,
    })
    .catch((error: unknown) => {
      // It connects before ingestion starts: bad credentials or an untrusted certificate show here first.
      throw (error instanceof Error ? unrecoverableConnectError(error, options.url) : null) ?? error;
    });
  const readingsTopic = `${options.topic}/readings`;
  const adminTopic = `${options.topic}/admin`;
  // Who adopts a gone member's session: every member that hears its Will publishes a claim on
  // `<feed>/claims/<client id>`, and the first claim the broker delivers after the Will wins. The
  // broker delivers the Will and then the claims to every member's session in one order, so all
  // members agree on the winner without talking to each other (two adopters would take the session
  // from each other mid-drain). Claims are heard with No Local off: a member must hear its own.
  const claimsTopic = `${options.topic}/claims`;
  /** Gone members whose Will was heard and whose claim is not decided yet. */
  const openClaims = new Set<string>();
  // No Local (MQTT 5): the broker does not send this process its own messages back; the origin
  // check below still guards a broker that ignores the option.
  // A broker whose ACL does not let this account use the feed refuses the subscription (reason code
  // >= 128): the processes would silently drift apart, so say so and stop.
  try {
    await client.subscribeAsync([`${readingsTopic}/+`, adminTopic, `${options.goneTopic}/+`], { qos: 1, nl: true });
    await client.subscribeAsync(`${claimsTopic}/+`, { qos: 1, nl: false });
  } catch (error) {
    await client.endAsync(true);
    throw new StartupConfigError(
      `the broker refused the stored-readings feed subscription (${(error as Error).message}): let this MQTT account read and write ${options.topic}/# (MQTT_FEED_TOPIC)`,
      { cause: error },
    );
  }
  client.on('message', (topic, payload) => {
    if (topic.startsWith(`${options.goneTopic}/`)) {
      const gone = goneMessage.safeParse(safeJson(payload));
      if (!gone.success) {
        logger.warn({ topic }, 'ignored a malformed gone notice on the stored-readings feed');
        return;
      }
      const { clientId } = gone.data;
      if (openClaims.has(clientId)) return;
      openClaims.add(clientId);
      client.publish(`${claimsTopic}/${clientId}`, JSON.stringify({ origin }), { qos: 1 }, (error) => {
        // Not heard by anyone then: another member's claim decides, or the session waits at the broker.
        if (error) logger.warn({ err: error, clientId }, 'stored-readings feed: could not claim the session of a member that went away');
      });
      return;
    }
    if (topic.startsWith(`${claimsTopic}/`)) {
      const clientId = topic.slice(claimsTopic.length + 1);
      const claim = claimMessage.safeParse(safeJson(payload));
      // Only the first claim after the Will decides; later ones (the losers') find it closed.
      if (!claim.success || !openClaims.delete(clientId)) return;
      if (claim.data.origin === origin) options.onMemberGone(clientId);
      else logger.info({ clientId }, 'another member claimed the session of a member that went away first; leaving it to that member');
      return;
    }
    let message: { kind: 'readings'; body: z.infer<typeof readingsMessage> } | { kind: 'admin'; body: z.infer<typeof adminMessage> };
    try {
      const json: unknown = JSON.parse(payload.toString('utf8'));
      message = topic === adminTopic ? { kind: 'admin', body: adminMessage.parse(json) } : { kind: 'readings', body: readingsMessage.parse(json) };
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
  });
  client.on('error', (error) => logger.warn({ err: error }, 'stored-readings feed: MQTT error'));

  // The same panel-id rule and admission as meter readings; refusals logged, at most 5 a minute.
  const refusals = new LogLimiter({ perWindow: 5, windowMs: 60_000 });
  const admit = (readings: readonly Reading[]): Reading[] => {
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
  logger.info({ url: redactUrl(options.url), topic: options.topic }, 'stored-readings feed connected');

  // Announcements are numbered, and announced() waits for the broker's acknowledgements. Numbers
  // are issued in order and mostly acknowledged in order: `settled` advances past every
  // acknowledged number, so a waiter for "everything up to n" is resolved once settled reaches n,
  // in constant time per acknowledgement however many are outstanding during a burst.
  let issued = 0;
  let settled = 0;
  const acknowledged = new Set<number>();
  const waiters: Array<{ readonly upTo: number; readonly resolve: () => void }> = [];
  const settle = (n: number) => {
    acknowledged.add(n);
    while (acknowledged.delete(settled + 1)) settled++;
    // Waiters were added in order of upTo.
    while (waiters.length > 0 && waiters[0]!.upTo <= settled) waiters.shift()!.resolve();
  };

  return {
    announced() {
      if (settled === issued) return undefined;
      const upTo = issued;
      return new Promise<void>((resolve) => waiters.push({ upTo, resolve }));
    },
    publishReadings(readings) {
      // One message per panel per group, so each panel's readings keep their order on its topic.
      const byPanel = new Map<string, Reading[]>();
      for (const reading of readings) {
        const group = byPanel.get(reading.panelId);
        if (group) group.push(reading);
        else byPanel.set(reading.panelId, [reading]);
      }
      for (const [panelId, group] of byPanel) {
        const n = ++issued;
        client.publish(`${readingsTopic}/${panelId}`, JSON.stringify({ origin, readings: group }), { qos: 1 }, (error) => {
          if (error) logger.warn({ err: error, panelId }, 'stored-readings feed: publish failed');
          settle(n);
        });
      }
    },
    publishAdminChange() {
      client.publish(adminTopic, JSON.stringify({ origin }), { qos: 1 }, (error) => {
        if (error) logger.warn({ err: error }, 'stored-readings feed: admin notice not published (the others catch up at their next poll)');
      });
    },
    isConnected: () => client.connected,
    stop: () => client.endAsync(),
  };
}

function safeJson(payload: Buffer): unknown {
  try {
    return JSON.parse(payload.toString('utf8'));
  } catch {
    return undefined;
  }
}
