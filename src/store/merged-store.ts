import type { PanelRecord, Reading } from '../models/reading.js';
import type { CounterColumns, ReadingStore, WindowReadings } from './reading-store.js';
import { DAY_TOTAL_VALUES, type DaySpan, type DayTotalsSource, type PanelDayTotals } from './day-totals.js';
import { allocateColumns } from './reading-store.js';
import { combinePending, type PendingReadings, type RecentReadings } from './influx/recent-readings.js';
import type { SqliteJournal } from './sqlite/sqlite-journal.js';

/**
 * InfluxDB mode's view of the readings: everything InfluxDB holds plus what the local journal
 * holds and InfluxDB has not confirmed yet, one reading per (panel, time), the journal's winning
 * (it is the newer write). Nothing lags during an outage, and nothing is counted twice when it
 * ends. With several processes, readings the others stored and announced on the stored-readings
 * feed (`recent`) count as waiting too, until their process has forwarded them.
 *
 * Every method reads the journal first and InfluxDB second. The forwarder removes a reading from
 * the journal only after InfluxDB confirmed it, so a reading moving between the two while a query
 * runs is seen in both (and merged), never in neither.
 */
export class MergedStore implements ReadingStore, DayTotalsSource {
  private readonly pending: PendingReadings;

  constructor(
    private readonly influx: ReadingStore & DayTotalsSource,
    private readonly journal: SqliteJournal,
    recent?: RecentReadings,
  ) {
    this.pending = recent ? combinePending(journal, recent) : journal;
  }

  async latestReadings(panelIds: readonly string[]): Promise<Map<string, Reading>> {
    const waiting = this.pending.latest(panelIds);
    const stored = await this.influx.latestReadings(panelIds);
    for (const [id, reading] of waiting) {
      const other = stored.get(id);
      if (!other || other.time.getTime() <= reading.time.getTime()) stored.set(id, reading);
    }
    return stored;
  }

  async readings(panelId: string, from: Date, to: Date, limit?: number): Promise<Reading[]> {
    const waiting = this.pending.readings(panelId, from.getTime(), to.getTime());
    const stored = await this.influx.readings(panelId, from, to, limit);
    const merged = mergeByTime(stored, waiting, (r) => r.time.getTime());
    return limit === undefined ? merged : merged.slice(0, limit);
  }

  /**
   * InfluxDB's windows, except those holding journal readings: those are recomputed here from
   * the merged raw readings, so they are exact (the journal may also hold corrections of readings
   * InfluxDB has).
   */
  async downsample(panelId: string, from: Date, to: Date, everyMs: number): Promise<WindowReadings[]> {
    const waiting = this.pending.readings(panelId, from.getTime(), to.getTime());
    const stored = await this.influx.downsample(panelId, from, to, everyMs);
    if (waiting.length === 0) return stored;
    const fromMs = from.getTime();
    const windowOf = (t: number) => Math.floor((t - fromMs) / everyMs);
    const touched = new Set(waiting.map((r) => windowOf(r.time.getTime())));
    const recomputed: WindowReadings[] = [];
    for (const w of touched) {
      const start = fromMs + w * everyMs;
      const end = Math.min(to.getTime(), start + everyMs);
      const raw = mergeByTime(
        await this.influx.readings(panelId, new Date(start), new Date(end)),
        waiting.filter((r) => windowOf(r.time.getTime()) === w),
        (r) => r.time.getTime(),
      );
      if (raw.length > 0) recomputed.push(averageWindow(panelId, new Date(start), raw));
    }
    return [...stored.filter((window) => !touched.has(windowOf(window.reading.time.getTime()))), ...recomputed].sort(
      (a, b) => a.reading.time.getTime() - b.reading.time.getTime(),
    );
  }

