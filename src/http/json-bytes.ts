/**
 * JSON.stringify's text of an answer, written straight into UTF-8 bytes.
 *
 * Why not `Buffer.from(JSON.stringify(result))`: for a 720-window history chart (161 KB) that was
 * a fifth of the request's CPU and a third of its garbage. V8 builds the text in parts, flattens
 * it, and the bytes are a third copy; and each of the chart's 3,600 averages goes through the
 * general shortest-digits algorithm although it was rounded to 2 or 3 decimals just before
 * (docs/benchmarks.md, "Performance round 3, fifth pass"). Here the bytes are written once, into a
 * scratch buffer kept between answers, and copied out at their exact length.
 *
 * The text is JSON.stringify's, byte for byte (test/api-fast/json-bytes.test.ts compares them on
 * random and hostile values). The writer knows plain objects and arrays, strings, numbers, booleans
 * and null, what an execution result holds. A string that needs escapes is written by
 * JSON.stringify; anything else (a Date, an error with `toJSON`, a class instance, a BigInt, more
 * than MAX_DEPTH levels, so a cycle) sends the whole answer to JSON.stringify, which then writes or
 * throws what it always did: an answer with errors, say.
 */

/** Bytes a scratch buffer starts with, and the most it keeps between answers. */
const SCRATCH_START = 256 * 1024;
const SCRATCH_KEPT = 4 * 1024 * 1024;
/** Deeper than this JSON.stringify writes the answer (it finds cycles and throws as it would). */
const MAX_DEPTH = 64;
/**
 * Numbers whose digits (as an integer) are below this are written digit by digit; String() writes
 * the others. 2^31: the digits then travel as a small integer, never a boxed number (a boxed
 * number per value was 58 KB of garbage per chart), and have at most 10 significant digits.
 */
const MAX_PLAIN_INTEGER = 2 ** 31;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const DOT = 0x2e;
const MINUS = 0x2d;
const ZERO = 0x30;

let scratch: Buffer | null = null;

/** Thrown by the writer at what only JSON.stringify writes exactly; never leaves jsonBytes. */
const UNSUPPORTED = Symbol('unsupported by the writer');

/** JSON.stringify(value) as UTF-8 bytes, for an object or an array (an execution result is one). */
export function jsonBytes(value: object): Buffer {
  if (!prototypeIsClean()) return Buffer.from(JSON.stringify(value));
  // Taken while in use: a getter that serializes another answer (in theory) gets a buffer of its own.
  const writer = new JsonWriter(scratch ?? Buffer.allocUnsafeSlow(SCRATCH_START));
  scratch = null;
  try {
    writer.value(value, 0);
    const out = Buffer.allocUnsafe(writer.length);
    writer.buffer.copy(out, 0, 0, writer.length);
    return out;
  } catch (error) {
    if (error !== UNSUPPORTED) throw error;
    return Buffer.from(JSON.stringify(value), 'utf8');
  } finally {
    if (writer.buffer.length <= SCRATCH_KEPT) scratch = writer.buffer;
  }
}

/** Whether Object.prototype has no enumerable properties (else `for...in` would list them too). */
function prototypeIsClean(): boolean {
  for (const key in EMPTY) if (key !== undefined) return false;
  return true;
}
const EMPTY = {};

class JsonWriter {
  length = 0;

  constructor(public buffer: Buffer) {}

  value(value: unknown, depth: number): void {
    switch (typeof value) {
      case 'string':
        this.string(value);
        return;
      case 'number':
        this.number(value);
        return;
      case 'boolean':
        this.ascii(value ? 'true' : 'false');
        return;
      case 'object':
        if (value === null) this.ascii('null');
        else if (depth >= MAX_DEPTH) throw UNSUPPORTED;
        else if (Array.isArray(value)) this.array(value, depth);
        else this.object(value, depth);
        return;
      default:
        // A bigint (JSON.stringify throws, or calls a toJSON); undefined, functions and symbols never
        // get here (an object leaves their key out, an array writes null).
        throw UNSUPPORTED;
    }
  }

