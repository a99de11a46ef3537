import { isIP } from 'node:net';
import { IANAZone } from 'luxon';
import { z } from 'zod';
import { topicPrefix } from './topic-pattern.js';
import { tariffPlanSchema } from '../models/tariff-plan.js';
import { parseDuration } from './duration.js';
import { parseOperatingHours } from './operating-hours.js';
import { shownValue } from './redact.js';
import { parseSize } from './size.js';

const duration = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((text, ctx) => {
      const ms = parseDuration(text);
      if (ms === null) {
        ctx.addIssue({ code: 'custom', message: `"${text}" is not a duration like 30s, 5m, 1h` });
        return z.NEVER;
      }
      return ms;
    });

const timezone = z.string().refine((zone) => IANAZone.isValidZone(zone), {
  message: 'not an IANA timezone such as Asia/Jakarta, Asia/Makassar or Asia/Jayapura',
});

const flag = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off'])
    .optional()
    .transform((value) => (value === undefined ? fallback : ['true', '1', 'yes', 'on'].includes(value)));

const size = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((text, ctx) => {
      const bytes = parseSize(text);
      if (bytes === null) {
        ctx.addIssue({ code: 'custom', message: `"${text}" is not a size like 65536, 64KiB or 16MiB` });
        return z.NEVER;
      }
      return bytes;
    });

const WHOLE = 'must be a whole number of at least 1';
const count = (fallback: number) => z.coerce.number({ error: WHOLE }).int(WHOLE).min(1, WHOLE).default(fallback);
/** A count whose default is worked out at start (from the open-file limit): undefined here. */
const countOrAuto = z.coerce.number({ error: WHOLE }).int(WHOLE).min(1, WHOLE).optional();
const optionalFlag = z.enum(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off']).optional();
const isOn = (value: string | undefined, fallback: boolean) => (value === undefined ? fallback : ['true', '1', 'yes', 'on'].includes(value));

/** A share of a limit written as a percentage (`25%`, or `25`), as a fraction. */
const percent = (fallback: string, min: number, max: number) =>
  z
    .string()
    .default(fallback)
    .transform((text, ctx) => {
      const match = /^\s*(\d{1,3}(?:\.\d+)?)\s*%?\s*$/.exec(text);
      const value = match ? Number(match[1]) : Number.NaN;
      if (!(value >= min && value <= max)) {
        ctx.addIssue({ code: 'custom', message: `"${text}" is not a percentage from ${min}% to ${max}%` });
        return z.NEVER;
      }
      return value / 100;
    });

/** Comma-separated IP addresses and subnets (`10.0.0.5, 172.16.0.0/12`). */
const addressList = z
  .string()
  .default('')
  .transform((text, ctx) => {
    const entries = text.split(',').map((entry) => entry.trim()).filter(Boolean);
    for (const entry of entries) {
      const [address = '', bits, extra] = entry.split('/');
      const family = isIP(address);
      const prefixOk = bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= (family === 6 ? 128 : 32));
      if (family === 0 || extra !== undefined || !prefixOk) {
        ctx.addIssue({ code: 'custom', message: `"${entry}" is not an IP address or subnet like 10.0.0.5 or 172.16.0.0/12` });
        return z.NEVER;
      }
    }
    return entries;
  });

/** `YYYY-MM-DD` (midnight UTC) or an ISO date-time with an offset, as epoch ms. */
const instant = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((text, ctx) => {
      const ok = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?$/.test(text.trim());
      const ms = ok ? Date.parse(text.trim().length === 10 ? `${text.trim()}T00:00:00Z` : text.trim()) : Number.NaN;
      if (!Number.isFinite(ms)) {
        ctx.addIssue({ code: 'custom', message: `"${text}" is not a date like 2000-01-01 or an ISO date-time with an offset` });
        return z.NEVER;
      }
      return ms;
    });

const PORT_RANGE = 'must be a whole number from 0 to 65535';
const port = (fallback: number) =>
  z.coerce.number({ error: PORT_RANGE }).int(PORT_RANGE).min(0, PORT_RANGE).max(65_535, PORT_RANGE).default(fallback);

/** Levels of a subscription pattern's fixed prefix (`DATA/PM/#` → 2), 0 when it has none. */
function topicLevels(pattern: string): number {
  try {
    return topicPrefix(pattern).split('/').length;
  } catch {
    return 0;
  }
}

function hasTopicPrefix(pattern: string): boolean {
  try {
    topicPrefix(pattern);
    return true;
  } catch {
    return false;
  }
}
const LOOPBACK = '127.0.0.1';
const ANY_INTERFACE = '0.0.0.0';

