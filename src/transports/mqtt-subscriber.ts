import mqtt, { type IClientOptions, type IPublishPacket, type MqttClient } from 'mqtt';
import { LogLimiter } from '../config/log-limiter.js';
import type { Logger } from '../config/logger.js';
import { redactUrl as redact } from '../config/redact.js';
import { StartupConfigError } from '../config/startup-error.js';

export interface SubscriberOptions {
  readonly url: string;
  readonly username?: string;
  readonly password?: string;
  /** For mqtts:// and wss://: the CA that signed the broker's certificate (else the system's), our client certificate. */
  readonly tls?: { readonly ca?: Buffer; readonly cert?: Buffer; readonly key?: Buffer };
  /** Stable across restarts: the broker keeps the session (and queued messages) under this id. */
  readonly clientId: string;
  /** e.g. `DATA/PM/#`, or `$share/<group>/DATA/PM/#` to split writing across processes (MQTT 5). */
  readonly topic: string;
  /** 5 (default) or 4 (MQTT 3.1.1). */
  readonly protocolVersion: 4 | 5;
  /** MQTT 5 session expiry: how long the broker keeps the session while we are away. */
  readonly sessionExpirySeconds: number;
  /**
   * Handles a group of messages synchronously (one durable commit for the group). Returning
   * normally acknowledges them all; throwing withholds the acknowledgements (see below).
   */
  readonly onMessages: (messages: ReadonlyArray<{ readonly topic: string; readonly payload: Buffer }>) => void;
  /**
   * Asked after a group is stored and before its acknowledgements go out: the acknowledgements
   * wait for the promise it returns (with several processes, until InfluxDB has confirmed those
   * readings and the broker has their announcement, so a process that dies in between, or whose
   * disk is never seen again, leaves them unacknowledged at the broker for another member).
   * Groups wait side by side: while one waits, the next ones are received and stored.
   */
  readonly beforeAck?: () => Promise<void> | undefined;
  readonly logger: Logger;
  /**
   * MQTT 5 Will, published by the broker when this connection is lost without a DISCONNECT and
   * not resumed within `delaySeconds` (the shared-group members' "gone" notice).
   */
  readonly will?: { readonly topic: string; readonly payload: string; readonly delaySeconds: number };
  /**
   * Take over another client's abandoned session instead of keeping our own: connect once with
   * its client id (no subscribing, no reconnecting), receive what the broker kept for it, and
   * then call endSession().
   */
  readonly adopt?: boolean;
}

export interface Subscriber {
  isConnected(): boolean;
  /** Whether the connection ended for good (an adopted session taken by someone else, or stopped). */
  isClosed(): boolean;
  /** Messages received since start. */
  received(): number;
  /** Messages stored and waiting for beforeAck() before their acknowledgement, and since when the oldest waits. */
  unacknowledged(): { readonly messages: number; readonly oldestSince: Date | null };
  stop(): Promise<void>;
  /**
   * Leaves for good (MQTT 5): unsubscribes so the broker stops handing us messages, stores and
   * acknowledges what is in flight until nothing has arrived for `quietMs` (at most `maxMs`), then
   * disconnects ending the session, so the broker keeps nothing queued for a client that will not
   * come back.
   */
  endSession(options: { readonly quietMs: number; readonly maxMs: number }): Promise<void>;
}

const MIN_RECONNECT_MS = 1_000;
const MAX_RECONNECT_MS = 30_000;
const START_WAIT_MS = 5_000;
/** MQTT 5 DISCONNECT reason code: another client connected with the same client id. */
const SESSION_TAKEN_OVER = 0x8e;
/**
 * MQTT 3.1.1 has no reason code: a broker just closes the older connection. Connections the broker
 * closes this soon after accepting them, this many times in a row, are taken for a takeover.
 */
const SHORT_CONNECTION_MS = 5_000;
const SHORT_CONNECTIONS_FOR_TAKEOVER = 2;
/** Node's codes for a server certificate that does not verify (self-signed, unknown CA, wrong name, expired). */
const TLS_TRUST_ERRORS = /^(DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_(VERIFY_LEAF_SIGNATURE|GET_ISSUER_CERT(_LOCALLY)?)|ERR_TLS_CERT_ALTNAME_INVALID|CERT_(HAS_EXPIRED|NOT_YET_VALID|UNTRUSTED|REJECTED))$/;

/**
 * A connection error that will not fix itself: bad credentials or a refused protocol (a CONNACK
 * reason code), or a broker certificate this product does not trust. Start-up fails with it
 * (exit 2, a configuration to fix); null for anything worth retrying.
 */
