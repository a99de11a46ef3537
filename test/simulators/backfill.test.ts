import { afterEach, describe, expect, it, vi } from 'vitest';
import { silentLogger } from '../../src/config/logger.js';
import { backfill, backfillTimes } from '../../src/simulators/backfill.js';
import { createMeterModel } from '../../src/simulators/meter-model.js';
import { toMeterPayload } from '../../src/simulators/meter-payload.js';
import { startSimulator } from '../../src/simulators/simulator.js';
import { LocalTime } from '../../src/time/local-time.js';
import { BROKER_URL, collect, disposer, expectMeterPayload, meterInstant, testPanels, TOPIC, type ParsedReading } from './support.js';

const ZONE = 'Asia/Jakarta';
const MINUTE = 60_000;
const DAY = 86_400_000;
const cleanup = disposer();
afterEach(() => cleanup.run());

/** The plausibility rule of docs/counting-rule.md for a counter step, with its default thresholds. */
function plausibleStep(a: ParsedReading, b: ParsedReading, hours: number): boolean {
  const rise = b.kwh - a.kwh;
  return rise >= 0 && rise <= Math.max(a.kw, b.kw, 1) * 10 * hours;
}

describe('backfillTimes', () => {
  it('puts readings on the step grid within [from, to)', () => {
    const from = new Date('2026-07-01T00:00:30Z');
    expect(backfillTimes(from, new Date(from.getTime() + 2 * DAY), MINUTE)).toEqual({
      first: Date.parse('2026-07-01T00:01:00Z'),
      count: 2 * 24 * 60,
    });
    expect(backfillTimes(new Date('2026-07-01T00:00:00Z'), new Date('2026-07-01T00:03:00Z'), MINUTE).count).toBe(3);
  });
});