type Env = { NODE_ENV: string; AUTH?: 'required' | 'optional' };
/** AUTH, by default required in production and optional (anonymous callers are admins) elsewhere. */
const accessMode = (env: Env): 'required' | 'optional' => env.AUTH ?? (env.NODE_ENV === 'production' ? 'required' : 'optional');

/**
 * Where the embedded broker listens: MQTT_HOST, else HOST, else loopback while it is open (anonymous
 * clients may connect, as start-ingestion decides) and every interface when it requires accounts.
 * The open modes are for a developer's machine; HOST says when they are meant for a network.
 */
function brokerHost(env: Env & { HOST?: string; MQTT_HOST?: string; MQTT_ALLOW_ANONYMOUS?: string; MQTT_BROKER_PASSWORD_FILE?: string; MQTT_USERNAME?: string; MQTT_PASSWORD?: string }): string {
  const accounts = env.MQTT_BROKER_PASSWORD_FILE !== undefined || (env.MQTT_USERNAME !== undefined && env.MQTT_PASSWORD !== undefined);
  const open = env.MQTT_ALLOW_ANONYMOUS === undefined ? !accounts && env.NODE_ENV !== 'production' : isOn(env.MQTT_ALLOW_ANONYMOUS, false);
  return env.MQTT_HOST ?? env.HOST ?? (open ? LOOPBACK : ANY_INTERFACE);
}

const optionalText = z
  .string()
  .optional()
  .transform((value) => (value === undefined || value.trim() === '' ? undefined : value));

/**
 * Every setting the product reads from the environment; `.env.example` documents each one.
 * This schema is the single source of truth: `Config` is derived from it.
 */
