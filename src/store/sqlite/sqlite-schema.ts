import type { Reading } from '../../models/reading.js';

/** Bumped (with a migration in MIGRATIONS) whenever the tables below change shape. */
export const SCHEMA_VERSION = 3;

/**
 * The columns of a reading and their types, declared alike by the readings table and the journal
 * in front of InfluxDB (sqlite-journal.ts). reactive_energy_kvarh is last, where migration 2 added
 * it; column order only matters to positional parameters (READING_COLUMNS, readingParams()).
 */
const READING_COLUMN_TYPES = [
  ['panel_id', 'TEXT    NOT NULL'],
  ['time_ms', 'INTEGER NOT NULL'],
  ['voltage_l1', 'REAL'],
  ['voltage_l2', 'REAL'],
  ['voltage_l3', 'REAL'],
  ['voltage_avg', 'REAL'],
  ['current_l1', 'REAL'],
  ['current_l2', 'REAL'],
  ['current_l3', 'REAL'],
  ['current_avg', 'REAL'],
  ['active_power_kw', 'REAL    NOT NULL'],
  ['apparent_power_kva', 'REAL'],
  ['energy_kwh', 'REAL    NOT NULL'],
  ['power_factor', 'REAL'],
  ['voltage_unbalance', 'REAL'],
  ['current_unbalance', 'REAL'],
  ['reactive_energy_kvarh', 'REAL'],
] as const;

/** Column order of a reading, used by the insert statements and readingParams(). */
export const READING_COLUMNS = READING_COLUMN_TYPES.map(([name]) => name);

/** The reading columns as CREATE TABLE declares them (without a trailing comma). */
export const READING_COLUMNS_SQL = READING_COLUMN_TYPES.map(([name, type]) => `${name.padEnd(18)} ${type}`).join(',\n  ');

/**
 * STRICT tables reject values of the wrong type instead of storing them silently. Readings are
 * keyed by (panel_id, time_ms) in a WITHOUT ROWID table: the key is the only index, rows sit in
 * key order, so a panel's time range is one contiguous B-tree range (range scans, LAG/LEAD in
 * time order without sorting). Nullable measurements are stored as NULL, never as 0 or NaN.
 */
export const SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS readings (
  ${READING_COLUMNS_SQL},
  PRIMARY KEY (panel_id, time_ms)
) WITHOUT ROWID, STRICT;

-- Maintained in the same transaction as the readings, so panels() never scans the readings.
-- first/last seen are meter times (the earliest and newest reading), like every other store.
CREATE TABLE IF NOT EXISTS panels (
  id            TEXT    NOT NULL PRIMARY KEY,
  first_seen_ms INTEGER NOT NULL,
  last_seen_ms  INTEGER NOT NULL
) WITHOUT ROWID, STRICT;

-- The admin record (models/admin-change.ts): appended, never changed.
CREATE TABLE IF NOT EXISTS admin_records (
  id          TEXT    NOT NULL PRIMARY KEY,
  at_ms       INTEGER NOT NULL,
  actor       TEXT    NOT NULL,
  change_json TEXT    NOT NULL
) STRICT;

