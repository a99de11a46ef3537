import { Socket } from 'node:net';
import mqtt, { type IClientOptions, type IPublishPacket, type MqttClient } from 'mqtt';
import { mqttTrace, pubackBytes } from './mqtt-codec.js';
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
   * come back. Resolves true when the session was ended, false when it was left at the broker
   * (something unstored or unconfirmed, or the connection lost).
   */
  endSession(options: { readonly quietMs: number; readonly maxMs: number }): Promise<boolean>;
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
  const state = newState(options, mqtt.connect(options.url, clientOptionsFor(options)));
  state.client.handleMessage = (packet, done) => receive(state, packet, done);
  watchConnection(state);
  state.client.connect();
  await firstSubscription(state);
  return {
    isConnected: () => state.client.connected && (state.subscribed || options.adopt === true),
    isClosed: () => state.ended,
    received: () => state.received,
    unacknowledged: () => ({
      messages: state.waitingMessages + state.held.length,
      oldestSince: state.waiting.length > 0 ? new Date(state.waiting[0]!.since) : null,
    }),
    stop: async () => {
      state.ended = true;
      clearTimeout(state.redelivery);
      await state.client.endAsync();
    },
    endSession: (leave) => endSession(state, leave),
  };
}

/** A message read but not yet acknowledged; `messageId` is undefined for QoS 0 (nothing to acknowledge). */
interface HeldMessage {
  readonly topic: string;
  readonly payload: Buffer;
  readonly messageId: number | undefined;
}

/** A stored group whose acknowledgements wait for beforeAck(). */
interface WaitingGroup {
  readonly since: number;
  readonly messages: number;
}

/** One subscriber's connection and the messages it holds, shared by the steps below. */
interface SubscriberState {
  readonly options: SubscriberOptions;
  readonly logger: Logger;
  readonly client: MqttClient;
  readonly refusalLog: LogLimiter;
  readonly takeovers: TakeoverWatch;
  /** Counts connections: an acknowledgement belongs to the connection its message came on. */
  connection: number;
  /** The connection is being dropped so the broker redelivers what could not be stored. */
  dropping: boolean;
  /** A message on this connection could not be stored (it waits unacknowledged for a redelivery). */
  failedOnConnection: boolean;
  failureBackoff: number;
  redelivery: NodeJS.Timeout | undefined;
  // mqtt.js sets `connected` before it emits 'connect' (and so before we subscribe): only a
  // granted subscription on the current connection means messages can arrive.
  subscribed: boolean;
  onFirstSubscribe: (() => void) | null;
  held: HeldMessage[];
  flushScheduled: boolean;
  received: number;
  lastMessageAt: number;
  ended: boolean;
  /** Groups stored on this connection whose acknowledgements wait for beforeAck(), oldest first. */
  readonly waiting: WaitingGroup[];
  waitingMessages: number;
}

const HELD = new Error('acknowledgement held for the group commit');
/**
 * The most messages one commit takes. A commit writes every page the group touched, about one per
 * panel whatever the group's size, so larger groups cost less per reading while a backlog drains
 * (issue 27, 100 panels: 2,000 rather than 1,000 took the ingest line from a median of 34,300 to
 * 36,500 readings/s; 4,000 gained nothing more). The event loop's stalls while a backlog drains
 * were the same with either (docs/ingestion.md, "A backlog").
 */
const MAX_GROUP = 2_000;
/**
 * MQTT 5 Receive Maximum: how many unacknowledged messages the broker may send us (the default
 * is 65,535). Two groups' worth, so that while one group is stored and acknowledged the broker
 * keeps sending the next instead of waiting for its PUBACKs (with a window of one group the two
 * took turns: issue 27, see disableNagle for the measurement).
 */
const RECEIVE_MAXIMUM = 2 * MAX_GROUP;

