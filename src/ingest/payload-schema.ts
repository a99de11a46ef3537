import type { PhaseValues } from '../models/reading.js';
import { parseMeterTime, type MeterTime } from './meter-time.js';
import type { RejectReason } from './reject-reasons.js';

/**
 * The meter payload `{"status":"OK","data":{...}}`: the one description of which fields exist,
 * which are required, what they may hold and what they become (a table of field readers, below).
 *
 * The fields are read from a key-normalised copy (see `pickKnownKeys`): every key lower-cased,
 * unknown keys dropped. Firmware versions disagree on key case (`kWh`/`kwh`/`KWH`, `Data`, `V`),
 * and lower-casing once up front is both simpler and faster than teaching every field a list of
 * spellings; collisions are caught there instead of silently picking one spelling.
 *
 * Every refusal carries a RejectReason and a message that names the value. Fields are read in
 * precedence order and the first refusal is reported: a bad `status` wins over bad data, and a
 * missing counter wins over a bad voltage.
 *
 * Hand-written rather than a zod schema: zod's object parse with a transform per field allocated
 * about 4 KB per reading and was a tenth of ingestion's CPU (profiled, issue 27). Everything here
 * is built once at module load.
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

/** Why a field's value is refused: the rejection reason and a message that names the value. */
export class FieldRefusal {
  constructor(
    readonly reason: RejectReason,
    readonly message: string,
  ) {}
}

/** Reads one field's value (undefined when the key is absent): what it becomes, or why it is refused. */
type FieldReader<T> = (value: unknown) => T | FieldRefusal;

type Bound = (n: number) => FieldRefusal | undefined;

const nonNegative: Bound = (n) => (n < 0 ? new FieldRefusal('negative_value', `${n} must not be negative`) : undefined);

const powerFactorRange: Bound = (n) =>
  n < -1 || n > 1 ? new FieldRefusal('power_factor_out_of_range', `${n} is outside [-1, 1]`) : undefined;

function numeric(value: unknown, bound: Bound): number | FieldRefusal {
  const n = toFiniteNumber(value);
  if (n === undefined) return new FieldRefusal('invalid_number', `${show(value)} is not a finite decimal number`);
  return bound(n) ?? n;
}

/** A measurement the reading cannot exist without; JSON null counts as missing. */
const required =
  (bound: Bound): FieldReader<number> =>
  (value) => {
    if (value === undefined || value === null) return new FieldRefusal('missing_field', 'required, but missing or null');
    return numeric(value, bound);
  };

/** A measurement some firmware omits; absent and JSON null both become null. */
const optional =
  (bound: Bound): FieldReader<number | null> =>
  (value) =>
    value === undefined || value === null ? null : numeric(value, bound);

/** L1, L2, L3 and the average; with three values the average is their mean. */
const phases: FieldReader<PhaseValues> = (value) => {
  if (value === undefined || value === null) return new FieldRefusal('missing_field', 'required, but missing or null');
  if (!Array.isArray(value) || (value.length !== 3 && value.length !== 4)) {
    return new FieldRefusal('invalid_phase_array', `${show(value)} must be an array of 3 values (L1, L2, L3) or 4 (L1, L2, L3, average)`);
  }
  // Element by element, in order (the first refused is reported), without an array in between:
  // the array per phase array was 0.5 KB of each reading's garbage (73 → 24 MB per 100,000 readings).
  const l1 = phaseElement(value, 0);
  if (l1 instanceof FieldRefusal) return l1;
  const l2 = phaseElement(value, 1);
  if (l2 instanceof FieldRefusal) return l2;
  const l3 = phaseElement(value, 2);
  if (l3 instanceof FieldRefusal) return l3;
  if (value.length === 3) return { l1, l2, l3, average: (l1 + l2 + l3) / 3 };
  const reported = phaseElement(value, 3);
  if (reported instanceof FieldRefusal) return reported;
  return { l1, l2, l3, average: reported };
};

/** Element `k` of a phase array: a finite, non-negative number, or why not. */
function phaseElement(value: readonly unknown[], k: number): number | FieldRefusal {
  const element = toFiniteNumber(value[k]);
  if (element === undefined) return new FieldRefusal('invalid_phase_array', `element ${k} (${show(value[k])}) is not a finite decimal number`);
  if (element < 0) return new FieldRefusal('negative_value', `element ${k} (${element}) must not be negative`);
  return element;
}

