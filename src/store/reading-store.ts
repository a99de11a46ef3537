import type { EnergyQuery, EnergyRow } from '../models/energy.js';
import type { PanelRecord, Reading } from '../models/reading.js';

/**
 * The store of raw readings. Implementations: SQLite (embedded default, also the local journal)
 * and InfluxDB 2 (production). Both pass the contract suite in test/store/.
 *
 * Time ranges are half-open [from, to). Readings are keyed by (panelId, time): writing the same
 * key again replaces the earlier values, so redelivered messages never double count.
 */
export interface ReadingStore {
  /** Durably writes readings. Resolves only once they survive a crash of this process. */
  writeBatch(readings: readonly Reading[]): Promise<void>;
  /** The newest reading (by meter time) of each requested panel; panels without data are absent. */
  latestReadings(panelIds: readonly string[]): Promise<Map<string, Reading>>;
  /** Raw readings of one panel in [from, to), oldest first, at most `limit` (default unlimited). */
  readings(panelId: string, from: Date, to: Date, limit?: number): Promise<Reading[]>;
  /**
   * One row per non-empty window of `everyMs` aligned to `from`: instantaneous values averaged,
   * energyKwh = the last counter value in the window, time = window start.
   */
  downsample(panelId: string, from: Date, to: Date, everyMs: number): Promise<Reading[]>;
  /** Every panel ever seen, sorted by id. */
  panels(): Promise<PanelRecord[]>;
  /**
   * Energy used per panel and period by the counter rule (README "How energy is counted"),
   * computed inside the store. Days and months are calendar periods in the store's timezone.
   */
  energy(query: EnergyQuery): Promise<EnergyRow[]>;
  /** Throws when the store cannot answer (used by /ready). */
  ping(): Promise<void>;
  close(): Promise<void>;
}