function newState(options: SubscriberOptions, client: MqttClient): SubscriberState {
  return {
    options,
    logger: options.logger,
    client,
    refusalLog: new LogLimiter({ perWindow: 5, windowMs: 60_000 }),
    takeovers: new TakeoverWatch(options),
    connection: 0,
    dropping: false,
    failedOnConnection: false,
    failureBackoff: MIN_RECONNECT_MS,
    redelivery: undefined,
    subscribed: false,
    onFirstSubscribe: null,
    held: [],
    flushScheduled: false,
    received: 0,
    lastMessageAt: 0,
    ended: false,
    waiting: [],
    waitingMessages: 0,
  };
}

/** A persistent session (clean: false) whose client id, protocol, limits and Will come from the options. */
function clientOptionsFor(options: SubscriberOptions): IClientOptions {
  return {
    clientId: options.clientId,
    clean: false,
    protocolVersion: options.protocolVersion,
    reconnectPeriod: options.adopt ? 0 : MIN_RECONNECT_MS,
    connectTimeout: 10_000,
    keepalive: 30,
    resubscribe: true,
    manualConnect: true,
    log: mqttTrace(options.logger),
    ...(options.username ? { username: options.username, password: options.password } : {}),
    ...(options.tls ? { ...options.tls, rejectUnauthorized: true } : {}),
    ...(options.protocolVersion === 5
      ? { properties: { sessionExpiryInterval: options.sessionExpirySeconds, receiveMaximum: RECEIVE_MAXIMUM } }
      : {}),
    ...(options.will && options.protocolVersion === 5
      ? { will: { topic: options.will.topic, payload: Buffer.from(options.will.payload), qos: 1, retain: false, properties: { willDelayInterval: options.will.delaySeconds } } }
      : {}),
  };
}

/** mqtt.js's handleMessage: hold the message for the group commit and ask for the next packet at once. */
function receive(state: SubscriberState, packet: IPublishPacket, done: (error?: Error) => void): void {
  if (state.dropping) {
    done(new Error('connection is being reset after a failed write'));
    return;
  }
  const payload = typeof packet.payload === 'string' ? Buffer.from(packet.payload) : packet.payload;
  state.received++;
  state.lastMessageAt = Date.now();
  state.held.push({ topic: packet.topic, payload, messageId: packet.qos > 0 ? packet.messageId : undefined });
  done(HELD);
  if (state.held.length >= MAX_GROUP) flush(state);
  else if (!state.flushScheduled) {
    state.flushScheduled = true;
    setImmediate(() => flush(state));
  }
}

/** Stores the held group, then acknowledges what was stored (after beforeAck()), and has the rest redelivered. */
function flush(state: SubscriberState): void {
  state.flushScheduled = false;
  const group = state.held;
  state.held = [];
  if (group.length === 0 || state.dropping) return;
  const generation = state.connection;
  const { stored, failed } = store(state, group);
  acknowledgeWhenReady(state, stored, generation);
  if (failed) scheduleRedelivery(state);
}

/** One commit for the group; when it fails, one per message, so a message that cannot be written holds back only itself. */
function store(state: SubscriberState, group: HeldMessage[]): { stored: HeldMessage[]; failed: boolean } {
  const { options, logger } = state;
  try {
    options.onMessages(group);
    // A message that keeps failing backs off further on each connection; others succeeding beside it do not reset that.
    if (!state.failedOnConnection) state.failureBackoff = MIN_RECONNECT_MS;
    return { stored: group, failed: false };
  } catch (error) {
    // The cause (a full disk fails every message) is reported, rate-limited, by the ingest service.
    logger.debug({ err: error, messages: group.length }, 'group write failed; retrying message by message');
    const stored = group.filter((message) => {
      try {
        options.onMessages([message]);
        return true;
      } catch (messageError) {
        logger.debug({ err: messageError, topic: message.topic, messageId: message.messageId }, 'message not acknowledged');
        return false;
      }
    });
    const refused = group.length - stored.length;
    const { log, suppressed } = state.refusalLog.take('refused');
    if (log) logger.warn({ refused, acknowledged: stored.length, ...(suppressed > 0 ? { suppressed } : {}) }, 'messages not acknowledged; reconnecting for redelivery');
    return { stored, failed: refused > 0 };
  }
}

