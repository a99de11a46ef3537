import { z } from 'zod';
import type { PhaseValues } from '../models/reading.js';
import { parseMeterTime, type MeterTime } from './meter-time.js';
import type { RejectReason } from './reject-reasons.js';

/**
 * The meter payload `{"status":"OK","data":{...}}` as a zod schema: the one description of which
 * fields exist, which are required, what they may hold and what they become.
 *
 * The schema runs on a key-normalised copy (see `pickKnownKeys`): every key lower-cased, unknown
 * keys dropped. Firmware versions disagree on key case (`kWh`/`kwh`/`KWH`, `Data`, `V`), and
 * lower-casing once up front is both simpler and faster than teaching every field a list of
 * spellings; collisions are caught there instead of silently picking one spelling.
 *
 * Every failure is a `custom` issue carrying `params.reason` (a RejectReason) and a message that
 * names the value, so the caller maps the first issue straight to a rejection. The object keys are
 * listed in precedence order (zod reports issues in shape order): a bad `status` wins over bad
 * data, and a missing counter wins over a bad voltage.
 *
 * Everything here is built once at module load; nothing is constructed per message.
 */

/**
 * A plain decimal number, optionally signed, with optional exponent. Deliberately not `Number()`
 * alone: that accepts "" (0), "0x1A", "Infinity", " " and "1_0" is refused only by accident.
 * "1,5" is refused because it is 1.5 in Indonesian notation and 15 with a thousands separator.
 */
const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/** A finite number from a JSON number or a string holding one; undefined when it is neither. */
export function toFiniteNumber(value: unknown): number | undefined {
  let n: number;
  if (typeof value === 'number') {
    n = value;
  } else if (typeof value === 'string') {
    const text = value.trim();
    if (!DECIMAL.test(text)) return undefined;
    n = Number(text);
  } else {
    return undefined;
  }
  // JSON.parse turns 1e400 into Infinity, and "-0" would leak a negative zero into equality checks.
  return Number.isFinite(n) ? n + 0 : undefined;
}

/** A short rendering of an offending value for a rejection message. */
export function show(value: unknown): string {
  // Strings are cut before quoting: a rejected 16 KiB text should not be copied in full to be cut.
  const text = typeof value === 'string' ? JSON.stringify(value.slice(0, 61)) : safeStringify(value);
  return text.length > 60 ? `${text.slice(0, 60)}…` : text;
}

function safeStringify(value: unknown): string {
  try {
    // Values reaching here are parsed JSON no deeper than MAX_JSON_DEPTH, but stay safe regardless.
    return JSON.stringify(value) ?? typeof value;
  } catch {
    return typeof value;
  }
}

type Ctx = z.core.$RefinementCtx;

function fail(ctx: Ctx, reason: RejectReason, message: string): never {
  ctx.addIssue({ code: 'custom', message, params: { reason } });
  return z.NEVER;
}

type Bound = (n: number, ctx: Ctx) => void;

const nonNegative: Bound = (n, ctx) => {
  if (n < 0) fail(ctx, 'negative_value', `${n} must not be negative`);
};

const powerFactorRange: Bound = (n, ctx) => {
  if (n < -1 || n > 1) fail(ctx, 'power_factor_out_of_range', `${n} is outside [-1, 1]`);
};

function numeric(value: unknown, ctx: Ctx, bound: Bound): number {
  const n = toFiniteNumber(value);
  if (n === undefined) return fail(ctx, 'invalid_number', `${show(value)} is not a finite decimal number`);
  bound(n, ctx);
  return n;
}

/**
 * Every field is optional as far as zod is concerned, so that absence reaches the field's own
 * transform, which decides what it means: a `missing_field` rejection or a null. (A bare
 * `z.unknown()` key is required in zod 4, and its generic issue would carry no reason.)
 */
function field<T>(read: (value: unknown, ctx: Ctx) => T) {
  return z.unknown().optional().transform(read);
}

/** A measurement the reading cannot exist without; JSON null counts as missing. */
const required = (bound: Bound) =>
  field((value, ctx): number => {
    if (value === undefined || value === null) return fail(ctx, 'missing_field', 'required, but missing or null');
    return numeric(value, ctx, bound);
  });

/** A measurement some firmware omits; absent and JSON null both become null. */
const optional = (bound: Bound) =>
  field((value, ctx): number | null => (value === undefined || value === null ? null : numeric(value, ctx, bound)));

