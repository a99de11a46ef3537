import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONFIG_KEYS } from '../../src/config/config.js';
import { isSecretSetting } from '../../src/config/redact.js';
import { spawnProduct } from '../hostile/product.js';
import { makePasswordFile } from '../mqtt/tls-certs.js';
import { disposer, tempDir } from '../support/disposer.js';
import { startPrivateMosquitto, type PrivateBroker } from '../support/mqtt.js';
import { freePort } from '../support/net.js';

/**
 * Issue 20 point 6, against the real product process: a start that fails on a secret-bearing
 * setting says which setting and what is wrong with it, and nothing it prints (stdout and stderr,
 * logs included) holds the secret: tokens, passwords, key material, API key hashes, credentials
 * inside URLs.
 */
const cleanup = disposer();
afterAll(() => cleanup.run());

const HASH = 'c0ffee'.repeat(10) + 'beef';
const dir = tempDir(cleanup, 'energy-secrets-');
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

/** A broker that requires a password the product is not given, for the settings that only fail at the broker. */
let broker: PrivateBroker;
beforeAll(async () => {
  const passwordFile = makePasswordFile(join(dir, 'broker-passwd'), { 'energy-api': 'the-right-Password-3f' });
  broker = await startPrivateMosquitto(cleanup, {
    settings: `user root\nallow_anonymous false\npassword_file ${passwordFile}`,
    probe: { username: 'energy-api', password: 'the-right-Password-3f' },
  });
});

interface Case {
  readonly what: string;
  /** The secret-bearing settings this case gives an invalid value. */
  readonly settings: readonly string[];
  readonly env: () => Record<string, string>;
  /** What must not appear anywhere in the output. */
  readonly secrets: readonly string[];
  /** What the one start-up error line must say (the setting, the problem). */
  readonly says: RegExp;
}

