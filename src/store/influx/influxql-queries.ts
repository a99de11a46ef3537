import { MEASUREMENT, PANEL_TAG } from './influx-points.js';

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

/**
 * One panel's raw readings in [from, to), oldest first, at most `limit`: every field and tag as
 * columns (InfluxQL rows are whole points, so no pivot is needed).
 */
export function readingsStatement(panelId: string, from: Date, to: Date, limit?: number): string {
  if (limit !== undefined && !(Number.isSafeInteger(limit) && limit > 0)) throw new RangeError(`limit must be a positive integer, got ${limit}`);
  return (
    `SELECT * FROM "${MEASUREMENT}" WHERE "${PANEL_TAG}" = ${influxqlString(panelId)} AND time >= ${timeLiteral(from)} AND time < ${timeLiteral(to)}` +
    ` ORDER BY time ASC${limit === undefined ? '' : ` LIMIT ${limit}`}`
  );
}
