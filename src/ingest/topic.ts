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

function quote(text: string): string {
  return JSON.stringify(text.length > 100 ? `${text.slice(0, 100)}…` : text);
}
