import { randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { Client } from 'aedes';
import type { Logger } from '../config/logger.js';
import type { Metrics } from '../config/metrics.js';
import { clientIdOwner, type AclFile, type ClientIdRule, type PasswordFile, type Principal } from './broker-access.js';
import { LoginThrottle } from './login-throttle.js';
import { GuardedConnection } from './mqtt-frame-guard.js';

/** Who may connect to the embedded broker and what they may publish (docs/mqtt-access.md). */
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

/** A login's outcome: the client's account, why it is refused, or that it left while waiting. */
export type LoginResult = Principal | 'no_credentials' | 'bad_credentials' | 'gone';

/**
 * The embedded broker's accounts and the clients logged in with them: checks passwords (slowed
 * after failures by LoginThrottle), decides which client ids an account may use, and remembers
 * each client's account for the publish ACL. Holds the product's own account, made at start and
 * never written down.
 */
export class BrokerIdentities {
  readonly product = { username: `energy-api-product-${randomBytes(6).toString('hex')}`, password: randomBytes(24).toString('base64url') };
  readonly clientIds: ClientIdRule;
  readonly throttle: LoginThrottle;
  readonly #auth: EmbeddedBrokerAuth;
  readonly #metrics: Pick<Metrics, 'mqttLoginsDelayed' | 'mqttLoginDelay'> | undefined;
  readonly #principals = new WeakMap<Client, Principal>();
  /** Clients whose CONNECT had no client id (aedes made one up): they get one of their account's. */
  readonly #madeUpIds = new WeakSet<Client>();

  constructor(options: {
    readonly auth: EmbeddedBrokerAuth;
    readonly loginDelayMaxMs: number;
    readonly loginUserDelayMaxMs: number;
    readonly metrics?: Pick<Metrics, 'mqttLoginsDelayed' | 'mqttLoginDelay'>;
    readonly logger: Logger;
  }) {
    this.#auth = options.auth;
    this.#metrics = options.metrics;
    this.clientIds = options.auth.clientIds ?? 'owned';
    this.throttle = new LoginThrottle({ addressMaxMs: options.loginDelayMaxMs, usernameMaxMs: options.loginUserDelayMaxMs });
    const legacy = options.auth.passwords?.legacyUsers() ?? [];
    if (legacy.length > 0) {
      options.logger.warn(
        { users: legacy },
        'MQTT_BROKER_PASSWORD_FILE has $6$ entries (one round of SHA-512: a stolen file gives their passwords up fast); they still work. ' +
          'Re-create them as $7$ (PBKDF2-SHA512): mosquitto_passwd -b FILE USER PASSWORD with Mosquitto 2, or its -H sha512-pbkdf2',
      );
    }
  }

  /** The CONNECT had no client id (called before authentication). */
  madeUpId(client: Client): void {
    this.#madeUpIds.add(client);
  }

  /** The account a connected client logged in with. */
  principalOf(client: Client | null | undefined): Principal | undefined {
    return client ? this.#principals.get(client) : undefined;
  }

  /**
   * A login with a password waits for its turn (LoginThrottle: after failed ones from its address or
   * with its name) before the password is checked. The product's own account is not held back: its
   * password is random and never written down, and its client logs in from inside this process.
   */
  async login(client: Client, username: string | undefined, password: Buffer): Promise<LoginResult> {
    if (username === undefined || username === '' || username === this.product.username) return this.#identify(username, password);
    const turn = await this.throttle.turn(remoteOf(client), username, () => client.closed);
    if (turn.by) this.#metrics?.mqttLoginsDelayed.inc({ by: turn.by });
    // It left while waiting: nothing is checked, so it learns nothing.
    if (client.closed) {
      turn.done('abandoned');
      return 'gone';
    }
    try {
      const result = await this.#identify(username, password);
      const outcome = typeof result === 'object' ? 'accepted' : 'refused';
      this.#metrics?.mqttLoginDelay.observe({ outcome }, turn.waitedMs / 1000);
      turn.done(outcome);
      return result;
    } catch (error) {
      turn.done('abandoned');
      throw error;
    }
  }

  /**
   * Admits a logged-in client if it may use its client id (MQTT_CLIENT_IDS), checked after its
   * password and before aedes registers it: a refused client never takes another's connection
   * over. A made-up id (the CONNECT had none) is replaced by one of the account's own.
   */
  admit(client: Client, principal: Principal): boolean {
    if (!this.#mayUseClientId(client, principal)) return false;
    this.#principals.set(client, principal);
    return true;
  }

  #mayUseClientId(client: Client, principal: Principal): boolean {
    const name = principal.kind === 'user' ? principal.username : principal.kind === 'product' ? this.product.username : null;
    if (this.clientIds === 'any') return true;
    if (this.clientIds === 'username' && name !== null) {
      client.id = name;
      return true;
    }
    if (this.#madeUpIds.has(client)) {
      if (name !== null) client.id = `${name}-${randomUUID()}`;
      return true;
    }
    return clientIdOwner(client.id, (account) => this.#isAccount(account)) === name;
  }

  #isAccount(name: string): boolean {
    return name === this.product.username || name === this.#auth.account?.username || (this.#auth.passwords?.has(name) ?? false);
  }

  /** The client's account, or why it is refused. */
  async #identify(username: string | undefined, password: Buffer): Promise<Principal | 'no_credentials' | 'bad_credentials'> {
    const auth = this.#auth;
    if (username === undefined || username === '') return auth.allowAnonymous ? { kind: 'anonymous' } : 'no_credentials';
    if (username === this.product.username) return safeEqual(password, this.product.password) ? { kind: 'product' } : 'bad_credentials';
    if (auth.passwords?.has(username)) return (await auth.passwords.verify(username, password)) ? { kind: 'user', username } : 'bad_credentials';
    if (auth.account && username === auth.account.username) {
      return safeEqual(password, auth.account.password) ? { kind: 'user', username } : 'bad_credentials';
    }
    // Without any account a username proves nothing: such a client is anonymous (never the user it names).
    if (!auth.passwords && !auth.account && auth.allowAnonymous) return { kind: 'anonymous' };
    // Unknown user: as slow as a wrong password, so names cannot be probed by timing.
    await auth.passwords?.verify(username, password);
    return 'bad_credentials';
  }
}

/** The client's address, as the broker's connection guard saw it. */
export function remoteOf(client: Client): string | undefined {
  return client.conn instanceof GuardedConnection ? client.conn.socket.remoteAddress : undefined;
}

function safeEqual(given: Buffer, expected: string): boolean {
  const b = Buffer.from(expected);
  return given.length === b.length && timingSafeEqual(given, b);
}
