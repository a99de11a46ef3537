import { GraphQLError } from 'graphql';
import type { z } from 'zod';
import type { AdminChange, AdminRecord } from '../../models/admin-change.js';
import { tariffPlanSchema } from '../../models/tariff-plan.js';
import { newApiKey, sha256Hex } from '../../services/access/api-keys.js';
import { UserInputError } from '../../services/user-input-error.js';
import { builder } from '../builder.js';
import type { Context } from '../context.js';
import { TariffPlanVersion } from './tariff.js';

/**
 * Changes operators and administrators make, each recorded in the admin record with who and when
 * (services/site-settings.ts), and the record itself. Roles are checked by the schema: operator for
 * panels, admin for tariffs and keys.
 */

const ApiRole = builder.enumType('ApiRole', {
  description: 'viewer: read everything; operator: also name, hide and retire panels; admin: also tariffs and API keys.',
  values: ['viewer', 'operator', 'admin'] as const,
});

const AdminChangeRecord = builder.objectRef<AdminRecord>('AdminChange').implement({
  description: 'One recorded change: who made it, when, and what (as JSON).',
  fields: (t) => ({
    id: t.exposeID('id'),
    at: t.expose('at', { type: 'DateTime' }),
    actor: t.exposeString('actor', { description: 'The API key or token holder, or "configuration".' }),
    kind: t.string({ resolve: (record) => record.change.kind }),
    change: t.string({
      description: 'The change as JSON (key hashes are left out).',
      resolve: (record) => JSON.stringify(record.change.kind === 'apiKey.created' ? { ...record.change, sha256: undefined } : record.change),
    }),
  }),
});

const CreatedApiKey = builder.objectRef<{ keyId: string; key: string; name: string; role: string }>('CreatedApiKey').implement({
  description: 'A new API key. The key is shown here once and never again: only its SHA-256 is kept.',
  fields: (t) => ({
    keyId: t.exposeID('keyId'),
    key: t.exposeString('key'),
    name: t.exposeString('name'),
    role: t.exposeString('role'),
  }),
});

const TariffPlanInput = builder.inputType('TariffPlanInput', {
  description: 'A tariff plan. FLAT needs ratePerKwh; TIME_OF_USE needs offPeakRatePerKwh, peakMultiplier and the peak hours.',
  fields: (t) => ({
    name: t.string({ required: false }),
    kind: t.string({ required: true, description: 'FLAT or TIME_OF_USE.' }),
    ratePerKwh: t.float({ required: false, description: 'FLAT: Rupiah per kWh.' }),
    offPeakRatePerKwh: t.float({ required: false, description: 'TIME_OF_USE: the LWBP rate, Rupiah per kWh.' }),
    peakMultiplier: t.float({ required: false, description: 'TIME_OF_USE: K, WBP rate = K × LWBP (PLN: 1.4-2).' }),
    peakStartHour: t.int({ required: false, description: 'TIME_OF_USE: first local hour of the peak window (0-23).' }),
    peakEndHour: t.int({ required: false, description: 'TIME_OF_USE: the local hour the peak window ends (1-24, may wrap).' }),
    reactiveRatePerKvarh: t.float({ required: false }),
    minimumBillConnectedKva: t.float({ required: false }),
    minimumBillHours: t.float({ required: false, description: 'Default 40.' }),
    taxPercent: t.float({ required: false, description: 'Default 0.' }),
  }),
});

/** Records a change as the caller; invalid input becomes BAD_USER_INPUT with zod's reason. */
async function record(context: Context, change: AdminChange): Promise<AdminRecord> {
  return context.services.settings.record(context.viewer.name, change);
}

function panelKnown(context: Context, panelId: string): string {
  if (!context.services.panels.get(panelId, context.viewer.panels) && !context.services.settings.state.retired.has(panelId)) {
    throw new UserInputError(`unknown panel "${panelId}"`);
  }
  return panelId;
}