`;

/** A row of the readings table as better-sqlite3 returns it. */
export interface ReadingRow {
  readonly panel_id: string;
  readonly time_ms: number;
  readonly voltage_l1: number | null;
  readonly voltage_l2: number | null;
  readonly voltage_l3: number | null;
  readonly voltage_avg: number | null;
  readonly current_l1: number | null;
  readonly current_l2: number | null;
  readonly current_l3: number | null;
  readonly current_avg: number | null;
  readonly active_power_kw: number;
  readonly apparent_power_kva: number | null;
  readonly energy_kwh: number;
  readonly power_factor: number | null;
  readonly voltage_unbalance: number | null;
  readonly current_unbalance: number | null;
  readonly reactive_energy_kvarh: number | null;
}

export type ReadingParams = [string, number, ...Array<number | null>];

/** Positional parameters in READING_COLUMNS order. */
export function readingParams(r: Reading): ReadingParams {
  return [
    r.panelId,
    r.time.getTime(),
    r.voltage.l1,
    r.voltage.l2,
    r.voltage.l3,
    r.voltage.average,
    r.current.l1,
    r.current.l2,
    r.current.l3,
    r.current.average,
    r.activePowerKw,
    r.apparentPowerKva,
    r.energyKwh,
    r.powerFactor,
    r.voltageUnbalance,
    r.currentUnbalance,
    r.reactiveEnergyKvarh,
  ];
}

/**
 * The inverse of readingParams(): a reading from a raw row in READING_COLUMNS order. Raw rows
 * (arrays) cost half as much to fetch as named ones, which counts where thousands are read at once.
 */
export function paramsToReading(values: ReadingParams): Reading {
  const [panelId, timeMs, vl1, vl2, vl3, vavg, cl1, cl2, cl3, cavg, activePowerKw, apparentPowerKva, energyKwh, powerFactor, vu, cu, reactive] = values;
  return {
    panelId,
    time: new Date(timeMs),
    voltage: { l1: vl1 ?? null, l2: vl2 ?? null, l3: vl3 ?? null, average: vavg ?? null },
    current: { l1: cl1 ?? null, l2: cl2 ?? null, l3: cl3 ?? null, average: cavg ?? null },
    // NOT NULL columns.
    activePowerKw: activePowerKw as number,
    apparentPowerKva: apparentPowerKva ?? null,
    energyKwh: energyKwh as number,
    powerFactor: powerFactor ?? null,
    voltageUnbalance: vu ?? null,
    currentUnbalance: cu ?? null,
    reactiveEnergyKvarh: reactive ?? null,
  };
}

export function rowToReading(row: ReadingRow): Reading {
  return {
    panelId: row.panel_id,
    time: new Date(row.time_ms),
    voltage: { l1: row.voltage_l1, l2: row.voltage_l2, l3: row.voltage_l3, average: row.voltage_avg },
    current: { l1: row.current_l1, l2: row.current_l2, l3: row.current_l3, average: row.current_avg },
    activePowerKw: row.active_power_kw,
    apparentPowerKva: row.apparent_power_kva,
    energyKwh: row.energy_kwh,
    powerFactor: row.power_factor,
    voltageUnbalance: row.voltage_unbalance,
    currentUnbalance: row.current_unbalance,
    reactiveEnergyKvarh: row.reactive_energy_kvarh ?? null,
  };
}

const NULLABLE_FIELDS = [
  ['voltage.l1', (r: Reading) => r.voltage.l1],
  ['voltage.l2', (r: Reading) => r.voltage.l2],
  ['voltage.l3', (r: Reading) => r.voltage.l3],
  ['voltage.average', (r: Reading) => r.voltage.average],
  ['current.l1', (r: Reading) => r.current.l1],
  ['current.l2', (r: Reading) => r.current.l2],
  ['current.l3', (r: Reading) => r.current.l3],
  ['current.average', (r: Reading) => r.current.average],
  ['apparentPowerKva', (r: Reading) => r.apparentPowerKva],
  ['powerFactor', (r: Reading) => r.powerFactor],
  ['voltageUnbalance', (r: Reading) => r.voltageUnbalance],
  ['currentUnbalance', (r: Reading) => r.currentUnbalance],
  ['reactiveEnergyKvarh', (r: Reading) => r.reactiveEnergyKvarh],
] as const;

/**
 * Why a reading cannot be stored, or null. SQLite would turn NaN into NULL (and then fail the
 * NOT NULL constraint, or silently store NULL in a nullable column), so non-finite numbers are
 * refused here with a message that names the field.
 */
export function invalidReadingReason(r: Reading): string | null {
  if (typeof r.panelId !== 'string' || r.panelId.length === 0) return 'panelId is empty';
  const time = r.time instanceof Date ? r.time.getTime() : Number.NaN;
  if (!Number.isFinite(time)) return 'time is not a valid date';
  if (!Number.isFinite(r.energyKwh)) return `energyKwh is ${String(r.energyKwh)}`;
  if (!Number.isFinite(r.activePowerKw)) return `activePowerKw is ${String(r.activePowerKw)}`;
  for (const [name, get] of NULLABLE_FIELDS) {
    const value = get(r);
    if (value !== null && !Number.isFinite(value)) return `${name} is ${String(value)}`;
  }
  return null;
}

/** Thrown for a batch with an unstorable reading; nothing of the batch was written. */
export class InvalidReadingError extends RangeError {
  constructor(
    readonly index: number,
    readonly panelId: unknown,
    readonly reason: string,
  ) {
    super(`reading ${index} (panel ${String(panelId)}) cannot be stored: ${reason}`);
    this.name = 'InvalidReadingError';
  }
}

/** Throws InvalidReadingError for the first reading of the batch that cannot be stored. */
export function assertStorable(readings: readonly Reading[]): void {
  for (let i = 0; i < readings.length; i++) {
    const reason = invalidReadingReason(readings[i]!);
    if (reason !== null) throw new InvalidReadingError(i, readings[i]?.panelId, reason);
  }
}
