import {
  flux,
  fluxDateTime,
  fluxDuration,
  fluxExpression,
  fluxFloat,
  fluxInteger,
  fluxString,
  type ParameterizedQuery,
} from '@influxdata/influxdb-client';
import { IANAZone } from 'luxon';
import type { CounterRuleParams, EnergyGrouping } from '../../models/energy.js';
import { periodSlices } from '../../services/energy/periods.js';
import { FIELD, MEASUREMENT } from './influx-points.js';

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
const powerField = fluxString(FIELD.activePowerKw);

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

/** Raw readings of one panel in [from, to), oldest first, at most `limit`. */
export function readingsQuery(bucket: string, panelId: string, from: Date, to: Date, limit?: number): ParameterizedQuery {
  const limitClause = limit === undefined ? flux`` : flux`\n  |> limit(n: ${fluxInteger(limit)})`;
  return flux`from(bucket: ${fluxString(bucket)})
  |> range(start: ${fluxTime(from)}, stop: ${fluxTime(to)})
  |> filter(fn: (r) => r._measurement == ${measurement} and r.panel_id == ${fluxString(panelId)})
  |> pivot(rowKey: ["_time"], columnKey: ["_field"], valueColumn: "_value")
  |> group()
  |> sort(columns: ["_time"])${limitClause}`;
}

/** Milliseconds `n` as a Flux duration value (`duration(v: "60000ms")`). */
function msDuration(ms: number): ParameterizedQuery {
  if (!Number.isSafeInteger(ms) || ms < 0) throw new RangeError(`not a whole number of ms: ${ms}`);
  return fluxDuration(`${ms}ms`);
}

/**
 * Windows of `everyMs` aligned to `from` (the window offset is `from` modulo the window length,
 * Flux aligns windows to the epoch plus that offset); each row is stamped with its window start.
 * Instantaneous values are averaged, the counter is the window's last value.
 */
