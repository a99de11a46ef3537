import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { disposer, runMain, tempDir } from '../support/mqtt.js';
import { loadConfig } from '../../src/config/config.js';
import { configProblems } from '../support/config-problems.js';

const cleanup = disposer();
afterEach(() => cleanup.run());

describe('loadConfig', () => {
  it('reports every bad value at once, each with its name and the value given', () => {
    const env = {
      PORT: 'eighty',
      MQTT_PORT: '70000',
      MQTT_URL: 'http://broker:1883',
      MQTT_TOPIC: '#',
      MQTT_CLIENT_ID: 'has spaces',
      MQTT_PROTOCOL_VERSION: '3',
      SITE_TIMEZONE: 'Mars/Olympus_Mons',
      MAX_CLOCK_SKEW: 'soon',
      LOG_LEVEL: 'loud',
      SIMULATE: 'maybe',
    };
    const problems = configProblems(env);
    expect(problems.map((problem) => problem.split(':')[0]).sort()).toEqual(Object.keys(env).sort());
    for (const [key, value] of Object.entries(env)) {
      expect(problems.find((problem) => problem.startsWith(`${key}:`))).toContain(`(got "${value}")`);
    }
    expect(() => loadConfig(env)).toThrow(/^Invalid configuration:\n {2}- /);
  });

  it('explains ports and topic patterns in words a user can act on', () => {
    expect(configProblems({ PORT: 'abc' })).toEqual(['PORT: must be a whole number from 0 to 65535 (got "abc")']);
    expect(configProblems({ MQTT_TOPIC: 'DATA/PM' })[0]).toMatch(/^MQTT_TOPIC: .*DATA\/PM\/#/);
  });

  it('accepts a pattern with a fixed prefix, also behind a shared-subscription group', () => {
    expect(loadConfig({ MQTT_TOPIC: 'SITE_A/PM/+' }).mqtt.topic).toBe('SITE_A/PM/+');
    expect(loadConfig({ MQTT_TOPIC: 'DATA/PM/#', MQTT_SHARED_GROUP: 'writers' }).mqtt.sharedGroup).toBe('writers');
  });

  it('reports cross-field problems too', () => {
    expect(configProblems({ MQTT_PASSWORD: 'secret' })).toEqual([expect.stringMatching(/^MQTT_USERNAME: MQTT_PASSWORD is set without MQTT_USERNAME/)]);
  });
});

describe('starting with bad configuration (tsx src/main.ts)', () => {
  it('exits with code 2 and the message, without a stack trace', async () => {
    const main = runMain({ PORT: 'not-a-port', MQTT_PORT: '-1', DATA_DIR: tempDir(cleanup), SIMULATE: 'false' }, cleanup);
    expect(await main.exited).toEqual({ code: 2, signal: null });
    expect(main.output()).toContain('Invalid configuration');
    expect(main.output()).toContain('PORT: must be a whole number from 0 to 65535 (got "not-a-port")');
    expect(main.output()).toContain('MQTT_PORT: must be a whole number from 0 to 65535 (got "-1")');
    expect(main.output()).not.toMatch(/\n\s+at /);
  });

  it('reads a .env file in the working directory; the environment wins over it', async () => {
    const cwd = tempDir(cleanup, 'energy-dotenv-');
    writeFileSync(
      join(cwd, '.env'),
      ['# as copied from .env.example and edited', 'PORT=from-dotenv', 'SITE_TIMEZONE=Mars/Olympus_Mons', 'LOG_LEVEL=shout', ''].join('\n'),
    );
    const main = runMain({ LOG_LEVEL: 'warn', SIMULATE: 'false' }, cleanup, { cwd });
    expect(await main.exited).toEqual({ code: 2, signal: null });
    expect(main.output()).toContain('PORT: must be a whole number from 0 to 65535 (got "from-dotenv")');
    expect(main.output()).toContain('SITE_TIMEZONE: ');
    expect(main.output()).toContain('(got "Mars/Olympus_Mons")');
    // LOG_LEVEL=warn from the environment overrode the .env's bad value.
    expect(main.output()).not.toContain('LOG_LEVEL');
  });
});
