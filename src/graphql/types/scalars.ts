import { GraphQLError, Kind, type ValueNode } from 'graphql';
import { DateTime } from 'luxon';
import type { ErrorReason } from '../../services/user-input-error.js';
import { builder } from '../builder.js';

const ISO_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;

/**
 * The instants of DateTime texts already parsed, by text. A request's variables are coerced several
 * times before they reach a resolver (the cost limit, the choice of the compiled plan, the plan
 * itself), and a chart's range is typically the same texts on every request, while luxon's parse
 * is about 6 µs and a few KB of garbage each (40 KB per history chart, a tenth of what its
 * requests left to the old generation). Bounded as `isoTexts` below; refused texts are not kept.
 */
const PARSED_KEPT = 4_096;
const parsedInstants = new Map<string, number>();

/** `node`: the literal in the document, so the error points at it. */
function parseDateTime(value: unknown, node?: ValueNode): Date {
  const known = typeof value === 'string' ? parsedInstants.get(value) : undefined;
  // A Date each time: a Date is mutable, and a caller's must not change another's.
  if (known !== undefined) return new Date(known);
  if (typeof value !== 'string' || !ISO_WITH_OFFSET.test(value)) {
    throw new GraphQLError(`DateTime must be ISO-8601 with an offset, e.g. 2026-07-01T00:00:00+07:00 (got ${JSON.stringify(value)})`, {
      nodes: node,
      extensions: { code: 'BAD_USER_INPUT', reason: 'INVALID_DATE_TIME' satisfies ErrorReason },
    });
  }
  // Not `new Date(value)`: it rolls 2026-02-30 over into March instead of refusing it.
  const parsed = DateTime.fromISO(value, { setZone: true });
  if (!parsed.isValid) {
    throw new GraphQLError(`DateTime ${value} is not a valid instant: ${parsed.invalidExplanation ?? 'no such date or time'}`, {
      nodes: node,
      extensions: { code: 'BAD_USER_INPUT', reason: 'INVALID_DATE_TIME' satisfies ErrorReason },
    });
  }
  const ms = parsed.toMillis();
  if (parsedInstants.size >= PARSED_KEPT) parsedInstants.clear();
  parsedInstants.set(value, ms);
  return new Date(ms);
}

/**
 * The ISO text of instants already serialized, keyed by their ms: a panel's newest reading time
 * is shown twice per card on every dashboard request until its next reading, and a chart's
 * window bounds are the same hours on every request, so toISOString is mostly a lookup.
 * Keyed by the number, not by the Date object (a WeakMap): charts make new Dates for each
 * request, and a WeakMap entry per Date (1,440 for a 30-day chart at 1 h) cost more than
 * toISOString itself, in set() and in the collector's ephemeron work (18 % of the history
 * line's CPU profile). Bounded: cleared when full, then refilled by what is asked.
 */
const ISO_TEXTS_KEPT = 16_384;
const isoTexts = new Map<number, string>();

function isoText(value: Date | number): string {
  const ms = typeof value === 'number' ? value : value.getTime();
  let text = isoTexts.get(ms);
  if (text === undefined) {
    text = new Date(ms).toISOString();
    if (isoTexts.size >= ISO_TEXTS_KEPT) isoTexts.clear();
    isoTexts.set(ms, text);
  }
  return text;
}

builder.scalarType('DateTime', {
  description: 'An instant as ISO-8601 with an offset (output in UTC, e.g. 2026-07-01T05:30:05.000Z).',
  serialize: (value) => isoText(value),
  parseValue: (value) => parseDateTime(value),
  parseLiteral: (ast) => parseDateTime(ast.kind === Kind.STRING ? ast.value : undefined, ast),
});

/** A calendar date: YYYY-MM-DD and a day the calendar has (not 2026-02-30). `node` as for DateTime. */
function parseDate(value: unknown, node?: ValueNode): string {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value)) {
    throw new GraphQLError(`Date must be YYYY-MM-DD (got ${JSON.stringify(value)})`, {
      nodes: node,
      extensions: { code: 'BAD_USER_INPUT', reason: 'INVALID_DATE' satisfies ErrorReason },
    });
  }
  const parsed = DateTime.fromISO(value, { zone: 'utc' });
  if (!parsed.isValid) {
    throw new GraphQLError(`Date ${value} is not a day of the calendar: ${parsed.invalidExplanation ?? 'no such date'}`, {
      nodes: node,
      extensions: { code: 'BAD_USER_INPUT', reason: 'INVALID_DATE' satisfies ErrorReason },
    });
  }
  return value;
}

builder.scalarType('Date', {
  description: 'A calendar date YYYY-MM-DD in the site timezone; a day the calendar has (2026-02-30 is refused).',
  serialize: (value) => value,
  parseValue: (value) => parseDate(value),
  parseLiteral: (ast) => parseDate(ast.kind === Kind.STRING ? ast.value : undefined, ast),
});
