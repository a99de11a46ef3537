/**
 * The canonical meter reading: what the ingester produces from a payload, what every store keeps
 * and returns, and what the `Reading` GraphQL type exposes. One shape, used everywhere.
 */
export interface PhaseValues {
  readonly l1: number | null;
  readonly l2: number | null;
  readonly l3: number | null;
  /** Average of the phases: as reported by the meter, or computed when it sent only three values. */
  readonly average: number | null;
}

export interface Reading {
  readonly panelId: string;
  /** The meter's reading time (not the receive time), as an absolute instant. */
  readonly time: Date;
  readonly voltage: PhaseValues;
  readonly current: PhaseValues;
  readonly activePowerKw: number;
  readonly apparentPowerKva: number | null;
  /** The meter's cumulative energy counter (kWh). Usage is derived from its increases. */
  readonly energyKwh: number;
  /** The meter's cumulative reactive energy counter (kVArh), when it sends one. */
  readonly reactiveEnergyKvarh: number | null;
  readonly powerFactor: number | null;
  readonly voltageUnbalance: number | null;
  readonly currentUnbalance: number | null;
  /**
   * Set only on a reading delivered to live subscribers after a newer reading of its panel was
   * delivered (pipeline/reading-order.ts): a late reading, not a new one.
   */
  readonly late?: true;
}

/** A panel the store has seen at least one reading from. */
export interface PanelRecord {
  readonly id: string;
  readonly firstSeenAt: Date;
  readonly lastSeenAt: Date;
}
