import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import { API_ROLES, type ApiRole } from '../../models/admin-change.js';
import { PANEL_ID_PATTERN } from '../../models/panel-id.js';
import type { Viewer } from '../../models/viewer.js';
import type { ApiKeyRecord } from '../site-settings.js';

/**
 * Static API keys: long random secrets handed to clients (a dashboard, a script), each with a
 * name, a role and optionally the panels it may see. Only the SHA-256 of a key is ever stored or
 * configured (a key is 256 bits of randomness, so a fast hash is the right one: nothing to brute
 * force), and the key itself is shown once, when it is made.
 */

export interface ConfiguredKey {
  readonly name: string;
  readonly role: ApiRole;
  readonly sha256: string;
  /** null: every panel. */
  readonly panels: readonly string[] | null;
}

export const configuredKeySchema = z.object({
  name: z.string().trim().min(1).max(80),
  role: z.enum(API_ROLES),
  sha256: z.string().regex(/^[0-9a-f]{64}$/, 'must be the SHA-256 of the key, 64 hex digits'),
  panels: z.array(z.string().regex(PANEL_ID_PATTERN)).nullable().default(null),
});

/** `name:role:sha256[:PANEL_A+PANEL_B]`, comma separated (the API_KEYS setting). */
export function parseKeyList(text: string): ConfiguredKey[] {
  return text
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean)
    .map((entry) => {
      const [name, role, sha256, panels] = entry.split(':');
      const parsed = configuredKeySchema.safeParse({ name, role, sha256, panels: panels ? panels.split('+') : null });
      if (!parsed.success) {
        throw new Error(`API key entry "${name ?? ''}:${role ?? ''}:…" is not name:role:sha256[:PANEL+PANEL] (${parsed.error.issues[0]?.message})`);
      }
      return parsed.data;
    });
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** A new key: `emk_` and 43 characters of base64url (256 random bits). */
export function newApiKey(): string {
  return `emk_${randomBytes(32).toString('base64url')}`;
}

/** A key's id, shown and used to revoke it: the first 12 hex digits of its SHA-256. */
export function keyIdOf(key: string): string {
  return sha256Hex(key).slice(0, 12);
}

/** The role order: an admin may do what an operator may, an operator what a viewer may. */
export function roleAtLeast(role: ApiRole | null, needed: ApiRole): boolean {
  return role !== null && API_ROLES.indexOf(role) >= API_ROLES.indexOf(needed);
}

/** The configured keys: API_KEYS and the JSON list in API_KEYS_FILE. Throws with the reason. */
export function configuredKeys(list: string, file: { readonly path: string; readonly text: string } | null): ConfiguredKey[] {
  const keys = parseKeyList(list);
  if (file) {
    let json: unknown;
    try {
      json = JSON.parse(file.text);
    } catch (error) {
      throw new Error(`API_KEYS_FILE ${file.path} is not JSON: ${(error as Error).message}`);
    }
    const parsed = z.array(configuredKeySchema).safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new Error(`API_KEYS_FILE ${file.path}: entry ${String(issue?.path[0])}: ${issue?.path.slice(1).join('.')} ${issue?.message}`);
    }
    keys.push(...parsed.data);
  }
  return keys;
}

/*
 * No escalation: what a caller hands out or takes away stays within what it holds itself. A caller
 * limited to some panels acts for those panels only; what concerns the whole building (the tariff,
 * keys for every panel, other callers' keys) needs a caller without a panel limit.
 */

/** Why `caller` may not create a key with `role` and `panels` (null: every panel), or null when it may. */
export function grantRefusal(caller: Viewer, role: ApiRole, panels: readonly string[] | null): string | null {
  if (!roleAtLeast(caller.role, role)) return `may not create a key with role ${role}, above its own (${caller.role ?? 'none'})`;
  if (caller.panels === null) return null;
  if (panels === null) return 'is limited to some panels, so may not create a key for every panel: list the panels';
  const outside = panels.filter((id) => !caller.panels!.has(id));
  return outside.length === 0 ? null : `may not create a key for panels outside its own (${outside.slice(0, 5).join(', ')}${outside.length > 5 ? ', …' : ''})`;
}

/**
 * Why `caller` may not revoke `key` (null: no active key of that id), or null when it may. A
 * caller without a panel limit may revoke any key; one limited to some panels only keys it
 * created itself for its own panels, and learns nothing about other keys (not even that they exist).
 */
export function revokeRefusal(caller: Viewer, key: ApiKeyRecord | null): string | null {
  if (caller.panels === null) return null;
  const own = key !== null && key.createdBy === caller.name && key.panels !== null && key.panels.every((id) => caller.panels!.has(id));
  return own ? null : 'is limited to some panels, so may revoke only keys it created for its own panels';
}