/** Sends the stored messages' PUBACKs once beforeAck()'s barrier settles (at once without one). */
function acknowledgeWhenReady(state: SubscriberState, stored: HeldMessage[], generation: number): void {
  const barrier = stored.length > 0 ? state.options.beforeAck?.() : undefined;
  if (!barrier) {
    acknowledge(state, stored, generation);
    return;
  }
  const entry: WaitingGroup = { since: Date.now(), messages: stored.length };
  state.waiting.push(entry);
  state.waitingMessages += entry.messages;
  const stopWaiting = () => {
    const at = state.waiting.indexOf(entry);
    if (at >= 0) {
      state.waiting.splice(at, 1);
      state.waitingMessages -= entry.messages;
    }
  };
  // A barrier that fails (it never should: the feed and the journal settle or wait) must not
  // acknowledge: the message stays at the broker and comes again on the next connection.
  void barrier.then(
    () => {
      stopWaiting();
      acknowledge(state, stored, generation);
    },
    (error: unknown) => {
      state.logger.error({ err: error, messages: stored.length }, 'acknowledgement barrier failed; the messages stay unacknowledged');
      stopWaiting();
    },
  );
}

/** PUBACKs belong to the connection's session; after a reconnect the broker redelivers instead. */
function acknowledge(state: SubscriberState, stored: HeldMessage[], generation: number): void {
  const { client } = state;
  if (generation !== state.connection || !client.connected) return;
  // mqtt.js has no call to acknowledge later: the group's PUBACKs are written to its connection
  // as one buffer (its own would go through the private _sendPacket, a few small writes each).
  const messageIds: number[] = [];
  for (const message of stored) if (message.messageId !== undefined) messageIds.push(message.messageId);
  if (messageIds.length > 0) client.stream.write(pubackBytes(messageIds));
}

/**
 * TCP_NODELAY on the broker connection (mqtt.js leaves Nagle's algorithm on). Our acknowledgements
 * go out as a burst after each group commit, while the broker, its window full, sends nothing for
 * them to ride on: Nagle holds what follows the first small write until the broker's delayed ACK
 * (up to 40 ms on Linux). Measured with a subscriber that stores nothing (issue 27): the median
 * wait for the next message after a group was 24–28 ms before, 0 after, and 100,000 messages
 * took 4.1–4.5 s instead of 6.5–7.9 s (together with the window of two groups).
 */
function disableNagle(client: MqttClient): void {
  const socket: unknown = client.stream;
  // mqtt(s):// connect over a net or TLS socket; a WebSocket transport has no such setting.
  if (socket instanceof Socket) socket.setNoDelay(true);
}

/**
 * An unacknowledged message is redelivered only on a new connection. The connection is dropped
 * after a growing delay rather than at once: meanwhile the other messages keep flowing and are
 * acknowledged, so a message that cannot be stored holds back only itself (while every write
 * fails, nothing is acknowledged, the broker's in-flight window fills and it sends nothing more).
 */
function scheduleRedelivery(state: SubscriberState): void {
  state.failedOnConnection = true;
  if (state.dropping || state.redelivery) return;
  const delay = state.failureBackoff;
  state.failureBackoff = Math.min(state.failureBackoff * 2, MAX_RECONNECT_MS);
  state.redelivery = setTimeout(() => {
    state.redelivery = undefined;
    if (state.dropping || !state.client.connected) return;
    state.dropping = true;
    state.client.stream?.destroy();
  }, delay);
  state.redelivery.unref();
}