/** L1, L2, L3 and the average; with three values the average is their mean. */
const phases = field((value, ctx): PhaseValues => {
  if (value === undefined || value === null) return fail(ctx, 'missing_field', 'required, but missing or null');
  if (!Array.isArray(value) || (value.length !== 3 && value.length !== 4)) {
    return fail(
      ctx,
      'invalid_phase_array',
      `${show(value)} must be an array of 3 values (L1, L2, L3) or 4 (L1, L2, L3, average)`,
    );
  }
  const n: number[] = [];
  for (let k = 0; k < value.length; k++) {
    const element = toFiniteNumber(value[k]);
    if (element === undefined) {
      return fail(ctx, 'invalid_phase_array', `element ${k} (${show(value[k])}) is not a finite decimal number`);
    }
    if (element < 0) return fail(ctx, 'negative_value', `element ${k} (${element}) must not be negative`);
    n.push(element);
  }
  const [l1 = 0, l2 = 0, l3 = 0, reported] = n;
  return { l1, l2, l3, average: reported ?? (l1 + l2 + l3) / 3 };
});

/** Absent or null means "the meter did not say": the caller uses the receive time. */
const meterTime = field((value, ctx): MeterTime | null => {
  if (value === undefined || value === null) return null;
  const parsed = typeof value === 'string' ? parseMeterTime(value) : undefined;
  if (parsed === undefined) {
    return fail(ctx, 'invalid_time', `${show(value)} is not a date-time like "2026-07-01 12:30:05" or ISO-8601`);
  }
  return parsed;
});

/**
 * Missing `status` is accepted: the field carries no measurement, the data is validated on its
 * own merits, and rejecting every reading of a firmware that leaves it out would lose real data.
 * The value is compared case-insensitively for the same reason keys are ("ok" is not ambiguous).
 * Anything else present (an error text, a number) means the gateway itself says the data is bad.
 */
const status = field((value, ctx): 'OK' => {
  if (value === undefined || value === null) return 'OK';
  if (typeof value === 'string' && value.trim().toUpperCase() === 'OK') return 'OK';
  return fail(ctx, 'status_not_ok', `${show(value)} is not "OK"`);
});

export const meterDataSchema = z.object({
  kwh: required(nonNegative),
  kw: required(nonNegative),
  // The reactive energy counter, sent by meters that have one (`kVArh`, `kvarh`).
  kvarh: optional(nonNegative),
  v: phases,
  i: phases,
  kva: optional(nonNegative),
  pf: optional(powerFactorRange),
  vunbal: optional(nonNegative),
  iunbal: optional(nonNegative),
  time: meterTime,
});

export const meterPayloadSchema = z.object({
  status,
  data: meterDataSchema,
});

export type MeterData = z.output<typeof meterDataSchema>;
export type MeterPayload = z.output<typeof meterPayloadSchema>;

/** The keys the schema knows, lower-case; derived from the schema so they cannot drift. */
export const ROOT_KEYS: ReadonlySet<string> = new Set(Object.keys(meterPayloadSchema.shape));
export const DATA_KEYS: ReadonlySet<string> = new Set(Object.keys(meterDataSchema.shape));

export type PickResult =
  | { ok: true; picked: Record<string, unknown> }
  | { ok: false; spellings: [string, string] };

/**
 * A copy of `source` holding only the keys in `known`, lower-cased. Copying only known names also
 * keeps `__proto__`, `constructor` and the like out of anything we build. Two spellings of one key
 * are accepted when they carry the same value (a gateway that duplicates fields) and refused when
 * they differ, since either choice would be a guess. Unknown keys are ignored, collisions included.
 */
export function pickKnownKeys(source: object, known: ReadonlySet<string>): PickResult {
  const picked: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  const spelling: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const key of Object.keys(source)) {
    const lower = key.toLowerCase();
    if (!known.has(lower)) continue;
    const value: unknown = (source as Record<string, unknown>)[key];
    const earlier = spelling[lower];
    if (earlier !== undefined) {
      if (!sameValue(picked[lower], value)) return { ok: false, spellings: [earlier, key] };
      continue;
    }
    spelling[lower] = key;
    picked[lower] = value;
  }
  return { ok: true, picked };
}

/** Equality for duplicated fields: primitives, or flat arrays of primitives (`v`, `i`). */
function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
  return a.every((element, k) => element === b[k] && (element === null || typeof element !== 'object'));
}

/** A JSON object: not null, not an array. */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