const CASES: readonly Case[] = [
  {
    what: 'a token without INFLUX_ORG',
    settings: ['INFLUX_TOKEN'],
    env: () => ({ INFLUX_URL: 'http://127.0.0.1:8086', INFLUX_TOKEN: 'SUPER-SECRET-TOKEN-123' }),
    secrets: ['SUPER-SECRET-TOKEN-123'],
    says: /INFLUX_ORG: .*INFLUX_ORG is not set/,
  },
  {
    what: 'credentials in a URL of the wrong scheme',
    settings: ['INFLUX_URL'],
    env: () => ({ INFLUX_URL: 'htp://admin:Influx-Url-Pw-31@influx:8086', INFLUX_TOKEN: 'Influx-Token-2-abcdef', INFLUX_ORG: 'energy' }),
    secrets: ['Influx-Url-Pw-31', 'Influx-Token-2-abcdef'],
    says: /INFLUX_URL: must be an http:\/\/ or https:\/\/ URL/,
  },
  {
    what: 'credentials in a URL with a bad port',
    settings: ['INFLUX_URL'],
    env: () => ({ INFLUX_URL: 'http://admin:Influx-Url-Pw-32@influx:99999', INFLUX_TOKEN: 'Influx-Token-3-abcdef', INFLUX_ORG: 'energy' }),
    secrets: ['Influx-Url-Pw-32', 'Influx-Token-3-abcdef'],
    says: /INFLUX_URL: /,
  },
  {
    what: 'a mistyped scheme (mqqt://)',
    settings: ['MQTT_URL'],
    env: () => ({ MQTT_URL: 'mqqt://gw:Mqtt-Url-Pw-47@broker.site:1883' }),
    secrets: ['Mqtt-Url-Pw-47'],
    says: /MQTT_URL: must start with mqtt:\/\//,
  },
  {
    what: 'no // and a password holding / and @',
    settings: ['MQTT_URL'],
    env: () => ({ MQTT_URL: 'mqtt:gw:Mqtt/Url@Pw-48@broker.site:1883' }),
    secrets: ['Mqtt/Url@Pw-48', 'Url@Pw-48'],
    says: /MQTT_URL: must start with mqtt:\/\//,
  },
  {
    what: 'a password without a user name',
    settings: ['MQTT_PASSWORD'],
    env: () => ({ MQTT_URL: 'mqtt://broker.site:1883', MQTT_PASSWORD: 'Mqtt-Password-51' }),
    secrets: ['Mqtt-Password-51'],
    says: /MQTT_USERNAME: MQTT_PASSWORD is set without MQTT_USERNAME/,
  },
  {
    what: 'a password given twice',
    settings: ['MQTT_PASSWORD', 'MQTT_PASSWORD_FILE'],
    env: () => ({ MQTT_URL: 'mqtt://broker.site:1883', MQTT_USERNAME: 'energy-api', MQTT_PASSWORD: 'Mqtt-Password-52', MQTT_PASSWORD_FILE: file('both', 'File-Password-52\n') }),
    secrets: ['Mqtt-Password-52', 'File-Password-52'],
    says: /MQTT_PASSWORD_FILE: set MQTT_PASSWORD or MQTT_PASSWORD_FILE, not both/,
  },
  {
    // A wrong password, found out only by the broker.
    what: 'a wrong password in the file',
    settings: ['MQTT_PASSWORD_FILE'],
    env: () => ({ MQTT_URL: broker.url, MQTT_USERNAME: 'energy-api', MQTT_PASSWORD_FILE: file('wrong', 'Wrong-File-Password-53\n'), MQTT_CLIENT_ID: 'energy-api-secrets-1' }),
    secrets: ['Wrong-File-Password-53'],
    says: /refused the connection: .*(Not authorized|Bad username or password)/i,
  },
  {
    what: 'a wrong password',
    settings: ['MQTT_PASSWORD'],
    env: () => ({ MQTT_URL: broker.url, MQTT_USERNAME: 'energy-api', MQTT_PASSWORD: 'Wrong-Env-Password-54', MQTT_CLIENT_ID: 'energy-api-secrets-2' }),
    secrets: ['Wrong-Env-Password-54'],
    says: /refused the connection: .*(Not authorized|Bad username or password)/i,
  },
  {
    what: 'a client key that is not PEM',
    settings: ['MQTT_CERT_FILE', 'MQTT_KEY_FILE'],
    env: () => {
      const pem = file('client.pem', '-----BEGIN PRIVATE KEY-----\nClient-Key-Material-61\n-----END PRIVATE KEY-----\n');
      return { MQTT_URL: 'mqtts://127.0.0.1:8883', MQTT_CERT_FILE: pem, MQTT_KEY_FILE: pem };
    },
    secrets: ['Client-Key-Material-61'],
    says: /MQTT_CA_FILE \/ MQTT_CERT_FILE \/ MQTT_KEY_FILE cannot be used/,
  },
  {
    what: 'a server key that is not PEM',
    settings: ['MQTTS_KEY_FILE'],
    env: () => {
      const pem = file('server.pem', '-----BEGIN PRIVATE KEY-----\nServer-Key-Material-62\n-----END PRIVATE KEY-----\n');
      return { MQTTS_PORT: '0', MQTTS_CERT_FILE: pem, MQTTS_KEY_FILE: pem };
    },
    secrets: ['Server-Key-Material-62'],
    says: /MQTTS_CERT_FILE \/ MQTTS_KEY_FILE \/ MQTTS_CA_FILE cannot be used/,
  },
  {
    what: 'a plain-text password in the file',
    settings: ['MQTT_BROKER_PASSWORD_FILE'],
    env: () => ({ MQTT_BROKER_PASSWORD_FILE: file('plain-passwd', 'gw-1:Plain-Text-Password-63\n') }),
    secrets: ['Plain-Text-Password-63'],
    says: /MQTT_BROKER_PASSWORD_FILE: .*line 1: the password is not hashed/,
  },
  {
    what: 'an entry with an unknown role',
    settings: ['API_KEYS'],
    env: () => ({ API_KEYS: `ops:superuser:${HASH}` }),
    secrets: [HASH],
    says: /API key entry "ops:superuser:…" is not name:role:sha256/,
  },
  {
    what: 'a file that is not JSON',
    settings: ['API_KEYS_FILE'],
    // Not JSON: a parser's message would quote the text around the fault.
    env: () => ({ API_KEYS_FILE: file('keys.json', `[{"name":"ops","role":"admin","sha256":${HASH}}]`) }),
    secrets: [HASH],
    says: /API_KEYS_FILE .* is not JSON/,
  },
  {
    what: 'credentials in a JWKS URL without issuer and audience',
    settings: ['JWT_JWKS_URL'],
    env: () => ({ JWT_JWKS_URL: 'https://idp:Jwks-Password-71@idp.example/.well-known/jwks.json' }),
    secrets: ['Jwks-Password-71'],
    says: /JWT_ISSUER: JWT_ISSUER, JWT_AUDIENCE and JWT_JWKS_URL go together/,
  },
  {
    what: 'credentials in a JWKS URL of the wrong scheme',
    settings: ['JWT_JWKS_URL'],
    env: () => ({ JWT_ISSUER: 'https://idp.example/', JWT_AUDIENCE: 'energy-api', JWT_JWKS_URL: 'ftp://idp:Jwks-Password-72@idp.example/jwks' }),
    secrets: ['Jwks-Password-72'],
    says: /JWT_JWKS_URL: must be an http:\/\/ or https:\/\/ URL/,
  },
  {
    what: 'credentials in a webhook URL of the wrong scheme',
    settings: ['ALARM_WEBHOOK_URL'],
    env: () => ({ ALARM_WEBHOOK_URL: 'ftp://hook:Hook-Password-81@hooks.example/alarms?token=Hook-Token-82' }),
    secrets: ['Hook-Password-81', 'Hook-Token-82'],
    says: /ALARM_WEBHOOK_URL: /,
  },
  {
    what: 'a webhook secret without its webhook',
    settings: ['ALARM_WEBHOOK_SECRET'],
    env: () => ({ ALARM_WEBHOOK_SECRET: 'Hook-Secret-83' }),
    secrets: ['Hook-Secret-83'],
    says: /ALARM_WEBHOOK_SECRET: is set without ALARM_WEBHOOK_URL/,
  },
  {
    what: 'an SMTP password without a user name',
    settings: ['ALARM_SMTP_PASSWORD'],
    env: () => ({ ALARM_SMTP_HOST: 'smtp.site', ALARM_SMTP_PASSWORD: 'Smtp-Password-84' }),
    secrets: ['Smtp-Password-84'],
    says: /ALARM_SMTP_USER: ALARM_SMTP_PASSWORD is set without ALARM_SMTP_USER/,
  },
  {
    what: 'a download-link secret too short to sign with',
    settings: ['EXPORT_LINK_SECRET'],
    env: () => ({ EXPORT_LINK_SECRET: 'Export-Secret-85' }),
    secrets: ['Export-Secret-85'],
    says: /EXPORT_LINK_SECRET: at least 32 characters/,
  },
];

