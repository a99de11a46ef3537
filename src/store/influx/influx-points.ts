import type { PanelRecord, Reading } from '../../models/reading.js';
import { readingParams } from '../sqlite/sqlite-schema.js';
import type { WindowReadings } from '../reading-store.js';

/**
 * How a Reading maps to InfluxDB line protocol and back.
 *
 * One point per reading: measurement `panel_energy`, tag `panel_id`, one FLOAT field per value
 * that is not null, the integer field `null_fields` (a bit per nullable field that is null in this
 * reading), timestamp = the meter's reading time in milliseconds (writes use `precision=ms`).
 * InfluxDB merges a point written again into the stored one field by field, so a corrected reading
 * that lacks a value the first version had would otherwise keep the old value: `null_fields`,
 * written every time, says which stored values no longer count. Fields are always written as floats (never the `i` integer suffix), so a value
 * that happens to be whole never creates an integer field and a later field-type conflict.
 * The same panel and time is the same series key and timestamp: InfluxDB merges the point into the
 * existing one, which makes redelivery idempotent.
 */

export const MEASUREMENT = 'panel_energy';
export const PANEL_TAG = 'panel_id';

/** Field names, the same words as the SQLite columns so both stores read alike. */
export const FIELD = {
  voltageL1: 'voltage_l1',
  voltageL2: 'voltage_l2',
  voltageL3: 'voltage_l3',
  voltageAvg: 'voltage_avg',
  currentL1: 'current_l1',
  currentL2: 'current_l2',
  currentL3: 'current_l3',
  currentAvg: 'current_avg',
  activePowerKw: 'active_power_kw',
  apparentPowerKva: 'apparent_power_kva',
  energyKwh: 'energy_kwh',
  powerFactor: 'power_factor',
  voltageUnbalance: 'voltage_unbalance',
  currentUnbalance: 'current_unbalance',
  reactiveEnergyKvarh: 'reactive_energy_kvarh',
} as const;

/** The integer field listing the null values of a reading (bit i: NULLABLE_FIELDS[i]). */
export const NULL_MASK_FIELD = 'null_fields';

export type FieldName = (typeof FIELD)[keyof typeof FIELD];

/** Every field, in a fixed order (also the order of the fields in each line). */
export const FIELD_NAMES: readonly FieldName[] = Object.values(FIELD);

/** Fields every stored reading has; a point without them is not a reading of ours. */
export const REQUIRED_FIELDS: readonly FieldName[] = [FIELD.energyKwh, FIELD.activePowerKw];

/** Fields that may be null, in bit order of `null_fields` (append only: stored masks depend on it). */
export const NULLABLE_FIELDS: readonly FieldName[] = [
  FIELD.voltageL1,
  FIELD.voltageL2,
  FIELD.voltageL3,
  FIELD.voltageAvg,
  FIELD.currentL1,
  FIELD.currentL2,
  FIELD.currentL3,
  FIELD.currentAvg,
  FIELD.apparentPowerKva,
  FIELD.powerFactor,
  FIELD.voltageUnbalance,
  FIELD.currentUnbalance,
  FIELD.reactiveEnergyKvarh,
];

/** A reading that cannot be expressed as a valid point; sending it would make InfluxDB reject the batch. */
export class InvalidPointError extends RangeError {
  constructor(
    readonly panelId: unknown,
    readonly time: unknown,
    readonly reason: string,
  ) {
    super(`reading of panel ${JSON.stringify(panelId)} at ${String(time)} cannot be written to InfluxDB: ${reason}`);
    this.name = 'InvalidPointError';
  }
}

/**
 * Why a panel id cannot be a tag value, or null. Line protocol escapes comma, equals sign and space
 * in tag values, but has no escape for line breaks, and InfluxDB does not unescape a doubled
 * backslash in tags, so a trailing backslash would swallow the separator after it. Such ids are
 * refused rather than silently stored under a different name.
 */
export function invalidTagValueReason(value: string): string | null {
  if (value.length === 0) return 'panel id is empty';
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(value)) return 'panel id contains a control character (line break, tab, ...)';
  if (value.includes('\\')) return 'panel id contains a backslash';
  return null;
}

