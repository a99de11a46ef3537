import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Reading } from '../../src/models/reading.js';
import type { EnergyService } from '../../src/services/energy/energy-service.js';
import type { Metrics } from '../../src/config/metrics.js';
import type { CountingRuleParams } from '../../src/services/energy/counting-rule.js';
import { InfluxLedgerCheckpoints, CHECKPOINT_MEASUREMENT } from '../../src/store/influx/influx-ledger-checkpoints.js';
import { InfluxStore } from '../../src/store/influx/influx-store.js';
import { dayNumberOf, daysInMonth, isoDate } from '../../src/time/local-time.js';
import { randomCounterSeries } from '../support/counter-series.js';
import { DEFAULT_RULE, energyHarness, type EnergyHarness } from '../support/energy-harness.js';
import { createBucket, realInflux } from '../support/influx.js';
import { local, makeReading, seededRandom, uniquePanelId } from '../support/readings.js';
import { finalSeries, referenceDays, referenceIncreases } from '../support/reference-rule.js';

/**
 * The energy ledger's checkpoints on a REAL InfluxDB (docs/counting-rule.md, "Checkpoints"): a
 * restart that resumes from a checkpoint answers exactly as one that walks every reading, and as
 * the independent reference; a reading stored after the checkpoint was written (late, corrected,
 * from another process) makes its day and the days after it walked again; a damaged, edited or
 * stale checkpoint is refused. Site zone Europe/Berlin, over its change to summer time.
 */
const influx = realInflux;
const zone = 'Europe/Berlin';
const B = local(zone);

