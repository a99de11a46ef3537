import { createHash, pbkdf2, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';

const pbkdf2Async = promisify(pbkdf2);

/**
 * Who a client of the embedded broker is, once it has connected: a gateway account of the password
 * file (or MQTT_USERNAME), an anonymous client (only where anonymous access is allowed), or the
 * product itself (the in-process simulator, with credentials made at start and never written down).
 */
export type Principal =
  | { readonly kind: 'user'; readonly username: string }
  | { readonly kind: 'anonymous' }
  | { readonly kind: 'product' };

type StoredHash =
  | { readonly kind: 'pbkdf2-sha512'; readonly iterations: number; readonly salt: Buffer; readonly hash: Buffer }
  | { readonly kind: 'sha512'; readonly salt: Buffer; readonly hash: Buffer };

/** Compared against when the user is unknown, so that an unknown name costs as long as a wrong password. */
const DUMMY: StoredHash = { kind: 'pbkdf2-sha512', iterations: 101, salt: Buffer.alloc(12), hash: Buffer.alloc(64) };

/**
 * A Mosquitto password file (what `mosquitto_passwd` writes): `username:hash` lines, the hash
 * `$7$<iterations>$<salt>$<hash>` (PBKDF2-SHA512, Mosquitto 2's default) or `$6$<salt>$<hash>`
 * (one round of SHA-512, Mosquitto 1.6 and earlier), salt and hash in base64. Blank lines and
 * `#` comments are skipped. Plain-text passwords are refused, as Mosquitto 2 refuses them.
 */
export class PasswordFile {
  readonly #users: ReadonlyMap<string, StoredHash>;

  private constructor(users: ReadonlyMap<string, StoredHash>) {
    this.#users = users;
  }

  /** Throws naming the file and line (never the hash) for anything it cannot use. */
  static parse(text: string, path: string): PasswordFile {
    const users = new Map<string, StoredHash>();
    text.split(/\r?\n/).forEach((raw, index) => {
      const line = raw.trim();
      if (line === '' || line.startsWith('#')) return;
      const where = `${path} line ${index + 1}`;
      const colon = line.indexOf(':');
      if (colon <= 0) throw new Error(`${where}: not "username:hash" (make entries with mosquitto_passwd)`);
      const username = line.slice(0, colon);
      if (users.has(username)) throw new Error(`${where}: user ${JSON.stringify(username)} appears twice`);
      users.set(username, parseHash(line.slice(colon + 1), where));
    });
    return new PasswordFile(users);
  }

  get size(): number {
    return this.#users.size;
  }

  has(username: string): boolean {
    return this.#users.has(username);
  }

  usernames(): string[] {
    return [...this.#users.keys()];
  }

  /** Users whose hash is `$6$` (one round of SHA-512, fast to guess from a stolen file): re-create them as `$7$`. */
  legacyUsers(): string[] {
    return [...this.#users].filter(([, stored]) => stored.kind === 'sha512').map(([username]) => username);
  }

  /** Whether `password` is this user's; timing-safe, and as slow for an unknown user. */
  async verify(username: string, password: Buffer): Promise<boolean> {
    const stored = this.#users.get(username);
    const matches = await hashMatches(stored ?? DUMMY, password);
    return stored !== undefined && matches;
  }
}

function parseHash(text: string, where: string): StoredHash {
  const parts = text.split('$');
  const base64 = (value: string | undefined, what: string): Buffer => {
    if (!value || !/^[A-Za-z0-9+/]+={0,2}$/.test(value)) throw new Error(`${where}: the ${what} is not base64`);
    return Buffer.from(value, 'base64');
  };
  // `$7$101$salt$hash` splits into ['', '7', '101', salt, hash].
  if (parts[0] === '' && parts[1] === '7' && parts.length === 5) {
    const iterations = Number(parts[2]);
    if (!Number.isInteger(iterations) || iterations < 1) throw new Error(`${where}: bad PBKDF2 iteration count`);
    return { kind: 'pbkdf2-sha512', iterations, salt: base64(parts[3], 'salt'), hash: base64(parts[4], 'hash') };
  }
  if (parts[0] === '' && parts[1] === '6' && parts.length === 4) {
    return { kind: 'sha512', salt: base64(parts[2], 'salt'), hash: base64(parts[3], 'hash') };
  }
  throw new Error(`${where}: the password is not hashed as mosquitto_passwd hashes it ($7$ or $6$); run mosquitto_passwd -U on the file`);
}

async function hashMatches(stored: StoredHash, password: Buffer): Promise<boolean> {
  const computed =
    stored.kind === 'pbkdf2-sha512'
      ? await pbkdf2Async(password, stored.salt, stored.iterations, stored.hash.length, 'sha512')
      : createHash('sha512').update(password).update(stored.salt).digest();
  return computed.length === stored.hash.length && timingSafeEqual(computed, stored.hash);
}

type Access = 'read' | 'write' | 'readwrite' | 'deny';
interface Rule {
  readonly access: Access;
  readonly filter: string;
}

/**
 * The subset of Mosquitto's acl_file this broker applies (docs/mqtt-access.md):
 *
 *     # comment
 *     topic write DATA/PM/LOBBY          # before any `user` line: anonymous clients
 *     user gateway-floor-1
 *     topic write DATA/PM/PANEL_LANTAI_1
 *     topic write DATA/PM/PANEL_LANTAI_2
 *     pattern write DATA/PM/%u           # every client; %u username, %c client id
 *
 * Access is `read`, `write`, `readwrite` (the default when omitted) or `deny`; the topic may hold
 * `+` and `#`. Only publishing is decided here: the embedded broker serves no subscriptions at all,
 * so read rules have no effect. A client may publish to a topic when a write or readwrite rule of
 * its section (or a pattern) matches it and no deny rule does.
 */
export class AclFile {
  readonly #anonymous: readonly Rule[];
  readonly #users: ReadonlyMap<string, readonly Rule[]>;
  readonly #patterns: readonly Rule[];

  private constructor(anonymous: Rule[], users: Map<string, Rule[]>, patterns: Rule[]) {
    this.#anonymous = anonymous;
    this.#users = users;
    this.#patterns = patterns;
  }

  /** Throws naming the file and line for a directive outside the documented subset. */
  static parse(text: string, path: string): AclFile {
    const anonymous: Rule[] = [];
    const users = new Map<string, Rule[]>();
    const patterns: Rule[] = [];
    let section = anonymous;
    text.split(/\r?\n/).forEach((raw, index) => {
      const line = raw.trim();
      if (line === '' || line.startsWith('#')) return;
      const where = `${path} line ${index + 1}`;
      const match = /^(user|topic|pattern)\s+(.+)$/.exec(line);
      if (!match) throw new Error(`${where}: expected "user <name>", "topic [read|write|readwrite|deny] <topic>" or "pattern [...] <topic>"`);
      const [, keyword, rest] = match as unknown as [string, 'user' | 'topic' | 'pattern', string];
      if (keyword === 'user') {
        section = users.get(rest) ?? [];
        users.set(rest, section);
        return;
      }
      const access = /^(read|write|readwrite|deny)\s+(.+)$/.exec(rest);
      const rule: Rule = access ? { access: access[1] as Access, filter: access[2]! } : { access: 'readwrite', filter: rest };
      if (!validFilter(rule.filter)) throw new Error(`${where}: ${JSON.stringify(rule.filter)} is not a topic or topic filter`);
      (keyword === 'pattern' ? patterns : section).push(rule);
    });
    return new AclFile(anonymous, users, patterns);
  }

  /** Users the file names (to warn about names no password file account has). */
  usernames(): string[] {
    return [...this.#users.keys()];
  }

  mayPublish(principal: Principal, clientId: string, topic: string): boolean {
    if (principal.kind === 'product') return true;
    const own = principal.kind === 'user' ? (this.#users.get(principal.username) ?? []) : this.#anonymous;
    const username = principal.kind === 'user' ? principal.username : null;
    const rules = [
      ...own,
      ...this.#patterns.flatMap((rule) => {
        const filter = substitute(rule.filter, username, clientId);
        return filter === null ? [] : [{ access: rule.access, filter }];
      }),
    ];
    const matching = rules.filter((rule) => topicMatches(rule.filter, topic));
    return !matching.some((rule) => rule.access === 'deny') && matching.some((rule) => rule.access === 'write' || rule.access === 'readwrite');
  }
}

/** `%u` and `%c` replaced; null when a value is missing or could widen the rule (a `/`, `+` or `#` in it). */
function substitute(filter: string, username: string | null, clientId: string): string | null {
  let failed = false;
  const value = (text: string | null) => {
    if (text === null || text === '' || /[/+#]/.test(text)) failed = true;
    return text ?? '';
  };
  const result = filter.replace(/%[uc]/g, (token) => (token === '%u' ? value(username) : value(clientId)));
  return failed ? null : result;
}

function validFilter(filter: string): boolean {
  const levels = filter.split('/');
  return levels.every((level, i) => (level.includes('#') ? level === '#' && i === levels.length - 1 : !level.includes('+') || level === '+'));
}

/** MQTT matching of a topic name against a filter (`+` one level, `#` this level and below). */
export function topicMatches(filter: string, topic: string): boolean {
  const f = filter.split('/');
  const t = topic.split('/');
  // Wildcards at the first level never match topics starting with `$` ([MQTT-4.7.2-1]).
  if ((f[0] === '+' || f[0] === '#') && topic.startsWith('$')) return false;
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '#') return true;
    if (i >= t.length) return false;
    if (f[i] !== '+' && f[i] !== t[i]) return false;
  }
  return f.length === t.length;
}

/**
 * Which client ids an account may use (MQTT_CLIENT_IDS). `owned`: those that belong to it
 * (clientIdOwner); anonymous clients only ids that belong to no account. `username`: an account's
 * client id is replaced by its user name, as Mosquitto's use_username_as_clientid does. `any`: no
 * rule (a client using another's id takes its connection over, as MQTT says).
 */
export type ClientIdRule = 'owned' | 'username' | 'any';

/**
 * The account a client id belongs to: the account it names, else the longest account name that,
 * followed by `-`, starts it (`gw-1-meter` is gw-1's unless an account is named gw-1-meter); null
 * when it belongs to none.
 */
export function clientIdOwner(clientId: string, isAccount: (name: string) => boolean): string | null {
  if (isAccount(clientId)) return clientId;
  for (let end = clientId.lastIndexOf('-'); end > 0; end = clientId.lastIndexOf('-', end - 1)) {
    const name = clientId.slice(0, end);
    if (isAccount(name)) return name;
  }
  return null;
}
