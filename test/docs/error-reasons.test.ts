import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERROR_REASONS } from '../../src/services/user-input-error.js';
import { ROOT } from './markdown.js';

/**
 * docs/api.md's table of error reasons is the list of ERROR_REASONS (services/user-input-error.ts):
 * every reason the API can answer with has a row, with the code it comes with, and no row names a
 * reason that does not exist.
 */

const REFERENCE = 'docs/api.md';

interface Row {
  readonly reason: string;
  readonly code: string;
  readonly line: number;
}

/** The rows of the table whose header is `| Reason | Code | Meaning |`. */
function reasonRows(text: string): Row[] {
  const found: Row[] = [];
  let inTable = false;
  text.split('\n').forEach((line, index) => {
    if (!line.startsWith('|')) {
      inTable = false;
      return;
    }
    const cells = line.split('|').slice(1, -1).map((cell) => cell.trim());
    if (cells[0] === 'Reason') {
      inTable = cells[1] === 'Code' && cells[2] === 'Meaning';
      return;
    }
    const reason = /^`([A-Z_]+)`$/.exec(cells[0] ?? '')?.[1];
    const code = /^`([A-Z_]+)`$/.exec(cells[1] ?? '')?.[1];
    if (inTable && reason) found.push({ reason, code: code ?? '', line: index + 1 });
  });
  return found;
}

describe('the error-reason table of docs/api.md', () => {
  const rows = reasonRows(readFileSync(`${ROOT}${REFERENCE}`, 'utf8'));

  it('lists every reason once, and no other', () => {
    expect(rows.map((row) => row.reason).sort()).toEqual(Object.keys(ERROR_REASONS).sort());
  });

  it('gives each reason the code it comes with', () => {
    for (const row of rows) {
      const code = ERROR_REASONS[row.reason as keyof typeof ERROR_REASONS]?.split(':')[0];
      expect(row.code, `${REFERENCE}:${row.line} ${row.reason}`).toBe(code);
    }
  });
});