  #room(bytes: number): Buffer {
    const needed = this.length + bytes;
    if (needed > this.buffer.length) {
      const grown = Buffer.allocUnsafeSlow(Math.max(needed, this.buffer.length * 2));
      this.buffer.copy(grown, 0, 0, this.length);
      this.buffer = grown;
    }
    return this.buffer;
  }

  #byte(code: number): void {
    this.#room(1)[this.length++] = code;
  }

  /** Text known to be printable ASCII. */
  ascii(text: string): void {
    const b = this.#room(text.length);
    let n = this.length;
    for (let i = 0; i < text.length; i++) b[n++] = text.charCodeAt(i);
    this.length = n;
  }

  /** What JSON.stringify writes for a string, as UTF-8. */
  stringified(value: string): void {
    const text = JSON.stringify(value);
    // At most 3 bytes per UTF-16 unit; JSON.stringify escapes lone surrogates, so the text encodes exactly.
    this.#room(text.length * 3);
    this.length += this.buffer.write(text, this.length, 'utf8');
  }

  /** A string, or an object key followed by its colon. */
  string(text: string, colon = false): void {
    const b = this.#room(text.length + 3);
    let n = this.length;
    b[n++] = QUOTE;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      // Control characters, quote and backslash need escapes, anything past ASCII its UTF-8 bytes.
      if (c < 0x20 || c === QUOTE || c === BACKSLASH || c > 0x7e) {
        this.stringified(text);
        if (colon) this.#byte(COLON);
        return;
      }
      b[n++] = c;
    }
    b[n++] = QUOTE;
    if (colon) b[n++] = COLON;
    this.length = n;
  }

  /**
   * As Number.prototype.toString (JSON.stringify's text of a number). Integers are written digit by
   * digit; a number that is the closest double to k / 1000 (an amount or average rounded for output
   * to 3 decimals or fewer) is k's digits with a point, less its trailing zeros: with 15 significant
   * digits or fewer no other decimal as short reads back as the same double, so these are the
   * shortest digits toString would choose.
   */
  number(value: number): void {
    if (!Number.isFinite(value)) {
      this.ascii('null');
      return;
    }
    if (Number.isInteger(value) && Math.abs(value) < MAX_PLAIN_INTEGER) {
      this.#scaled(value | 0, 0);
      return;
    }
    // One multiplication for 1, 2 or 3 decimals: k / 100 is 10k / 1000, the same number.
    const thousandths = Math.round(value * 1000);
    if (Math.abs(thousandths) < MAX_PLAIN_INTEGER && thousandths / 1000 === value) {
      let units = thousandths | 0;
      let decimals = 3;
      while (units % 10 === 0) {
        units = (units / 10) | 0;
        decimals--;
      }
      this.#scaled(units, decimals);
      return;
    }
    this.ascii(String(value));
  }

  /** `units` / 10^decimals in fixed notation: an integer below 2^31 in magnitude, its last `decimals` digits after the point. */
  #scaled(units: number, decimals: number): void {
    let rest = Math.abs(units);
    let digits = 1;
    for (let x = rest; x >= 10; x = Math.floor(x / 10)) digits++;
    // At least one digit before the point: 0.005 is "0.005".
    if (digits <= decimals) digits = decimals + 1;
    const sign = units < 0 ? 1 : 0;
    const width = sign + digits + (decimals > 0 ? 1 : 0);
    const b = this.#room(width);
    let n = this.length + width;
    this.length = n;
    for (let i = 0; i < decimals; i++) {
      b[--n] = ZERO + (rest % 10);
      rest = Math.floor(rest / 10);
    }
    if (decimals > 0) b[--n] = DOT;
    do {
      b[--n] = ZERO + (rest % 10);
      rest = Math.floor(rest / 10);
    } while (rest > 0);
    if (sign) b[--n] = MINUS;
  }

  array(items: readonly unknown[], depth: number): void {
    if (Object.getPrototypeOf(items) !== Array.prototype || hasToJson(items)) throw UNSUPPORTED;
    this.#byte(0x5b);
    for (let i = 0; i < items.length; i++) {
      if (i > 0) this.#byte(COMMA);
      const item = items[i];
      // undefined, functions and symbols in an array (and holes) are null.
      if (item === undefined || typeof item === 'function' || typeof item === 'symbol') this.ascii('null');
      else this.value(item, depth + 1);
    }
    this.#byte(0x5d);
  }

  object(object: object, depth: number): void {
    const prototype: unknown = Object.getPrototypeOf(object);
    if ((prototype !== Object.prototype && prototype !== null) || hasToJson(object)) throw UNSUPPORTED;
    this.#byte(0x7b);
    let first = true;
    const record = object as Record<string, unknown>;
    // for...in over a plain object lists its own enumerable keys in JSON.stringify's order (integer
    // keys ascending, then the others as inserted), without the array Object.keys would make.
    for (const key in record) {
      const item = record[key];
      if (item === undefined || typeof item === 'function' || typeof item === 'symbol') continue;
      if (!first) this.#byte(COMMA);
      first = false;
      this.string(key, true);
      this.value(item, depth + 1);
    }
    this.#byte(0x7d);
  }
}

function hasToJson(value: object): boolean {
  return typeof (value as { toJSON?: unknown }).toJSON === 'function';
}