/** Every setting the product reads from the environment, with its default. */
const settingsSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    // Default: 127.0.0.1 while the API is open (AUTH=optional, development's default), else 0.0.0.0.
    HOST: optionalText,
    PORT: port(4000),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    LOG_FORMAT: z.enum(['pretty', 'json']).optional(),

    MQTT_URL: optionalText.pipe(
      z
        .string()
        .regex(/^(mqtts?|wss?|tcp|ssl):\/\//, 'must start with mqtt://, mqtts://, ws:// or wss://')
        .optional(),
    ),
    MQTT_USERNAME: optionalText,
    MQTT_PASSWORD: optionalText,
    // MQTT_URL's password in a file (a Docker or Kubernetes secret) instead of MQTT_PASSWORD.
    MQTT_PASSWORD_FILE: optionalText,
    // TLS for an mqtts:// MQTT_URL: the CA that signed the broker's certificate, and our client certificate.
    MQTT_CA_FILE: optionalText,
    MQTT_CERT_FILE: optionalText,
    MQTT_KEY_FILE: optionalText,
    MQTT_PORT: port(1883),
    // The embedded broker: where it listens (default HOST; without HOST, 127.0.0.1 while anyone may
    // connect without a password, else 0.0.0.0), who may connect, what they may publish.
    MQTT_HOST: optionalText,
    MQTT_BROKER_PASSWORD_FILE: optionalText,
    MQTT_BROKER_ACL_FILE: optionalText,
    MQTT_ALLOW_ANONYMOUS: optionalFlag,
    // Which client ids an account of the embedded broker may use: owned (its user name, or ids
    // starting with `<user>-`), username (the id is replaced by the user name, as Mosquitto's
    // use_username_as_clientid does) or any (first come; a later client with the same id takes over).
    MQTT_CLIENT_IDS: z.enum(['owned', 'username', 'any']).default('owned'),
    // Failed logins to the embedded broker slow the next ones: from the same source address up to
    // this long each (the delay doubles per failure from 100 ms), and with the same user name from
    // any address up to MQTT_LOGIN_USER_DELAY_MAX (what a gateway with the right password waits at
    // most while its name is being guessed elsewhere). Failures are forgotten 15 minutes after the last.
    MQTT_LOGIN_DELAY_MAX: duration('10s'),
    MQTT_LOGIN_USER_DELAY_MAX: duration('1s'),
    MQTTS_PORT: z.coerce.number({ error: PORT_RANGE }).int(PORT_RANGE).min(0, PORT_RANGE).max(65_535, PORT_RANGE).optional(),
    MQTTS_HOST: optionalText,
    MQTTS_CERT_FILE: optionalText,
    MQTTS_KEY_FILE: optionalText,
    MQTTS_CA_FILE: optionalText,
    // Checked here, not first in startApp: a pattern without a fixed prefix is a configuration error (exit 2).
    MQTT_TOPIC: z.string().default('DATA/PM/#').refine(hasTopicPrefix, {
      message: 'must be a fixed topic prefix followed by /# or /+, such as DATA/PM/#',
    }),
    // Default: energy-api-<id>, the id made once and kept in DATA_DIR/installation-id.
    MQTT_CLIENT_ID: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,64}$/, 'letters, digits, _ and - only (1-64)')
      .optional(),
    MQTT_SHARED_GROUP: optionalText.pipe(
      z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'letters, digits, _ and - only').optional(),
    ),
    // With MQTT_SHARED_GROUP and InfluxDB: where processes tell each other what they stored.
    MQTT_FEED_TOPIC: z
      .string()
      .regex(/^[A-Za-z0-9_-]+(\/[A-Za-z0-9_-]+)*$/, 'a plain topic (letters, digits, _ - and /, no wildcards)')
      .default('energy-monitoring/feed'),
    MQTT_FEED_ORDER_HOLD: duration('500ms'),
    MQTT_SHARED_ADOPT_AFTER: duration('30s'),

    DATA_DIR: z.string().min(1).default('./data'),
    SITE_TIMEZONE: timezone.default('Asia/Jakarta'),
    METER_TIMEZONE: timezone.optional(),
    MAX_CLOCK_SKEW: duration('5m'),
    OFFLINE_AFTER: duration('5m'),
    ENERGY_MAX_POWER_RATIO: z.coerce.number().min(1).default(10),
    ENERGY_MIN_POWER_KW: z.coerce.number().positive().default(1),
    ENERGY_CONFIRM_READINGS: z.coerce.number().int().min(1).max(10).default(3),
    // Load profile (docs/load-profile.md): the building's working days and whole hours; energy
    // outside them is reported apart, and the profile splits working days from the rest.
    OPERATING_HOURS: z
      .string()
      .default('Mon-Fri 08:00-17:00')
      .transform((text, ctx) => {
        const hours = parseOperatingHours(text);
        if (typeof hours === 'string') {
          ctx.addIssue({ code: 'custom', message: hours });
          return z.NEVER;
        }
        return hours;
      }),
    // Public holidays (comma-separated YYYY-MM-DD): counted with weekends, wholly outside operating hours.
    HOLIDAYS: z
      .string()
      .default('')
      .transform((text, ctx) => {
        const dates = text.split(',').map((part) => part.trim()).filter(Boolean);
        const bad = dates.filter((date) => !z.iso.date().safeParse(date).success);
        if (bad.length > 0) {
          ctx.addIssue({ code: 'custom', message: `not dates (YYYY-MM-DD): ${bad.join(', ')}` });
          return z.NEVER;
        }
        return [...new Set(dates)].sort();
      }),

    // CSV exports (docs/export.md): the secret download links are signed with (at least 32 characters; shared by every
    // process behind one address). Unset: each process signs with a random secret of its own.
    EXPORT_LINK_SECRET: optionalText.pipe(z.string().min(32, 'at least 32 characters').optional()),
    // How long a download link from createExportLink stays valid (never longer than the caller's own credential).
    EXPORT_LINK_TTL: duration('2m'),
    // Exports streaming at once in a process; one caller may run half of them (at least one).
    EXPORT_MAX_STREAMS: count(4),
    // Alarms and notifications (docs/alarms.md).
    // The alarm rules on or off as a whole (off: nothing is evaluated, stored or sent).
    ALARMS: optionalFlag,
    // How far back (meter time) a late reading, and a restart, re-evaluate the rules from the readings kept.
    ALARM_REPLAY_WINDOW: duration('2h'),
    // At most one notification per panel (or building), alarm type and channel per this; later ones wait their turn.
    ALARM_NOTIFY_MIN_INTERVAL: duration('5m'),
    // Retries of a notification: the first after this, doubling up to ALARM_NOTIFY_RETRY_MAX, for at least ALARM_NOTIFY_RETRY_FOR.
    ALARM_NOTIFY_RETRY_FIRST: duration('30s'),
    ALARM_NOTIFY_RETRY_MAX: duration('1h'),
    ALARM_NOTIFY_RETRY_FOR: duration('25h'),
    // A webhook channel from the configuration (every alarm); signed with ALARM_WEBHOOK_SECRET when set.
    ALARM_WEBHOOK_URL: optionalText.pipe(z.url({ protocol: /^https?$/, error: 'an http(s) URL' }).optional()),
    ALARM_WEBHOOK_SECRET: optionalText,
    // An e-mail channel from the configuration (every alarm): comma-separated recipients, over ALARM_SMTP_*.
    ALARM_EMAIL_TO: optionalText,
    // The SMTP relay of e-mail channels. Port 587 with STARTTLS (required unless ALARM_SMTP_REQUIRE_TLS=false), or 465 with ALARM_SMTP_SECURE=true.
    ALARM_SMTP_HOST: optionalText,
    ALARM_SMTP_PORT: z.coerce.number().int().min(1).max(65_535).default(587),
    ALARM_SMTP_SECURE: optionalFlag,
    ALARM_SMTP_REQUIRE_TLS: optionalFlag,
    ALARM_SMTP_USER: optionalText,
    ALARM_SMTP_PASSWORD: optionalText,
    ALARM_SMTP_FROM: z.string().min(3).default('energy-monitoring@localhost'),
    // Accept the relay's certificate unchecked (a private relay with its own CA only).
    ALARM_SMTP_ALLOW_INVALID_CERT: optionalFlag,

    // The tariff plan of the first start (later changes are recorded through the API).
    TARIFF_NAME: optionalText,
    TARIFF_PLAN: z.enum(['flat', 'time-of-use']).default('flat'),
    TARIFF_RP_PER_KWH: z.coerce.number().positive().default(1500),
    TARIFF_LWBP_RP_PER_KWH: z.coerce.number().positive().optional(),
    TARIFF_WBP_MULTIPLIER: z.coerce.number().min(1).max(5).default(1.4),
    TARIFF_PEAK_HOURS: z
      .string()
      .default('17-22')
      .transform((text, ctx) => {
        const m = /^(\d{1,2})-(\d{1,2})$/.exec(text.trim());
        const start = Number(m?.[1]);
        const end = Number(m?.[2]);
        if (!m || start > 23 || end > 24 || end === 0 || start === end % 24) {
          ctx.addIssue({ code: 'custom', message: `"${text}" is not a peak window of whole local hours like 17-22` });
          return z.NEVER;
        }
        return { start, end };
      }),
    TARIFF_KVARH_RP_PER_KVARH: z.coerce.number().positive().optional(),
    TARIFF_CONNECTED_KVA: z.coerce.number().positive().optional(),
    TARIFF_MINIMUM_HOURS: z.coerce.number().positive().max(744).default(40),
    TARIFF_TAX_PERCENT: z.coerce.number().min(0).max(100).default(0),

    INFLUX_URL: optionalText.pipe(z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }).optional()),
    INFLUX_TOKEN: optionalText,
    INFLUX_ORG: optionalText,
    INFLUX_BUCKET: z.string().min(1).default('energy_monitoring'),
    INFLUX_ADMIN_BUCKET: z.string().min(1).default('energy_monitoring_admin'),

    PANEL_NAMES: z
      .string()
      .default('')
      .transform((text, ctx) => {
        const names = new Map<string, string>();
        for (const entry of text.split(',').map((part) => part.trim()).filter(Boolean)) {
          const [id, ...rest] = entry.split('=');
          const name = rest.join('=').trim();
          if (!id?.trim() || !name) {
            ctx.addIssue({ code: 'custom', message: `"${entry}" is not PANEL_ID=Display name` });
            return z.NEVER;
          }
          names.set(id.trim(), name);
        }
        return names;
      }),

    MQTT_PROTOCOL_VERSION: z.enum(['4', '5']).default('5').transform(Number).pipe(z.union([z.literal(4), z.literal(5)])),
    MQTT_SESSION_EXPIRY: duration('7d'),

    // Access control (docs/access-control.md): required in production, optional in development.
    AUTH: z.enum(['required', 'optional']).optional(),
    API_KEYS: z.string().default(''),
    API_KEYS_FILE: optionalText,
    JWT_ISSUER: optionalText,
    JWT_AUDIENCE: optionalText,
    JWT_JWKS_URL: optionalText.pipe(z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }).optional()),
    JWT_ROLE_CLAIM: z.string().min(1).default('role'),
    JWT_PANELS_CLAIM: z.string().min(1).default('panels'),
    CORS_ORIGINS: optionalText,
    // key: GET /metrics needs an operator or admin Bearer credential; open: anyone who reaches it.
    METRICS_AUTH: z.enum(['key', 'open']).optional(),
    // Serve /metrics on this port of HOST only (not on PORT); empty: on PORT.
    METRICS_PORT: z.coerce.number({ error: PORT_RANGE }).int(PORT_RANGE).min(0, PORT_RANGE).max(65_535, PORT_RANGE).optional(),

    // Default: on with the embedded broker, off when MQTT_URL points at a broker we do not own.
    SIMULATE: z.enum(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off']).optional(),
    SIMULATE_PANELS: z.string().default('PANEL_LANTAI_1,PANEL_LANTAI_2,PANEL_LANTAI_3'),
    SIMULATE_INTERVAL: duration('10s').pipe(z.number().min(1000, 'must be at least 1s')),

    // Limits against hostile clients and faults (docs/limits-and-faults.md); each has a metric and a clear error.
    GRAPHIQL: optionalFlag,
    INTROSPECTION: optionalFlag,
    HTTP_MAX_CONNECTIONS: countOrAuto,
    HTTP_MAX_BODY: size('64KiB'),
    HTTP_REQUEST_TIMEOUT: duration('30s'),
    HTTP_IDLE_TIMEOUT: duration('60s'),
    GRAPHQL_MAX_COST: count(250_000),
    GRAPHQL_MAX_COST_IN_FLIGHT: count(1_500_000),
    WS_MAX_CONNECTIONS: count(1_000),
    WS_MAX_SUBSCRIPTIONS: count(10_000),
    WS_MAX_SUBSCRIPTIONS_PER_CONNECTION: count(100),
    // The most one caller (one credential, and one client address) may hold of WS_MAX_CONNECTIONS,
    // WS_MAX_SUBSCRIPTIONS and GRAPHQL_MAX_COST_IN_FLIGHT, so that one cannot take them all.
    CALLER_MAX_SHARE: percent('25%', 1, 100),
    // The part of those limits viewers cannot take: kept so that an operator or admin can get in.
    OPERATOR_RESERVE: percent('10%', 0, 50),
    // Reverse proxies (addresses, subnets) whose X-Forwarded-For names the caller's address.
    TRUSTED_PROXIES: addressList,
    MQTT_MAX_CONNECTIONS: countOrAuto,
    MQTT_MAX_PACKET_SIZE: size('64KiB'),
    MQTT_MAX_TOPIC_LEVELS: z.coerce.number().int().min(2).max(100).default(8),
    MQTT_CONNECT_TIMEOUT: duration('10s'),
    MQTT_IDLE_TIMEOUT: duration('10m'),
    MQTT_RETAIN: flag(false),
    MAX_PANELS: count(1_000),
    METER_TIME_FLOOR: instant('2000-01-01'),
    STORE_MIN_FREE: size('64MiB'),
  });

