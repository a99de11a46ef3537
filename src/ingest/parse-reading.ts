import type { Reading } from '../models/reading.js';
import {
  DATA_KEYS,
  FieldRefusal,
  ROOT_KEYS,
  isJsonObject,
  pickKnownKeys,
  readMeterData,
  readStatus,
  show,
  type MeterData,
} from './payload-schema.js';
import type { LocalTime } from '../time/local-time.js';
import type { MeterTime } from './meter-time.js';
import type { RejectReason } from './reject-reasons.js';
import { panelIdFromTopic } from './topic.js';

/** Meter payloads are a few hundred bytes; anything this large is a misbehaving or hostile client. */
export const MAX_PAYLOAD_BYTES = 16 * 1024;
/** Meter payloads nest 3 levels (object, data, phase array); room for gateway metadata besides. */
export const MAX_JSON_DEPTH = 16;

export interface ParseContext {
  /** When the message arrived; stands in for a missing meter `time` and anchors the skew check. */
  readonly receivedAt: Date;
  /** The wall clock of meters that send no offset (METER_TIMEZONE, e.g. Asia/Jakarta). */
  readonly meterClock: LocalTime;
  /** How far a meter clock may run ahead of `receivedAt` before the reading is refused. */
  readonly maxClockSkewMs: number;
  /** The topic part before the panel id, from `topicPrefix(MQTT_TOPIC)`. */
  readonly topicPrefix: string;
  /** METER_TIME_FLOOR: earlier meter times are refused. Default 2000-01-01T00:00:00Z. */
  readonly timeFloorMs?: number;
}

/** METER_TIME_FLOOR's default: no meter of this product reports from before 2000. */
export const DEFAULT_TIME_FLOOR_MS = Date.UTC(2000, 0, 1);

export type ParseResult =
  | { ok: true; reading: Reading }
  | { ok: false; panelId: string | null; reason: RejectReason; detail: string };

// `fatal` so that mangled bytes are reported instead of silently becoming U+FFFD inside a value.
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Turns one MQTT message into a canonical Reading, or says precisely why not. Pure (the receive
 * time comes in through `ctx`) and never throws, whatever the topic and bytes: a throw here would
 * take down the message handler of the ingester.
 *
 * Checks run cheapest and most structural first (topic, size, nesting, JSON, shape, key case), then
 * the fields in the schema's order; the first problem found is the one reported.
 */
export function parseReading(topic: string, payload: Uint8Array, ctx: ParseContext): ParseResult {
  let panelId: string | null = null;
  try {
    const fromTopic = panelIdFromTopic(topic, ctx.topicPrefix);
    if (!fromTopic.ok) return reject(null, 'invalid_topic', fromTopic.detail);
    panelId = fromTopic.panelId;
    return parseBody(panelId, payload, ctx);
  } catch (error) {
    return reject(panelId, 'internal_error', `parser failed: ${error instanceof Error ? error.message : show(error)}`);
  }
}

/** A refusal: why, for the rejection statistics and the log. */
type Rejected = Extract<ParseResult, { ok: false }>;
/** One step of the parse: its result, or why the payload is refused. */
type Step<T> = { readonly ok: true; readonly value: T } | Rejected;

/** A payload's way from bytes to a reading: JSON, then the payload schema, then the meter's clock. */
function parseBody(panelId: string, payload: Uint8Array, ctx: ParseContext): ParseResult {
  const json = decodeJson(panelId, payload);
  if (!json.ok) return json;
  const fields = validateFields(panelId, json.value);
  if (!fields.ok) return fields;
  const time = placeInTime(panelId, json.value, fields.value.time, ctx);
  if (!time.ok) return time;
  const f = fields.value;
  return {
    ok: true,
    reading: {
      panelId,
      time: time.value,
      voltage: f.v,
      current: f.i,
      activePowerKw: f.kw,
      apparentPowerKva: f.kva,
      energyKwh: f.kwh,
      reactiveEnergyKvarh: f.kvarh,
      powerFactor: f.pf,
      voltageUnbalance: f.vunbal,
      currentUnbalance: f.iunbal,
    },
  };
}

/** Bytes to a JSON object: bounded in size and depth, valid UTF-8, JSON, an object. */
function decodeJson(panelId: string, payload: Uint8Array): Step<Record<string, unknown>> {
  if (payload.byteLength > MAX_PAYLOAD_BYTES) {
    return reject(panelId, 'payload_too_large', `payload is ${payload.byteLength} bytes, limit ${MAX_PAYLOAD_BYTES}`);
  }
  // Before JSON.parse: V8 parses deep nesting slowly (about 0.4 ms for 8,000 levels, 400 times a
  // normal payload), and everything after the parse may then assume shallow values.
  if (nestingExceeds(payload, MAX_JSON_DEPTH)) {
    return reject(panelId, 'too_deeply_nested', `payload nests arrays/objects more than ${MAX_JSON_DEPTH} levels deep`);
  }
  let text: string;
  try {
    text = utf8.decode(payload);
  } catch {
    return reject(panelId, 'invalid_json', 'payload is not valid UTF-8');
  }
  // JSON.parse defines `__proto__` as an ordinary own key rather than calling the setter.
  let root: unknown;
  try {
    root = JSON.parse(text);
  } catch (error) {
    // V8's message quotes the offending spot of the text, already shortened.
    const why = error instanceof Error ? error.message : 'syntax error';
    return reject(panelId, 'invalid_json', `payload is not JSON: ${why.slice(0, 200)}`);
  }
  if (!isJsonObject(root)) return reject(panelId, 'not_an_object', `payload is ${show(root)}, expected a JSON object`);
  return { ok: true, value: root };
}

