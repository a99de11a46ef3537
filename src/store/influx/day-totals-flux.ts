import { flux, fluxDuration, fluxExpression, fluxString, type ParameterizedQuery } from '@influxdata/influxdb-client';
import type { DaySpan } from '../day-totals.js';
import { fluxTime, MIN_TIME, panelPredicate } from './influx-flux.js';
import { FIELD, MEASUREMENT } from './influx-points.js';

/** The fields behind DAY_TOTAL_VALUES, in that order. */
export const DAY_TOTAL_FIELDS = [FIELD.energyKwh, FIELD.activePowerKw, FIELD.powerFactor, FIELD.reactiveEnergyKvarh, FIELD.apparentPowerKva] as const;

/** A run of consecutive days of one length, aligned to its start: one aggregateWindow covers it. */
interface Run {
  readonly startMs: number;
  readonly endMs: number;
  readonly everyMs: number;
}

/**
 * Local days as runs of equal days: a zone's days are 24 h between its clock changes, which end
 * a run (a 23 h or 25 h day is a run of its own), so each run's windows tile its days exactly.
 */
export function dayRuns(days: readonly DaySpan[]): Run[] {
  const runs: Array<{ startMs: number; endMs: number; everyMs: number }> = [];
  for (const day of days) {
    const length = day.endMs - day.startMs;
    const last = runs[runs.length - 1];
    if (last && last.endMs === day.startMs && last.everyMs === length) last.endMs = day.endMs;
    else runs.push({ startMs: day.startMs, endMs: day.endMs, everyMs: length });
  }
  return runs;
}

function ms(value: number): ParameterizedQuery {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`not a whole number of ms: ${value}`);
  return fluxDuration(`${value}ms`);
}

/**
 * Per panel, field and day: count and sum of the rule's fields (`fn` "count" or "sum", `_time` the
 * day's start), and the count of counter readings before the first day (`fn` "before"). Each
 * stream is `range |> filter |> aggregateWindow`, which InfluxDB answers in storage (window
 * aggregate push-down) without handing every point to the query engine.
 */
export function dayTotalsQuery(bucket: string, panelIds: readonly string[], days: readonly DaySpan[]): ParameterizedQuery {
  const runs = dayRuns(days);
  if (runs.length === 0) throw new RangeError('dayTotalsQuery needs at least one day');
  const fields = fluxExpression(DAY_TOTAL_FIELDS.map((field) => `r._field == ${fluxString(field).toString()}`).join(' or '));
  const source = (start: number, stop: number, fieldTest: ParameterizedQuery) => flux`from(bucket: ${fluxString(bucket)})
        |> range(start: ${fluxTime(new Date(start))}, stop: ${fluxTime(new Date(stop))})
        |> filter(fn: (r) => r._measurement == ${fluxString(MEASUREMENT)} and ${panelPredicate(panelIds)} and (${fieldTest}))`;
  // Counts are integers and sums floats; union() wants one type per column (a day's count is exact as a float).
  const toFloat = flux`\n        |> toFloat()`;
  const streams: ParameterizedQuery[] = [];
  for (const run of runs) {
    const window = flux`every: ${ms(run.everyMs)}, offset: ${ms(((run.startMs % run.everyMs) + run.everyMs) % run.everyMs)}, createEmpty: false, timeSrc: "_start"`;
    for (const fn of ['count', 'sum'] as const) {
      streams.push(flux`${source(run.startMs, run.endMs, fields)}
        |> aggregateWindow(${window}, fn: ${fluxExpression(fn)})${fn === 'count' ? toFloat : flux``}
        |> set(key: "fn", value: ${fluxString(fn)})`);
    }
  }
  const firstStart = runs[0]!.startMs;
  if (firstStart > MIN_TIME.getTime()) {
    streams.push(flux`${source(MIN_TIME.getTime(), firstStart, flux`r._field == ${fluxString(FIELD.energyKwh)}`)}
        |> count()${toFloat}
        |> set(key: "fn", value: "before")`);
  }
  const body = fluxExpression(streams.map((stream) => stream.toString()).join(',\n    '));
  const all = streams.length === 1 ? body : flux`union(tables: [${body}])`;
  return flux`${all}
  |> keep(columns: ["panel_id", "_field", "_time", "_value", "fn"])`;
}