/** Escapes a tag value (and the tag key): comma, equals sign and space. */
export function escapeTag(value: string): string {
  return value.replace(/[,= ]/g, (c) => `\\${c}`);
}

/**
 * A float literal for line protocol. JavaScript's shortest round-trip form ("0.1", "1e+21") is a
 * valid line-protocol float and parses back to the same double; a whole number is written without
 * the `i` suffix, so it stays a float.
 */
function floatLiteral(value: number): string {
  return Object.is(value, -0) ? '0' : String(value);
}

/**
 * The line's prefix for a panel (`panel_energy,panel_id=<escaped> `), or why it cannot be a tag.
 * Kept per panel id: a building has few panels and the forwarder formats thousands of lines a batch.
 */
const linePrefixes = new Map<string, { readonly prefix: string } | { readonly problem: string }>();
const LINE_PREFIXES_KEPT = 100_000;

function linePrefix(panelId: string): { readonly prefix: string } | { readonly problem: string } {
  let known = linePrefixes.get(panelId);
  if (known === undefined) {
    const problem = invalidTagValueReason(panelId);
    known = problem === null ? { prefix: `${MEASUREMENT},${PANEL_TAG}=${escapeTag(panelId)} ` } : { problem };
    if (linePrefixes.size >= LINE_PREFIXES_KEPT) linePrefixes.clear();
    linePrefixes.set(panelId, known);
  }
  return known;
}

/** Per field, in FIELD_NAMES order: its bit in `null_fields` (-1: never null), and whether a point needs it. */
const NULL_BIT_AT: readonly number[] = FIELD_NAMES.map((name) => NULLABLE_FIELDS.indexOf(name));
const REQUIRED_AT: readonly boolean[] = FIELD_NAMES.map((name) => REQUIRED_FIELDS.includes(name));
/** `name=` for the first field of a line, `,name=` for the others. */
const FIRST_FIELD_AT: readonly string[] = FIELD_NAMES.map((name) => `${name}=`);
const NEXT_FIELD_AT: readonly string[] = FIELD_NAMES.map((name) => `,${name}=`);

/**
 * A reading as flat values: panel id, meter time (ms), then each field in FIELD_NAMES order (null
 * when absent). The journal's raw rows have this shape: its columns are named and ordered like the
 * fields, so the forwarder formats lines without building Reading objects.
 */
export type FlatReading = readonly [panelId: string, timeMs: number, ...values: Array<number | null>];

/** One line of line protocol for a reading (ms timestamp). Throws InvalidPointError. */
export function readingToLine(reading: Reading): string {
  if (!(reading.time instanceof Date)) throw new InvalidPointError(reading.panelId, reading.time, 'time is not a valid date');
  // readingParams() lays a reading out flat in the journal's column order, which is FIELD_NAMES'.
  return formatLine(reading.panelId, reading.time.getTime(), reading.time, readingParams(reading));
}

/** The same line from a flat reading. Throws InvalidPointError. */
export function flatReadingToLine(row: FlatReading): string {
  return formatLine(row[0], row[1], row[1], row);
}

/**
 * The line of the values at row[2…] (FIELD_NAMES order). Its pieces are joined once, so the line
 * is one flat string: a line built with += is a tree of partial strings that keeps every piece
 * alive until the batch is joined, and the forwarder formats thousands a batch.
 */
