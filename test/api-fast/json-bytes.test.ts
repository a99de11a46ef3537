import { describe, expect, it } from 'vitest';
import { jsonBytes } from '../../src/http/json-bytes.js';
import { seededRandom } from '../support/readings.js';

/**
 * Answers are written as bytes by src/http/json-bytes.ts instead of Buffer.from(JSON.stringify()):
 * the bytes must be JSON.stringify's text, exactly, for whatever a result can hold, and for what
 * it should not hold (a Date, a cycle, a BigInt) it must do what JSON.stringify does.
 */

const reference = (value: object) => Buffer.from(JSON.stringify(value), 'utf8');

function expectSame(value: object): void {
  const bytes = jsonBytes(value);
  const expected = reference(value);
  // Compared as text first so a difference reads as one.
  expect(bytes.toString('utf8')).toBe(expected.toString('utf8'));
  expect(bytes.equals(expected)).toBe(true);
}

/** Strings from code units a result may hold: ASCII, escapes, control characters, Indonesian and CJK text, emoji, lone surrogates. */
function randomString(random: () => number): string {
  const pools = [
    'abcdefghijklmnopqrstuvwxyz0123456789 -_:.,T',
    '"\\/\b\f\n\r\t\u0000\u0001\u001f\u007f',
    'ÀéüñçΩЖ€₹Rp',
    '漢字テスト',
  ];
  const length = Math.floor(random() * 20);
  let text = '';
  for (let i = 0; i < length; i++) {
    const roll = random();
    if (roll < 0.05) text += String.fromCharCode(0xd800 + Math.floor(random() * 0x800)); // a lone surrogate
    else if (roll < 0.1) text += '😀';
    else {
      const pool = pools[roll < 0.7 ? 0 : roll < 0.8 ? 1 : roll < 0.9 ? 2 : 3]!;
      text += pool[Math.floor(random() * pool.length)];
    }
  }
  return text;
}

/** Numbers as answers hold them (counts, values rounded to 1-3 decimals, Rupiah) and the edges of toString's notation. */
function randomNumber(random: () => number): number {
  const edges = [0, -0, 1, -1, 0.1, 0.2 + 0.1, 1e21, 1e-7, 5e-7, 1e-6, 123e-20, 2 ** 53, -(2 ** 53), 1e15, 1e15 - 1, 999_999_999_999_999.9, Number.MAX_VALUE, Number.MIN_VALUE, Number.EPSILON, Number.NaN, Infinity, -Infinity];
  const roll = random();
  const sign = random() < 0.2 ? -1 : 1;
  if (roll < 0.15) return edges[Math.floor(random() * edges.length)]!;
  if (roll < 0.35) return sign * Math.floor(random() * 10 ** Math.floor(random() * 16));
  if (roll < 0.8) {
    const decimals = 1 + Math.floor(random() * 3);
    return (sign * Math.round(random() * 10 ** (1 + Math.floor(random() * 9)))) / 10 ** decimals;
  }
  return sign * random() * 10 ** Math.floor(random() * 30 - 10);
}

class Point {
  constructor(
    readonly x: number,
    readonly y: number,
  ) {}
}

/** `plain`: only what an execution result holds, so the writer writes all of it itself. */
function randomValue(random: () => number, depth: number, plain: boolean): unknown {
  const roll = random();
  if (depth > 4 || roll < 0.3) {
    const leaf = random() * (plain ? 0.88 : 1);
    if (leaf < 0.35) return randomString(random);
    if (leaf < 0.75) return randomNumber(random);
    if (leaf < 0.82) return random() < 0.5;
    if (leaf < 0.88) return null;
    if (leaf < 0.91) return undefined;
    if (leaf < 0.93) return () => 1;
    if (leaf < 0.95) return Symbol('s');
    if (leaf < 0.97) return new Date(Math.floor(random() * 4e12));
    return new Point(randomNumber(random), randomNumber(random));
  }
  if (roll < 0.55) {
    const items = Array.from({ length: Math.floor(random() * 6) }, () => randomValue(random, depth + 1, plain));
    if (random() < 0.1) items.length += 2; // holes
    return items;
  }
  const object: Record<string, unknown> = !plain && random() < 0.05 ? (Object.create(null) as Record<string, unknown>) : {};
  const keys = Math.floor(random() * 7);
  for (let i = 0; i < keys; i++) {
    const key = random() < 0.2 ? String(Math.floor(random() * 100)) : randomString(random);
    object[key] = randomValue(random, depth + 1, plain);
  }
  if (!plain && random() < 0.03) object.toJSON = () => ({ replaced: true });
  return object;
}

