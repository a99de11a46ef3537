import type { PanelRecord, Reading } from '../models/reading.js';

/**
 * Where stored readings are read from: the embedded SQLite store, or InfluxDB merged with the
 * local journal's readings InfluxDB has not confirmed yet. Stores serve raw readings only; energy
 * is computed from them by the counting rule (services/energy), never inside a store.
 *
 * Time ranges are half-open [from, to). Readings are keyed by (panelId, time): the last one stored
 * for a key wins, so redelivered messages never double count.
 */
export interface ReadingStore extends CounterSource {
  /** The newest reading (by meter time) of each requested panel; panels without data are absent. */
  latestReadings(panelIds: readonly string[]): Promise<Map<string, Reading>>;
  /** Raw readings of one panel in [from, to), oldest first, at most `limit` (default unlimited). */
  readings(panelId: string, from: Date, to: Date, limit?: number): Promise<Reading[]>;
  /**
   * One row per non-empty window of `everyMs` aligned to `from`: instantaneous values averaged,
   * the counter's last value in the window, and how many readings the window holds.
   */
  downsample(panelId: string, from: Date, to: Date, everyMs: number): Promise<WindowReadings[]>;
  /** Every panel with stored readings, sorted by id. */
  panels(): Promise<PanelRecord[]>;
  /** Throws when the store cannot answer (used by /ready). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** A downsampled window: averages in `reading` (its time is the window start). */
export interface WindowReadings {
  readonly reading: Reading;
  readonly count: number;
}

/**
 * A panel's readings as columns, what the counting rule walks: meter time (ms), counter (kWh),
 * active power (kW), power factor, reactive counter (kVArh) and apparent power (kVA); NaN where the
 * meter sent nothing. Columns keep millions of readings cheap to move between threads.
 */
export interface CounterColumns {
  readonly t: Float64Array;
  readonly kwh: Float64Array;
  readonly kw: Float64Array;
  readonly pf: Float64Array;
  readonly kvarh: Float64Array;
  readonly kva: Float64Array;
}

export interface CounterSource {
  /** One panel's readings with time ≥ fromMs, oldest first, in chunks. */
  scan(panelId: string, fromMs: number): AsyncIterable<CounterColumns>;
}

/** Columns for `n` readings, filled by the caller. */
export function allocateColumns(n: number): CounterColumns {
  return {
    t: new Float64Array(n),
    kwh: new Float64Array(n),
    kw: new Float64Array(n),
    pf: new Float64Array(n),
    kvarh: new Float64Array(n),
    kva: new Float64Array(n),
  };
}

/** Readings (sorted, one panel) as columns. */
export function readingsToColumns(readings: readonly Reading[]): CounterColumns {
  const columns = allocateColumns(readings.length);
  readings.forEach((r, k) => {
    columns.t[k] = r.time.getTime();
    columns.kwh[k] = r.energyKwh;
    columns.kw[k] = r.activePowerKw;
    columns.pf[k] = r.powerFactor ?? Number.NaN;
    columns.kvarh[k] = r.reactiveEnergyKvarh ?? Number.NaN;
    columns.kva[k] = r.apparentPowerKva ?? Number.NaN;
  });
  return columns;
}

/** The durable write behind every acknowledgement (the SQLite store, or the journal). */
export interface DurableWriter {
  /** Commits the readings (all or nothing) before returning. */
  writeBatchSync(readings: readonly Reading[]): void;
}
