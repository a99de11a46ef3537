/**
 * MQTT_TOPIC's pattern, read once at start-up (config) and used by every floor that names a
 * meter's topic (ingest, the transports, the simulator).
 */

/**
 * The fixed prefix of a subscription pattern: `DATA/PM/#` and `DATA/PM/+` give `DATA/PM`, and a
 * shared subscription `$share/<group>/DATA/PM/#` gives `DATA/PM` too (brokers deliver shared
 * messages on the real topic, without the `$share/<group>/` part).
 * Throws for a pattern with no usable prefix (e.g. `#`, `+/PM/#`, `DATA/PM`): that is a configuration error,
 * found once at startup, not something to discover per message.
 */
export function topicPrefix(pattern: string): string {
  let rest = pattern;
  if (rest.startsWith('$share/')) {
    const groupEnd = rest.indexOf('/', '$share/'.length);
    rest = groupEnd === -1 ? '' : rest.slice(groupEnd + 1);
  }
  // Without a trailing wildcard the subscription could never deliver `<prefix>/<id>`.
  const wildcard = rest.endsWith('/#') || rest.endsWith('/+');
  rest = rest.slice(0, -2);
  if (!wildcard || rest === '' || rest.includes('+') || rest.includes('#') || rest.split('/').includes('')) {
    throw new Error(
      `MQTT topic pattern ${quote(pattern)} must be a fixed prefix followed by "/#" or "/+", such as "DATA/PM/#"`,
    );
  }
  return rest;
}

function quote(text: string): string {
  return JSON.stringify(text.length > 100 ? `${text.slice(0, 100)}…` : text);
}
