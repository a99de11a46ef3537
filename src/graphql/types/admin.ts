import { GraphQLError } from 'graphql';
import { API_KEY_ID_PATTERN, describeIssues, type AdminChange, type AdminRecord } from '../../models/admin-change.js';
import { isPanelId, PANEL_ID_RULE } from '../../models/panel-id.js';
import { tariffPlanSchema } from '../../models/tariff-plan.js';
import { grantRefusal, keyIdOf, newApiKey, revokeRefusal, sha256Hex } from '../../services/access/api-keys.js';
import { unknownPanel, UserInputError, type ErrorReason } from '../../services/user-input-error.js';
import type { UnreadableAdminEntry } from '../../store/admin-log.js';
import { builder, describeCaller } from '../builder.js';
import type { Context } from '../context.js';
import { TariffPlanVersion } from './tariff.js';

/**
 * Changes operators and administrators make, each recorded in the admin record with who and when
 * (services/site-settings.ts), and the record itself. Roles are checked by the schema: operator for
 * panels, admin for tariffs and keys. Every change is checked with the schema it is read back with
 * (models/admin-change.ts) and refused with BAD_USER_INPUT when it does not fit. No escalation: a
 * caller limited to some panels is refused (FORBIDDEN) on every other panel, whatever its state,
 * hands out keys only within its own role and panels, and may not do what concerns the whole
 * building (the tariff, keys for every panel, other callers' keys).
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

const UnreadableEntry = builder.objectRef<UnreadableAdminEntry>('AdminRecordUnreadableEntry').implement({
  description: 'An entry of the admin record this version cannot interpret (written by another version?): skipped, not applied.',
  fields: (t) => ({
    id: t.exposeID('id'),
    at: t.expose('at', { type: 'DateTime' }),
    actor: t.exposeString('actor'),
    kind: t.exposeString('kind', { nullable: true }),
    keyId: t.exposeString('keyId', { nullable: true, description: 'The API key it names, treated as revoked (an unreadable entry might be a revocation).' }),
    reason: t.exposeString('reason'),
  }),
});

/** Records a change as the caller; invalid input becomes BAD_USER_INPUT with zod's reason. */
async function record(context: Context, change: AdminChange): Promise<AdminRecord> {
  return context.services.settings.record(context.viewer.name, change);
}

function forbidden(context: Context, what: string): GraphQLError {
  return new GraphQLError(`${describeCaller(context.viewer)} ${what}`, { extensions: { code: 'FORBIDDEN', reason: 'NOT_ALLOWED' satisfies ErrorReason } });
}

/** A value as it may appear in an error message: quoted, escaped, at most 40 characters of it. */
function quote(value: string): string {
  return value.length > 40 ? `${JSON.stringify(value.slice(0, 40))}… (${value.length} characters)` : JSON.stringify(value);
}

/**
 * The panel a change is for: a well-formed id, within the caller's panels (refused otherwise,
 * retired, hidden and unknown panels alike, so a limited caller learns nothing about them), and
 * known here (or retired).
 */
function panelToChange(context: Context, value: string | number): string {
  const panelId = String(value);
  if (!isPanelId(panelId)) throw new UserInputError('INVALID_PANEL_ID', `${quote(panelId)} is not a panel id (${PANEL_ID_RULE})`);
  const scope = context.viewer.panels;
  if (scope !== null && !scope.has(panelId)) throw forbidden(context, `may not change panel "${panelId}": it is not one of its panels`);
  if (!context.services.panels.get(panelId, null) && !context.services.settings.state.retired.has(panelId)) {
    throw unknownPanel(panelId);
  }
  return panelId;
}

