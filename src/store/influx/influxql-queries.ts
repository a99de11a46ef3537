import { FIELD, FIELD_NAMES, MEASUREMENT, PANEL_TAG, READING_COUNT_COLUMN } from './influx-points.js';

/** InfluxDB's representable times (int64 nanoseconds), a day inside each end. */
const EARLIEST_MS = Date.parse('1677-09-22T00:00:00.000Z');
const LATEST_MS = Date.parse('2262-04-10T00:00:00.000Z');

/** A time as an InfluxQL RFC 3339 literal, clamped to what InfluxDB can hold. */
function timeLiteral(date: Date): string {
  const ms = date.getTime();
  if (Number.isNaN(ms)) throw new RangeError(`not a valid date: ${String(date)}`);
  return `'${new Date(Math.min(LATEST_MS, Math.max(EARLIEST_MS, ms))).toISOString()}'`;
}

/** An InfluxQL string literal: single quotes, with backslash and quote escaped. */
export function influxqlString(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** The FROM and WHERE of a statement about one panel's points in [from, to). */
function panelSpan(panelId: string, from: Date, to: Date): string {
  return `FROM "${MEASUREMENT}" WHERE "${PANEL_TAG}" = ${influxqlString(panelId)} AND time >= ${timeLiteral(from)} AND time < ${timeLiteral(to)}`;
}

/**
 * One panel's raw readings in [from, to), oldest first, at most `limit`: every field and tag as
 * columns (InfluxQL rows are whole points, so no pivot is needed).
 */
export function readingsStatement(panelId: string, from: Date, to: Date, limit?: number): string {
  if (limit !== undefined && !(Number.isSafeInteger(limit) && limit > 0)) throw new RangeError(`limit must be a positive integer, got ${limit}`);
  return (
    `SELECT * ${panelSpan(panelId, from, to)} ORDER BY time ASC${limit === undefined ? '' : ` LIMIT ${limit}`}`
  );
}

/**
 * One panel's windows of `everyMs` from `from` (aligned to it, as the offset says) to `to`: the
 * mean of every field but the counter, the counter's last value, and how many readings, under the
 * fields' own names; windows without readings are left out (fill(none)). The same figures as
 * Flux's aggregateWindow of the same fields (checked equal), about 4 times faster for the one
 * hour a chart re-reads after each reading of its panel (2 ms against 8 ms here).
 */
export function downsampleStatement(panelId: string, from: Date, to: Date, everyMs: number): string {
  if (!Number.isSafeInteger(everyMs) || everyMs <= 0) throw new RangeError(`everyMs must be a positive integer, got ${everyMs}`);
  const offsetMs = ((from.getTime() % everyMs) + everyMs) % everyMs;
  const means = FIELD_NAMES.filter((field) => field !== FIELD.energyKwh).map((field) => `mean("${field}") AS "${field}"`);
  return (
    `SELECT ${means.join(', ')}, last("${FIELD.energyKwh}") AS "${FIELD.energyKwh}", count("${FIELD.energyKwh}") AS "${READING_COUNT_COLUMN}"` +
    ` ${panelSpan(panelId, from, to)} GROUP BY time(${everyMs}ms, ${offsetMs}ms) fill(none)`
  );
}