/** The client's connection events: a new connection starts afresh and subscribes; losses and takeovers are told apart in the log. */
function watchConnection(state: SubscriberState): void {
  const { client, logger, options, takeovers } = state;
  client.on('connect', (connack) => connected(state, connack.sessionPresent));
  client.on('disconnect', (packet) => {
    if (packet.reasonCode === SESSION_TAKEN_OVER) takeovers.takenOverBy5();
    else logger.warn({ reasonCode: packet.reasonCode, reason: packet.properties?.reasonString }, 'the MQTT broker disconnected us');
  });
  client.on('close', () => {
    state.subscribed = false;
    // A new connection redelivers what is unacknowledged anyway.
    clearTimeout(state.redelivery);
    state.redelivery = undefined;
    if (options.adopt) state.ended = true;
    takeovers.closed(state.dropping);
  });
  client.on('connect', () => takeovers.connected());
  client.on('reconnect', () => logger.debug('reconnecting to MQTT broker'));
  client.on('offline', () => {
    const lost = takeovers.closed(state.dropping);
    // Already reported as a takeover: not an unreachable broker.
    if (takeovers.reported()) return;
    if (lost) logger.warn({ url: redact(options.url) }, 'connection to the MQTT broker closed; reconnecting');
    else logger.warn({ url: redact(options.url) }, 'MQTT broker unreachable');
  });
  client.on('error', (error) => logger.warn({ err: error }, 'MQTT client error'));
}

/** A new connection: what the previous one held is redelivered, so start afresh, then subscribe (or, adopting, just receive). */
function connected(state: SubscriberState, sessionPresent: boolean): void {
  const { client, logger, options } = state;
  disableNagle(client);
  state.connection++;
  state.held = [];
  // Acknowledgements still waiting belonged to the previous connection: the broker sends those messages again.
  state.waiting.length = 0;
  state.waitingMessages = 0;
  state.dropping = false;
  state.failedOnConnection = false;
  client.options.reconnectPeriod = MIN_RECONNECT_MS;
  logger.info({ url: redact(options.url), clientId: options.clientId, sessionPresent, adopted: options.adopt ?? false }, 'connected to MQTT broker');
  if (options.adopt) {
    // The session's own subscription delivers; ours would only add to what must be drained.
    state.onFirstSubscribe?.();
    return;
  }
  // With a stored session the subscription survives, but subscribing again is harmless and
  // covers a broker that lost its session state.
  client.subscribe(options.topic, { qos: 1 }, (error, granted) => {
    if (error) logger.error({ err: error, topic: options.topic }, 'subscribe failed');
    else if (granted?.some((grant) => grant.qos > 2)) logger.error({ granted }, 'broker refused the subscription');
    else {
      state.subscribed = client.connected;
      logger.info({ topic: options.topic }, 'subscribed');
      state.onFirstSubscribe?.();
    }
  });
}

/**
 * A session takeover (another client connected with our client id) looks like an outage from
 * here, but waiting does not end it: each client keeps taking the session from the other.
 */
class TakeoverWatch {
  readonly #options: SubscriberOptions;
  readonly #log = new LogLimiter({ perWindow: 3, windowMs: 60_000 });
  #connectedAt: number | null = null;
  #shortConnections = 0;
  #takenOver = false;

  constructor(options: SubscriberOptions) {
    this.#options = options;
  }

  connected(): void {
    this.#connectedAt = Date.now();
    this.#takenOver = false;
  }

  /** MQTT 5 says so: DISCONNECT with reason 0x8E. */
  takenOverBy5(): void {
    this.#takenOver = true;
    this.#report('MQTT 5 DISCONNECT 0x8E session taken over');
  }