function formatLine(panelId: unknown, time: number, timeAsGiven: unknown, row: ArrayLike<unknown>): string {
  if (typeof panelId !== 'string') throw new InvalidPointError(panelId, timeAsGiven, 'panel id is not a string');
  const tag = linePrefix(panelId);
  if ('problem' in tag) throw new InvalidPointError(panelId, timeAsGiven, tag.problem);
  if (!Number.isSafeInteger(time)) throw new InvalidPointError(panelId, timeAsGiven, 'time is not a valid date');
  const parts: string[] = [tag.prefix];
  let nullMask = 0;
  let required = 0;
  for (let i = 0; i < FIELD_NAMES.length; i++) {
    const value = row[i + 2];
    if (value === null || value === undefined) {
      const bit = NULL_BIT_AT[i]!;
      if (bit >= 0) nullMask |= 1 << bit;
      continue;
    }
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw new InvalidPointError(panelId, timeAsGiven, `${FIELD_NAMES[i]!} is ${String(value)} (InfluxDB stores finite floats only)`);
    }
    if (REQUIRED_AT[i]) required++;
    parts.push(parts.length === 1 ? FIRST_FIELD_AT[i]! : NEXT_FIELD_AT[i]!, floatLiteral(value));
  }
  if (required < REQUIRED_FIELDS.length) {
    const missing = FIELD_NAMES.find((name, i) => REQUIRED_AT[i] && typeof row[i + 2] !== 'number');
    throw new InvalidPointError(panelId, timeAsGiven, `${missing ?? REQUIRED_FIELDS.join(' or ')} is missing`);
  }
  parts.push(`,${NULL_MASK_FIELD}=`, String(nullMask), 'i ', String(time));
  return parts.join('');
}

/** A query result row: column name → value as the client parsed it (numbers, strings, null). */
export type FluxRow = Readonly<Record<string, unknown>>;

