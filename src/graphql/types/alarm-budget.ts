import { moneyAmount, moneyOrNull } from '../../models/money.js';
import { budgetChangeSchema } from '../../models/alarm.js';
import type { Budget as BudgetShape } from '../../services/alarms/alarm-service.js';
import { describeIssues } from '../../models/admin-change.js';
import { builder } from '../builder.js';
import type { Context } from '../context.js';
import { UserError, type UserErrorShape } from './common.js';
import { Money } from './money.js';
import { alarmsOf } from './alarm.js';
import { ADMIN, knownPanel } from './alarm-rule.js';

/** Monthly budgets (kWh and/or Rupiah, for the building and per panel), month to date and projection. */

interface BudgetView extends BudgetShape {
  readonly usedKwh: number;
  readonly usedRupiah: number;
  readonly projectedKwh: number;
  readonly projectedRupiah: number;
}

const Budget = builder.objectRef<BudgetView>('Budget').implement({
  description: "A month's budget for the building (panelId null) or a panel, with this month so far and its projection to the month's end.",
  fields: (t) => ({
    panelId: t.exposeID('panelId', { nullable: true }),
    kwh: t.exposeFloat('kwh', { nullable: true, description: 'Budget, kWh per month.' }),
    rupiah: t.field({ type: Money, nullable: true, description: 'Budget per month (tax as the tariff applies it).', resolve: (parent) => moneyOrNull(parent.rupiah) }),
    usedKwh: t.exposeFloat('usedKwh', { description: 'kWh used this month so far (local calendar month).' }),
    usedRupiah: t.field({ type: Money, description: 'This month so far.', resolve: (parent) => moneyAmount(parent.usedRupiah) }),
    projectedKwh: t.exposeFloat('projectedKwh', { description: "kWh projected to the month's end at this month's pace so far." }),
    projectedRupiah: t.field({ type: Money, description: "Projected to the month's end.", resolve: (parent) => moneyAmount(parent.projectedRupiah) }),
    setAt: t.expose('setAt', { type: 'DateTime' }),
    setBy: t.exposeString('setBy'),
  }),
});

function budgetView(context: Context, budget: BudgetShape): BudgetView {
  return { ...budget, ...alarmsOf(context).service.budgetProgress(budget, Date.now()) };
}

builder.queryField('budgets', (t) =>
  t.field({
    type: [Budget],
    nullable: true,
    description: "Monthly budgets the caller sees (its panels'; the building's without a panel limit), with this month so far and the projection.",
    resolve: async (_root, _args, context) => {
      const scope = context.viewer.panels;
      const budgets = alarmsOf(context)
        .service.budgets()
        .filter((b) => (scope === null ? true : b.panelId !== null && scope.has(b.panelId)));
      await context.services.energy.settled(context.services.panels.list(null).map((p) => p.id));
      return budgets.map((b) => budgetView(context, b));
    },
  }),
);

const SetBudgetInput = builder.inputType('SetBudgetInput', {
  description: 'A monthly budget for the building (panelId omitted) or a panel. Both limits null removes it.',
  fields: (t) => ({
    panelId: t.id({ required: false }),
    kwh: t.float({ required: false, description: 'kWh per month; null: no energy limit.' }),
    rupiah: t.float({ required: false, description: 'Rupiah per month; null: no cost limit.' }),
  }),
});

const SetBudgetPayload = builder.objectRef<{ budget: BudgetView | null; userErrors: UserErrorShape[] }>('SetBudgetPayload').implement({
  fields: (t) => ({
    budget: t.field({ type: Budget, nullable: true, description: 'null when removed or refused.', resolve: (p) => p.budget }),
    userErrors: t.field({ type: [UserError], resolve: (p) => p.userErrors }),
  }),
});

builder.mutationFields((t) => ({
  setBudget: t.field({
    type: SetBudgetPayload,
    authScopes: ADMIN,
    description: 'Sets or removes a monthly budget (admin without a panel limit), recorded in the admin record; BUDGET alarms follow at once.',
    args: { input: t.arg({ type: SetBudgetInput, required: true }) },
    resolve: async (_root, { input }, context) => {
      const service = alarmsOf(context).service;
      const panelId = input.panelId == null ? null : String(input.panelId);
      if (panelId !== null && !knownPanel(context, panelId)) return { budget: null, userErrors: [{ field: ['input', 'panelId'], code: 'UNKNOWN_PANEL' as const, message: `unknown panel "${panelId.slice(0, 64)}"` }] };
      const parsed = budgetChangeSchema.safeParse({ kind: 'alarm.budget', panelId, kwh: input.kwh ?? null, rupiah: input.rupiah ?? null });
      if (!parsed.success) return { budget: null, userErrors: [{ field: ['input'], code: 'INVALID_VALUE' as const, message: describeIssues(parsed.error, 'input') }] };
      await service.recordBudget(context.viewer.name, parsed.data);
      const budget = service.budgets().find((b) => b.panelId === panelId);
      return { budget: budget ? budgetView(context, budget) : null, userErrors: [] };
    },
  }),
}));

