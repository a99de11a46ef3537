import { ADMIN_CHANGE_KINDS, describeIssues, type AdminChangeKind as AdminChangeKindValue, type AdminRecord } from '../../models/admin-change.js';
import type { TariffPlanView } from '../../models/tariff.js';
import { tariffPlanSchema } from '../../models/tariff-plan.js';
import type { RecordOutcome } from '../../services/site-settings.js';
import { planView } from '../../services/tariff-service.js';
import { UserInputError } from '../../services/user-input-error.js';
import type { UnreadableAdminEntry } from '../../store/admin-log.js';
import { parseIsoDate } from '../../time/local-time.js';
import { builder } from '../builder.js';
import { globalId, Node } from './node.js';
import { connectionType, decodeCursor, encodeCursor, pageOf, pageSize, UserError, userErrorOf, type UserErrorShape } from './common.js';
import { TariffKind, TariffPlanVersion } from './tariff.js';

/**
 * The admin record (every change operators and administrators make, with who and when:
 * services/site-settings.ts) and the tariff plan change. Panel changes are in panel-update.ts, API
 * keys in api-key.ts. Mutations answer payloads: input that does not fit the schema it is read back
 * with (models/admin-change.ts) is a user error, access is checked by the schema (FORBIDDEN). No
 * escalation: a caller limited to some panels may not change what concerns the whole building.
 */

export const ApiRole = builder.enumType('ApiRole', {
  description: 'VIEWER: read everything; OPERATOR: also name, hide and retire panels; ADMIN: also tariffs and API keys.',
  // Upper case like every other enum (issue 23 point 5); the roles keep their lower-case names inside.
  values: { VIEWER: { value: 'viewer' }, OPERATOR: { value: 'operator' }, ADMIN: { value: 'admin' } } as const,
});

/** 'apiKey.created' → 'API_KEY_CREATED': an admin record kind as an enum value. */
export function adminChangeKindName(kind: string): string {
  return kind.replace(/([a-z0-9])([A-Z])/g, '$1_$2').replace(/\./g, '_').toUpperCase();
}

const AdminChangeKind = builder.enumType('AdminChangeKind', {
  description: 'What an admin record entry changed (its `change` JSON holds the same kind in its stored form, e.g. "apiKey.created").',
  values: Object.fromEntries([...ADMIN_CHANGE_KINDS].map((kind) => [adminChangeKindName(kind), { value: kind as AdminChangeKindValue }])),
});

export const AdminChangeRecord = builder.objectRef<AdminRecord>('AdminChange').implement({
  description: 'One recorded change: who made it, when, and what (as JSON).',
  interfaces: [Node],
  fields: (t) => ({
    id: t.id({ description: 'The global id (Node).', resolve: (record) => globalId('AdminChange', String(record.id)) }),
    changeId: t.exposeID('id', { description: "The change's number in the admin record." }),
    at: t.expose('at', { type: 'DateTime' }),
    actor: t.exposeString('actor', { description: 'The API key or token holder, or "configuration".' }),
    kind: t.field({ type: AdminChangeKind, resolve: (record) => record.change.kind }),
    change: t.string({
      description: 'The change as JSON (key hashes are left out).',
      resolve: (record) => JSON.stringify(record.change.kind === 'apiKey.created' ? { ...record.change, sha256: undefined } : record.change),
    }),
  }),
});