function numberOrNull(row: FluxRow, column: string): number | null {
  const value = row[column];
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/** A nullable field's value, unless the row's `null_fields` says it is null in the latest write. */
export function maskedValue(row: FluxRow, column: FieldName): number | null {
  const mask = row[NULL_MASK_FIELD];
  const bit = NULLABLE_FIELDS.indexOf(column);
  if (typeof mask === 'number' && bit >= 0 && (mask & (1 << bit)) !== 0) return null;
  return numberOrNull(row, column);
}

/** Parses an RFC 3339 time cell into a Date; throws with the column name when it is not one. */
export function timeCell(row: FluxRow, column: string): Date {
  const value = row[column];
  const date = typeof value === 'string' ? new Date(value) : null;
  if (date === null || Number.isNaN(date.getTime())) {
    throw new Error(`InfluxDB result column ${column} is not an RFC 3339 time: ${JSON.stringify(value)}`);
  }
  return date;
}

export function stringCell(row: FluxRow, column: string): string {
  const value = row[column];
  if (typeof value !== 'string') throw new Error(`InfluxDB result column ${column} is not a string: ${JSON.stringify(value)}`);
  return value;
}

/**
 * A pivoted row (one column per field, `_time`, `panel_id`) back into a Reading. Returns null for
 * a row without the counter or the power, which every reading has: such a point was not written
 * by this product and is ignored instead of being shown with made-up zeros.
 */
export function pivotedRowToReading(row: FluxRow, fallbackPanelId?: string): Reading | null {
  const energyKwh = numberOrNull(row, FIELD.energyKwh);
  const activePowerKw = numberOrNull(row, FIELD.activePowerKw);
  if (energyKwh === null || activePowerKw === null) return null;
  const panelId = typeof row[PANEL_TAG] === 'string' ? (row[PANEL_TAG] as string) : fallbackPanelId;
  if (panelId === undefined) throw new Error('InfluxDB result row has no panel_id');
  return rowToReading(row, panelId, timeCell(row, '_time'), energyKwh, activePowerKw);
}

/** The column of a downsampled window's reading count (influxql-queries.ts, downsampleStatement). */
export const READING_COUNT_COLUMN = 'reading_count';

/**
 * The readings of an InfluxQL series (`SELECT * FROM panel_energy …` with epoch=ms: a `time`
 * column, one column per field and the panel_id tag), oldest first as InfluxDB sends them; rows
 * that are not a whole reading of ours (no counter or power) are left out, as from Flux.
 */
export function influxqlRowsToReadings(columns: readonly string[], rows: ReadonlyArray<readonly unknown[]>, panelId: string): Reading[] {
  const readings: Reading[] = [];
  forEachInfluxqlReading(columns, rows, panelId, (reading) => readings.push(reading));
  return readings;
}

/**
 * The windows of an InfluxQL downsample series (downsampleStatement: each window's averages under
 * the fields' names, its start as `time`, and its reading count): the averages as a reading.
 */
export function influxqlRowsToWindows(columns: readonly string[], rows: ReadonlyArray<readonly unknown[]>, panelId: string): WindowReadings[] {
  const countAt = columns.indexOf(READING_COUNT_COLUMN);
  if (countAt < 0) throw new Error(`InfluxDB InfluxQL downsample answer has no ${READING_COUNT_COLUMN} column: ${columns.join(', ')}`);
  const windows: WindowReadings[] = [];
  forEachInfluxqlReading(columns, rows, panelId, (reading, values) => {
    const count = values[countAt];
    if (typeof count === 'number' && count > 0) windows.push({ reading, count });
  });
  return windows;
}

/** Each row of an InfluxQL series that is a whole reading (a counter and a power), with its values. */
function forEachInfluxqlReading(
  columns: readonly string[],
  rows: ReadonlyArray<readonly unknown[]>,
  panelId: string,
  each: (reading: Reading, values: readonly unknown[]) => void,
): void {
  const timeAt = columns.indexOf('time');
  if (timeAt < 0) throw new Error(`InfluxDB InfluxQL answer has no time column: ${columns.join(', ')}`);
  for (const values of rows) {
    const time = values[timeAt];
    if (typeof time !== 'number' || !Number.isSafeInteger(time)) throw new Error(`InfluxDB InfluxQL time is not epoch ms: ${JSON.stringify(time)}`);
    const row: Record<string, unknown> = {};
    for (let i = 0; i < columns.length; i++) row[columns[i]!] = values[i];
    const energyKwh = numberOrNull(row, FIELD.energyKwh);
    const activePowerKw = numberOrNull(row, FIELD.activePowerKw);
    if (energyKwh === null || activePowerKw === null) continue;
    each(rowToReading(row, panelId, new Date(time), energyKwh, activePowerKw), values);
  }
}

/** A reading from a row of field values by name (its counter and power read already). */
function rowToReading(row: FluxRow, panelId: string, time: Date, energyKwh: number, activePowerKw: number): Reading {
  return {
    panelId,
    time,
    voltage: {
      l1: maskedValue(row, FIELD.voltageL1),
      l2: maskedValue(row, FIELD.voltageL2),
      l3: maskedValue(row, FIELD.voltageL3),
      average: maskedValue(row, FIELD.voltageAvg),
    },
    current: {
      l1: maskedValue(row, FIELD.currentL1),
      l2: maskedValue(row, FIELD.currentL2),
      l3: maskedValue(row, FIELD.currentL3),
      average: maskedValue(row, FIELD.currentAvg),
    },
    activePowerKw,
    apparentPowerKva: maskedValue(row, FIELD.apparentPowerKva),
    energyKwh,
    powerFactor: maskedValue(row, FIELD.powerFactor),
    voltageUnbalance: maskedValue(row, FIELD.voltageUnbalance),
    currentUnbalance: maskedValue(row, FIELD.currentUnbalance),
    reactiveEnergyKvarh: maskedValue(row, FIELD.reactiveEnergyKvarh),
  };
}

/** Rows of `panel_id`, `edge` ('first' | 'last'), `_time` into panel records sorted by id. */
export function panelEdgesToRecords(rows: readonly FluxRow[]): PanelRecord[] {
  const edges = new Map<string, { first?: Date; last?: Date }>();
  for (const row of rows) {
    const id = stringCell(row, PANEL_TAG);
    const edge = stringCell(row, 'edge');
    const time = timeCell(row, '_time');
    const entry = edges.get(id) ?? {};
    if (edge === 'first') entry.first = entry.first && entry.first < time ? entry.first : time;
    else if (edge === 'last') entry.last = entry.last && entry.last > time ? entry.last : time;
    else throw new Error(`InfluxDB result column edge has an unexpected value: ${JSON.stringify(edge)}`);
    edges.set(id, entry);
  }
  const records: PanelRecord[] = [];
  for (const [id, { first, last }] of edges) {
    if (first && last) records.push({ id, firstSeenAt: first, lastSeenAt: last });
  }
  return records.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
