import { randomBytes } from 'node:crypto';
import { connectAsync } from 'mqtt';
import { expect } from 'vitest';
import { parseMeterTime } from '../../src/ingest/meter-time.js';
import { LocalTime } from '../../src/time/local-time.js';
import { MQTT_TEST_URL } from '../support/mqtt.js';

/** The shared Mosquitto of these machines, or another broker for CI. */
export const BROKER_URL = MQTT_TEST_URL;

/** Panel ids no other test or earlier run publishes to, so a shared broker cannot mix them up. */
export function testPanels(count: number): string[] {
  const run = randomBytes(4).toString('hex');
  return Array.from({ length: count }, (_, index) => `SIM_TEST_${run}_${index + 1}`);
}

export interface Received {
  readonly panelId: string;
  readonly qos: number;
  readonly payload: unknown;
}

export interface Collector {
  readonly messages: Received[];
  forPanel(panelId: string): Received[];
  close(): Promise<void>;
}

/** MQTT_TOPIC as the product's default: the simulators publish under its prefix. */
export const TOPIC = 'DATA/PM/#';

/** Subscribes (QoS 1) to the panels' topics `<prefix>/<panel>` with a real client; resolves once subscribed. */
export async function collect(panels: readonly string[], url = BROKER_URL, prefix = 'DATA/PM'): Promise<Collector> {
  const client = await connectAsync(url, { clientId: `sim-test-sub-${randomBytes(4).toString('hex')}`, reconnectPeriod: 0 });
  const messages: Received[] = [];
  client.on('message', (topic, buffer, packet) => {
    const text = buffer.toString('utf8');
    let payload: unknown = text;
    try {
      payload = JSON.parse(text);
    } catch {
      // Kept as text: expectMeterPayload then fails on it with the text in the message.
    }
    messages.push({ panelId: topic.slice(prefix.length + 1), qos: packet.qos, payload });
  });
  await client.subscribeAsync(panels.map((panel) => `${prefix}/${panel}`), { qos: 1 });
  return {
    messages,
    forPanel: (panelId) => messages.filter((message) => message.panelId === panelId),
    close: async () => {
      await client.endAsync(true);
    },
  };
}

export interface ParsedReading {
  readonly v: number[];
  readonly i: number[];
  readonly kw: number;
  readonly kva: number;
  readonly kwh: number;
  readonly pf: number;
  readonly vunbal: number;
  readonly iunbal: number;
  readonly time: string;
}

const DATA_KEYS = ['v', 'i', 'kw', 'kVA', 'kWh', 'pf', 'vunbal', 'iunbal', 'time'].sort();
const TWO_DECIMALS = /^\d+\.\d{2}$/;
export const METER_TIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;

/** Asserts the exact field set and types of the firmware's payload, and returns it as numbers. */
export function expectMeterPayload(payload: unknown): ParsedReading {
  expect(payload).toBeTypeOf('object');
  const root = payload as Record<string, unknown>;
  expect(Object.keys(root).sort()).toEqual(['data', 'status']);
  expect(root.status).toBe('OK');
  const data = root.data as Record<string, unknown>;
  expect(Object.keys(data).sort()).toEqual(DATA_KEYS);
  for (const key of ['v', 'i'] as const) {
    const values = data[key];
    expect(Array.isArray(values) && values.length === 4 && values.every((value) => typeof value === 'number')).toBe(true);
  }
  for (const key of ['kw', 'kVA', 'kWh'] as const) expect(data[key]).toMatch(TWO_DECIMALS);
  for (const key of ['pf', 'vunbal', 'iunbal'] as const) expect(data[key]).toBeTypeOf('number');
  expect(data.time).toMatch(METER_TIME);
  return {
    v: data.v as number[],
    i: data.i as number[],
    kw: Number(data.kw),
    kva: Number(data.kVA),
    kwh: Number(data.kWh),
    pf: data.pf as number,
    vunbal: data.vunbal as number,
    iunbal: data.iunbal as number,
    time: data.time as string,
  };
}

/** The instant a meter's local `YYYY-MM-DD HH:mm:ss` stands for in `zone`, read as the ingester reads it. */
export function meterInstant(time: string, zone: string): Date {
  const parsed = parseMeterTime(time);
  if (parsed?.kind !== 'local') throw new Error(`"${time}" is not a meter's local time`);
  return new Date(new LocalTime(zone).instantOf(parsed));
}

export { captureLogger } from '../support/test-app.js';
export { disposer } from '../support/disposer.js';
