/**
 * A panel id: the last level of a meter's topic `DATA/PM/<PANEL_ID>`. Safe to use as a metric
 * label, an InfluxDB tag, a SQLite key and a GraphQL value without escaping: no MQTT wildcards or
 * level separators, no leading punctuation, bounded. The one definition, for ingestion, the API,
 * the admin record and the simulators.
 */
export const PANEL_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

export const PANEL_ID_RULE = '1-64 letters, digits, "_", "." or "-", starting with a letter or digit';

export function isPanelId(value: string): boolean {
  return PANEL_ID_PATTERN.test(value);
}
