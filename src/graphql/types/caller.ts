import { builder } from '../builder.js';
import type { Context } from '../context.js';
import { ApiRole } from './admin.js';

/**
 * Who is asking, as the server sees the credentials: a page shows only what this caller may do
 * (an Acknowledge button for an operator's key, not for a viewer's) instead of offering what the
 * server would refuse.
 */
const Caller = builder.objectRef<Context['viewer']>('Caller').implement({
  description: "The caller's own credentials: name, role and panel limit (never the key itself).",
  fields: (t) => ({
    name: t.exposeString('name', { description: 'As the admin record names it, e.g. "key:lobby-screen".' }),
    role: t.field({ type: ApiRole, description: 'The open (development) mode answers admin.', resolve: (viewer) => viewer.role ?? 'viewer' }),
    panelIds: t.stringList({
      nullable: true,
      description: 'The panels it may see; null: every panel.',
      resolve: (viewer) => (viewer.panels === null ? null : [...viewer.panels].sort()),
    }),
  }),
});

builder.queryField('caller', (t) =>
  t.field({
    type: Caller,
    description: "The caller's name, role and panel limit, so a page offers only what the caller may do.",
    resolve: (_root, _args, context) => context.viewer,
  }),
);