describe('answers as bytes (jsonBytes)', () => {
  it('are JSON.stringify text as UTF-8, byte for byte, for 5,000 random results', () => {
    const random = seededRandom(2712);
    for (let i = 0; i < 5_000; i++) {
      const value = randomValue(random, 0, true);
      expectSame({ data: value, list: [value] });
    }
  });

  it('are JSON.stringify text for 2,000 random values with Dates, toJSON, class instances, undefined, functions and symbols', () => {
    const random = seededRandom(712);
    for (let i = 0; i < 2_000; i++) expectSame({ data: randomValue(random, 0, false) });
  });

  it('write every amount and average rounded to 1-3 decimals as Number.prototype.toString does', () => {
    const values: number[] = [];
    for (let units = -20_000; units <= 20_000; units++) for (const factor of [10, 100, 1000]) values.push(units / factor);
    const random = seededRandom(7);
    for (let i = 0; i < 20_000; i++) {
      const factor = 10 ** (1 + Math.floor(random() * 3));
      values.push(Math.round((random() - 0.5) * 2e14) / factor, Math.round(random() * 1e12) / factor);
    }
    expect(jsonBytes(values).toString()).toBe(`[${values.map((v) => String(Object.is(v, -0) ? 0 : v)).join(',')}]`);
  });

  it('keep Dates, toJSON, boxed values and class instances as JSON.stringify writes them', () => {
    expectSame({ at: new Date(Date.UTC(2026, 11, 7, 3, 0, 5, 123)), invalid: new Date(Number.NaN) });
    expectSame({ custom: { toJSON: (key: string) => `key ${key}` }, boxed: [Object(5), Object('text'), Object(true)], point: new Point(1.5, -0) });
    const holes: number[] = [];
    holes[3] = 1;
    expectSame({ nested: { a: [undefined, () => 1, Symbol('s')], b: undefined, c: () => 1, [Symbol('k')]: 1, d: holes } });
  });

  it('follow JSON.stringify below 64 levels of nesting, and throw where it throws', () => {
    let deep: unknown = { leaf: 'x' };
    for (let i = 0; i < 200; i++) deep = i % 2 ? { next: deep } : [deep];
    expectSame({ deep });

    const cycle: Record<string, unknown> = { name: 'loop' };
    cycle.self = { inner: [cycle] };
    expect(() => JSON.stringify({ cycle })).toThrow(TypeError);
    expect(() => jsonBytes({ cycle })).toThrow(TypeError);
    expect(() => jsonBytes({ big: 1n })).toThrow(TypeError);
    // The writer is usable again after a throw.
    expectSame({ after: 'throw', n: 1.25 });
  });

  it('grow past the buffer they keep, and keep answering the same afterwards', () => {
    const big = { rows: Array.from({ length: 100_000 }, (_, i) => ({ i, v: i / 1000, name: `row ${i} ✓` })) };
    expect(reference(big).length).toBeGreaterThan(4 * 1024 * 1024);
    expectSame(big);
    expectSame({ small: [1, 2.5, 'three'] });
    expectSame({ rows: big.rows.slice(0, 5_000) });
  });

  it('leave out what for...in would add when Object.prototype has an enumerable property', () => {
    const prototype = Object.prototype as Record<string, unknown>;
    prototype.polluted = 'yes';
    try {
      expectSame({ a: 1, b: { c: [2] } });
    } finally {
      delete prototype.polluted;
    }
  });
});