builder.mutationFields((t) => ({
  setPanelName: t.field({
    type: AdminChangeRecord,
    description: "A panel's display name (null: back to the name derived from its id).",
    args: { panelId: t.arg.id({ required: true }), name: t.arg.string({ required: false }) },
    resolve: (_root, { panelId, name }, context) =>
      record(context, { kind: 'panel.name', panelId: panelToChange(context, panelId), name: name?.trim() || null }),
  }),
  setPanelHidden: t.field({
    type: AdminChangeRecord,
    description: 'Hides a panel from lists and building totals (its data is kept), or shows it again.',
    args: { panelId: t.arg.id({ required: true }), hidden: t.arg.boolean({ required: true }) },
    resolve: (_root, { panelId, hidden }, context) =>
      record(context, { kind: 'panel.hidden', panelId: panelToChange(context, panelId), hidden }),
  }),
  setPanelRetired: t.field({
    type: AdminChangeRecord,
    description: 'Retires a panel (forgotten everywhere, its new readings refused; stored readings kept) or brings it back.',
    args: { panelId: t.arg.id({ required: true }), retired: t.arg.boolean({ required: true }) },
    resolve: (_root, { panelId, retired }, context) =>
      record(context, { kind: 'panel.retired', panelId: panelToChange(context, panelId), retired }),
  }),
  setTariffPlan: t.field({
    type: TariffPlanVersion,
    // The tariff prices every panel: a caller limited to some panels may not change it.
    authScopes: { $all: { admin: true, allPanels: true } },
    description:
      'Records a new tariff plan version from a local date (tomorrow at the earliest): energy already used keeps its price. Needs an admin without a panel limit.',
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
      if (!parsed.success) throw new UserInputError('INVALID_TARIFF_PLAN', `invalid tariff plan: ${describeIssues(parsed.error, 'plan')}`);
      const { change } = await record(context, { kind: 'tariff.plan', effectiveFrom, plan: parsed.data });
      const version = context.services.settings.state.tariffs.versions.find((v) => change.kind === 'tariff.plan' && v.plan === change.plan);
      if (!version) throw new GraphQLError('the recorded plan is not in force (another change for the same day came later)');
      return context.services.tariff.view(version);
    },
  }),
  createApiKey: t.field({
    type: CreatedApiKey,
    authScopes: { admin: true },
    description:
      'Makes an API key with a role, optionally limited to some panels. The key is in this answer only. ' +
      'The role may not be above the caller\'s; a caller limited to some panels must list panels, all among its own.',
    args: {
      name: t.arg.string({ required: true }),
      role: t.arg({ type: ApiRole, required: true }),
      panels: t.arg.idList({ required: false, description: 'The panels the key may see; omitted: all.' }),
    },
    resolve: async (_root, { name, role, panels }, context) => {
      const ids = panels ? [...new Set(panels.map(String))] : null;
      const malformed = ids?.find((id) => !isPanelId(id));
      if (malformed !== undefined) throw new UserInputError('INVALID_PANEL_ID', `panels: ${quote(malformed)} is not a panel id (${PANEL_ID_RULE})`);
      const refusal = grantRefusal(context.viewer, role, ids);
      if (refusal) throw forbidden(context, refusal);
      const key = newApiKey();
      const keyId = keyIdOf(key);
      const { change } = await record(context, { kind: 'apiKey.created', keyId, name, role, panels: ids, sha256: sha256Hex(key) });
      return { keyId, key, name: change.kind === 'apiKey.created' ? change.name : name, role };
    },
  }),
  revokeApiKey: t.field({
    type: AdminChangeRecord,
    authScopes: { admin: true },
    description:
      'Revokes an API key made through the API (configured keys are removed from the configuration). ' +
      'A caller limited to some panels may revoke only keys it created for its own panels.',
    args: { keyId: t.arg.id({ required: true }) },
    resolve: (_root, { keyId: value }, context) => {
      const keyId = String(value);
      if (!API_KEY_ID_PATTERN.test(keyId)) throw new UserInputError('INVALID_API_KEY_ID', `${quote(keyId)} is not an API key id (12 hex digits)`);
      const refusal = revokeRefusal(context.viewer, context.services.settings.activeKey(keyId));
      if (refusal) throw forbidden(context, refusal);
      return record(context, { kind: 'apiKey.revoked', keyId });
    },
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
      if (!Number.isInteger(n) || n < 1 || n > 1_000) throw new UserInputError('LIMIT_OUT_OF_RANGE', 'limit must be 1-1,000', { maximum: 1_000 });
      return services.settings.recentChanges(n, viewer.panels);
    },
  }),
);

builder.queryField('adminRecordUnreadable', (t) =>
  t.field({
    type: [UnreadableEntry],
    // Entries of the whole building's record: for operators without a panel limit.
    authScopes: { $all: { operator: true, allPanels: true } },
    description:
      'Entries of the admin record this version cannot interpret (written by another version?), oldest first: skipped at start-up ' +
      'and re-reads instead of stopping the service; also logged and counted (energy_admin_record_unreadable_entries).',
    resolve: (_root, _args, { services }) => services.settings.unreadable,
  }),
);
