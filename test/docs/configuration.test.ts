import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ROOT } from './markdown.js';
import { declaredDefault, defaultMismatch, SETTINGS } from './settings.js';

const REFERENCE = 'docs/configuration.md';
const text = readFileSync(`${ROOT}${REFERENCE}`, 'utf8');
const envExample = readFileSync(`${ROOT}.env.example`, 'utf8');

interface Row {
  readonly key: string;
  readonly cells: readonly string[];
  readonly line: number;
}

/** The rows of the reference's tables whose header starts with the given columns. */
function rows(header: readonly string[]): Row[] {
  const found: Row[] = [];
  let inTable = false;
  text.split('\n').forEach((line, index) => {
    if (!line.startsWith('|')) {
      inTable = false;
      return;
    }
    const cells = line.split('|').slice(1, -1).map((cell) => cell.trim());
    if (cells[0] === 'Setting') {
      inTable = header.every((name, i) => cells[i] === name) && cells.length === header.length;
      return;
    }
    const key = /^`([A-Z0-9_]+)`$/.exec(cells[0] ?? '')?.[1];
    if (inTable && key) found.push({ key, cells: cells.slice(1), line: index + 1 });
  });
  return found;
}

/** The Default column: `value` in backticks, or the word empty (unset). */
function documentedDefault(row: Row): string | null {
  const cell = row.cells[0] ?? '';
  if (cell === 'empty') return '';
  return /^`([^`]*)`$/.exec(cell)?.[1] ?? null;
}

const settingRows = rows(['Setting', 'Default', 'Meaning']);
const composeRows = rows(['Setting', 'Meaning']);

describe(`${REFERENCE}: the configuration reference`, () => {
  it('has one row for every setting the schema reads, and none for a setting it does not', () => {
    const documented = settingRows.map((row) => row.key);
    expect(SETTINGS.filter((key) => !documented.includes(key)), 'settings of src/config/config.ts without a row').toEqual([]);
    expect(documented.filter((key) => !SETTINGS.includes(key)), 'rows for settings the schema does not read').toEqual([]);
    expect(documented.filter((key, i) => documented.indexOf(key) !== i), 'settings with two rows').toEqual([]);
  });

  it("states each setting's default as the schema applies it, and as .env.example does", () => {
    const envValue = new Map([...envExample.matchAll(/^([A-Z0-9_]+)=(.*)$/gm)].map((m) => [m[1]!, m[2]!]));
    const wrong: string[] = [];
    for (const row of settingRows) {
      const value = documentedDefault(row);
      if (value === null) {
        wrong.push(`line ${row.line}: ${row.key}'s Default column must be \`value\` or empty, not "${row.cells[0] ?? ''}"`);
        continue;
      }
      const mismatch = defaultMismatch(row.key, value);
      if (mismatch) wrong.push(`line ${row.line}: ${row.key} is documented as ${mismatch}`);
      if (envValue.has(row.key) && envValue.get(row.key) !== value) {
        wrong.push(`line ${row.line}: ${row.key} is documented as "${value}", .env.example says "${envValue.get(row.key) ?? ''}"`);
      }
      if (!(row.cells[1] ?? '').trim()) wrong.push(`line ${row.line}: ${row.key} has no meaning`);
    }
    expect(wrong).toEqual([]);
  });

  it('lists the settings only docker compose reads apart, each as .env.example does (commented out)', () => {
    expect(composeRows.length).toBeGreaterThan(0);
    for (const row of composeRows) {
      expect(SETTINGS, `${row.key} is read by the product: it belongs in a table with a Default column`).not.toContain(row.key);
      expect(envExample, `${row.key} is not in .env.example`).toMatch(new RegExp(`^# ${row.key}=`, 'm'));
    }
  });

  it('can fail: a wrong or missing default is caught', () => {
    expect(declaredDefault('PORT')).toBe('4000');
    expect(defaultMismatch('PORT', '4000')).toBeNull();
    expect(defaultMismatch('PORT', '4001')).toMatch(/schema's default is "4000"/);
    expect(defaultMismatch('PORT', '')).toMatch(/schema's default/);
    // No declared default: empty, or a value that changes nothing, is the default.
    expect(declaredDefault('MQTT_RETAIN')).toBeUndefined();
    expect(defaultMismatch('MQTT_RETAIN', 'false')).toBeNull();
    expect(defaultMismatch('MQTT_RETAIN', 'true')).toMatch(/other than leaving MQTT_RETAIN unset/);
    expect(defaultMismatch('MQTT_URL', '')).toBeNull();
  });
});
