import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { REQUIREMENTS } from './requirements.js';

/**
 * test/requirements.ts lists the files that cannot run without a program; a new test file that
 * starts Chromium or a Mosquitto of its own and is not listed would fail on a machine with only
 * Node instead of being skipped. What a file uses is read from its imports.
 */
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SELF = relative(ROOT, fileURLToPath(import.meta.url));

function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? testFiles(join(dir, entry.name)) : entry.name.endsWith('.test.ts') ? [relative(ROOT, join(dir, entry.name))] : [],
  );
}

const USES: ReadonlyArray<readonly [string, RegExp]> = [
  ['Chromium', /\b(launchBrowser|browserSuite)\b/],
  ['poppler-utils (pdftotext, pdfinfo)', /\b(pdftotext|pdfinfo)\b/],
  ['Mosquitto', /\b(MQTT_TEST_URL|BROKER_URL|startPrivateMosquitto|startCluster|makePasswordFile)\b/],
];

describe('test/requirements.ts', () => {
  it.each(USES)('lists every test file that needs %s', (what, pattern) => {
    const listed = new Set(REQUIREMENTS.find((r) => r.what === what)?.files ?? []);
    const needing = testFiles(join(ROOT, 'test')).filter((file) => file !== SELF && pattern.test(readFileSync(join(ROOT, file), 'utf8')));
    expect(needing.length).toBeGreaterThan(0);
    expect(needing.filter((file) => !listed.has(file))).toEqual([]);
  });

  it('lists only files that exist', () => {
    const files = new Set(testFiles(join(ROOT, 'test')));
    expect(REQUIREMENTS.flatMap((r) => r.files).filter((file) => !files.has(file))).toEqual([]);
  });
});
