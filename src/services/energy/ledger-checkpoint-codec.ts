import { createHash } from 'node:crypto';
import type { LocalTime } from '../../time/local-time.js';
import type { CountingRuleParams } from './counting-rule.js';
import { QUARTERS, type FinalDay } from './energy-ledger.js';

/**
 * How one ledger day is written into a checkpoint and read back. A checkpoint is text:
 * `<rule key>|<digest>|<base64 of the day's numbers>`. The rule key names everything the day's
 * figures depend on besides the readings (this format's version, the ENERGY_* thresholds, the
 * site's time zone): a day saved under another key is refused, never converted. The digest
 * (SHA-256 of the key and the numbers) refuses a damaged or edited checkpoint.
 */

/** Bump whenever the ledger's walk or what a day keeps changes: older checkpoints are then refused. */
export const CHECKPOINT_FORMAT = 1;

const HOURS = 24;
/** day, readingCount, reactiveCounterReadings, kvarhCounted, kvarhEstimated, kwhWithoutPowerFactor, four snapshot lengths. */
const HEADER = 10;
const FINGERPRINT = 15;
const DIGEST_HEX = 32;

export function checkpointRuleKey(rule: CountingRuleParams, time: LocalTime): string {
  return `ledger-${CHECKPOINT_FORMAT};ratio=${rule.maxPowerRatio};min=${rule.minPowerKw};confirm=${rule.confirmReadings};zone=${time.zone}`;
}

export function encodeDay({ day, endActive, endReactive }: FinalDay, ruleKey: string): string {
  const snapshots = [day.startActive, day.startReactive, endActive, endReactive];
  const f64 = new Float64Array(HEADER + FINGERPRINT + HOURS + snapshots.reduce((n, a) => n + a.length, 0));
  f64.set([day.day, day.readingCount, day.reactiveCounterReadings, day.kvarhCounted, day.kvarhEstimated, day.kwhWithoutPowerFactor, ...snapshots.map((a) => a.length)]);
  f64.set(day.fingerprint, HEADER);
  f64.set(day.kwh, HEADER + FINGERPRINT);
  let at = HEADER + FINGERPRINT + HOURS;
  for (const snapshot of snapshots) {
    f64.set(snapshot, at);
    at += snapshot.length;
  }
  const f32 = new Float32Array(3 * QUARTERS);
  f32.set(day.quarterKwh);
  f32.set(day.quarterKvarh, QUARTERS);
  f32.set(day.quarterSpanMs, 2 * QUARTERS);
  const body = Buffer.concat([Buffer.from(f64.buffer), Buffer.from(f32.buffer)]).toString('base64');
  return `${ruleKey}|${digest(ruleKey, body)}|${body}`;
}

/** A checkpoint read back, or why it cannot be used. */
export type DecodedDay = FinalDay | { readonly refused: 'damaged' | 'other rule' };

export function decodeDay(text: string, ruleKey: string): DecodedDay {
  const parts = text.split('|');
  if (parts.length !== 3) return { refused: 'damaged' };
  const [key, sum, body] = parts as [string, string, string];
  if (key !== ruleKey) return { refused: 'other rule' };
  if (sum !== digest(key, body)) return { refused: 'damaged' };
  const bytes = Buffer.from(body, 'base64');
  if (bytes.length < 8 * HEADER) return { refused: 'damaged' };
  const header = new Float64Array(copy(bytes, 0, 8 * HEADER));
  const lengths = [header[6]!, header[7]!, header[8]!, header[9]!];
  const f64Length = HEADER + FINGERPRINT + HOURS + lengths.reduce((n, l) => n + l, 0);
  if (!lengths.every((l) => Number.isInteger(l) && l >= 0) || bytes.length !== 8 * f64Length + 4 * 3 * QUARTERS) return { refused: 'damaged' };
  const f64 = new Float64Array(copy(bytes, 0, 8 * f64Length));
  const f32 = new Float32Array(copy(bytes, 8 * f64Length, bytes.length));
  let at = HEADER + FINGERPRINT + HOURS;
  const [startActive, startReactive, endActive, endReactive] = lengths.map((l) => f64.slice(at, (at += l)));
  return {
    day: {
      day: f64[0]!,
      readingCount: f64[1]!,
      reactiveCounterReadings: f64[2]!,
      kvarhCounted: f64[3]!,
      kvarhEstimated: f64[4]!,
      kwhWithoutPowerFactor: f64[5]!,
      fingerprint: f64.slice(HEADER, HEADER + FINGERPRINT),
      kwh: f64.slice(HEADER + FINGERPRINT, HEADER + FINGERPRINT + HOURS),
      startActive: startActive!,
      startReactive: startReactive!,
      quarterKwh: f32.slice(0, QUARTERS),
      quarterKvarh: f32.slice(QUARTERS, 2 * QUARTERS),
      quarterSpanMs: f32.slice(2 * QUARTERS),
      revision: 0,
    },
    endActive: endActive!,
    endReactive: endReactive!,
  };
}

function digest(key: string, body: string): string {
  return createHash('sha256').update(key).update('|').update(body).digest('hex').slice(0, DIGEST_HEX);
}

/** Bytes [from, to) in a buffer of their own (typed arrays need aligned offsets). */
function copy(bytes: Buffer, from: number, to: number): ArrayBuffer {
  const out = new ArrayBuffer(to - from);
  new Uint8Array(out).set(bytes.subarray(from, to));
  return out;
}
