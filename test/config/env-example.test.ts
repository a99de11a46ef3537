import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CONFIG_KEYS, loadConfig } from '../../src/config/config.js';
import { defaultMismatch } from '../docs/settings.js';

const example = readFileSync(new URL('../../.env.example', import.meta.url), 'utf8');
const entries = Object.fromEntries(
  example
    .split('\n')
    .filter((line) => /^[A-Z0-9_]+=/.test(line))
    .map((line) => {
      const at = line.indexOf('=');
      return [line.slice(0, at), line.slice(at + 1)];
    }),
);

describe('.env.example', () => {
  it('documents every setting the product reads, and nothing else', () => {
    expect(Object.keys(entries).sort()).toEqual([...CONFIG_KEYS].sort());
  });

  it('is a valid configuration as it stands (a copied .env starts the product on its defaults)', () => {
    const config = loadConfig(entries);
    expect(config.http.port).toBe(4000);
    expect(config.mqtt.url).toBeUndefined();
    expect(config.site.timezone).toBe('Asia/Jakarta');
    expect(config.site.meterTimezone).toBe('Asia/Jakarta');
    expect(config.store.influx).toBeUndefined();
  });

  it('states the same defaults the code applies', () => {
    expect(loadConfig(entries)).toEqual(loadConfig({}));
  });

  it("states each setting's default as its schema declares it (docs/configuration.md is checked the same way)", () => {
    const wrong = Object.entries(entries)
      .filter(([key]) => (CONFIG_KEYS as readonly string[]).includes(key))
      .map(([key, value]) => [key, defaultMismatch(key, value)] as const)
      .filter(([, mismatch]) => mismatch !== null)
      .map(([key, mismatch]) => `${key}=${mismatch ?? ''}`);
    expect(wrong).toEqual([]);
  });
});