builder.mutationFields((t) => ({
  setPanelName: t.field({
    type: AdminChangeRecord,
    description: "A panel's display name (null: back to the name derived from its id).",
    args: { panelId: t.arg.id({ required: true }), name: t.arg.string({ required: false }) },
    resolve: (_root, { panelId, name }, context) =>
      record(context, { kind: 'panel.name', panelId: panelKnown(context, String(panelId)), name: name?.trim() || null }),
  }),
  setPanelHidden: t.field({
    type: AdminChangeRecord,
    description: 'Hides a panel from lists and building totals (its data is kept), or shows it again.',
    args: { panelId: t.arg.id({ required: true }), hidden: t.arg.boolean({ required: true }) },
    resolve: (_root, { panelId, hidden }, context) =>
      record(context, { kind: 'panel.hidden', panelId: panelKnown(context, String(panelId)), hidden }),
  }),
  setPanelRetired: t.field({
    type: AdminChangeRecord,
    description: 'Retires a panel (forgotten everywhere, its new readings refused; stored readings kept) or brings it back.',
    args: { panelId: t.arg.id({ required: true }), retired: t.arg.boolean({ required: true }) },
    resolve: (_root, { panelId, retired }, context) =>
      record(context, { kind: 'panel.retired', panelId: panelKnown(context, String(panelId)), retired }),
  }),
  setTariffPlan: t.field({
    type: TariffPlanVersion,
    authScopes: { admin: true },
    description: 'Records a new tariff plan version from a local date (tomorrow at the earliest): energy already used keeps its price.',
    args: { effectiveFrom: t.arg({ type: 'Date', required: true }), plan: t.arg({ type: TariffPlanInput, required: true }) },
    resolve: async (_root, { effectiveFrom, plan }, context) => {
      const parsed = tariffPlanSchema.safeParse({
        name: plan.name ?? null,
        pricing:
          plan.kind === 'FLAT'
            ? { kind: 'flat', ratePerKwh: plan.ratePerKwh }
            : plan.kind === 'TIME_OF_USE'
              ? {
                  kind: 'time-of-use',
                  offPeakRatePerKwh: plan.offPeakRatePerKwh,
                  peakMultiplier: plan.peakMultiplier,
                  peakStartHour: plan.peakStartHour,
                  peakEndHour: plan.peakEndHour,
                }
              : { kind: plan.kind },
        reactiveRatePerKvarh: plan.reactiveRatePerKvarh ?? null,
        minimumBill:
          plan.minimumBillConnectedKva == null ? null : { connectedKva: plan.minimumBillConnectedKva, hours: plan.minimumBillHours ?? 40 },
        taxPercent: plan.taxPercent ?? 0,
      });
      if (!parsed.success) throw new UserInputError(`invalid tariff plan: ${describe(parsed.error)}`);
      await record(context, { kind: 'tariff.plan', effectiveFrom, plan: parsed.data });
      const version = context.services.settings.state.tariffs.versions.find((v) => v.plan === parsed.data);
      if (!version) throw new GraphQLError('the recorded plan is not in force (another change for the same day came later)');
      return context.services.tariff.view(version);
    },
  }),
  createApiKey: t.field({
    type: CreatedApiKey,
    authScopes: { admin: true },
    description: 'Makes an API key with a role, optionally limited to some panels. The key is in this answer only.',
    args: {
      name: t.arg.string({ required: true }),
      role: t.arg({ type: ApiRole, required: true }),
      panels: t.arg.idList({ required: false, description: 'The panels the key may see; omitted: all.' }),
    },
    resolve: async (_root, { name, role, panels }, context) => {
      const key = newApiKey();
      const keyId = sha256Hex(key).slice(0, 12);
      await record(context, {
        kind: 'apiKey.created',
        keyId,
        name,
        role,
        panels: panels ? panels.map(String) : null,
        sha256: sha256Hex(key),
      });
      return { keyId, key, name, role };
    },
  }),
  revokeApiKey: t.field({
    type: AdminChangeRecord,
    authScopes: { admin: true },
    description: 'Revokes an API key made through the API (configured keys are removed from the configuration).',
    args: { keyId: t.arg.id({ required: true }) },
    resolve: (_root, { keyId }, context) => record(context, { kind: 'apiKey.revoked', keyId: String(keyId) }),
  }),
}));

builder.queryField('adminChanges', (t) =>
  t.field({
    type: [AdminChangeRecord],
    authScopes: { operator: true },
    description:
      'Every recorded change, newest first: who changed what and when. A caller limited to some panels sees the changes to those panels and to the tariff.',
    args: { limit: t.arg.int({ required: false, description: 'At most this many (default 100, at most 1,000).' }) },
    resolve: (_root, { limit }, { services, viewer }) => {
      const n = limit ?? 100;
      if (!Number.isInteger(n) || n < 1 || n > 1_000) throw new UserInputError('limit must be 1-1,000');
      return services.settings.recentChanges(n, viewer.panels);
    },
  }),
);

function describe(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.join('.') || 'plan'}: ${issue.message}`).join('; ');
}
