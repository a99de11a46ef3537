import { z } from 'zod';
import { alarmAckChangeSchema, alarmRuleChangeSchema, budgetChangeSchema, channelChangeSchema } from './alarm.js';
import { displayText } from './display-text.js';
import { emissionFactorChangeSchema } from './emission-factor.js';
import { PANEL_ID_PATTERN, PANEL_ID_RULE } from './panel-id.js';
import { tariffPlanSchema } from './tariff-plan.js';

/**
 * Every change an operator or administrator makes, as recorded in the store of record: the audit
 * record and the source of the shared state (tariff plans, panel names, hidden and retired panels,
 * API keys) at once. Records are only ever appended; the state is what they add up to, so every
 * process reading the same record has the same state, and every change says who made it and when.
 *
 * This schema checks a change before it is recorded (SiteSettings.record) and again when it is read
 * back (store/admin-log.ts): what the API accepts can always be read at the next start, and what
 * cannot be read (another version wrote it) is skipped and shown, never a reason to stop.
 */

const panelId = z.string().regex(PANEL_ID_PATTERN, `not a panel id (${PANEL_ID_RULE})`);
export const API_ROLES = ['viewer', 'operator', 'admin'] as const;
export type ApiRole = (typeof API_ROLES)[number];

/** An API key's id: the first hex digits of the key's SHA-256 (services/access/api-keys.ts keyIdOf). */
export const API_KEY_ID_PATTERN = /^[0-9a-f]{12,64}$/;
const keyId = z.string().regex(API_KEY_ID_PATTERN, 'not an API key id (12 hex digits)');

/**
 * The most panels one API key may be limited to: bounds a record's size (InfluxDB keeps a change
 * as one string field, at most 64 KiB: 500 ids of 64 characters fit). A key for more panels than
 * that is better left unlimited.
 */
export const MAX_KEY_PANELS = 500;

export const adminChangeSchema = z.discriminatedUnion('kind', [
  /** A tariff plan version, in force from a local date (YYYY-MM-DD) on; null: from the beginning. */
  z.object({ kind: z.literal('tariff.plan'), effectiveFrom: z.iso.date().nullable(), plan: tariffPlanSchema }),
  /** A grid emission factor version, in force from a local date (tomorrow at the earliest when recorded). */
  emissionFactorChangeSchema,
  /** The plan the configuration named, so a changed configuration is noticed at the next start. */
  z.object({ kind: z.literal('tariff.configured'), plan: tariffPlanSchema }),
  /** A display name for a panel; null goes back to the name derived from its id. */
  z.object({ kind: z.literal('panel.name'), panelId, name: displayText(80, 1).nullable() }),
  /** A hidden panel is left out of lists and building totals, its data kept. */
  z.object({ kind: z.literal('panel.hidden'), panelId, hidden: z.boolean() }),
  /** A retired panel is forgotten: left out everywhere, its new readings refused. */
  z.object({ kind: z.literal('panel.retired'), panelId, retired: z.boolean() }),
  z.object({
    kind: z.literal('apiKey.created'),
    keyId,
    name: displayText(80, 1),
    role: z.enum(API_ROLES),
    /** The panels the key may see; null: all. */
    panels: z.array(panelId).max(MAX_KEY_PANELS, `at most ${MAX_KEY_PANELS} panels`).nullable(),
    /** SHA-256 of the key, hex: the key itself is never stored. */
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
  }),
  z.object({ kind: z.literal('apiKey.revoked'), keyId }),
  /** Alarm rules, budgets, acknowledgements and notification channels (models/alarm.ts). */
  alarmRuleChangeSchema,
  budgetChangeSchema,
  alarmAckChangeSchema,
  channelChangeSchema,
]);

export type AdminChange = z.output<typeof adminChangeSchema>;
export type AdminChangeKind = AdminChange['kind'];

/** The kinds this version knows (an entry of another kind was written by another version). */
export const ADMIN_CHANGE_KINDS: ReadonlySet<string> = new Set(adminChangeSchema.options.map((option) => option.shape.kind.value));

export interface AdminRecord {
  /** Unique (a random UUID). */
  readonly id: string;
  readonly at: Date;
  /** Who made the change: an API key's or a token's name, or "configuration". */
  readonly actor: string;
  readonly change: AdminChange;
}

/** Zod's reasons in one line, each with its path ("name: at most 80 characters"). */
export function describeIssues(error: z.ZodError, whole = 'value'): string {
  return error.issues.map((issue) => `${issue.path.join('.') || whole}: ${issue.message}`).join('; ');
}