export function downsampleQuery(bucket: string, panelId: string, from: Date, to: Date, everyMs: number): ParameterizedQuery {
  if (!Number.isSafeInteger(everyMs) || everyMs <= 0) throw new RangeError(`everyMs must be a positive integer, got ${everyMs}`);
  const offsetMs = ((from.getTime() % everyMs) + everyMs) % everyMs;
  const source = (fieldTest: ParameterizedQuery): ParameterizedQuery => flux`from(bucket: ${fluxString(bucket)})
        |> range(start: ${fluxTime(from)}, stop: ${fluxTime(to)})
        |> filter(fn: (r) => r._measurement == ${measurement} and r.panel_id == ${fluxString(panelId)} and ${fieldTest})`;
  const window = flux`every: ${msDuration(everyMs)}, offset: ${msDuration(offsetMs)}, createEmpty: false, timeSrc: "_start"`;
  return flux`${unionOf([
    flux`${source(flux`r._field != ${energyField}`)}
        |> aggregateWindow(${window}, fn: mean)`,
    flux`${source(flux`r._field == ${energyField}`)}
        |> aggregateWindow(${window}, fn: last)`,
  ])}
  |> pivot(rowKey: ["_time"], columnKey: ["_field"], valueColumn: "_value")
  |> group()
  |> sort(columns: ["_time"])`;
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

// ---------------------------------------------------------------------------------------------
// Energy
// ---------------------------------------------------------------------------------------------

/** Per panel: the newest reading before `from`, whether it has one inside, the first at/after `to`. */
export interface PanelBounds {
  readonly panelId: string;
  /** Time of the newest reading before `from` (the first lookback reading), if any. */
  readonly before?: Date;
  /** Whether the panel has any reading in [from, to). Panels without one have no energy rows. */
  readonly inside: boolean;
  /** Time of the first reading at or after `to` (the lookahead reading), if any. */
  readonly after?: Date;
}

/**
 * Step 1 of energy(): the time bounds of each panel's window, from three storage-pushed-down
 * selectors over the counter field (columns panel_id, bound = before|inside|after, _time). Only
 * timestamps come back, no readings.
 */
export function energyBoundsQuery(bucket: string, panelIds: readonly string[], from: Date, to: Date): ParameterizedQuery {
  const filter = flux`filter(fn: (r) => r._measurement == ${measurement} and r._field == ${energyField} and ${panelPredicate(panelIds)})`;
  const bound = (start: Date, stop: Date, selector: 'first' | 'last', label: string): ParameterizedQuery =>
    flux`from(bucket: ${fluxString(bucket)})
        |> range(start: ${fluxTime(start)}, stop: ${fluxTime(stop)})
        |> ${filter}
        |> ${fluxExpression(selector)}()
        |> keep(columns: ["panel_id", "_time"])
        |> set(key: "bound", value: ${fluxString(label)})`;
  const streams: ParameterizedQuery[] = [];
  if (from > MIN_TIME) streams.push(bound(MIN_TIME, from, 'last', 'before'));
  streams.push(bound(from, to, 'first', 'inside'));
  if (to < MAX_TIME) streams.push(bound(to, MAX_TIME, 'first', 'after'));
  return flux`${unionOf(streams)}
  |> group()`;
}

/** How Flux should cut local days and months: a fixed UTC offset, or a named IANA location. */
export type FluxLocation =
  | { readonly kind: 'fixed'; readonly offsetMinutes: number }
  | { readonly kind: 'location'; readonly name: string };

/**
 * A fixed offset when the zone's offset is the same at every period boundary of the query (true
 * for zones without daylight saving such as Asia/Jakarta, WIB +7), else the named location.
 * `timezone.fixed` works on InfluxDB images without zoneinfo, where `timezone.location` fails.
 */
export function fluxLocationFor(timezone: string, from: Date, to: Date, unit: 'day' | 'month'): FluxLocation {
  const zone = IANAZone.create(timezone);
  if (!zone.isValid) throw new RangeError(`"${timezone}" is not an IANA timezone`);
  const instants = [from.getTime(), to.getTime()];
  for (const slice of periodSlices(from, to, unit, timezone)) {
    instants.push(slice.periodStart.getTime(), slice.end.getTime());
  }
  const offsets = new Set(instants.map((ms) => zone.offset(ms)));
  if (offsets.size === 1) return { kind: 'fixed', offsetMinutes: zone.offset(from.getTime()) };
  return { kind: 'location', name: timezone };
}

/** The Flux expression of a location; the fixed offset is written from integers only. */
function locationExpression(location: FluxLocation): ParameterizedQuery {
  if (location.kind === 'location') return flux`timezone.location(name: ${fluxString(location.name)})`;
  const minutes = location.offsetMinutes;
  if (!Number.isSafeInteger(minutes)) throw new RangeError(`offset is not whole minutes: ${minutes}`);
  const sign = minutes < 0 ? '-' : '';
  const abs = Math.abs(minutes);
  const duration = abs === 0 ? '0h' : `${Math.floor(abs / 60)}h${abs % 60 === 0 ? '' : `${abs % 60}m`}`;
  return flux`timezone.fixed(offset: ${fluxExpression(`${sign}${duration}`)})`;
}

/** The time window of one panel in step 2: [start, stop) plus, optionally, the reading before `start`. */
export interface PanelWindow {
  readonly panelId: string;
  /** First instant read in full (the first lookback reading's time, or `from`). */
  readonly start: Date;
  /** Exclusive end (just after the lookahead reading, or `to`). */
  readonly stop: Date;
  /** Also read the newest reading before `start` (the second lookback reading). */
  readonly secondLookback: boolean;
}

/** Windows from the bounds: two readings back, the inside, one reading ahead. */
export function panelWindows(bounds: readonly PanelBounds[], from: Date, to: Date): PanelWindow[] {
  return bounds
    .filter((b) => b.inside)
    .map((b) => ({
      panelId: b.panelId,
      start: b.before ?? from,
      stop: b.after ? new Date(b.after.getTime() + 1) : to,
      secondLookback: b.before !== undefined,
    }));
}

export interface EnergyQueryParams {
  readonly bucket: string;
  readonly windows: readonly PanelWindow[];
  readonly from: Date;
  readonly to: Date;
  readonly groupBy: EnergyGrouping;
  /** Required for day/month grouping. */
  readonly location?: FluxLocation;
  readonly rule: CounterRuleParams;
}

/**
 * Step 2 of energy(): the counter rule (README "How energy is counted") evaluated inside
 * InfluxDB, summed per panel and calendar period. Result columns: panel_id, period, energy.
 *
 * 1. Per panel, the counter and power of: the second reading before `from` (`last()` before the
 *    first one), everything from the first reading before `from` to the first at/after `to`.
 * 2. Pivot to one row per reading, number the rows 1..n per panel (cumulativeSum of 1).
 * 3. Neighbours without a join: every row is emitted again with its number shifted by +1, +2 and
 *    -1 under field names suffixed 1, 2 and n, and a pivot on the row number puts the previous,
 *    the one before that and the next reading's t/c/p next to each row (null where there is none).
 *    This copies the neighbours' values exactly (difference() would recompute them with rounding).
 * 4. The same CASE as the SQLite store, in the same order, with the same arithmetic:
 *    - no previous reading in the window: 0
 *    - the reading is a glitch (it has a next one, the step into it is abnormal, the step from
 *      its predecessor to its successor is normal): 0
 *    - the previous reading is a glitch (same test one row back): c - c2 (that step is normal by
 *      the glitch definition)
 *    - the step from the previous reading is normal: c - c1
 *    - otherwise (reset, replacement meter, jump): 0
 *    `normal` is `0 <= cB - cA <= max(pA, pB, minKw) * ratio * ((tB - tA) / 3600000.0)` with times
 *    as float milliseconds (exact for ms timestamps), the operation order of counter-rule.ts.
 *    Missing neighbours are tested with `exists` inside `if ... then ... else`, which evaluates
 *    only the branch taken, so no comparison ever sees a null (Flux's `and` is not documented
 *    to short-circuit).
 * 5. Keep readings in [from, to); the period is the reading's local day/month start
 *    (`date.truncate` in the site location) or `from` for 'total'; sum in time order.
 */
export function energyQuery(params: EnergyQueryParams): ParameterizedQuery {
  const { bucket, windows, from, to, groupBy, rule } = params;
  if (windows.length === 0) throw new RangeError('energyQuery needs at least one panel window');
  const fields = flux`(r._field == ${energyField} or r._field == ${powerField})`;
  const streams: ParameterizedQuery[] = [];
  for (const w of windows) {
    const panel = flux`r._measurement == ${measurement} and r.panel_id == ${fluxString(w.panelId)} and ${fields}`;
    if (w.secondLookback && w.start > MIN_TIME) {
      streams.push(flux`from(bucket: ${fluxString(bucket)})
        |> range(start: ${fluxTime(MIN_TIME)}, stop: ${fluxTime(w.start)})
        |> filter(fn: (r) => ${panel})
        |> last()`);
    }
    streams.push(flux`from(bucket: ${fluxString(bucket)})
        |> range(start: ${fluxTime(w.start)}, stop: ${fluxTime(w.stop)})
        |> filter(fn: (r) => ${panel})`);
  }

  let imports = flux``;
  let period: ParameterizedQuery;
  if (groupBy === 'total') {
    period = fluxTime(from);
  } else {
    if (!params.location) throw new RangeError(`energyQuery needs a location for ${groupBy} grouping`);
    imports = flux`import "date"
import "timezone"

`;
    const unit = fluxExpression(groupBy === 'day' ? '1d' : '1mo');
    period = flux`date.truncate(t: time(v: int(v: r.t) * 1000000), unit: ${unit}, location: ${locationExpression(params.location)})`;
  }

  const step = (a: string, b: string): ParameterizedQuery =>
    fluxExpression(`normal(cA: r.c${a}, pA: r.p${a}, tA: r.t${a}, cB: r.c${b}, pB: r.p${b}, tB: r.t${b})`);

  return flux`${imports}ratio = ${fluxFloat(rule.maxPowerRatio)}
minKw = ${fluxFloat(rule.minPowerKw)}

normal = (cA, pA, tA, cB, pB, tB) => {
    rise = cB - cA
    pmax = if pA > pB then (if pA > minKw then pA else minKw) else (if pB > minKw then pB else minKw)

    return rise >= 0.0 and rise <= pmax * ratio * ((tB - tA) / 3600000.0)
}

shifted = (tables=<-, offset, suffix) =>
    union(
        tables: [
            tables |> map(fn: (r) => ({panel_id: r.panel_id, i: r.i + offset, _field: "t" + suffix, _value: r.t})),
            tables |> map(fn: (r) => ({panel_id: r.panel_id, i: r.i + offset, _field: "c" + suffix, _value: r.c})),
            tables |> map(fn: (r) => ({panel_id: r.panel_id, i: r.i + offset, _field: "p" + suffix, _value: r.p})),
        ],
    )

rows =
    ${unionOf(streams)}
        |> group(columns: ["panel_id"])
        |> pivot(rowKey: ["_time"], columnKey: ["_field"], valueColumn: "_value")
        |> filter(fn: (r) => exists r.${fluxExpression(FIELD.energyKwh)} and exists r.${fluxExpression(FIELD.activePowerKw)})
        |> sort(columns: ["_time"])
        |> map(fn: (r) => ({panel_id: r.panel_id, t: float(v: int(v: r._time) / 1000000), c: r.${fluxExpression(FIELD.energyKwh)}, p: r.${fluxExpression(FIELD.activePowerKw)}, i: 1}))
        |> cumulativeSum(columns: ["i"])

union(
    tables: [
        rows |> shifted(offset: 0, suffix: ""),
        rows |> shifted(offset: 1, suffix: "1"),
        rows |> shifted(offset: 2, suffix: "2"),
        rows |> shifted(offset: -1, suffix: "n"),
    ],
)
    |> group(columns: ["panel_id"])
    |> pivot(rowKey: ["i"], columnKey: ["_field"], valueColumn: "_value")
    |> filter(fn: (r) => if exists r.t then r.t >= ${fluxFloat(from.getTime())} and r.t < ${fluxFloat(to.getTime())} else false)
    |> map(
        fn: (r) =>
            ({
                panel_id: r.panel_id,
                t: r.t,
                energy:
                    if not exists r.t1 then
                        0.0
                    else if (if exists r.tn then not ${step('1', '')} and ${step('1', 'n')} else false) then
                        0.0
                    else if (if exists r.t2 then not ${step('2', '1')} and ${step('2', '')} else false) then
                        r.c - r.c2
                    else if ${step('1', '')} then
                        r.c - r.c1
                    else
                        0.0,
            }),
    )
    |> map(fn: (r) => ({r with period: ${period}}))
    |> group(columns: ["panel_id", "period"])
    |> sort(columns: ["t"])
    |> sum(column: "energy")
    |> group()
    |> sort(columns: ["panel_id", "period"])`;
}
