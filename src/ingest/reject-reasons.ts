/**
 * Why a meter message was rejected. A closed list so that metrics can pre-register one label per
 * reason (a counter that appears only after the first failure hides "zero so far" from alerts) and
 * so that the label set can never grow with attacker-controlled input. The human-readable detail
 * that goes with each rejection carries the field name and value.
 */
export const REJECT_REASONS = [
  /** Topic is not `<prefix>/<panel id>` with a sane id. */
  'invalid_topic',
  /** Raw payload larger than MAX_PAYLOAD_BYTES; checked before decoding. */
  'payload_too_large',
  /** Arrays/objects nested deeper than MAX_JSON_DEPTH; checked before parsing. */
  'too_deeply_nested',
  /** Not UTF-8, or not JSON. */
  'invalid_json',
  /** Valid JSON, but the top level is not an object. */
  'not_an_object',
  /** `data` missing or not an object. */
  'data_not_object',
  /** Two keys that differ only in case carry different values (e.g. `kWh` and `KWH`). */
  'ambiguous_key',
  /** `status` present and not "OK". */
  'status_not_ok',
  /** A required measurement (`kWh`, `kw`, `v`, `i`) is missing or null. */
  'missing_field',
  /** A value that is not a finite decimal number (or a string holding one). */
  'invalid_number',
  /** Energy, power, voltage, current or an unbalance ratio below zero. */
  'negative_value',
  /** `pf` outside [-1, 1]. */
  'power_factor_out_of_range',
  /** `v` or `i` not an array of 3 or 4 numbers. */
  'invalid_phase_array',
  /** `time` present but not a date-time this parser understands, or not a real calendar date. */
  'invalid_time',
  /** `time` further in the future than the allowed clock skew. */
  'time_in_future',
  /** `time` before METER_TIME_FLOOR (default 2000-01-01): a meter clock that was never set. */
  'time_too_old',
  /** The panel was retired (admin record): its readings are no longer stored. */
  'panel_retired',
  /** A reading of a panel not seen before while MAX_PANELS panels are already known. */
  'panel_limit',
  /** A bug in the parser itself; the message is dropped instead of crashing the ingester. */
  'internal_error',
] as const;

export type RejectReason = (typeof REJECT_REASONS)[number];
