/**
 * What a store can say about a panel's local days without handing over their readings: per day,
 * for each value the counting rule reads, how many readings have it and their sum. The energy
 * ledger keeps the same figures for the days it walked (its day fingerprints), so a checkpoint of
 * the ledger can be checked against the store at start-up (services/energy/ledger-checkpoints.ts)
 * at the cost of an aggregate InfluxDB computes in storage, instead of reading every reading.
 */

/** The values, in the order of the totals: counter, power, power factor, reactive counter, apparent power. */
export const DAY_TOTAL_VALUES = ['kwh', 'kw', 'pf', 'kvarh', 'kva'] as const;

/** Half-open [startMs, endMs): one local day. */
export interface DaySpan {
  readonly startMs: number;
  readonly endMs: number;
}

/** One panel's totals: its days with readings, and how many readings lie before the first day asked. */
export interface PanelDayTotals {
  /** Readings (with a counter) before the first span. */
  before: number;
  /**
   * By day start: [count, sum] per value of DAY_TOTAL_VALUES (10 numbers). NaN throughout when the
   * totals are not known (readings still waiting to reach the store): such a day never matches.
   */
  readonly days: Map<number, Float64Array>;
}

export interface DayTotalsSource {
  /** The totals of these panels over these consecutive days (ascending); panels without readings are absent. */
  dayTotals(panelIds: readonly string[], days: readonly DaySpan[]): Promise<Map<string, PanelDayTotals>>;
}

/** One stored checkpoint: a panel's local day as the energy ledger encoded it. */
export interface CheckpointRecord {
  readonly panelId: string;
  readonly dayStartMs: number;
  readonly text: string;
}

/**
 * Where the energy ledger's checkpoints are kept (InfluxDB: the admin bucket). Derived data, never
 * a source of truth: anything read back is checked against the readings before it is used.
 */
export interface LedgerCheckpointStore {
  /** Writes (or overwrites: one point per panel and day) these checkpoints. */
  write(records: readonly CheckpointRecord[]): Promise<void>;
  /** Every checkpoint of these panels. */
  read(panelIds: readonly string[]): Promise<CheckpointRecord[]>;
}
