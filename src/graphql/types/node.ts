import { isPanelId } from '../../models/panel-id.js';
import { builder } from '../builder.js';
import type { Context } from '../context.js';

/**
 * Object identity (the Relay server specification): every object a client caches has an opaque
 * global `id` unique across types, and `node(id)` fetches any of them again with the same access
 * as its own field. The local ids stay under their own names (Panel.panelId, Alarm.alarmId,
 * ApiKey.keyId, AdminChange.changeId), as the arguments that take them are named.
 *
 * A panel's global id is its panel id (Panel.id = Panel.panelId, as every client, topic and
 * export already names it): it is globally unique because every other type's id starts with "~",
 * which no panel id can (PANEL_ID_PATTERN starts with a letter or digit). A later multi-site
 * release keeps this site's panel ids and gives other sites' panels "~" ids naming their site.
 */

/** The types with identity; a global id names one of them and its local key. */
export const NODE_TYPES = ['Site', 'Panel', 'Alarm', 'ApiKey', 'AdminChange', 'TariffPlanVersion'] as const;
export type NodeType = (typeof NODE_TYPES)[number];

/**
 * The global id of `key` of `type`: a panel's own id, else "~" and base64url of "type:key", so a
 * client treats it as opaque (it must not build or parse one) while the server reads it back
 * without a lookup table. A later multi-site release gives other sites' objects ids that name
 * their site; these stay valid.
 */
export function globalId(type: NodeType, key: string): string {
  if (type === 'Panel') return key;
  return `~${Buffer.from(`${type}:${key}`, 'utf8').toString('base64url')}`;
}

/** The type and key a global id names, or null when it is not one this server made. */
export function parseGlobalId(id: string): { type: NodeType; key: string } | null {
  if (isPanelId(id)) return { type: 'Panel', key: id };
  if (!/^~[A-Za-z0-9_-]{1,400}$/.test(id)) return null;
  const text = Buffer.from(id.slice(1), 'base64url').toString('utf8');
  const colon = text.indexOf(':');
  const type = NODE_TYPES.find((name) => name === text.slice(0, colon));
  // Only the canonical encoding: one object has one id.
  if (colon < 1 || type === undefined || globalId(type, text.slice(colon + 1)) !== id) return null;
  return { type, key: text.slice(colon + 1) };
}

/**
 * The local key an `id` argument names: a global id of `type`, or, for one release (see the
 * changelog in docs/api.md), the local id clients kept from before global ids (a panel's is the
 * same). A "~" id of another type names nothing (null).
 */
export function localKey(type: NodeType, id: string): string | null {
  if (!id.startsWith('~')) return id;
  const parsed = parseGlobalId(id);
  return parsed?.type === type ? parsed.key : null;
}

type Loader = (key: string, context: Context) => unknown;

const loaders = new Map<NodeType, Loader>();
/** Which type each object node() answered is (the shapes do not say it themselves). */
const typeOfNode = new WeakMap<object, NodeType>();

export const Node = builder.interfaceRef<object>('Node').implement({
  description: 'An object with identity: its `id` is global (unique across types), opaque and stable; `node(id)` fetches it again.',
  fields: (t) => ({
    id: t.id({
      description: 'Opaque and stable: keep it, compare it, pass it to node(id); do not build or parse one.',
      // Every Node type defines its own `id` (globalId of its key), which replaces this one.
      resolve: () => {
        throw new Error('a Node type without its own id field');
      },
    }),
  }),
  resolveType: (value) => typeOfNode.get(value) ?? null,
});

/**
 * Makes `type` fetchable by node(id): `load` answers what the type's own field answers for the
 * caller (null, UNKNOWN_PANEL or FORBIDDEN alike), so node() opens no way around an access rule.
 */
export function registerNode(type: NodeType, load: Loader): void {
  loaders.set(type, load);
}

builder.queryField('node', (t) =>
  t.field({
    type: Node,
    nullable: true,
    description:
      'The object with this global id, with the access its own field gives: a panel outside the caller\'s is null with UNKNOWN_PANEL as in panel(), ' +
      'an alarm the caller does not see is null as in alarm(), API keys need admin and admin changes operator (FORBIDDEN) as in apiKeys and adminChanges. ' +
      'null for an id that names nothing.',
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, { id }, context) => {
      const parsed = parseGlobalId(String(id));
      const load = parsed && loaders.get(parsed.type);
      if (!parsed || !load) return null;
      const value = await load(parsed.key, context);
      if (value === null || value === undefined || typeof value !== 'object') return null;
      typeOfNode.set(value, parsed.type);
      return value;
    },
  }),
);