export function unrecoverableConnectError(error: Error, url: string): StartupConfigError | null {
  const code = 'code' in error ? error.code : undefined;
  if (typeof code === 'number') return new StartupConfigError(`MQTT broker at ${redact(url)} refused the connection: ${error.message}`, { cause: error });
  if (typeof code === 'string' && TLS_TRUST_ERRORS.test(code)) {
    return new StartupConfigError(
      `MQTT broker at ${redact(url)} presented a certificate this product does not trust (${error.message}): set MQTT_CA_FILE to the CA that signed it`,
      { cause: error },
    );
  }
  return null;
}

/**
 * The ingestion client for an external broker: QoS 1 on a persistent session, acknowledging each
 * message only after `onMessages` has made it durable.
 *
 * mqtt.js calls `handleMessage(packet, done)` before it sends a PUBACK, for MQTT 5 and 3.1.1
 * alike, sends none when `done` gets an error, and holds the next packet until `done` is called.
 * (`customHandleAcks` can only answer with an error reason code, and a PUBACK carrying one is
 * never redelivered.) One commit per message would cap ingestion at one commit's latency, so
 * messages are grouped: each gets `done(HELD)` at once (no PUBACK, next packet please), the group
 * read so far is committed on setImmediate, and only then are its PUBACKs sent. An unacknowledged
 * message is redelivered only on a new connection, so after a failed write the connection is
 * dropped after a growing delay (other messages flow meanwhile) and re-established, and the
 * broker replays everything not yet acknowledged.
 */