describe('secrets in start-up errors (the real process)', () => {
  it('every setting that holds a secret, or a URL or file that may, has a case here', () => {
    const secretBearing = CONFIG_KEYS.filter((name) => isSecretSetting(name) || /_URL$|PASSWORD_FILE$|KEY_FILE$|KEYS_FILE$/.test(name));
    const covered = new Set(CASES.flatMap((entry) => entry.settings));
    // The broker's CA files hold no secret; MQTT_URL's and the others' are all here.
    expect(secretBearing.filter((name) => !covered.has(name))).toEqual([]);
  });

  it.each(CASES.map((entry) => [`${entry.settings.join(' + ')}, ${entry.what}`, entry] as const))('%s: exit 2, the setting and the problem named, no secret printed', async (_name, entry) => {
    const dataDir = join(dir, `data-${Math.random().toString(36).slice(2)}`);
    mkdirSync(dataDir);
    const product = spawnProduct({ DATA_DIR: dataDir, ...entry.env() }, cleanup, { http: await freePort(), mqtt: await freePort() });
    const exit = await product.exited;
    const output = `${product.stderr()}\n${product.logs.map((line) => JSON.stringify(line)).join('\n')}`;
    expect(exit, output).toEqual({ code: 2, signal: null });
    expect(product.stderr()).toMatch(entry.says);
    for (const secret of entry.secrets) expect(output).not.toContain(secret);
    // No stack trace: the line says what to fix.
    expect(product.stderr()).not.toMatch(/\n\s+at /);
  });
});