/** Absent or null means "the meter did not say": the caller uses the receive time. */
const meterTime: FieldReader<MeterTime | null> = (value) => {
  if (value === undefined || value === null) return null;
  const parsed = typeof value === 'string' ? parseMeterTime(value) : undefined;
  if (parsed === undefined) {
    return new FieldRefusal('invalid_time', `${show(value)} is not a date-time like "2026-07-01 12:30:05" or ISO-8601`);
  }
  return parsed;
};

/**
 * Missing `status` is accepted: the field carries no measurement, the data is validated on its
 * own merits, and rejecting every reading of a firmware that leaves it out would lose real data.
 * The value is compared case-insensitively for the same reason keys are ("ok" is not ambiguous).
 * Anything else present (an error text, a number) means the gateway itself says the data is bad.
 */
export const readStatus: FieldReader<'OK'> = (value) => {
  if (value === undefined || value === null) return 'OK';
  if (typeof value === 'string' && value.trim().toUpperCase() === 'OK') return 'OK';
  return new FieldRefusal('status_not_ok', `${show(value)} is not "OK"`);
};

/** The fields of `data`, in precedence order: the first one refused is the one reported. */
const DATA_FIELDS = {
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
} satisfies Record<string, FieldReader<unknown>>;

type DataKey = keyof typeof DATA_FIELDS;
export type MeterData = { -readonly [K in DataKey]: Exclude<ReturnType<(typeof DATA_FIELDS)[K]>, FieldRefusal> };

const DATA_ORDER = Object.keys(DATA_FIELDS) as DataKey[];

/**
 * The keys a payload object may have, lower-case, each undefined: `pickKnownKeys` copies it (one
 * small object of a fixed shape; JSON.parse never makes an undefined, so undefined means absent).
 */
export type KnownKeys<K extends string> = { readonly [key in K]: undefined };

/** The root object's keys. */
export const ROOT_KEYS: KnownKeys<'status' | 'data'> = { status: undefined, data: undefined };
/** The keys of `data`; derived from the field table so they cannot drift. */
export const DATA_KEYS = Object.fromEntries(DATA_ORDER.map((key) => [key, undefined])) as KnownKeys<DataKey>;

/**
 * Reads `data`'s fields (key-normalised, see `pickKnownKeys`) in precedence order: the values,
 * or the first field refused and why.
 */
export function readMeterData(
  data: { readonly [key in DataKey]: unknown },
): { readonly ok: true; readonly value: MeterData } | { readonly ok: false; readonly key: DataKey; readonly refusal: FieldRefusal } {
  const value: Partial<Record<DataKey, unknown>> = {};
  for (const key of DATA_ORDER) {
    const read = DATA_FIELDS[key](data[key]);
    if (read instanceof FieldRefusal) return { ok: false, key, refusal: read };
    value[key] = read;
  }
  return { ok: true, value: value as MeterData };
}

export type PickResult<K extends string> =
  | { ok: true; picked: { [key in K]: unknown } }
  | { ok: false; spellings: [string, string] };

/**
 * The keys of `source` that are in `known`, lower-cased, with their values. Taking only known
 * names also keeps `__proto__`, `constructor` and the like out of anything we build. Two spellings
 * of one key are accepted when they carry the same value (a gateway that duplicates fields) and
 * refused when they differ, since either choice would be a guess. Unknown keys are ignored,
 * collisions included.
 */
export function pickKnownKeys<K extends string>(source: object, known: KnownKeys<K>): PickResult<K> {
  // A copy of the template: a fast object of a fixed shape (a Map or a null-prototype object,
  // which V8 keeps in dictionary mode, cost ten times as much per reading).
  const picked: Record<string, unknown> = { ...known };
  const keys = Object.keys(source);
  for (const key of keys) {
    const lower = key.toLowerCase();
    if (!Object.hasOwn(known, lower)) continue;
    const value: unknown = (source as Record<string, unknown>)[key];
    const earlier = picked[lower];
    if (earlier !== undefined) {
      if (sameValue(earlier, value)) continue;
      // Rare: the spelling seen first, for the message.
      return { ok: false, spellings: [keys.find((other) => other.toLowerCase() === lower)!, key] };
    }
    picked[lower] = value;
  }
  return { ok: true, picked: picked as { [key in K]: unknown } };
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