export async function startSubscriber(options: SubscriberOptions): Promise<Subscriber> {
  const { logger } = options;
  const clientOptions: IClientOptions = {
    clientId: options.clientId,
    clean: false,
    protocolVersion: options.protocolVersion,
    reconnectPeriod: options.adopt ? 0 : MIN_RECONNECT_MS,
    connectTimeout: 10_000,
    keepalive: 30,
    resubscribe: true,
    manualConnect: true,
    ...(options.username ? { username: options.username, password: options.password } : {}),
    ...(options.tls ? { ...options.tls, rejectUnauthorized: true } : {}),
    // Receive Maximum bounds how many unacknowledged messages the broker sends us (the default
    // is 65,535): with PUBACKs held for a group commit, that is the most a group can hold.
    ...(options.protocolVersion === 5
      ? { properties: { sessionExpiryInterval: options.sessionExpirySeconds, receiveMaximum: 1_000 } }
      : {}),
    ...(options.will && options.protocolVersion === 5
      ? { will: { topic: options.will.topic, payload: Buffer.from(options.will.payload), qos: 1, retain: false, properties: { willDelayInterval: options.will.delaySeconds } } }
      : {}),
  };
  const client: MqttClient = mqtt.connect(options.url, clientOptions);
  let failureBackoff = MIN_RECONNECT_MS;
  let dropping = false;
  /** A message on this connection could not be stored (it waits unacknowledged for a redelivery). */
  let failedOnConnection = false;
  let redelivery: NodeJS.Timeout | undefined;
  // mqtt.js sets `connected` before it emits 'connect' (and so before we subscribe): only a
  // granted subscription on the current connection means messages can arrive.
  let subscribed = false;
  let onFirstSubscribe: (() => void) | null = null;

  const HELD = new Error('acknowledgement held for the group commit');
  const refusalLog = new LogLimiter({ perWindow: 5, windowMs: 60_000 });
  // Also bounded by the MQTT 5 Receive Maximum above.
  const MAX_GROUP = 1_000;
  let held: Array<{ topic: string; payload: Buffer; messageId: number | undefined }> = [];
  let received = 0;
  let lastMessageAt = 0;
  let ended = false;
  let flushScheduled = false;
  let connection = 0;
  /** Groups stored on this connection whose acknowledgements wait for beforeAck(), oldest first. */
  const waiting: Array<{ readonly since: number; readonly messages: number }> = [];
  let waitingMessages = 0;
  // mqtt.js has no public call to acknowledge later; its own PUBACK goes through _sendPacket too.
  const sendPuback = (messageId: number) =>
    (client as unknown as { _sendPacket(packet: { cmd: 'puback'; messageId: number }): void })._sendPacket({ cmd: 'puback', messageId });

  const flush = () => {
    flushScheduled = false;
    const group = held;
    held = [];
    if (group.length === 0 || dropping) return;
    const generation = connection;
    let stored = group;
    let failed = false;
    try {
      options.onMessages(group);
      // A message that keeps failing backs off further on each connection; others succeeding beside it do not reset that.
      if (!failedOnConnection) failureBackoff = MIN_RECONNECT_MS;
    } catch (error) {
      // Commit one by one, so a message that cannot be written holds back only itself. The cause
      // (a full disk fails every message) is reported, rate-limited, by the ingest service.
      logger.debug({ err: error, messages: group.length }, 'group write failed; retrying message by message');
      let refused = 0;
      stored = group.filter((message) => {
        try {
          options.onMessages([message]);
          return true;
        } catch (messageError) {
          failed = true;
          refused++;
          logger.debug({ err: messageError, topic: message.topic, messageId: message.messageId }, 'message not acknowledged');
          return false;
        }
      });
      const { log, suppressed } = refusalLog.take('refused');
      if (log) logger.warn({ refused, acknowledged: stored.length, ...(suppressed > 0 ? { suppressed } : {}) }, 'messages not acknowledged; reconnecting for redelivery');
    }
    // PUBACKs belong to the connection's session; after a reconnect the broker redelivers instead.
    const acknowledge = () => {
      if (generation === connection && client.connected) {
        for (const message of stored) if (message.messageId !== undefined) sendPuback(message.messageId);
      }
    };
    const barrier = stored.length > 0 ? options.beforeAck?.() : undefined;
    if (barrier) {
      const entry = { since: Date.now(), messages: stored.length };
      waiting.push(entry);
      waitingMessages += entry.messages;
      const settled = () => {
        const at = waiting.indexOf(entry);
        if (at >= 0) {
          waiting.splice(at, 1);
          waitingMessages -= entry.messages;
        }
        acknowledge();
      };
      // A barrier that fails (it never should: the feed and the journal settle or wait) must not
      // acknowledge: the message stays at the broker and comes again on the next connection.
      void barrier.then(settled, (error: unknown) => {
        logger.error({ err: error, messages: stored.length }, 'acknowledgement barrier failed; the messages stay unacknowledged');
        const at = waiting.indexOf(entry);
        if (at >= 0) {
          waiting.splice(at, 1);
          waitingMessages -= entry.messages;
        }
      });
    } else acknowledge();
    if (failed) scheduleRedelivery();
  };

  client.handleMessage = (packet: IPublishPacket, done: (error?: Error) => void) => {
    if (dropping) {
      done(new Error('connection is being reset after a failed write'));
      return;
    }
    const payload = typeof packet.payload === 'string' ? Buffer.from(packet.payload) : packet.payload;
    received++;
    lastMessageAt = Date.now();
    held.push({ topic: packet.topic, payload, messageId: packet.qos > 0 ? packet.messageId : undefined });
    done(HELD);
    if (held.length >= MAX_GROUP) flush();
    else if (!flushScheduled) {
      flushScheduled = true;
      setImmediate(flush);
    }
  };

  /**
   * An unacknowledged message is redelivered only on a new connection. The connection is dropped
   * after a growing delay rather than at once: meanwhile the other messages keep flowing and are
   * acknowledged, so a message that cannot be stored holds back only itself (while every write
   * fails, nothing is acknowledged, the broker's in-flight window fills and it sends nothing more).
   */
  function scheduleRedelivery(): void {
    failedOnConnection = true;
    if (dropping || redelivery) return;
    const delay = failureBackoff;
    failureBackoff = Math.min(failureBackoff * 2, MAX_RECONNECT_MS);
    redelivery = setTimeout(() => {
      redelivery = undefined;
      if (dropping || !client.connected) return;
      dropping = true;
      client.stream?.destroy();
    }, delay);
    redelivery.unref();
  }

  client.on('connect', (connack) => {
    connection++;
    held = [];
    // Acknowledgements still waiting belonged to the previous connection: the broker sends those messages again.
    waiting.length = 0;
    waitingMessages = 0;
    dropping = false;
    failedOnConnection = false;
    client.options.reconnectPeriod = MIN_RECONNECT_MS;
    logger.info({ url: redact(options.url), clientId: options.clientId, sessionPresent: connack.sessionPresent, adopted: options.adopt ?? false }, 'connected to MQTT broker');
    if (options.adopt) {
      // The session's own subscription delivers; ours would only add to what must be drained.
      onFirstSubscribe?.();
      return;
    }
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
  // A session takeover (another client connected with our client id) looks like an outage from
  // here, but waiting does not end it: each client keeps taking the session from the other.
  const takeoverLog = new LogLimiter({ perWindow: 3, windowMs: 60_000 });
  let connectedAt: number | null = null;
  let shortConnections = 0;
  let takenOver = false;
  /**
   * Bookkeeping for a closed connection; true when it had been established. mqtt.js emits
   * 'offline' from its own 'close' listener, before ours, so both call this (the first one counts).
   */
  const connectionClosed = (): boolean => {
    if (connectedAt === null) return false;
    const lasted = Date.now() - connectedAt;
    connectedAt = null;
    if (dropping || takenOver) return true;
    shortConnections = lasted < SHORT_CONNECTION_MS ? shortConnections + 1 : 0;
    if (shortConnections >= SHORT_CONNECTIONS_FOR_TAKEOVER) {
      reportTakeover(`the broker closed ${shortConnections} connections in a row right after accepting them`);
    }
    return true;
  };
  const reportTakeover = (how: string) => {
    const { log, suppressed } = takeoverLog.take('takeover');
    if (log) {
      logger.error(
        { clientId: options.clientId, url: redact(options.url), how, ...(suppressed > 0 ? { suppressed } : {}) },
        `another client connected with this client id (${options.clientId}) and the broker disconnected us: ` +
          'give each installation its own MQTT_CLIENT_ID (or leave it unset for a unique one); reconnecting',
      );
    }
  };
  client.on('disconnect', (packet) => {
    if (packet.reasonCode === SESSION_TAKEN_OVER) {
      takenOver = true;
      reportTakeover('MQTT 5 DISCONNECT 0x8E session taken over');
    } else {
      logger.warn({ reasonCode: packet.reasonCode, reason: packet.properties?.reasonString }, 'the MQTT broker disconnected us');
    }
  });
  client.on('close', () => {
    subscribed = false;
    // A new connection redelivers what is unacknowledged anyway.
    clearTimeout(redelivery);
    redelivery = undefined;
    if (options.adopt) ended = true;
    connectionClosed();
  });
  client.on('connect', () => {
    connectedAt = Date.now();
    takenOver = false;
  });
  client.on('reconnect', () => logger.debug('reconnecting to MQTT broker'));
  client.on('offline', () => {
    const lost = connectionClosed();
    // Already reported as a takeover: not an unreachable broker.
    if (takenOver || shortConnections >= SHORT_CONNECTIONS_FOR_TAKEOVER) return;
    if (lost) logger.warn({ url: redact(options.url) }, 'connection to the MQTT broker closed; reconnecting');
    else logger.warn({ url: redact(options.url) }, 'MQTT broker unreachable');
  });
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
      const fatal = unrecoverableConnectError(error, options.url);
      if (fatal) {
        clearTimeout(giveUp);
        onFirstSubscribe = null;
        client.end(true);
        reject(fatal);
      }
    };
    client.on('error', onError);
  });

  return {
    isConnected: () => client.connected && (subscribed || options.adopt === true),
    isClosed: () => ended,
    received: () => received,
    unacknowledged: () => ({ messages: waitingMessages + held.length, oldestSince: waiting.length > 0 ? new Date(waiting[0]!.since) : null }),
    stop: async () => {
      ended = true;
      clearTimeout(redelivery);
      await client.endAsync();
    },
    endSession: async ({ quietMs, maxMs }) => {
      if (ended || !client.connected) return;
      const deadline = Date.now() + maxMs;
      try {
        await client.unsubscribeAsync(options.topic);
      } catch (error) {
        logger.warn({ err: error, topic: options.topic }, 'unsubscribe before leaving failed; leaving anyway');
      }
      lastMessageAt = Math.max(lastMessageAt, Date.now());
      // Also until every stored message is acknowledged: ending the session drops what it holds.
      while (client.connected && Date.now() < deadline && (Date.now() - lastMessageAt < quietMs || held.length > 0 || waiting.length > 0)) {
        await new Promise((resolve) => setTimeout(resolve, Math.min(100, quietMs)));
      }
      ended = true;
      if (client.connected && held.length === 0 && waiting.length === 0) {
        // Session Expiry 0 on DISCONNECT ends the session now (MQTT 5 §3.14.2.2.2); reason 0 drops our Will.
        await client.endAsync(false, options.protocolVersion === 5 ? { reasonCode: 0, properties: { sessionExpiryInterval: 0 } } : {});
      } else {
        // Messages not yet stored or not yet confirmed (a failing disk, InfluxDB away, a lost
        // connection): keep the session and leave without DISCONNECT, so the broker keeps them and
        // our Will lets another member adopt them.
        await client.endAsync(true);
      }
    },
  };
}