const TariffPlanInput = builder.inputType('TariffPlanInput', {
  description: 'A tariff plan. FLAT needs ratePerKwh; TIME_OF_USE needs offPeakRatePerKwh, peakMultiplier and the peak hours.',
  fields: (t) => ({
    name: t.string({ required: false }),
    kind: t.field({ type: TariffKind, required: true }),
    ratePerKwh: t.float({ required: false, description: 'FLAT: Rupiah per kWh.' }),
    offPeakRatePerKwh: t.float({ required: false, description: 'TIME_OF_USE: the LWBP rate, Rupiah per kWh.' }),
    peakMultiplier: t.float({ required: false, description: 'TIME_OF_USE: K, WBP rate = K × LWBP (PLN: 1.4-2).' }),
    peakStartHour: t.int({ required: false, description: 'TIME_OF_USE: first local hour of the peak window (0-23).' }),
    peakEndHour: t.int({ required: false, description: 'TIME_OF_USE: the local hour the peak window ends (1-24, may wrap).' }),
    reactiveRatePerKvarh: t.float({ required: false, description: 'Rupiah per kVArh of excess reactive energy; omitted: none charged.' }),
    minimumBillConnectedKva: t.float({ required: false, description: 'Connected power for the minimum charge, kVA; omitted: no minimum.' }),
    minimumBillHours: t.float({ required: false, description: 'Hours of use at the connected power the minimum charge bills, hours. Default 40.' }),
    taxPercent: t.float({ required: false, description: 'Tax on the subtotal, percent (%). Default 0.' }),
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

const SetTariffPlanInput = builder.inputType('SetTariffPlanInput', {
  fields: (t) => ({
    effectiveFrom: t.field({ type: 'Date', required: true, description: 'Local date the plan takes effect (tomorrow at the earliest).' }),
    plan: t.field({ type: TariffPlanInput, required: true }),
  }),
});

const SetTariffPlanPayload = builder.objectRef<{ plan: TariffPlanView | null; recorded: boolean; userErrors: UserErrorShape[] }>('SetTariffPlanPayload').implement({
  fields: (t) => ({
    plan: t.field({ type: TariffPlanVersion, nullable: true, description: 'The version as recorded (by this request or, for a retry, by the first).', resolve: (p) => p.plan }),
    recorded: t.exposeBoolean('recorded', { description: 'False when the same plan was already recorded for that day (a retry): nothing was recorded again.' }),
    userErrors: t.field({ type: [UserError], resolve: (p) => p.userErrors }),
  }),
});

builder.mutationFields((t) => ({
  setTariffPlan: t.field({
    type: SetTariffPlanPayload,
    // The tariff prices every panel: a caller limited to some panels may not change it.
    authScopes: { $all: { admin: true, allPanels: true } },
    description:
      'Records a new tariff plan version from a local date (tomorrow at the earliest): energy already used keeps its price. Needs an admin without a panel limit. ' +
      'Idempotent: the same plan for the same day again (a retry) answers success and records nothing; once recorded, the answer cannot fail.',
    args: { input: t.arg({ type: SetTariffPlanInput, required: true }) },
    resolve: async (_root, { input }, context) => {
      const { effectiveFrom, plan } = input;
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
      if (!parsed.success) {
        return { plan: null, recorded: false, userErrors: [{ field: ['input', 'plan'], code: 'INVALID_TARIFF_PLAN' as const, message: `invalid tariff plan: ${describeIssues(parsed.error, 'plan')}` }] };
      }
      let outcome: RecordOutcome;
      try {
        outcome = await context.services.settings.recordUnlessCurrent(context.viewer.name, { kind: 'tariff.plan', effectiveFrom, plan: parsed.data });
      } catch (error) {
        return { plan: null, recorded: false, userErrors: [userErrorOf(error, ['input', 'effectiveFrom'])] };
      }
      // Answered from what was recorded, not looked up afterwards: nothing can fail once it is in the record.
      const recordedAt = outcome.record?.at ?? new Date();
      const recordedBy = outcome.record?.actor ?? context.viewer.name;
      return { plan: planView({ effectiveFrom: parseIsoDate(effectiveFrom)!, plan: parsed.data, recordedAt, recordedBy }, false), recorded: outcome.recorded, userErrors: [] };
    },
  }),
}));

const AdminChangeConnection = connectionType('AdminChange', AdminChangeRecord, 'A page of the admin record, newest first.', 'How many changes the caller may see (every page).');

/** Largest page of adminChanges. */
const MAX_CHANGES_PAGE = 1_000;

builder.queryField('adminChanges', (t) =>
  t.field({
    type: AdminChangeConnection,
    nullable: true,
    authScopes: { operator: true },
    description:
      `Every recorded change, newest first, page by page (default 100, at most ${MAX_CHANGES_PAGE} per page): who changed what and when. ` +
      'A cursor stays valid while changes are recorded (they come before the first page). ' +
      'A caller limited to some panels sees the changes to those panels and to the tariff.',
    args: {
      first: t.arg.int({ required: false }),
      after: t.arg.string({ required: false, description: 'The endCursor of the previous page.' }),
    },
    resolve: (_root, { first, after }, { services, viewer }) => {
      const n = pageSize(first, 100, MAX_CHANGES_PAGE);
      const position = after == null ? null : decodeCursor(after);
      if (after != null && position === null) throw new UserInputError('INVALID_CURSOR', 'after: not a cursor of this list');
      return pageOf(services.settings.recentChanges(Number.POSITIVE_INFINITY, viewer.panels), {
        first: n,
        after: position,
        // Newest first: what follows a position was recorded before it (or at the same ms with a smaller id).
        follows: (record, p) => record.at.getTime() < p.timeMs || (record.at.getTime() === p.timeMs && record.id < p.id),
        cursor: (record) => encodeCursor(record.at.getTime(), record.id),
      });
    },
  }),
);

builder.queryField('adminRecordUnreadable', (t) =>
  t.field({
    type: [UnreadableEntry],
    nullable: true,
    // Entries of the whole building's record: for operators without a panel limit.
    authScopes: { $all: { operator: true, allPanels: true } },
    description:
      'Entries of the admin record this version cannot interpret (written by another version?), oldest first: skipped at start-up ' +
      'and re-reads instead of stopping the service; also logged and counted (energy_admin_record_unreadable_entries).',
    resolve: (_root, _args, { services }) => services.settings.unreadable,
  }),
);
