import { PANEL_ID_PATTERN, PANEL_ID_RULE } from '../models/panel-id.js';

export type PanelIdResult = { ok: true; panelId: string } | { ok: false; detail: string };

/**
 * The panel id from a topic `<prefix>/<id>`. Exactly one level after the prefix: the subscription
 * `DATA/PM/#` also delivers `DATA/PM` and `DATA/PM/A/B`, which name no single panel.
 * MQTT topics are case-sensitive, so the prefix is compared as is.
 */
export function panelIdFromTopic(topic: string, prefix = 'DATA/PM'): PanelIdResult {
  const head = `${prefix}/`;
  if (!topic.startsWith(head)) {
    return { ok: false, detail: `topic ${quote(topic)} is not under "${head}"` };
  }
  const panelId = topic.slice(head.length);
  if (!PANEL_ID_PATTERN.test(panelId)) {
    return {
      ok: false,
      detail:
        `topic ${quote(topic)}: panel id ${quote(panelId)} must be one topic level of ${PANEL_ID_RULE}`,
    };
  }
  return { ok: true, panelId };
}

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