  /**
   * Bookkeeping for a closed connection; true when it had been established. mqtt.js emits
   * 'offline' from its own 'close' listener, before ours, so both call this (the first one counts).
   */
  closed(dropping: boolean): boolean {
    if (this.#connectedAt === null) return false;
    const lasted = Date.now() - this.#connectedAt;
    this.#connectedAt = null;
    if (dropping || this.#takenOver) return true;
    this.#shortConnections = lasted < SHORT_CONNECTION_MS ? this.#shortConnections + 1 : 0;
    if (this.#shortConnections >= SHORT_CONNECTIONS_FOR_TAKEOVER) {
      this.#report(`the broker closed ${this.#shortConnections} connections in a row right after accepting them`);
    }
    return true;
  }

  /** Whether the current loss is a takeover already reported. */
  reported(): boolean {
    return this.#takenOver || this.#shortConnections >= SHORT_CONNECTIONS_FOR_TAKEOVER;
  }

  #report(how: string): void {
    const { clientId, url } = this.#options;
    const { log, suppressed } = this.#log.take('takeover');
    if (!log) return;
    this.#options.logger.error(
      { clientId, url: redact(url), how, ...(suppressed > 0 ? { suppressed } : {}) },
      `another client connected with this client id (${clientId}) and the broker disconnected us: ` +
        'give each installation its own MQTT_CLIENT_ID (or leave it unset for a unique one); reconnecting',
    );
  }
}

/**
 * Waits for the first subscription so start-up reports bad credentials (and a started app is
 * receiving), but not forever: an unreachable broker is an outage to ride out (mqtt.js keeps
 * retrying), not a reason to exit.
 */
function firstSubscription(state: SubscriberState): Promise<void> {
  const { client, options, logger } = state;
  return new Promise<void>((resolve, reject) => {
    const giveUp = setTimeout(() => {
      client.off('error', onError);
      state.onFirstSubscribe = null;
      logger.warn({ url: redact(options.url) }, 'MQTT broker not reachable yet; starting anyway and retrying');
      resolve();
    }, START_WAIT_MS);
    state.onFirstSubscribe = () => {
      state.onFirstSubscribe = null;
      clearTimeout(giveUp);
      client.off('error', onError);
      resolve();
    };
    const onError = (error: Error) => {
      const fatal = unrecoverableConnectError(error, options.url);
      if (fatal) {
        clearTimeout(giveUp);
        state.onFirstSubscribe = null;
        client.end(true);
        reject(fatal);
      }
    };
    client.on('error', onError);
  });
}

/** Subscriber.endSession: drain what is in flight, then end the session, or keep it when something is left. */
async function endSession(state: SubscriberState, { quietMs, maxMs }: { readonly quietMs: number; readonly maxMs: number }): Promise<boolean> {
  const { client, options, logger } = state;
  if (state.ended || !client.connected) return false;
  const deadline = Date.now() + maxMs;
  try {
    await client.unsubscribeAsync(options.topic);
  } catch (error) {
    logger.warn({ err: error, topic: options.topic }, 'unsubscribe before leaving failed; leaving anyway');
  }
  state.lastMessageAt = Math.max(state.lastMessageAt, Date.now());
  const settled = () => state.held.length === 0 && state.waiting.length === 0;
  // Also until every stored message is acknowledged: ending the session drops what it holds.
  while (client.connected && Date.now() < deadline && (Date.now() - state.lastMessageAt < quietMs || !settled())) {
    await new Promise((resolve) => setTimeout(resolve, Math.min(100, quietMs)));
  }
  state.ended = true;
  if (client.connected && settled()) {
    // Session Expiry 0 on DISCONNECT ends the session now (MQTT 5 §3.14.2.2.2); reason 0 drops our Will.
    await client.endAsync(false, options.protocolVersion === 5 ? { reasonCode: 0, properties: { sessionExpiryInterval: 0 } } : {});
    return true;
  } else {
    // Messages not yet stored or not yet confirmed (a failing disk, InfluxDB away, a lost
    // connection): keep the session and leave without DISCONNECT, so the broker keeps them and
    // our Will lets another member adopt them.
    await client.endAsync(true);
    return false;
  }
}
