import { afterEach, describe, expect, it } from 'vitest';
import { RejectionStats } from '../../src/ingest/rejection-stats.js';
import { alarmId } from '../../src/models/alarm.js';
import { LocalTime } from '../../src/time/local-time.js';
import { disposer, tempDir } from '../support/disposer.js';
import { makeReading } from '../support/readings.js';
import { MINUTE, minutes, openRig, PANEL, summary, T0, volts, type AlarmRig } from './support.js';

const cleanup = disposer();
afterEach(() => cleanup.run());

/** A deterministic shuffle (the same every run). */
function shuffled<T>(items: readonly T[], seed: number): T[] {
  const copy = [...items];
  let state = seed;
  for (let i = copy.length - 1; i > 0; i--) {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    const j = state % (i + 1);
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
}

describe('VOLTAGE_OUT_OF_RANGE (198-231 V for 5 min; clears inside 200-229 V for 5 min)', () => {
  it('raises after the pending period, at the meter time the condition began, and clears after its own period inside the margin', async () => {
    const rig = await openRig(cleanup, tempDir(cleanup));
    // 10 min normal, 4 min at 235 V (not long enough), 2 normal, 8 min at 236 V, then 230 V (inside the band, outside the margin) and 225 V.
    const v = (i: number) => (i < 10 ? 225 : i < 14 ? 235 : i < 16 ? 225 : i < 24 ? 236 : i < 34 ? 230 : 225);
    rig.feed(minutes(T0, 50, (i) => volts(v(i))));
    const alarms = rig.service.list(null);
    expect(alarms).toHaveLength(1);
    const [alarm] = alarms;
    expect(alarm).toMatchObject({ type: 'VOLTAGE_OUT_OF_RANGE', severity: 'MAJOR', panelId: PANEL, value: 236, threshold: 231, state: 'CLEARED_UNACK' });
    expect(alarm!.startedAt).toEqual(new Date(T0 + 16 * MINUTE));
    expect(alarm!.id).toBe(alarmId(PANEL, 'VOLTAGE_OUT_OF_RANGE', new Date(T0 + 16 * MINUTE)));
    // 230 V is inside 198-231 but not within the 2 V margin: it clears 5 min after 225 V began (minute 34).
    expect(alarm!.clearedAt).toEqual(new Date(T0 + 39 * MINUTE));
    expect(rig.transitions.map((t) => t.kind)).toEqual(['RAISED', 'CLEARED']);
  });

  it('raises on a low phase too, naming it', async () => {
    const rig = await openRig(cleanup, tempDir(cleanup));
    rig.feed(minutes(T0, 8, () => ({ voltage: { l1: 226, l2: 190, l3: 227, average: 214 } })));
    const [alarm] = rig.service.list(null);
    expect(alarm).toMatchObject({ type: 'VOLTAGE_OUT_OF_RANGE', value: 190, threshold: 198, state: 'ACTIVE_UNACK' });
    expect(alarm!.message).toContain('L2 190.0 V below 198 V');
  });

  it('a value hovering at the threshold for an hour raises one alarm', async () => {
    const rig = await openRig(cleanup, tempDir(cleanup));
    // 231.5 and 230.5 V alternating every 3 min for an hour (above, then inside the band but never 5 min under 229 V).
    rig.feed(minutes(T0, 60, (i) => volts(Math.floor(i / 3) % 2 === 0 ? 231.5 : 230.5)));
    // Above for 3 min at a time: never 5 min: nothing yet. Now it stays above for 6 min, then hovers again.
    rig.feed(minutes(T0 + 60 * MINUTE, 6, () => volts(231.6)));
    rig.feed(minutes(T0 + 66 * MINUTE, 60, (i) => volts(i % 2 === 0 ? 231.4 : 229.5)));
    expect(rig.service.list(null)).toHaveLength(1);
    expect(rig.transitions.filter((t) => t.kind === 'RAISED')).toHaveLength(1);
    expect(rig.service.list(null)[0]!.state).toBe('ACTIVE_UNACK');
  });

  it('the same readings give the same alarms in any arrival order', async () => {
    const v = (i: number) => (i >= 10 && i < 25 ? 240 : i >= 40 && i < 52 ? 190 : 225);
    const readings = minutes(T0, 70, (i) => volts(v(i)));
    const inOrder = await openRig(cleanup, tempDir(cleanup));
    inOrder.feed(readings);
    const shuffledRig = await openRig(cleanup, tempDir(cleanup));
    // Out of order within a few minutes, as several processes or a gateway's backlog deliver them.
    const jittered = [...readings].sort((a, b) => a.time.getTime() + ((a.time.getTime() / MINUTE) % 5) * 97_000 - (b.time.getTime() + ((b.time.getTime() / MINUTE) % 5) * 97_000));
    shuffledRig.feed(jittered);
    const reversedRig = await openRig(cleanup, tempDir(cleanup));
    // Whole blocks arriving late: the second half first.
    reversedRig.feed([...readings.slice(35), ...readings.slice(0, 35)]);
    expect(summary(inOrder.service)).toHaveLength(2);
    expect(summary(shuffledRig.service)).toEqual(summary(inOrder.service));
    expect(summary(reversedRig.service)).toEqual(summary(inOrder.service));
    // Any order at all: alarms a late reading no longer supports are withdrawn, the readings' own raised.
    for (const seed of [7, 11, 23]) {
      const randomRig = await openRig(cleanup, tempDir(cleanup));
      randomRig.feed(shuffled(readings, seed));
      expect(summary(randomRig.service)).toEqual(summary(inOrder.service));
    }
  });

  it("an alarm's worst value is the same for the same readings in any order, and after a restart", async () => {
    // Above the band for 30 min, then below it for 25, each reading a different distance past the threshold.
    const v = (i: number) => (i >= 10 && i < 40 ? 232 + ((i * 7919) % 23) : i >= 50 && i < 75 ? 197 - ((i * 104_729) % 13) : 225);
    const readings = minutes(T0, 100, (i) => volts(v(i)));
    const inOrder = await openRig(cleanup, tempDir(cleanup));
    inOrder.feed(readings);
    expect(summary(inOrder.service).map((a) => a.worstValue).sort()).toEqual([185, 254]);
    for (const seed of [1, 2, 3, 13, 14]) {
      const dir = tempDir(cleanup);
      const rig = await openRig(cleanup, dir);
      rig.feed(shuffled(readings, seed));
      expect(summary(rig.service)).toEqual(summary(inOrder.service));
      await rig.close();
      // Read back from the alarm log: worsenings fold to the same worst whatever order they were written in.
      expect(summary((await openRig(cleanup, dir)).service)).toEqual(summary(inOrder.service));
    }
  });

  it('a late reading inside the band breaks a pending period that looked complete', async () => {
    const readings = minutes(T0, 12, (i) => volts(i === 3 ? 225 : 236));
    const rig = await openRig(cleanup, tempDir(cleanup));
    // Minute 3 arrives last: without it 0-11 looks like 12 min above; with it the run starts at minute 4.
    rig.feed([...readings.slice(0, 3), ...readings.slice(4), readings[3]!]);
    const inOrder = await openRig(cleanup, tempDir(cleanup));
    inOrder.feed(readings);
    expect(summary(inOrder.service)).toHaveLength(1);
    expect(summary(inOrder.service)[0]!.startedAt).toBe(new Date(T0 + 4 * MINUTE).toISOString());
    // The alarm raised early (from minute 0) is withdrawn, and the readings' own (from minute 4) raised.
    expect(summary(rig.service)).toEqual(summary(inOrder.service));
    expect(rig.transitions.map((t) => t.kind)).toEqual(['RAISED', 'WITHDRAWN', 'RAISED']);
  });

  it('a restart in the middle of a duration continues from the stored readings', async () => {
    const dir = tempDir(cleanup);
    const readings = minutes(T0, 12, (i) => volts(i >= 2 ? 236 : 225));
    const first = await openRig(cleanup, dir);
    first.feed(readings.slice(0, 5)); // 236 V from minute 2 to 4: 2 min of 5
    expect(first.service.list(null)).toHaveLength(0);
    await first.close();
    const second = await openRig(cleanup, dir);
    second.feed(readings.slice(5));
    const [alarm] = second.service.list(null);
    expect(alarm).toMatchObject({ type: 'VOLTAGE_OUT_OF_RANGE', state: 'ACTIVE_UNACK' });
    expect(alarm!.startedAt).toEqual(new Date(T0 + 2 * MINUTE));
    expect(second.transitions.filter((t) => t.kind === 'RAISED').map((t) => t.at)).toEqual([new Date(T0 + 2 * MINUTE)]);
  });

  it('a restart neither loses nor duplicates alarms, open or cleared', async () => {
    const dir = tempDir(cleanup);
    const first = await openRig(cleanup, dir);
    first.feed(minutes(T0, 30, (i) => volts(i < 10 ? 236 : i < 20 ? 225 : 240)));
    const before = summary(first.service);
    expect(before.map((a) => a.state)).toEqual(expect.arrayContaining(['CLEARED_UNACK', 'ACTIVE_UNACK']));
    await first.close();
    const second = await openRig(cleanup, dir);
    expect(summary(second.service)).toEqual(before);
    // Nothing is announced again at the restart.
    expect(second.transitions).toEqual([]);
    // The open one keeps going (one open alarm per panel and type), and clears with new readings.
    second.feed(minutes(T0 + 30 * MINUTE, 10, () => volts(225)));
    expect(summary(second.service)).toHaveLength(2);
    expect(second.transitions.map((t) => t.kind)).toEqual(['CLEARED']);
  });
});

describe('VOLTAGE_UNBALANCE (above 2 % for 10 min; below 1.5 % for 10 min)', () => {
  it('raises and clears with its durations and hysteresis, keeping the worst value', async () => {
    const rig = await openRig(cleanup, tempDir(cleanup));
    const u = (i: number) => (i < 5 ? 0.5 : i < 16 ? (i === 10 ? 3.1 : 2.4) : i < 30 ? 1.8 : 1.2);
    rig.feed(minutes(T0, 45, (i) => ({ voltageUnbalance: u(i) })));
    const [alarm] = rig.service.list(null);
    expect(alarm).toMatchObject({ type: 'VOLTAGE_UNBALANCE', severity: 'MINOR', value: 2.4, worstValue: 3.1, threshold: 2 });
    expect(alarm!.startedAt).toEqual(new Date(T0 + 5 * MINUTE));
    // 1.8 % is under 2 but not under 1.5: it clears 10 min after 1.2 % began (minute 30).
    expect(alarm!.clearedAt).toEqual(new Date(T0 + 40 * MINUTE));
  });
});

describe('LOW_POWER_FACTOR (15-min power factor below 0.85; above 0.87 for 15 min)', () => {
  it('uses the energy counters where the meter has a reactive one', async () => {
    const rig = await openRig(cleanup, tempDir(cleanup));
    // 0.1 kWh a minute; kVArh rising 0.08 a minute gives pf 0.78 (the readings say 0.92: the counters win).
    const base = Date.parse('2026-03-02T01:00:00Z');
    const low = Array.from({ length: 46 }, (_, i) => makeReading(PANEL, new Date(base + i * MINUTE), 100 + i * 0.1, 6, { reactiveEnergyKvarh: 50 + i * 0.08 }));
    rig.feed(low);
    const [alarm] = rig.service.list(null);
    expect(alarm).toMatchObject({ type: 'LOW_POWER_FACTOR', severity: 'WARNING', state: 'ACTIVE_UNACK', threshold: 0.85 });
    expect(alarm!.value).toBeCloseTo(0.1 / Math.hypot(0.1, 0.08), 3);
    // Then 0.02 kVArh a minute (pf 0.98): one whole good window clears it, at its end.
    const good = Array.from({ length: 40 }, (_, i) => makeReading(PANEL, new Date(base + (46 + i) * MINUTE), 100 + (46 + i) * 0.1, 6, { reactiveEnergyKvarh: 50 + 45 * 0.08 + (i + 1) * 0.02 }));
    rig.feed(good);
    expect(rig.service.list(null)[0]!.state).toBe('CLEARED_UNACK');
  });
  it("uses the readings' power factor where the meter has no reactive counter", async () => {
    const rig = await openRig(cleanup, tempDir(cleanup));
    // No kVArh counter: the 15-minute average of the readings' power factor, 0.80 for 31 minutes, then 0.95.
    rig.feed(minutes(T0, 31, () => ({ powerFactor: 0.8 })));
    const [alarm] = rig.service.list(null);
    expect(alarm).toMatchObject({ type: 'LOW_POWER_FACTOR', severity: 'WARNING', state: 'ACTIVE_UNACK', threshold: 0.85 });
    expect(alarm!.value).toBeCloseTo(0.8, 6);
    rig.feed(minutes(T0 + 31 * MINUTE, 40, () => ({ powerFactor: 0.95 })));
    expect(rig.service.list(null)).toMatchObject([{ id: alarm!.id, state: 'CLEARED_UNACK' }]);
  });
});

describe('DEMAND_HIGH (15-min average kW above the limit; below 85 % of it for 15 min)', () => {
  it('is off for a panel until a limit is set, then raises on the window average from the counter', async () => {
    const rig = await openRig(cleanup, tempDir(cleanup));
    // 0.2 kWh a minute = 12 kW average, whatever the instantaneous kW says.
    const readings = (from: number, count: number, step: number, kwh0: number) =>
      Array.from({ length: count }, (_, i) => makeReading(PANEL, new Date(from + i * MINUTE), kwh0 + i * step, 6));
    rig.feed(readings(T0, 31, 0.2, 100));
    expect(rig.service.list(null)).toHaveLength(0);
    await rig.settings.record('test', { kind: 'alarm.rule', type: 'DEMAND_HIGH', panelId: PANEL, raiseAbove: 10, clearBelow: 8.5 });
    rig.feed(readings(T0 + 31 * MINUTE, 30, 0.2, 106.2));
    const [alarm] = rig.service.list(null);
    expect(alarm).toMatchObject({ type: 'DEMAND_HIGH', threshold: 10, ruleVersion: 1 });
    expect(alarm!.value).toBeCloseTo(12, 6);
    // 0.1 kWh a minute = 6 kW, below 8.5: one whole window clears it.
    rig.feed(readings(T0 + 61 * MINUTE, 35, 0.1, 106.2 + 29 * 0.2 + 0.1));
    expect(rig.service.list(null)[0]!.state).toBe('CLEARED_UNACK');
  });
});

describe("DEMAND_HIGH of the building (the sum of the panels' 15-min averages: the coincident peak)", () => {
  it('raises when the panels together exceed the limit though each is below it', async () => {
    const rig = await openRig(cleanup, tempDir(cleanup), { buildingPanels: [PANEL, 'PANEL_B'] });
    await rig.settings.record('admin', { kind: 'alarm.rule', type: 'DEMAND_HIGH', panelId: null, raiseAbove: 10, clearBelow: 8.5 });
    // Each panel 6 kW on average (0.1 kWh a minute), interleaved as they arrive.
    const a = minutes(T0, 50);
    const b = minutes(T0, 50, () => ({}), 'PANEL_B');
    rig.feed(a.flatMap((reading, i) => [reading, b[i]!]));
    const [alarm] = rig.service.list(null);
    expect(alarm).toMatchObject({ type: 'DEMAND_HIGH', panelId: null, severity: 'MAJOR', threshold: 10 });
    expect(alarm!.value).toBeCloseTo(12, 6);
  });
});

describe("DEMAND_HIGH of the building by default (90 % of the tariff's connected kVA; below 85 % clears)", () => {
  it('takes the limit in force on the meter day of the window, not on the clock', async () => {
    const time = new LocalTime('Asia/Jakarta');
    const day = time.dayNumber(T0);
    // 12 kVA on the readings' day (limit 10.8 kW, cleared below 10.2 kW); 100 kVA from the next day, which the clock is already in.
    const rig = await openRig(cleanup, tempDir(cleanup), { buildingPanels: [PANEL, 'PANEL_B'], connectedKva: (d) => (d <= day ? 12 : 100), now: () => T0 + 3 * 86_400_000 });
    // Each panel 6 kW on average (0.1 kWh a minute): 12 kW together for 50 minutes, then 4 kW together for 40.
    const busy = (id: string) => [...minutes(T0, 50, () => ({}), id), ...Array.from({ length: 40 }, (_, i) => makeReading(id, new Date(T0 + (50 + i) * MINUTE), 104.9 + (i + 1) * (1 / 30), 2))];
    const a = busy(PANEL);
    const b = busy('PANEL_B');
    rig.feed(a.flatMap((reading, i) => [reading, b[i]!]));
    const [alarm] = rig.service.list(null).filter((x) => x.type === 'DEMAND_HIGH');
    expect(alarm).toMatchObject({ panelId: null, severity: 'MAJOR', threshold: 10.8, state: 'CLEARED_UNACK' });
    expect(alarm!.value).toBeCloseTo(12, 6);
  });
});

describe("the building's notifications: one process of a cluster owns each", () => {
  it('three processes, each hearing its own readings first, agree that exactly one owns each building transition', async () => {
    const panels = [PANEL, 'PANEL_B', 'PANEL_C'];
    const readings = panels.map((id) => minutes(T0, 80, (i) => ({ activePowerKw: i < 35 ? 6 : 0 }), id));
    // Above 10 kW together for the first windows, then far below (the counters rise 0.1 kWh a minute until minute 35, then stay).
    for (const list of readings) for (const [i, reading] of list.entries()) if (i >= 35) Object.assign(reading, { energyKwh: list[34]!.energyKwh });
    // Reading i of panel k was ingested by process (i + k) % 3; each process hears its own at once and the others' a little later.
    const owner = (i: number, k: number) => (i + k) % 3;
    const rigs: AlarmRig[] = [];
    for (let p = 0; p < 3; p++) {
      const rig = await openRig(cleanup, tempDir(cleanup), { buildingPanels: panels });
      await rig.settings.record('admin', { kind: 'alarm.rule', type: 'DEMAND_HIGH', panelId: null, raiseAbove: 10, clearBelow: 8.5 });
      for (let i = 0; i < 80; i++) {
        for (const [k, list] of readings.entries()) if (owner(i, k) === p) rig.feed([list[i]!], true);
        for (const [k, list] of readings.entries()) if (owner(i, k) !== p) rig.feed([list[i]!], false);
      }
      rigs.push(rig);
    }
    const building = (rig: AlarmRig) => rig.transitions.filter((t) => t.alarm.panelId === null && (t.kind === 'RAISED' || t.kind === 'CLEARED'));
    // Every process decides the same raise and clear, with the same ids...
    expect(building(rigs[0]!).map((t) => `${t.kind} ${t.id}`)).toHaveLength(2);
    for (const rig of rigs) expect(building(rig).map((t) => `${t.kind} ${t.id}`)).toEqual(building(rigs[0]!).map((t) => `${t.kind} ${t.id}`));
    // ...and exactly one of them owns (notifies) each: the one that ingested the reading completing the window of the smallest panel id.
    for (const kind of ['RAISED', 'CLEARED']) {
      expect(rigs.map((rig) => building(rig).filter((t) => t.kind === kind && t.local).length).reduce((a, b) => a + b)).toBe(1);
    }
  });
});

describe('METER_DATA (a counter reset or glitch held back by the counting rule; 15 min without it)', () => {
  it('raises on a glitch and clears 15 min after the last', async () => {
    const rig = await openRig(cleanup, tempDir(cleanup));
    // The gateway reports 0 twice while it loses the meter, then the true count again.
    rig.feed(minutes(T0, 40, (i) => (i === 10 || i === 11 ? { energyKwh: 0 } : {})));
    const [alarm] = rig.service.list(null);
    expect(alarm).toMatchObject({ type: 'METER_DATA', severity: 'MINOR', state: 'CLEARED_UNACK' });
    expect(alarm!.startedAt).toEqual(new Date(T0 + 10 * MINUTE));
    expect(alarm!.clearedAt).toEqual(new Date(T0 + 27 * MINUTE));
    expect(alarm!.message).toContain('held back by the counting rule');
  });

  it('raises on a meter reset (the counter starts again from zero) and clears 15 min after', async () => {
    const rig = await openRig(cleanup, tempDir(cleanup));
    // 100 kWh and rising, then from minute 10 a new count from 0 that goes on rising (a replaced meter).
    rig.feed(minutes(T0, 40, (i) => (i >= 10 ? { energyKwh: Number(((i - 10) * 0.1).toFixed(1)) } : {})));
    const [alarm] = rig.service.list(null);
    expect(alarm).toMatchObject({ type: 'METER_DATA', severity: 'MINOR', state: 'CLEARED_UNACK' });
    expect(alarm!.startedAt).toEqual(new Date(T0 + 10 * MINUTE));
    // The new level is held back until it confirms (docs/counting-rule.md): minutes 10-12; cleared 15 min after the last.
    expect(alarm!.clearedAt).toEqual(new Date(T0 + 27 * MINUTE));
    expect(rig.service.list(null)).toHaveLength(1);
  });
});

describe('METER_DATA from arrivals (more than 5 refused readings in 15 min, or a meter clock ahead by over MAX_CLOCK_SKEW/2)', () => {
  it('raises on the sixth refusal within 15 minutes and clears after 15 minutes without', async () => {
    const rejections = new RejectionStats();
    const rig = await openRig(cleanup, tempDir(cleanup), { rejections });
    const refuse = (n: number, at: number) => {
      for (let i = 0; i < n; i++) rejections.record({ panelId: PANEL, reason: 'invalid_payload', detail: 'kWh: not a number', topic: `DATA/PM/${PANEL}`, at: new Date(at) });
    };
    refuse(3, T0);
    rig.service.checkArrivals(T0);
    // 20 min later 3 more: 3 in this window, not 6.
    refuse(3, T0 + 20 * MINUTE);
    rig.service.checkArrivals(T0 + 20 * MINUTE);
    expect(rig.service.list(null)).toHaveLength(0);
    refuse(3, T0 + 25 * MINUTE);
    rig.service.checkArrivals(T0 + 25 * MINUTE);
    const [alarm] = rig.service.list(null);
    expect(alarm).toMatchObject({ type: 'METER_DATA', panelId: PANEL, state: 'ACTIVE_UNACK', value: 6, threshold: 5 });
    expect(alarm!.message).toContain('6 readings refused in 15 min');
    rig.service.checkArrivals(T0 + 36 * MINUTE);
    expect(rig.service.list(null)[0]!.state).toBe('ACTIVE_UNACK');
    rig.service.checkArrivals(T0 + 41 * MINUTE);
    expect(rig.service.list(null)[0]).toMatchObject({ state: 'CLEARED_UNACK', clearedAt: new Date(T0 + 41 * MINUTE) });
  });

  it('with several processes, refusals count per process: the one refusing more than the limit raises and notifies it alone; shares below it raise nothing', async () => {
    // What docs/alarms.md guarantees: a refused payload is seen only by the process that received it.
    const stats = [new RejectionStats(), new RejectionStats(), new RejectionStats()];
    const rigs = await Promise.all(stats.map((rejections) => openRig(cleanup, tempDir(cleanup), { rejections })));
    const refuse = (rejections: RejectionStats, n: number) => {
      for (let i = 0; i < n; i++) rejections.record({ panelId: PANEL, reason: 'invalid_payload', detail: 'kWh: not a number', topic: `DATA/PM/${PANEL}`, at: new Date(T0) });
    };
    // Nine refusals in 15 minutes, shared 3/3/3 by the broker: no process has more than 5.
    for (const rejections of stats) refuse(rejections, 3);
    for (const rig of rigs) rig.service.checkArrivals(T0);
    expect(rigs.map((rig) => rig.service.list(null).length)).toEqual([0, 0, 0]);
    // Three more reach the first: 6 there. It raises and owns the notification; the others decide nothing.
    refuse(stats[0]!, 3);
    for (const rig of rigs) rig.service.checkArrivals(T0 + MINUTE);
    expect(rigs.map((rig) => rig.transitions.filter((t) => t.kind === 'RAISED' && t.local).length)).toEqual([1, 0, 0]);
    expect(rigs.map((rig) => rig.service.list(null).length)).toEqual([1, 0, 0]);
  });

  it('raises on a meter clock ahead by more than half of MAX_CLOCK_SKEW', async () => {
    let now = T0;
    const rig = await openRig(cleanup, tempDir(cleanup), { now: () => now, maxClockSkewMs: 5 * MINUTE });
    rig.feed([makeReading(PANEL, new Date(T0 + MINUTE), 100)]);
    expect(rig.service.list(null)).toHaveLength(0);
    rig.feed([makeReading(PANEL, new Date(T0 + 4 * MINUTE), 100.1)]);
    expect(rig.service.list(null)[0]).toMatchObject({ type: 'METER_DATA', state: 'ACTIVE_UNACK' });
    expect(rig.service.list(null)[0]!.message).toContain('meter clock 240 s ahead');
    now = T0 + 20 * MINUTE;
    rig.service.checkArrivals(now);
    expect(rig.service.list(null)[0]!.state).toBe('CLEARED_UNACK');
  });
});

describe('PANEL_OFFLINE (follows the status monitor)', () => {
  it('raises at the instant the status turned OFFLINE and clears when ONLINE again; one open alarm at a time', async () => {
    const rig = await openRig(cleanup, tempDir(cleanup));
    const at = new Date(T0);
    rig.service.applyStatus({ panelId: PANEL, status: 'OFFLINE', at });
    rig.service.applyStatus({ panelId: PANEL, status: 'OFFLINE', at: new Date(T0 + MINUTE) });
    expect(rig.service.list(null)).toHaveLength(1);
    rig.service.applyStatus({ panelId: PANEL, status: 'ONLINE', at: new Date(T0 + 10 * MINUTE) });
    expect(rig.service.list(null)[0]).toMatchObject({ type: 'PANEL_OFFLINE', severity: 'MAJOR', state: 'CLEARED_UNACK', startedAt: at, clearedAt: new Date(T0 + 10 * MINUTE) });
    // Raised again later: a new alarm, not blocked by the old one.
    rig.service.applyStatus({ panelId: PANEL, status: 'OFFLINE', at: new Date(T0 + 20 * MINUTE) });
    expect(rig.service.list(null).map((a) => a.state)).toEqual(['ACTIVE_UNACK', 'CLEARED_UNACK']);
  });

  it('clears when readings a gateway held back arrive after the deadline with meter times before it (ONLINE earlier than the OFFLINE)', async () => {
    const rig = await openRig(cleanup, tempDir(cleanup));
    // Silent since T0: OFFLINE at T0 + 5 min. Then the gateway delivers the reading it kept, of T0 + 1 min.
    rig.service.applyStatus({ panelId: PANEL, status: 'OFFLINE', at: new Date(T0 + 5 * MINUTE) });
    rig.service.applyStatus({ panelId: PANEL, status: 'ONLINE', at: new Date(T0 + MINUTE) });
    expect(rig.service.list(null)).toMatchObject([{ type: 'PANEL_OFFLINE', state: 'CLEARED_UNACK', startedAt: new Date(T0 + 5 * MINUTE), clearedAt: new Date(T0 + 5 * MINUTE) }]);
    expect(rig.service.counts(null).open).toBe(0);
    // The next silence raises a new alarm.
    rig.service.applyStatus({ panelId: PANEL, status: 'OFFLINE', at: new Date(T0 + 20 * MINUTE) });
    expect(rig.service.list(null).map((a) => a.state)).toEqual(['ACTIVE_UNACK', 'CLEARED_UNACK']);
  });
});

describe('BUDGET (projected over: WARNING; over: MAJOR; a new month or a raised budget clears it)', () => {
  it('escalates and clears with a raised budget', async () => {
    let used = 0;
    const rig = await openRig(cleanup, tempDir(cleanup), { monthToDate: () => ({ kwh: used, rupiah: used * 1500 }), now: () => T0 });
    await rig.settings.record('admin', { kind: 'alarm.budget', panelId: null, kwh: 1000, rupiah: null });
    // 2 March 08:00 WIB: a day and 8 hours of 31 days; 100 kWh so far projects to ~2,300 kWh.
    used = 100;
    rig.feed(minutes(T0, 31));
    const [alarm] = rig.service.list(null);
    expect(alarm).toMatchObject({ type: 'BUDGET', panelId: null, severity: 'WARNING', state: 'ACTIVE_UNACK', threshold: 100 });
    used = 1200;
    rig.feed(minutes(T0 + 31 * MINUTE, 16));
    expect(rig.service.list(null)[0]).toMatchObject({ severity: 'MAJOR', state: 'ACTIVE_UNACK' });
    await rig.settings.record('admin', { kind: 'alarm.budget', panelId: null, kwh: 1_000_000, rupiah: null });
    expect(rig.service.list(null)[0]).toMatchObject({ state: 'CLEARED_UNACK' });
  });

  it("a new month clears it, at the month's start on the site's calendar", async () => {
    // The month so far as the ledger gives it for the month judged: 1,200 kWh in March, none yet in April.
    const monthToDate = (_ids: readonly string[], _year?: number, month?: number) => (month === 3 ? { kwh: 1200, rupiah: 1200 * 1500 } : { kwh: 0, rupiah: 0 });
    const rig = await openRig(cleanup, tempDir(cleanup), { monthToDate, now: () => T0 });
    await rig.settings.record('admin', { kind: 'alarm.budget', panelId: null, kwh: 1000, rupiah: null });
    rig.feed(minutes(T0, 31));
    expect(rig.service.list(null)[0]).toMatchObject({ type: 'BUDGET', severity: 'MAJOR', state: 'ACTIVE_UNACK' });
    // 1 April 00:00 WIB is 31 March 17:00 UTC.
    const april = Date.parse('2026-03-31T17:00:00Z');
    rig.feed(minutes(april - 20 * MINUTE, 51));
    const budgetAlarms = rig.service.list(null).filter((a) => a.type === 'BUDGET');
    expect(budgetAlarms).toHaveLength(1);
    expect(budgetAlarms[0]).toMatchObject({ state: 'CLEARED_UNACK', clearedAt: new Date(april) });
  });
});
