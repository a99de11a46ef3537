import {
  flux,
  fluxDateTime,
  fluxExpression,
  fluxString,
  type ParameterizedQuery,
} from '@influxdata/influxdb-client';
import { FIELD, MEASUREMENT, NULL_MASK_FIELD } from './influx-points.js';

/**
 * Flux query builders for InfluxStore.
 *
 * Every value that comes from outside (bucket, panel ids, times, numbers) enters a query through
 * the client's `flux` tagged template or its `fluxString`/`fluxDateTime`/`fluxFloat`/... helpers,
 * which turn it into a correctly escaped Flux literal; nothing is concatenated into Flux text
 * unescaped. (InfluxDB OSS 2.x has no server-side query parameters, the `params` request field is
 * InfluxDB Cloud only, so client-side literal escaping is how a query is parameterized here.)
 * The only code fragments assembled from strings are ones this module chose itself (a duration
 * unit, a sign and digits), and fragments that the template already produced.
 *
 * Query shapes are chosen so InfluxDB's storage engine can answer the expensive part:
 * `range |> filter |> first()/last()` and `aggregateWindow(mean/last)` are pushed down, which is
 * also why panel filters are `r.panel_id == "a" or r.panel_id == "b"` chains rather than
 * `contains()` (a function call in a predicate is not pushed down, and the whole bucket history
 * would be read into the query engine).
 */

/** Earliest and latest instants the queries consider. Meter clocks are not that far off. */
const MIN_TIME = new Date('1970-01-01T00:00:00.000Z');
const MAX_TIME = new Date('2200-01-01T00:00:00.000Z');

/** A time literal for Flux: `time(v: "2026-01-01T00:00:00.000Z")`. Throws on an invalid Date. */
export function fluxTime(date: Date): ParameterizedQuery {
  if (!(date instanceof Date) || Number.isNaN(date.getTime())) throw new RangeError(`not a valid date: ${String(date)}`);
  return fluxDateTime(date.toISOString());
}

/** Joins already-sanitized fragments (never raw input). */
function joinFragments(fragments: readonly ParameterizedQuery[], separator: string): ParameterizedQuery {
  return fluxExpression(fragments.map((fragment) => fragment.toString()).join(separator));
}

/** `union(tables: [...])`, or the stream itself when there is one (union needs two or more). */
function unionOf(streams: readonly ParameterizedQuery[]): ParameterizedQuery {
  if (streams.length === 0) throw new RangeError('unionOf needs at least one stream');
  if (streams.length === 1) return streams[0]!;
  return flux`union(tables: [${joinFragments(streams, ',\n    ')}])`;
}

/** `(r.panel_id == "a" or r.panel_id == "b")` for a non-empty, de-duplicated id list. */
export function panelPredicate(panelIds: readonly string[]): ParameterizedQuery {
  const unique = [...new Set(panelIds)];
  if (unique.length === 0) throw new RangeError('panelPredicate needs at least one panel id');
  return flux`(${joinFragments(
    unique.map((id) => flux`r.panel_id == ${fluxString(id)}`),
    ' or ',
  )})`;
}

const measurement = fluxString(MEASUREMENT);
const energyField = fluxString(FIELD.energyKwh);

/** Newest point of each requested panel, all fields of the newest timestamp in one row. */
export function latestReadingsQuery(bucket: string, panelIds: readonly string[]): ParameterizedQuery {
  // last() runs per series (panel × field) in storage. A field missing from the newest reading
  // (a null power factor, say) has its last value at an older time: pivoting by _time and keeping
  // each panel's newest row drops those older values instead of mixing them in.
  return flux`from(bucket: ${fluxString(bucket)})
  |> range(start: ${fluxTime(MIN_TIME)}, stop: ${fluxTime(MAX_TIME)})
  |> filter(fn: (r) => r._measurement == ${measurement} and ${panelPredicate(panelIds)})
  |> last()
  |> pivot(rowKey: ["_time"], columnKey: ["_field"], valueColumn: "_value")
  |> group(columns: ["panel_id"])
  |> sort(columns: ["_time"], desc: true)
  |> limit(n: 1)
  |> group()`;
}

/** First and last counter timestamp of every panel in the bucket (columns panel_id, edge, _time). */
export function panelsQuery(bucket: string): ParameterizedQuery {
  // Two separate sources: a source shared by first() and last() could not be pushed down to storage.
  const edge = (selector: 'first' | 'last'): ParameterizedQuery => flux`from(bucket: ${fluxString(bucket)})
        |> range(start: ${fluxTime(MIN_TIME)}, stop: ${fluxTime(MAX_TIME)})
        |> filter(fn: (r) => r._measurement == ${measurement} and r._field == ${energyField})
        |> ${fluxExpression(selector)}()
        |> keep(columns: ["panel_id", "_time"])
        |> set(key: "edge", value: ${fluxString(selector)})`;
  return flux`${unionOf([edge('first'), edge('last')])}
  |> group()`;
}

/** The fields the counting rule walks, and the null mask that qualifies them. */
const RULE_FIELDS = [
  FIELD.energyKwh,
  FIELD.activePowerKw,
  FIELD.powerFactor,
  FIELD.reactiveEnergyKvarh,
  FIELD.apparentPowerKva,
  NULL_MASK_FIELD,
] as const;

/**
 * One panel's readings in [from, to) with only the fields the counting rule needs, one row per
 * reading (pivoted), oldest first.
 */
export function ruleFieldsQuery(bucket: string, panelId: string, from: Date, to: Date): ParameterizedQuery {
  const fields = joinFragments(
    RULE_FIELDS.map((field) => flux`r._field == ${fluxString(field)}`),
    ' or ',
  );
  return flux`from(bucket: ${fluxString(bucket)})
  |> range(start: ${fluxTime(from)}, stop: ${fluxTime(to)})
  |> filter(fn: (r) => r._measurement == ${measurement} and r.panel_id == ${fluxString(panelId)} and (${fields}))
  |> pivot(rowKey: ["_time"], columnKey: ["_field"], valueColumn: "_value")
  |> keep(columns: ["_time", ${joinFragments(RULE_FIELDS.map((field) => fluxString(field)), ', ')}])`;
}

/** The first and the last counter timestamp of one panel at or after `from` (columns edge, _time). */
export function panelSpanQuery(bucket: string, panelId: string, from: Date): ParameterizedQuery {
  const edge = (selector: 'first' | 'last'): ParameterizedQuery => flux`from(bucket: ${fluxString(bucket)})
        |> range(start: ${fluxTime(from)}, stop: ${fluxTime(MAX_TIME)})
        |> filter(fn: (r) => r._measurement == ${measurement} and r.panel_id == ${fluxString(panelId)} and r._field == ${energyField})
        |> ${fluxExpression(selector)}()
        |> keep(columns: ["_time"])
        |> set(key: "edge", value: ${fluxString(selector)})`;
  return flux`${unionOf([edge('first'), edge('last')])}
  |> group()`;
}

export { MIN_TIME, MAX_TIME };
