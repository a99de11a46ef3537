import { z } from 'zod';
import { PANEL_ID_PATTERN } from './panel-id.js';
import { tariffPlanSchema } from './tariff-plan.js';

/**
 * Every change an operator or administrator makes, as recorded in the store of record: the audit
 * record and the source of the shared state (tariff plans, panel names, hidden and retired panels,
 * API keys) at once. Records are only ever appended; the state is what they add up to, so every
 * process reading the same record has the same state, and every change says who made it and when.
 */

const panelId = z.string().regex(PANEL_ID_PATTERN, 'not a panel id');
export const API_ROLES = ['viewer', 'operator', 'admin'] as const;
export type ApiRole = (typeof API_ROLES)[number];

export const adminChangeSchema = z.discriminatedUnion('kind', [
  /** A tariff plan version, in force from a local date (YYYY-MM-DD) on; null: from the beginning. */
  z.object({ kind: z.literal('tariff.plan'), effectiveFrom: z.iso.date().nullable(), plan: tariffPlanSchema }),
  /** The plan the configuration named, so a changed configuration is noticed at the next start. */
  z.object({ kind: z.literal('tariff.configured'), plan: tariffPlanSchema }),
  /** A display name for a panel; null goes back to the name derived from its id. */
  z.object({ kind: z.literal('panel.name'), panelId, name: z.string().trim().min(1).max(80).nullable() }),
  /** A hidden panel is left out of lists and building totals, its data kept. */
  z.object({ kind: z.literal('panel.hidden'), panelId, hidden: z.boolean() }),
  /** A retired panel is forgotten: left out everywhere, its new readings refused. */
  z.object({ kind: z.literal('panel.retired'), panelId, retired: z.boolean() }),
  z.object({
    kind: z.literal('apiKey.created'),
    keyId: z.string().min(1).max(64),
    name: z.string().trim().min(1).max(80),
    role: z.enum(API_ROLES),
    /** The panels the key may see; null: all. */
    panels: z.array(panelId).nullable(),
    /** SHA-256 of the key, hex: the key itself is never stored. */
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
  }),
  z.object({ kind: z.literal('apiKey.revoked'), keyId: z.string().min(1).max(64) }),
]);

export type AdminChange = z.output<typeof adminChangeSchema>;

export interface AdminRecord {
  /** Unique (a random UUID). */
  readonly id: string;
  readonly at: Date;
  /** Who made the change: an API key's or a token's name, or "configuration". */
  readonly actor: string;
  readonly change: AdminChange;
}
