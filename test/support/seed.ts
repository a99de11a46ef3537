import type { MqttClient } from 'mqtt';
import type { App } from '../../src/app.js';
import type { Reading } from '../../src/models/reading.js';
import { meterTopic } from '../../src/simulators/meter-payload.js';
import { LocalTime } from '../../src/time/local-time.js';
import { meterPayload } from './mqtt.js';
import { local } from './readings.js';

/** The site (and meter) timezone every API test runs in: the product default. */
export const SITE_TZ = 'Asia/Jakarta';
/** The topic prefix of MQTT_TOPIC's default (`DATA/PM/#`), which every API test runs with. */
const TOPIC_PREFIX = 'DATA/PM';

/** One meter reading as a test describes it: when, the counter, and (optionally) the power. */
export interface SeedReading {
  readonly panelId: string;
  /** A Date is written on the meter's wall clock (WIB); a string is sent verbatim (e.g. ISO with `Z`). */
  readonly time: Date | string;
  /** The cumulative counter, kWh. */
  readonly kwh: number;
  /** Active power, kW (default 6). */
  readonly kw?: number;
  /** L1, L2, L3, average volts (default a plausible 230 V set). */
  readonly voltage?: readonly [number, number, number, number];
  /** L1, L2, L3, average amperes. */
  readonly current?: readonly [number, number, number, number];
}

/** `wib('2025-03-10 23:59:30')`: a wall-clock time in Asia/Jakarta as an instant. */
export const wib = local(SITE_TZ);

/** Local midnight (Asia/Jakarta) that started the current day. */
export function startOfTodayWib(now: Date = new Date()): Date {
  return new Date(new LocalTime(SITE_TZ).startOfDay(now.getTime()));
}

/**
 * Waits out the first seconds of a WIB day, so a test that puts readings shortly before "now"
 * knows they fall on today. Returns the current time afterwards.
 */
export async function clearOfMidnight(marginMs = 2_000): Promise<Date> {
  const sinceMidnight = Date.now() - startOfTodayWib().getTime();
  if (sinceMidnight < marginMs) await new Promise((resolve) => setTimeout(resolve, marginMs - sinceMidnight + 10));
  return new Date();
}

/** The gateway's JSON payload for one reading (numbers as strings, as the firmware sends them). */
export function readingPayload(reading: SeedReading, timezone = SITE_TZ): string {
  const kw = reading.kw ?? 6;
  return meterPayload(
    {
      v: reading.voltage ?? [229.5, 230.2, 231.0, 230.2],
      i: reading.current ?? [8.5, 9.0, 9.3, 8.9],
      kw: String(kw),
      kVA: (kw * 1.08).toFixed(2),
      kWh: String(reading.kwh),
      pf: 0.92,
      vunbal: 0.4,
      iunbal: 1.2,
      time: reading.time,
    },
    timezone,
  );
}

/**
 * Writes readings through the real ingest path (parse, validate, durable write, live state, cache
 * invalidation, pubsub), in order, exactly as the broker hands messages over. Throws on a rejection
 * so a test never silently seeds less than it thinks.
 */
export function seed(app: Pick<App, 'ingest'>, readings: readonly SeedReading[]): Reading[] {
  return readings.map((reading) => {
    const outcome = app.ingest.ingest(meterTopic(TOPIC_PREFIX, reading.panelId), Buffer.from(readingPayload(reading)));
    if (outcome.status !== 'stored') {
      throw new Error(`seed reading for ${reading.panelId} rejected: ${outcome.reason}: ${outcome.detail}`);
    }
    return outcome.reading;
  });
}

/** Readings of one panel `stepMs` apart from `start`, the counter rising by `kwhStep` each time. */
export function series(
  panelId: string,
  start: Date,
  count: number,
  options: { stepMs?: number; kwh0?: number; kwhStep?: number; kw?: number } = {},
): SeedReading[] {
  const { stepMs = 60_000, kwh0 = 100, kwhStep = 0.1, kw = 6 } = options;
  return Array.from({ length: count }, (_, k) => ({
    panelId,
    time: new Date(start.getTime() + k * stepMs),
    kwh: Number((kwh0 + k * kwhStep).toFixed(6)),
    kw,
  }));
}

/** Publishes one reading as its meter does (QoS 1, on its panel's topic); resolves on the PUBACK. */
export async function publishReading(client: MqttClient, reading: SeedReading): Promise<void> {
  await client.publishAsync(meterTopic(TOPIC_PREFIX, reading.panelId), readingPayload(reading), { qos: 1 });
}