  async panels(): Promise<PanelRecord[]> {
    const waiting = this.pending.panels();
    const byId = new Map((await this.influx.panels()).map((panel) => [panel.id, panel]));
    for (const panel of waiting) {
      const known = byId.get(panel.id);
      byId.set(
        panel.id,
        known
          ? {
              id: panel.id,
              firstSeenAt: known.firstSeenAt < panel.firstSeenAt ? known.firstSeenAt : panel.firstSeenAt,
              lastSeenAt: known.lastSeenAt > panel.lastSeenAt ? known.lastSeenAt : panel.lastSeenAt,
            }
          : panel,
      );
    }
    return [...byId.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  async *scan(panelId: string, fromMs: number): AsyncIterable<CounterColumns> {
    const waiting = this.pending.columns(panelId, fromMs);
    let w = 0;
    for await (const chunk of this.influx.scan(panelId, fromMs)) {
      // Journal readings up to the end of this chunk go in with it; later ones wait.
      const chunkEnd = chunk.t[chunk.t.length - 1]!;
      let until = w;
      while (until < waiting.t.length && waiting.t[until]! <= chunkEnd) until++;
      yield mergeColumns(chunk, waiting, w, until);
      w = until;
    }
    if (w < waiting.t.length) yield mergeColumns(allocateColumns(0), waiting, w, waiting.t.length);
  }

  /**
   * InfluxDB's totals, except that a day holding readings that have not reached InfluxDB yet has
   * unknown totals (NaN): what is stored there is not what the merged view holds.
   */
  async dayTotals(panelIds: readonly string[], days: readonly DaySpan[]): Promise<Map<string, PanelDayTotals>> {
    const firstMs = days[0]?.startMs ?? Number.POSITIVE_INFINITY;
    const waiting = new Map(panelIds.map((id) => [id, this.pending.columns(id, Number.NEGATIVE_INFINITY).t] as const));
    const totals = await this.influx.dayTotals(panelIds, days);
    for (const [panelId, times] of waiting) {
      if (times.length === 0) continue;
      let panel = totals.get(panelId);
      if (!panel) {
        panel = { before: 0, days: new Map() };
        totals.set(panelId, panel);
      }
      let d = 0;
      for (const t of times) {
        if (t < firstMs) {
          panel.before++;
          continue;
        }
        while (d < days.length && days[d]!.endMs <= t) d++;
        if (d < days.length) panel.days.set(days[d]!.startMs, new Float64Array(2 * DAY_TOTAL_VALUES.length).fill(Number.NaN));
      }
    }
    return totals;
  }

  async ping(): Promise<void> {
    this.journal.ping();
  }

  async close(): Promise<void> {
    await this.influx.close();
  }
}

/** Two time-sorted lists as one; on equal times the second list's item wins. */
function mergeByTime<T>(a: readonly T[], b: readonly T[], time: (item: T) => number): T[] {
  if (b.length === 0) return [...a];
  const out: T[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (j >= b.length) out.push(a[i++]!);
    else if (i >= a.length) out.push(b[j++]!);
    else {
      const ta = time(a[i]!);
      const tb = time(b[j]!);
      if (ta < tb) out.push(a[i++]!);
      else if (tb < ta) out.push(b[j++]!);
      else {
        out.push(b[j++]!);
        i++;
      }
    }
  }
  return out;
}

/** `a` merged with rows [from, to) of `b`, by time; on equal times `b` wins. */
function mergeColumns(a: CounterColumns, b: CounterColumns, from: number, to: number): CounterColumns {
  if (from === to) return a;
  const out = allocateColumns(a.t.length + (to - from));
  const keys = ['t', 'kwh', 'kw', 'pf', 'kvarh', 'kva'] as const;
  let i = 0;
  let j = from;
  let n = 0;
  const take = (src: CounterColumns, k: number) => {
    for (const key of keys) out[key][n] = src[key][k]!;
    n++;
  };
  while (i < a.t.length || j < to) {
    if (j >= to) take(a, i++);
    else if (i >= a.t.length) take(b, j++);
    else if (a.t[i]! < b.t[j]!) take(a, i++);
    else if (b.t[j]! < a.t[i]!) take(b, j++);
    else {
      take(b, j++);
      i++;
    }
  }
  const trimmed = allocateColumns(0);
  return n === out.t.length
    ? out
    : { ...trimmed, t: out.t.subarray(0, n), kwh: out.kwh.subarray(0, n), kw: out.kw.subarray(0, n), pf: out.pf.subarray(0, n), kvarh: out.kvarh.subarray(0, n), kva: out.kva.subarray(0, n) };
}

/** Averages of one window's raw readings, in the shape the stores' downsampling returns. */
function averageWindow(panelId: string, start: Date, readings: readonly Reading[]): WindowReadings {
  const mean = (pick: (r: Reading) => number | null): number | null => {
    let sum = 0;
    let n = 0;
    for (const r of readings) {
      const v = pick(r);
      if (v !== null) {
        sum += v;
        n++;
      }
    }
    return n === 0 ? null : sum / n;
  };
  const last = readings[readings.length - 1]!;
  return {
    count: readings.length,
    reading: {
      panelId,
      time: start,
      voltage: { l1: mean((r) => r.voltage.l1), l2: mean((r) => r.voltage.l2), l3: mean((r) => r.voltage.l3), average: mean((r) => r.voltage.average) },
      current: { l1: mean((r) => r.current.l1), l2: mean((r) => r.current.l2), l3: mean((r) => r.current.l3), average: mean((r) => r.current.average) },
      activePowerKw: mean((r) => r.activePowerKw) ?? 0,
      apparentPowerKva: mean((r) => r.apparentPowerKva),
      energyKwh: last.energyKwh,
      powerFactor: mean((r) => r.powerFactor),
      voltageUnbalance: mean((r) => r.voltageUnbalance),
      currentUnbalance: mean((r) => r.currentUnbalance),
      reactiveEnergyKvarh: last.reactiveEnergyKvarh,
    },
  };
}