describe('backfill', () => {
  it('publishes 2 days of 3 panels, oldest first, and the live simulator continues the counters', async () => {
    const panels = testPanels(3);
    const received = await collect(panels);
    cleanup.add(() => received.close());
    const to = new Date(Math.floor(Date.now() / 1000) * 1000);
    const progress: number[] = [];

    const result = await backfill({
      url: BROKER_URL,
      topic: TOPIC,
      panels,
      days: 2,
      to,
      timezone: ZONE,
      onProgress: ({ published, total }) => {
        expect(total).toBe(3 * 2 * 24 * 60);
        progress.push(published);
      },
    });
    const expected = 3 * 2 * 24 * 60;
    expect(result).toMatchObject({ published: expected, total: expected, aborted: false, to });
    expect(result.from.getTime()).toBe(to.getTime() - 2 * DAY);
    expect(progress.at(-1)).toBe(expected);
    await vi.waitFor(() => expect(received.messages).toHaveLength(expected), { timeout: 15_000 });

    const { first, count } = backfillTimes(result.from, to, MINUTE);
    const history = new Map<string, ParsedReading[]>();
    for (const panel of panels) {
      const readings = received.forPanel(panel).map((message) => {
        expect(message.qos).toBe(1);
        return expectMeterPayload(message.payload);
      });
      history.set(panel, readings);
      // Arrival order is time order, every grid minute exactly once.
      const times = readings.map((reading) => meterInstant(reading.time, ZONE).getTime());
      expect(times).toEqual(Array.from({ length: count }, (_, index) => first + index * MINUTE));
      for (let index = 1; index < readings.length; index++) {
        expect(readings[index]!.kwh).toBeGreaterThanOrEqual(readings[index - 1]!.kwh);
      }
      // One day of counter increase against the integral of the reported kW.
      const day = readings.slice(0, 24 * 60 + 1);
      let integralKwh = 0;
      for (let index = 1; index < day.length; index++) integralKwh += (day[index - 1]!.kw + day[index]!.kw) / 2 / 60;
      const counted = day.at(-1)!.kwh - day[0]!.kwh;
      expect(Math.abs(counted - integralKwh) / counted).toBeLessThan(0.03);
    }

    // The live simulator starts where the history ends, on the same counters.
    const simulator = await startSimulator({ url: BROKER_URL, topic: TOPIC, panels, intervalMs: 1_000, timezone: ZONE, logger: silentLogger, count: 1 });
    cleanup.add(() => simulator.stop());
    await simulator.done;
    await vi.waitFor(() => expect(received.messages).toHaveLength(expected + 3));
    for (const panel of panels) {
      const last = history.get(panel)!.at(-1)!;
      const live = expectMeterPayload(received.forPanel(panel).at(-1)!.payload);
      const liveAt = meterInstant(live.time, ZONE);
      const hours = (liveAt.getTime() - meterInstant(last.time, ZONE).getTime()) / 3_600_000;
      expect(hours).toBeGreaterThan(0);
      expect(plausibleStep(last, live, hours)).toBe(true);
      // And exactly what the model says: the counter is a function of time, not of who publishes.
      const model = createMeterModel({ panelId: panel, timezone: ZONE });
      expect(live.kwh).toBe(Number(toMeterPayload(model.next(liveAt), new LocalTime(ZONE)).data.kWh));
    }
  }, 60_000); // 8,640 readings at the default 2,000 per second, on a machine that may be busy

  it('accepts from/to and a coarser step', async () => {
    const panels = testPanels(2);
    const received = await collect(panels);
    cleanup.add(() => received.close());
    const from = new Date('2026-03-01T00:00:00+07:00');
    const to = new Date('2026-03-01T06:00:00+07:00');

    const result = await backfill({ url: BROKER_URL, topic: TOPIC, panels, from, to, stepMs: 15 * MINUTE, timezone: ZONE, concurrency: 5 });
    expect(result.published).toBe(2 * 24);
    await vi.waitFor(() => expect(received.messages).toHaveLength(2 * 24));
    const times = received.forPanel(panels[0]!).map((message) => expectMeterPayload(message.payload).time);
    expect(times[0]).toBe('2026-03-01 00:00:00');
    expect(times.at(-1)).toBe('2026-03-01 05:45:00');
  });

  it('keeps the total it announced; reaching the current time is counted apart', async () => {
    const panels = testPanels(1);
    const received = await collect(panels);
    cleanup.add(() => received.close());
    const totals = new Set<number>();
    // Five one-second readings at two a second: "now" moves on while they go out.
    const result = await backfill({
      url: BROKER_URL,
      topic: TOPIC,
      panels,
      days: 5 / 86_400,
      stepMs: 1_000,
      ratePerSecond: 2,
      timezone: ZONE,
      onProgress: ({ total }) => totals.add(total),
    });
    expect([...totals]).toEqual([5]);
    expect(result).toMatchObject({ published: 5, total: 5, aborted: false });
    expect(result.caughtUp).toBeGreaterThanOrEqual(1);
    await vi.waitFor(() => expect(received.messages).toHaveLength(5 + result.caughtUp));
    // One reading a second, without a gap, up to where the history now ends.
    const times = received.messages.map((message) => meterInstant(expectMeterPayload(message.payload).time, ZONE).getTime());
    expect(times).toEqual(Array.from({ length: times.length }, (_, index) => times[0]! + index * 1_000));
    expect(times.at(-1)).toBe(result.to.getTime() - 1_000);
  });

  it('stops early when aborted and says so', async () => {
    const panels = testPanels(1);
    const controller = new AbortController();
    const result = await backfill({
      url: BROKER_URL,
      topic: TOPIC,
      panels,
      days: 30,
      timezone: ZONE,
      signal: controller.signal,
      onProgress: ({ published }) => {
        if (published === 500) controller.abort();
      },
    });
    expect(result.aborted).toBe(true);
    expect(result.published).toBeGreaterThanOrEqual(500);
    expect(result.published).toBeLessThan(result.total);
  });

  it('rejects an impossible range or step', async () => {
    const base = { url: BROKER_URL, topic: TOPIC, panels: testPanels(1), timezone: ZONE };
    await expect(backfill(base)).rejects.toThrow(/days/);
    await expect(backfill({ ...base, days: 1, stepMs: 10 })).rejects.toThrow(/stepMs/);
    await expect(backfill({ ...base, from: new Date('2026-01-02'), to: new Date('2026-01-01') })).rejects.toThrow(/before/);
  });
});