/** The payload's fields, with key spellings resolved (ambiguous ones refused), in precedence order. */
function validateFields(panelId: string, root: Record<string, unknown>): Step<MeterData> {
  const top = pickKnownKeys(root, ROOT_KEYS);
  if (!top.ok) return ambiguous(panelId, '', top.spellings, root);
  // A non-object `data` is refused after `status`, so a gateway error such as
  // {"status":"ERROR","data":null} is reported by its status rather than by its empty data.
  const data = top.picked.data;
  const inner = isJsonObject(data) ? pickKnownKeys(data, DATA_KEYS) : null;
  if (inner?.ok === false) return ambiguous(panelId, 'data.', inner.spellings, data as Record<string, unknown>);
  const status = readStatus(top.picked.status);
  if (status instanceof FieldRefusal) return reject(panelId, status.reason, `${fieldLabel(root, ['status'])}: ${status.message}`);
  if (inner === null) return reject(panelId, 'data_not_object', `data is ${show(data)}, expected a JSON object`);
  const fields = readMeterData(inner.picked);
  if (!fields.ok) return reject(panelId, fields.refusal.reason, `${fieldLabel(root, ['data', fields.key])}: ${fields.refusal.message}`);
  return fields;
}

/** The reading's instant: from the meter's clock (or the receive time), not before the floor, not too far ahead. */
function placeInTime(panelId: string, root: Record<string, unknown>, meterTime: MeterTime | null, ctx: ParseContext): Step<Date> {
  const time = resolveTime(meterTime, ctx);
  // Only for a refusal: finding the meter's spelling costs more than the rest of the checks.
  const label = () => fieldLabel(root, ['data', 'time']);
  if (Number.isNaN(time.getTime())) {
    return reject(panelId, 'invalid_time', `${label()}: cannot be placed on the timeline in zone "${ctx.meterClock.zone}"`);
  }
  const floorMs = ctx.timeFloorMs ?? DEFAULT_TIME_FLOOR_MS;
  if (time.getTime() < floorMs) {
    return reject(
      panelId,
      'time_too_old',
      `${label()}: ${time.toISOString()} is before METER_TIME_FLOOR ${new Date(floorMs).toISOString()} (a meter clock that was never set?)`,
    );
  }
  const aheadMs = time.getTime() - ctx.receivedAt.getTime();
  if (aheadMs > ctx.maxClockSkewMs) {
    return reject(
      panelId,
      'time_in_future',
      `${label()}: ${time.toISOString()} is ${Math.round(aheadMs / 1000)} s ahead of ` +
        `the receive time ${ctx.receivedAt.toISOString()} (allowed ${Math.round(ctx.maxClockSkewMs / 1000)} s)`,
    );
  }
  return { ok: true, value: time };
}

function resolveTime(time: MeterTime | null, ctx: ParseContext): Date {
  // A copy, because Date is mutable and the caller's receivedAt must not alias the reading's time.
  if (time === null) return new Date(ctx.receivedAt.getTime());
  if (time.kind === 'instant') return new Date(time.epochMs);
  return new Date(ctx.meterClock.instantOf(time));
}

/**
 * Whether JSON text nests deeper than `limit`, counted on the raw bytes (UTF-8 multi-byte sequences
 * never contain ASCII bytes, so brackets and quotes are found reliably). Does not validate: that is
 * JSON.parse's job; brackets inside strings are skipped so that valid text is never misjudged.
 */
function nestingExceeds(bytes: Uint8Array, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let k = 0; k < bytes.length; k++) {
    const byte = bytes[k];
    if (inString) {
      if (byte === 0x5c /* \ */) k++;
      else if (byte === 0x22 /* " */) inString = false;
    } else if (byte === 0x22) {
      inString = true;
    } else if (byte === 0x5b /* [ */ || byte === 0x7b /* { */) {
      if (++depth > limit) return true;
    } else if (byte === 0x5d /* ] */ || byte === 0x7d /* } */) {
      depth--;
    }
  }
  return false;
}

/** `data.kWh`: the path as the meter spelled it, so the message matches what is on the wire. */
function fieldLabel(root: Record<string, unknown>, path: readonly PropertyKey[]): string {
  const labels: string[] = [];
  let node: unknown = root;
  for (const segment of path) {
    const wanted = String(segment);
    const spelled = isJsonObject(node) ? Object.keys(node).find((key) => key.toLowerCase() === wanted) : undefined;
    labels.push(spelled ?? wanted);
    node = spelled === undefined ? undefined : (node as Record<string, unknown>)[spelled];
  }
  return labels.join('.');
}

function ambiguous(
  panelId: string,
  where: string,
  [first, second]: [string, string],
  source: Record<string, unknown>,
): Rejected {
  return reject(
    panelId,
    'ambiguous_key',
    `${where}${first} = ${show(source[first])} and ${where}${second} = ${show(source[second])} differ only in case`,
  );
}

function reject(panelId: string | null, reason: RejectReason, detail: string): Rejected {
  return { ok: false, panelId, reason, detail };
}
