import type { Reading } from '../../src/models/reading.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';

/**
 * The stored year and the costliest operations a viewer may send against it (issue 20, point 1):
 * shared by test/security/bounded-work.test.ts and its benchmark line (test/bench/bounded-work.bench.ts).
 */

export const HOUR_MS = 3_600_000;
/** Hourly readings per panel: a leap year's worth. */
export const SEEDED_HOURS = 366 * 24;
/** Each panel's counter rises by this much every hour (6 kW). */
export const KWH_PER_HOUR = 6;

/** What was seeded: the newest reading of every panel is at `lastMs` (on the hour). */
export interface SeededYear {
  readonly panels: readonly string[];
  readonly firstMs: number;
  readonly lastMs: number;
}

/** A year of hourly readings per panel, written with the product's own store before it starts (`<DATA_DIR>/readings.sqlite`). */
export async function seedHourlyYear(file: string, panels: readonly string[], now = Date.now()): Promise<SeededYear> {
  const lastMs = Math.floor(now / HOUR_MS) * HOUR_MS - HOUR_MS;
  const firstMs = lastMs - (SEEDED_HOURS - 1) * HOUR_MS;
  const store = new SqliteStore({ file });
  try {
    panels.forEach((panelId, index) => {
      const batch: Reading[] = [];
      for (let h = 0; h < SEEDED_HOURS; h++) {
        batch.push({
          panelId,
          time: new Date(firstMs + h * HOUR_MS),
          voltage: { l1: 229.5, l2: 230.2, l3: 231, average: 230.2 },
          current: { l1: 8.5, l2: 9, l3: 9.3, average: 8.9 },
          activePowerKw: KWH_PER_HOUR,
          apparentPowerKva: 6.5,
          energyKwh: 1_000 * (index + 1) + h * KWH_PER_HOUR,
          reactiveEnergyKvarh: null,
          powerFactor: 0.92,
          voltageUnbalance: 0.4,
          currentUnbalance: 1.2,
        });
      }
      store.writeBatchSync(batch);
    });
  } finally {
    await store.close();
  }
  return { panels, firstMs, lastMs };
}

export interface CostlyOperations {
  /** A history from METER_TIME_FLOOR (2000) to now in yearly windows: the ledger's hours. */
  readonly hourly: string;
  /** 170 days of daily windows not on the hour: re-walked reading by reading. */
  readonly rewalk: string;
  /** Averaged readings from the floor to now: the store's windows. */
  readonly averages: string;
  /** Twenty yearly summaries of the building. */
  readonly summaries: string;
}

/** Each just under GRAPHQL_MAX_COST's default (250,000): the costliest operations a viewer may send. */
export function costliestOperations(seeded: SeededYear): CostlyOperations {
  const day = 86_400_000;
  const [first, second, third] = [seeded.panels[0], seeded.panels[1 % seeded.panels.length], seeded.panels[2 % seeded.panels.length]];
  const now = new Date(seeded.lastMs + HOUR_MS).toISOString();
  const years = Array.from({ length: 20 }, (_, i) => new Date(seeded.lastMs).getUTCFullYear() - i);
  return {
    hourly: `{ panel(id: "${first}") { history(from: "2000-01-01T00:00:00Z", to: "${now}", every: "366d") { nodes { start energyKwh cost { amount } } } } }`,
    rewalk:
      `{ panel(id: "${second}") { history(from: "${new Date(seeded.lastMs - 170 * day + 30_000).toISOString()}", ` +
      `to: "${new Date(seeded.lastMs + 30_000).toISOString()}", every: "1d") { nodes { start energyKwh } } } }`,
    averages: `{ panel(id: "${third}") { readings(from: "2000-01-01T00:00:00Z", to: "${now}", every: "366d") { nodes { time activePowerKw } } } }`,
    summaries: `{ ${years.map((year) => `y${year}: yearlySummary(year: ${year}) { total { energyKwh } }`).join(' ')} }`,
  };
}

/** The issue's attack: 20 aliases of a history from year 1 to now in yearly windows. */
export function aliasAttack(panelId: string, now = new Date()): string {
  const aliases = Array.from({ length: 20 }, (_, i) => `a${i}: history(from: "0001-01-01T00:00:00Z", to: "${now.toISOString()}", every: "366d") { nodes { start energyKwh } }`);
  return `{ panel(id: "${panelId}") { ${aliases.join(' ')} } }`;
}
