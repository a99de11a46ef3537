import { GraphQLError } from 'graphql';
import type { AdminChange, AdminRecord } from '../../models/admin-change.js';
import { isPanelId, PANEL_ID_RULE } from '../../models/panel-id.js';
import { builder, describeCaller } from '../builder.js';
import type { Context } from '../context.js';
import { AdminChangeRecord } from './admin.js';
import { UserError, userErrorOf, type UserErrorShape } from './common.js';
import { localKey } from './node.js';
import { Panel } from './panel.js';

/**
 * Changing a panel (operators): its name, whether it is hidden, whether it is retired; each change
 * recorded in the admin record. A caller limited to some panels is refused (FORBIDDEN) on every
 * other panel, whatever its state, so it learns nothing about them.
 */

builder.objectFields(Panel, (t) => ({
  hidden: t.boolean({
    description: 'Left out of lists (unless asked for) and building totals; its data is kept.',
    resolve: (panel, _args, { services }) => services.panels.isHidden(panel.id),
  }),
  retired: t.boolean({
    description: 'Forgotten everywhere, its new readings refused; its stored readings are kept.',
    resolve: (panel, _args, { services }) => services.settings.state.retired.has(panel.id),
  }),
}));

const UpdatePanelInput = builder.inputType('UpdatePanelInput', {
  description: 'Fields left out keep their value.',
  fields: (t) => ({
    id: t.id({ required: true, description: 'The panel id (Panel.id, the same as Panel.panelId).' }),
    name: t.string({ required: false, description: 'The display name, 1-80 characters; null or empty: back to the name derived from its id.' }),
    hidden: t.boolean({ required: false }),
    retired: t.boolean({ required: false }),
  }),
});

interface UpdatePanelPayloadShape {
  readonly panelId: string | null;
  readonly changes: readonly AdminRecord[];
  readonly userErrors: UserErrorShape[];
}

const UpdatePanelPayload = builder.objectRef<UpdatePanelPayloadShape>('UpdatePanelPayload').implement({
  fields: (t) => ({
    panel: t.field({
      type: Panel,
      nullable: true,
      description: 'The panel as it is now (retired ones too); null when refused.',
      resolve: (p, _args, { services, viewer }) => (p.panelId === null ? null : services.panels.find(p.panelId, viewer.panels)),
    }),
    changes: t.field({
      type: [AdminChangeRecord],
      description: 'What this request recorded: none for a value it already had (a retry records nothing again).',
      resolve: (p) => [...p.changes],
    }),
    userErrors: t.field({ type: [UserError], resolve: (p) => p.userErrors }),
  }),
});

function refused(field: string, code: UserErrorShape['code'], message: string): UpdatePanelPayloadShape {
  return { panelId: null, changes: [], userErrors: [{ field: ['input', field], code, message }] };
}

builder.mutationField('updatePanel', (t) =>
  t.field({
    type: UpdatePanelPayload,
    description:
      "Changes a panel's name, hidden and retired flags; each change is recorded. Idempotent: a value the panel already has is not recorded again.",
    args: { input: t.arg({ type: UpdatePanelInput, required: true }) },
    resolve: async (_root, { input }, context) => {
      const panelId = localKey('Panel', String(input.id)) ?? String(input.id);
      if (!isPanelId(panelId)) return refused('id', 'INVALID_PANEL_ID', `${JSON.stringify(panelId.slice(0, 40))} is not a panel id (${PANEL_ID_RULE})`);
      assertMayChange(context, panelId);
      const { panels, settings } = context.services;
      if (!panels.get(panelId, null) && !settings.state.retired.has(panelId)) return refused('id', 'UNKNOWN_PANEL', `unknown panel "${panelId}"`);
      const wanted: Array<[string, AdminChange]> = [];
      if (input.name !== undefined) wanted.push(['name', { kind: 'panel.name', panelId, name: input.name?.trim() || null }]);
      if (input.hidden != null) wanted.push(['hidden', { kind: 'panel.hidden', panelId, hidden: input.hidden }]);
      if (input.retired != null) wanted.push(['retired', { kind: 'panel.retired', panelId, retired: input.retired }]);
      const changes: AdminRecord[] = [];
      for (const [field, change] of wanted) {
        try {
          const outcome = await settings.recordUnlessCurrent(context.viewer.name, change);
          if (outcome.recorded && outcome.record) changes.push(outcome.record);
        } catch (error) {
          return { panelId, changes, userErrors: [userErrorOf(error, ['input', field])] };
        }
      }
      return { panelId, changes, userErrors: [] };
    },
  }),
);

function assertMayChange(context: Context, panelId: string): void {
  const scope = context.viewer.panels;
  if (scope !== null && !scope.has(panelId)) {
    throw new GraphQLError(`${describeCaller(context.viewer)} may not change panel "${panelId}": it is not one of its panels`, {
      extensions: { code: 'FORBIDDEN', reason: 'NOT_ALLOWED' },
    });
  }
}
