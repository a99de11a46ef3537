import { ALARM_TYPES, alarmRuleChangeSchema, BUILDING, type AlarmType as AlarmTypeValue } from '../../models/alarm.js';
import { isPanelId } from '../../models/panel-id.js';
import type { ResolvedRule } from '../../services/alarms/rules.js';
import { describeIssues } from '../../models/admin-change.js';
import { builder } from '../builder.js';
import type { Context } from '../context.js';
import { UserError, type UserErrorShape } from './common.js';
import { AlarmSeverity, AlarmType, alarmsOf } from './alarm.js';

/**
 * The alarm rules in force (defaults, the building's changes, each panel's overrides) and changing
 * one (admin without a panel limit). Every change is recorded in the admin record.
 */

export const ADMIN = { $all: { admin: true, allPanels: true } } as const;

const AlarmRule = builder.objectRef<ResolvedRule & { panelId: string | null }>('AlarmRule').implement({
  description: "A rule as in force for the building (panelId null) or a panel (the building's, with the panel's overrides).",
  fields: (t) => ({
    type: t.field({ type: AlarmType, resolve: (r) => r.type }),
    panelId: t.exposeID('panelId', { nullable: true }),
    enabled: t.exposeBoolean('enabled'),
    severity: t.field({ type: AlarmSeverity, resolve: (r) => r.severity }),
    raiseAbove: t.exposeFloat('raiseAbove', { nullable: true, description: "Raised above this, in the rule's unit (V, %, kW, percent of budget, held-back readings)." }),
    raiseBelow: t.exposeFloat('raiseBelow', { nullable: true, description: "Raised below this, in the rule's unit (V, power factor 0-1)." }),
    clearBelow: t.exposeFloat('clearBelow', { nullable: true, description: "An alarm raised above clears at or below this (hysteresis), in the unit of the rule's metric." }),
    clearAbove: t.exposeFloat('clearAbove', { nullable: true, description: "An alarm raised below clears at or above this, in the unit of the rule's metric." }),
    forSeconds: t.exposeInt('forSeconds', { description: 'Seconds (meter time) the condition must hold before it raises.' }),
    clearForSeconds: t.exposeInt('clearForSeconds', { description: 'Seconds the clear condition must hold before it clears.' }),
    version: t.exposeInt('version', { description: 'How many recorded changes shaped it (0: the defaults).' }),
  }),
});

builder.queryField('alarmRules', (t) =>
  t.field({
    type: [AlarmRule],
    nullable: true,
    authScopes: { operator: true },
    description: "Every rule for the building, then each panel's rules where a panel has overrides.",
    resolve: (_root, _args, context) => {
      const service = alarmsOf(context).service;
      const building = ALARM_TYPES.map((type) => ({ ...service.rule(BUILDING, type), panelId: null }));
      const panels = service
        .rules()
        .overrides()
        .filter((o): o is { type: AlarmTypeValue; panelId: string } => o.panelId !== null && (context.viewer.panels === null || context.viewer.panels.has(o.panelId)))
        .map((o) => ({ ...service.rule(o.panelId, o.type), panelId: o.panelId }));
      return [...building, ...panels];
    },
  }),
);

const SetAlarmRuleInput = builder.inputType('SetAlarmRuleInput', {
  description: 'Changes one rule for the building (panelId omitted) or one panel; fields left out keep their value; null removes a threshold.',
  fields: (t) => ({
    type: t.field({ type: AlarmType, required: true }),
    panelId: t.id({ required: false }),
    enabled: t.boolean({ required: false }),
    severity: t.field({ type: AlarmSeverity, required: false }),
    raiseAbove: t.float({ required: false, description: "In the rule's unit." }),
    raiseBelow: t.float({ required: false, description: "In the rule's unit." }),
    clearBelow: t.float({ required: false, description: "In the rule's unit." }),
    clearAbove: t.float({ required: false, description: "In the rule's unit." }),
    forSeconds: t.int({ required: false, description: 'Seconds, 0-604,800.' }),
    clearForSeconds: t.int({ required: false, description: 'Seconds, 0-604,800.' }),
  }),
});

const SetAlarmRulePayload = builder.objectRef<{ rule: (ResolvedRule & { panelId: string | null }) | null; userErrors: UserErrorShape[] }>('SetAlarmRulePayload').implement({
  fields: (t) => ({
    rule: t.field({ type: AlarmRule, nullable: true, resolve: (p) => p.rule }),
    userErrors: t.field({ type: [UserError], resolve: (p) => p.userErrors }),
  }),
});

export function knownPanel(context: Context, panelId: string): boolean {
  return isPanelId(panelId) && context.services.panels.get(panelId, context.viewer.panels) !== null;
}

builder.mutationFields((t) => ({
  setAlarmRule: t.field({
    type: SetAlarmRulePayload,
    authScopes: ADMIN,
    description: 'Changes a rule (admin without a panel limit), recorded in the admin record. Takes effect with the next reading.',
    args: { input: t.arg({ type: SetAlarmRuleInput, required: true }) },
    resolve: async (_root, { input }, context) => {
      const service = alarmsOf(context).service;
      const panelId = input.panelId == null ? null : String(input.panelId);
      if (panelId !== null && !knownPanel(context, panelId)) return { rule: null, userErrors: [{ field: ['input', 'panelId'], code: 'UNKNOWN_PANEL' as const, message: `unknown panel "${panelId.slice(0, 64)}"` }] };
      const change = {
        kind: 'alarm.rule' as const,
        type: input.type,
        panelId,
        ...(input.enabled != null ? { enabled: input.enabled } : {}),
        ...(input.severity != null ? { severity: input.severity } : {}),
        ...('raiseAbove' in input ? { raiseAbove: input.raiseAbove ?? null } : {}),
        ...('raiseBelow' in input ? { raiseBelow: input.raiseBelow ?? null } : {}),
        ...('clearBelow' in input ? { clearBelow: input.clearBelow ?? null } : {}),
        ...('clearAbove' in input ? { clearAbove: input.clearAbove ?? null } : {}),
        ...(input.forSeconds != null ? { forSeconds: input.forSeconds } : {}),
        ...(input.clearForSeconds != null ? { clearForSeconds: input.clearForSeconds } : {}),
      };
      const parsed = alarmRuleChangeSchema.safeParse(change);
      if (!parsed.success) return { rule: null, userErrors: [{ field: ['input'], code: 'INVALID_VALUE' as const, message: describeIssues(parsed.error, 'input') }] };
      await context.services.settings.record(context.viewer.name, parsed.data);
      return { rule: { ...service.rule(panelId ?? BUILDING, input.type), panelId }, userErrors: [] };
    },
  }),
}));