describe.skipIf(!influx)('energy ledger checkpoints (real InfluxDB)', () => {
  if (!influx) return;
  const cleanups: Array<() => Promise<void>> = [];
  let readingsBucket = '';
  let adminBucket = '';
  let store: InfluxStore;

  // Fresh buckets for each test: a core loads every panel of its bucket.
  beforeEach(async () => {
    const readings = await createBucket(influx, 'ckpt_readings');
    const admin = await createBucket(influx, 'ckpt_admin');
    cleanups.push(readings.remove, admin.remove);
    readingsBucket = readings.name;
    adminBucket = admin.name;
    store = new InfluxStore({ ...influx, bucket: readingsBucket, scanSliceDays: 7 });
  });
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  const harness = async (rule: CountingRuleParams = DEFAULT_RULE): Promise<EnergyHarness> => {
    const e = await energyHarness({
      store,
      write: (readings) => store.writeBatch(readings),
      zone,
      rule,
      checkpoints: { store: new InfluxLedgerCheckpoints({ ...influx, bucket: adminBucket }), totals: store },
    });
    cleanups.push(() => e.close());
    return e;
  };

  /** Random meter histories over March 2025 (summer time from the 30th), with corrections, repeats and late arrivals. */
  const writeHistories = async (e: EnergyHarness, seed: number): Promise<Map<string, Reading[]>> => {
    const random = seededRandom(seed);
    const ids = [0, 1].map((i) => uniquePanelId(`ckpt${seed}_${i}`));
    const all: Reading[] = [];
    for (const id of ids) {
      for (const s of randomCounterSeries(random, { start: B('2025-03-24 20:00:00').getTime(), count: 500 })) {
        const r = makeReading(id, s.time, s.energyKwh, s.activePowerKw, { powerFactor: random() < 0.2 ? null : 0.8 + random() * 0.2 });
        if (random() < 0.05) all.push({ ...r, energyKwh: r.energyKwh + 1000 * random(), activePowerKw: 0.5 });
        all.push(r);
        if (random() < 0.05) all.push(r);
      }
    }
    const arrival = all.map((r, i) => ({ r, key: i + (random() < 0.15 ? -random() * 800 : 0) })).sort((a, b) => a.key - b.key).map((x) => x.r);
    for (let i = 0; i < arrival.length; i += 37) await e.write(arrival.slice(i, i + 37));
    return new Map(ids.map((id) => [id, finalSeries(arrival.filter((r) => r.panelId === id))]));
  };

  /** What a core's start-up did with the checkpoint: days taken from it, and refusals by reason. */
  const startup = async (metrics: Metrics) => ({
    restored: (await metrics.checkpointDaysRestored.get()).values[0]?.value ?? 0,
    refused: Object.fromEntries((await metrics.checkpointRefused.get()).values.filter((v) => v.value > 0).map((v) => [v.labels.reason, v.value])),
  });

  /** Every day of March and April 2025 of each panel: the reference's kWh, and the same from the service. */
  const expectReference = (service: EnergyService, finals: ReadonlyMap<string, Reading[]>, rule: CountingRuleParams = DEFAULT_RULE) => {
    for (const [id, series] of finals) {
      const days = referenceDays(series, referenceIncreases(series, rule), zone);
      for (const month of [3, 4]) {
        const first = dayNumberOf(2025, month, 1);
        for (let d = 0; d < daysInMonth(2025, month); d++) {
          expect(service.panelDay(id, first + d).kwh, `${id} ${isoDate(first + d)}`).toBeCloseTo(days.get(isoDate(first + d)) ?? 0, 6);
        }
      }
    }
  };

  for (const seed of [31, 32]) {
    it(`seed ${seed}: a restart from the checkpoint answers as the walk of every reading and the reference`, async () => {
      const e = await harness();
      const finals = await writeHistories(e, seed);
      await e.ledger.settled();
      expect(await e.checkpoints!.save()).toBeGreaterThan(0);
      const again = await e.restarted();
      const ids = [...finals.keys()];
      // The restart used the checkpoint: every saved day agreed with the readings.
      const { restored, refused } = await startup(again.metrics);
      expect(refused).toEqual({});
      expect(restored).toBeGreaterThan(6);
      expectReference(again.energy, finals);
      for (const id of ids) expect(await again.energy.monthlySummary(2025, 3, [id], id)).toEqual(await e.energy.monthlySummary(2025, 3, [id], id));
    });
  }

  it('a reading stored after the checkpoint (late, corrected, another process) makes its day walked again', async () => {
    const e = await harness();
    const finals = await writeHistories(e, 33);
    await e.ledger.settled();
    await e.checkpoints!.save();
    const [id, series] = [...finals][0]!;
    // Written straight to InfluxDB, as another process would: this process's ledger never saw them.
    // The last reading L of a day and the first N of the next, N above L; a late reading just
    // before midnight between them moves energy from N's day to L's; a corrected power (same count).
    const dayOf = (r: Reading) => e.time.dayNumber(r.time.getTime());
    const k = series.findIndex((r, i) => i >= series.length / 2 && i + 1 < series.length && dayOf(series[i + 1]!) === dayOf(r) + 1 && series[i + 1]!.energyKwh > r.energyKwh);
    const [last, next] = [series[k]!, series[k + 1]!];
    const late = makeReading(id, new Date(e.time.dayStart(dayOf(last) + 1) - 1_000), last.energyKwh + Math.min(0.0005, (next.energyKwh - last.energyKwh) / 2), 40);
    const middle = last;
    const corrected = { ...last, activePowerKw: last.activePowerKw + 0.001 };
    await store.writeBatch([corrected, late]);
    const again = await e.restarted();
    // The answers include what was written behind the checkpoint's back.
    expectReference(again.energy, new Map([[id, finalSeries([...series, corrected, late])]]));
    // The days before the changed one are used as saved; the changed one and the rest are walked.
    const changed = e.time.dayNumber(middle.time.getTime());
    const daysBefore = new Set(series.map((r) => e.time.dayNumber(r.time.getTime())).filter((day) => day < changed));
    const other = [...finals.keys()][1]!;
    const otherDays = (await e.checkpoints!.restore([other])).days.get(other)!.days.length;
    expect(await startup(again.metrics)).toEqual({ restored: daysBefore.size + otherDays, refused: { day_changed: 1 } });
  });

  it('refuses a damaged or edited checkpoint, and one saved under other ENERGY_* settings', async () => {
    const e = await harness();
    const finals = await writeHistories(e, 34);
    await e.ledger.settled();
    await e.checkpoints!.save();
    const ids = [...finals.keys()];
    const admin = new InfluxLedgerCheckpoints({ ...influx, bucket: adminBucket });
    const records = (await admin.read(ids)).sort((a, b) => a.dayStartMs - b.dayStartMs);
    // An edited figure (one character of the numbers) on the first day of one panel.
    const victim = records.find((r) => r.panelId === ids[0])!;
    const body = victim.text.split('|')[2]!;
    const edited = `${victim.text.slice(0, victim.text.length - body.length)}${body[0] === 'A' ? 'B' : 'A'}${body.slice(1)}`;
    await admin.write([{ ...victim, text: edited }]);

    const again = await e.restarted();
    const first = await startup(again.metrics);
    // The edited day is refused; without its first day, that panel's other days are of no use.
    expect(first.refused).toEqual({ damaged: 1, day_missing: 1 });
    expect(first.restored).toBeGreaterThan(3);
    expectReference(again.energy, finals);

    // Another rule: every saved day is refused, and the answers follow that rule.
    const rule = { ...DEFAULT_RULE, confirmReadings: 2 };
    const other = await harness(rule);
    const stale = await startup(other.metrics);
    expect(stale.restored).toBe(0);
    expect(stale.refused.other_rule).toBeGreaterThan(0);
    expectReference(other.energy, finals, rule);
  });

  it('keeps checkpoints out of the readings measurement', async () => {
    const e = await harness();
    await writeHistories(e, 35);
    await e.ledger.settled();
    expect(await e.checkpoints!.save()).toBeGreaterThan(0);
    const response = await fetch(`${influx.url}/api/v2/query?org=${encodeURIComponent(influx.org)}`, {
      method: 'POST',
      headers: { Authorization: `Token ${influx.token}`, 'Content-Type': 'application/vnd.flux', Accept: 'application/csv' },
      body: `import "influxdata/influxdb/schema"\nschema.measurements(bucket: "${readingsBucket}")`,
    });
    const text = await response.text();
    expect(text).toContain('panel_energy');
    expect(text).not.toContain(CHECKPOINT_MEASUREMENT);
  });
});