/** The settings, checked together and shaped into the configuration (toConfig). */
export const configSchema = settingsSchema
  .superRefine((env, ctx) => {
    // Each missing setting named on its own line (and never the value of the one that is there).
    for (const missing of env.INFLUX_URL ? (['INFLUX_TOKEN', 'INFLUX_ORG'] as const).filter((name) => !env[name]) : []) {
      ctx.addIssue({ code: 'custom', path: [missing], message: `INFLUX_URL needs INFLUX_TOKEN and INFLUX_ORG; ${missing} is not set` });
    }
    if (env.TARIFF_PLAN === 'time-of-use' && env.TARIFF_LWBP_RP_PER_KWH === undefined) {
      ctx.addIssue({ code: 'custom', path: ['TARIFF_LWBP_RP_PER_KWH'], message: 'a time-of-use plan needs its off-peak (LWBP) rate' });
    }
    if ([env.JWT_ISSUER, env.JWT_AUDIENCE, env.JWT_JWKS_URL].filter(Boolean).length % 3 !== 0) {
      ctx.addIssue({ code: 'custom', path: ['JWT_ISSUER'], message: 'JWT_ISSUER, JWT_AUDIENCE and JWT_JWKS_URL go together' });
    }
    if (env.MQTT_MAX_TOPIC_LEVELS <= topicLevels(env.MQTT_TOPIC)) {
      ctx.addIssue({ code: 'custom', path: ['MQTT_MAX_TOPIC_LEVELS'], message: `must be more than the ${topicLevels(env.MQTT_TOPIC)} levels of MQTT_TOPIC's prefix, or meters could not publish` });
    }
    if ((env.MQTT_PASSWORD || env.MQTT_PASSWORD_FILE) && !env.MQTT_USERNAME) {
      ctx.addIssue({ code: 'custom', path: ['MQTT_USERNAME'], message: `${env.MQTT_PASSWORD ? 'MQTT_PASSWORD' : 'MQTT_PASSWORD_FILE'} is set without MQTT_USERNAME` });
    }
    // A secret with nothing to use it is a mistyped or forgotten setting: said, never ignored.
    if (env.ALARM_WEBHOOK_SECRET && !env.ALARM_WEBHOOK_URL) {
      ctx.addIssue({ code: 'custom', path: ['ALARM_WEBHOOK_SECRET'], message: 'is set without ALARM_WEBHOOK_URL (the webhook it would sign)' });
    }
    if (env.ALARM_SMTP_PASSWORD && !env.ALARM_SMTP_USER) {
      ctx.addIssue({ code: 'custom', path: ['ALARM_SMTP_USER'], message: 'ALARM_SMTP_PASSWORD is set without ALARM_SMTP_USER' });
    }
    if (env.MQTT_PASSWORD && env.MQTT_PASSWORD_FILE) {
      ctx.addIssue({ code: 'custom', path: ['MQTT_PASSWORD_FILE'], message: 'set MQTT_PASSWORD or MQTT_PASSWORD_FILE, not both' });
    }
    if (!env.MQTT_CERT_FILE !== !env.MQTT_KEY_FILE) {
      ctx.addIssue({ code: 'custom', path: ['MQTT_CERT_FILE'], message: 'MQTT_CERT_FILE and MQTT_KEY_FILE go together' });
    }
    if (hasTopicPrefix(env.MQTT_TOPIC)) {
      // Feed topics under the meters' prefix would be meter topics (gateways may publish there), or the reverse.
      const prefix = topicPrefix(env.MQTT_TOPIC.replace(/^\$share\/[^/]+\//, ''));
      const feed = env.MQTT_FEED_TOPIC;
      if (feed === prefix || feed.startsWith(`${prefix}/`) || prefix.startsWith(`${feed}/`)) {
        ctx.addIssue({ code: 'custom', path: ['MQTT_FEED_TOPIC'], message: `must not overlap MQTT_TOPIC's ${prefix}/…: only the product may publish on the feed, gateways publish under the meters' topics` });
      }
    }
    if (env.MQTTS_PORT !== undefined && !(env.MQTTS_CERT_FILE && env.MQTTS_KEY_FILE)) {
      ctx.addIssue({ code: 'custom', path: ['MQTTS_PORT'], message: 'MQTTS_PORT needs MQTTS_CERT_FILE and MQTTS_KEY_FILE' });
    }
  })
  .transform(toConfig);

type Settings = z.output<typeof settingsSchema>;

/** The configuration the parts read, shaped from the settings. */
function toConfig(env: Settings) {
  return {
    nodeEnv: env.NODE_ENV,
    access: accessConfig(env),
    http: { host: env.HOST ?? (accessMode(env) === 'optional' ? LOOPBACK : ANY_INTERFACE), port: env.PORT, metricsPort: env.METRICS_PORT },
    log: {
      level: env.LOG_LEVEL,
      format: env.LOG_FORMAT ?? (env.NODE_ENV === 'production' ? 'json' : 'pretty'),
    },
    mqtt: mqttConfig(env),
    site: siteConfig(env),
    exports: { linkSecret: env.EXPORT_LINK_SECRET ?? null, linkTtlMs: env.EXPORT_LINK_TTL, maxStreams: env.EXPORT_MAX_STREAMS },
    alarms: alarmsConfig(env),
    store: storeConfig(env),
    limits: limitsConfig(env),
    simulator: {
      // Never by default in production: its readings would go into the store bills are computed from.
      enabled: env.SIMULATE === undefined ? env.MQTT_URL === undefined && env.NODE_ENV !== 'production' : isOn(env.SIMULATE, false),
      panels: env.SIMULATE_PANELS.split(',').map((id) => id.trim()).filter(Boolean),
      intervalMs: env.SIMULATE_INTERVAL,
    },
  };
}

/** Who may use the API and from which origins. */
function accessConfig(env: Settings) {
  return {
    mode: accessMode(env),
    keys: env.API_KEYS,
    keysFile: env.API_KEYS_FILE,
    jwt:
      env.JWT_ISSUER && env.JWT_AUDIENCE && env.JWT_JWKS_URL
        ? { issuer: env.JWT_ISSUER, audience: env.JWT_AUDIENCE, jwksUrl: env.JWT_JWKS_URL, roleClaim: env.JWT_ROLE_CLAIM, panelsClaim: env.JWT_PANELS_CLAIM }
        : undefined,
    /** Allowed browser origins; '*' any (development default), empty none (production default). */
    corsOrigins: (env.CORS_ORIGINS ?? (env.NODE_ENV === 'production' ? '' : '*'))
      .split(',')
      .map((origin) => origin.trim())
      .filter(Boolean),
    /** Whether GET /metrics needs an operator or admin credential (default: in production). */
    metricsAuth: env.METRICS_AUTH ?? (env.NODE_ENV === 'production' ? 'key' : 'open'),
  };
}

/** The broker: MQTT_URL's, or the embedded one's ports, accounts and TLS; the topics and the shared group. */
function mqttConfig(env: Settings) {
  return {
    url: env.MQTT_URL,
    username: env.MQTT_USERNAME,
    password: env.MQTT_PASSWORD,
    passwordFile: env.MQTT_PASSWORD_FILE,
    /** TLS files for an mqtts:// MQTT_URL. */
    tls: { caFile: env.MQTT_CA_FILE, certFile: env.MQTT_CERT_FILE, keyFile: env.MQTT_KEY_FILE },
    embeddedPort: env.MQTT_PORT,
    /** The embedded broker's access control and TLS listener. */
    broker: {
      host: brokerHost(env),
      passwordFile: env.MQTT_BROKER_PASSWORD_FILE,
      aclFile: env.MQTT_BROKER_ACL_FILE,
      /** undefined: decided at start (allowed only in development without any account). */
      allowAnonymous: env.MQTT_ALLOW_ANONYMOUS === undefined ? undefined : isOn(env.MQTT_ALLOW_ANONYMOUS, false),
      production: env.NODE_ENV === 'production',
      /** MQTT_CLIENT_IDS: which client ids an account may use. */
      clientIds: env.MQTT_CLIENT_IDS,
      tls:
        env.MQTTS_PORT !== undefined && env.MQTTS_CERT_FILE && env.MQTTS_KEY_FILE
          ? { port: env.MQTTS_PORT, host: env.MQTTS_HOST ?? brokerHost(env), certFile: env.MQTTS_CERT_FILE, keyFile: env.MQTTS_KEY_FILE, caFile: env.MQTTS_CA_FILE }
          : undefined,
    },
    topic: env.MQTT_TOPIC,
    clientId: env.MQTT_CLIENT_ID,
    sharedGroup: env.MQTT_SHARED_GROUP,
    feedTopic: env.MQTT_FEED_TOPIC,
    feedOrderHoldMs: env.MQTT_FEED_ORDER_HOLD,
    sharedAdoptAfterSeconds: Math.max(1, Math.round(env.MQTT_SHARED_ADOPT_AFTER / 1000)),
    protocolVersion: env.MQTT_PROTOCOL_VERSION,
    sessionExpirySeconds: Math.round(env.MQTT_SESSION_EXPIRY / 1000),
  };
}

/** The site: its zones, statuses, counting rule, operating hours and the configured tariff plan (TARIFF_*). */
function siteConfig(env: Settings) {
  return {
    timezone: env.SITE_TIMEZONE,
    meterTimezone: env.METER_TIMEZONE ?? env.SITE_TIMEZONE,
    maxClockSkewMs: env.MAX_CLOCK_SKEW,
    offlineAfterMs: env.OFFLINE_AFTER,
    panelNames: env.PANEL_NAMES,
    countingRule: {
      maxPowerRatio: env.ENERGY_MAX_POWER_RATIO,
      minPowerKw: env.ENERGY_MIN_POWER_KW,
      confirmReadings: env.ENERGY_CONFIRM_READINGS,
    },
    operatingHours: env.OPERATING_HOURS,
    holidays: env.HOLIDAYS,
    tariffPlan: tariffPlanSchema.parse({
      name: env.TARIFF_NAME ?? null,
      pricing:
        env.TARIFF_PLAN === 'flat'
          ? { kind: 'flat', ratePerKwh: env.TARIFF_RP_PER_KWH }
          : {
              kind: 'time-of-use',
              offPeakRatePerKwh: env.TARIFF_LWBP_RP_PER_KWH ?? env.TARIFF_RP_PER_KWH,
              peakMultiplier: env.TARIFF_WBP_MULTIPLIER,
              peakStartHour: env.TARIFF_PEAK_HOURS.start,
              peakEndHour: env.TARIFF_PEAK_HOURS.end,
            },
      reactiveRatePerKvarh: env.TARIFF_KVARH_RP_PER_KVARH ?? null,
      minimumBill: env.TARIFF_CONNECTED_KVA ? { connectedKva: env.TARIFF_CONNECTED_KVA, hours: env.TARIFF_MINIMUM_HOURS } : null,
      taxPercent: env.TARIFF_TAX_PERCENT,
    }),
  };
}

/** Alarms and where their notifications go. */
function alarmsConfig(env: Settings) {
  return {
    enabled: isOn(env.ALARMS, true),
    replayMs: env.ALARM_REPLAY_WINDOW,
    notifyMinIntervalMs: env.ALARM_NOTIFY_MIN_INTERVAL,
    retry: { firstMs: env.ALARM_NOTIFY_RETRY_FIRST, maxMs: env.ALARM_NOTIFY_RETRY_MAX, forMs: env.ALARM_NOTIFY_RETRY_FOR },
    webhook: env.ALARM_WEBHOOK_URL ? { url: env.ALARM_WEBHOOK_URL, secret: env.ALARM_WEBHOOK_SECRET ?? null } : null,
    emailTo: env.ALARM_EMAIL_TO ?? null,
    smtp: env.ALARM_SMTP_HOST
      ? {
          host: env.ALARM_SMTP_HOST,
          port: env.ALARM_SMTP_PORT,
          secure: isOn(env.ALARM_SMTP_SECURE, false),
          requireTls: isOn(env.ALARM_SMTP_REQUIRE_TLS, true),
          user: env.ALARM_SMTP_USER ?? null,
          password: env.ALARM_SMTP_PASSWORD ?? null,
          from: env.ALARM_SMTP_FROM,
          allowInvalidCertificate: isOn(env.ALARM_SMTP_ALLOW_INVALID_CERT, false),
        }
      : null,
  };
}

/**  */
function storeConfig(env: Settings) {
  return {
    dataDir: env.DATA_DIR,
    influx: env.INFLUX_URL
      ? {
          url: env.INFLUX_URL,
          token: env.INFLUX_TOKEN ?? '',
          org: env.INFLUX_ORG ?? '',
          bucket: env.INFLUX_BUCKET,
          adminBucket: env.INFLUX_ADMIN_BUCKET,
        }
      : undefined,
  };
}

/** Limits against hostile or runaway clients, and what the store must keep free. */
function limitsConfig(env: Settings) {
  return {
    http: {
      /** undefined: from the open-file limit at start (src/http/limits.ts). */
      maxConnections: env.HTTP_MAX_CONNECTIONS,
      maxBodyBytes: env.HTTP_MAX_BODY,
      requestTimeoutMs: env.HTTP_REQUEST_TIMEOUT,
      idleTimeoutMs: env.HTTP_IDLE_TIMEOUT,
      graphiql: isOn(env.GRAPHIQL, env.NODE_ENV !== 'production'),
      introspection: isOn(env.INTROSPECTION, env.NODE_ENV !== 'production'),
      maxCost: env.GRAPHQL_MAX_COST,
      maxCostInFlight: env.GRAPHQL_MAX_COST_IN_FLIGHT,
    },
    ws: {
      maxConnections: env.WS_MAX_CONNECTIONS,
      maxSubscriptions: env.WS_MAX_SUBSCRIPTIONS,
      maxSubscriptionsPerConnection: env.WS_MAX_SUBSCRIPTIONS_PER_CONNECTION,
    },
    share: { callerMaxShare: env.CALLER_MAX_SHARE, operatorReserve: env.OPERATOR_RESERVE },
    trustedProxies: env.TRUSTED_PROXIES,
    mqtt: {
      /** undefined: from the open-file limit at start. */
      maxConnections: env.MQTT_MAX_CONNECTIONS,
      maxPacketBytes: env.MQTT_MAX_PACKET_SIZE,
      maxTopicLevels: env.MQTT_MAX_TOPIC_LEVELS,
      connectTimeoutMs: env.MQTT_CONNECT_TIMEOUT,
      idleTimeoutMs: env.MQTT_IDLE_TIMEOUT,
      retain: env.MQTT_RETAIN,
      loginDelayMaxMs: env.MQTT_LOGIN_DELAY_MAX,
      loginUserDelayMaxMs: env.MQTT_LOGIN_USER_DELAY_MAX,
    },
    ingest: { maxPanels: env.MAX_PANELS, meterTimeFloorMs: env.METER_TIME_FLOOR },
    store: { minFreeBytes: env.STORE_MIN_FREE },
  };
}

export type Config = z.output<typeof configSchema>;
/** The names of every environment variable the product reads. */
export const CONFIG_KEYS = Object.keys(configSchema.in.shape) as ReadonlyArray<keyof z.input<typeof configSchema>>;

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Validates the environment, reporting every bad or missing value at once. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // An empty value means "not set" (as in a copied .env.example), so the default applies.
  const given = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value.trim() !== ''));
  const result = configSchema.safeParse(given);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const key = issue.path.join('.') || '(environment)';
    const name = typeof issue.path[0] === 'string' ? issue.path[0] : undefined;
    const value = name === undefined ? undefined : env[name];
    // A secret's value is never shown (nor a URL's credentials): the name and the problem say what to fix.
    const shown = name === undefined || value === undefined ? null : shownValue(name, value);
    const message = name !== undefined && value !== undefined && shown !== value ? issue.message.split(value).join('…') : issue.message;
    return `${key}: ${message}${shown !== null ? ` (got "${shown}")` : ''}`;
  });
  throw new ConfigError(problems);
}
