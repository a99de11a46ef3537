import { API_KEY_ID_PATTERN } from '../../models/admin-change.js';
import { isPanelId, PANEL_ID_RULE } from '../../models/panel-id.js';
import { grantRefusal, keyIdOf, newApiKey, revokeRefusal, sha256Hex } from '../../services/access/api-keys.js';
import type { ApiKeyListing } from '../../services/site-settings.js';
import { builder, describeCaller } from '../builder.js';
import { globalId, localKey, Node } from './node.js';
import type { Context } from '../context.js';
import { GraphQLError } from 'graphql';
import { ApiRole } from './admin.js';
import { UserError, userErrorOf, type UserErrorShape } from './common.js';

/**
 * API keys made through the API: the list (admins), making one and revoking one. Every change is
 * recorded in the admin record. A caller limited to some panels sees and revokes only the keys it
 * made for its own panels, and makes keys only within its role and panels (FORBIDDEN otherwise).
 */

export const ApiKey = builder.objectRef<ApiKeyListing>('ApiKey').implement({
  description: 'An API key made through the API. Never its secret: only its SHA-256 is kept. Last use is not tracked.',
  interfaces: [Node],
  fields: (t) => ({
    id: t.id({ description: 'The global id (Node), as revokeApiKey takes it.', resolve: (key) => globalId('ApiKey', key.keyId) }),
    keyId: t.exposeID('keyId', { description: 'The key id: the first 12 hex digits of its SHA-256 (what the admin record and logs name).' }),
    name: t.exposeString('name'),
    role: t.field({ type: ApiRole, resolve: (key) => key.role }),
    panelIds: t.stringList({ nullable: true, description: 'The panels it may see; null: every panel.', resolve: (key) => (key.panels === null ? null : [...key.panels]) }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    createdBy: t.exposeString('createdBy', { description: 'Who made it (an API key or token holder).' }),
    revoked: t.boolean({ description: 'True once revoked (or named by an admin record entry this version cannot read).', resolve: (key) => !key.active }),
    revokedAt: t.expose('revokedAt', { type: 'DateTime', nullable: true }),
    revokedBy: t.exposeString('revokedBy', { nullable: true }),
  }),
});

function forbidden(context: Context, what: string): GraphQLError {
  return new GraphQLError(`${describeCaller(context.viewer)} ${what}`, { extensions: { code: 'FORBIDDEN', reason: 'NOT_ALLOWED' } });
}

/** A value as it may appear in a message: quoted, at most 40 characters of it. */
function quote(value: string): string {
  return value.length > 40 ? `${JSON.stringify(value.slice(0, 40))}… (${value.length} characters)` : JSON.stringify(value);
}

/** Whether `viewer` may see `key`: every key without a panel limit, else the keys it made for its own panels. */
function visibleTo(context: Context, key: ApiKeyListing): boolean {
  return revokeRefusal(context.viewer, key) === null;
}

builder.queryField('apiKeys', (t) =>
  t.field({
    type: [ApiKey],
    nullable: true,
    authScopes: { admin: true },
    description:
      'The API keys made through the API, revoked ones too, oldest first (configured keys are in the configuration). ' +
      'A caller limited to some panels sees the keys it made for its own panels.',
    args: { includeRevoked: t.arg.boolean({ required: false, defaultValue: true }) },
    resolve: (_root, { includeRevoked }, context) =>
      context.services.settings.apiKeys().filter((key) => (includeRevoked !== false || key.active) && visibleTo(context, key)),
  }),
);

const CreateApiKeyInput = builder.inputType('CreateApiKeyInput', {
  fields: (t) => ({
    name: t.string({ required: true }),
    role: t.field({ type: ApiRole, required: true, description: "At most the caller's own." }),
    panelIds: t.idList({ required: false, description: "The panels the key may see; omitted: all (a caller limited to some panels must list them, among its own)." }),
  }),
});

interface CreateApiKeyPayloadShape {
  readonly apiKey: ApiKeyListing | null;
  readonly key: string | null;
  readonly userErrors: UserErrorShape[];
}

const CreateApiKeyPayload = builder.objectRef<CreateApiKeyPayloadShape>('CreateApiKeyPayload').implement({
  fields: (t) => ({
    apiKey: t.field({ type: ApiKey, nullable: true, resolve: (p) => p.apiKey }),
    key: t.exposeString('key', { nullable: true, description: 'The secret, shown here once and never again.' }),
    userErrors: t.field({ type: [UserError], resolve: (p) => p.userErrors }),
  }),
});

const RevokeApiKeyInput = builder.inputType('RevokeApiKeyInput', {
  fields: (t) => ({ id: t.id({ required: true, description: 'The key id (ApiKey.id).' }) }),
});

const RevokeApiKeyPayload = builder.objectRef<{ apiKey: ApiKeyListing | null; userErrors: UserErrorShape[] }>('RevokeApiKeyPayload').implement({
  fields: (t) => ({
    apiKey: t.field({ type: ApiKey, nullable: true, description: 'The key, revoked.', resolve: (p) => p.apiKey }),
    userErrors: t.field({ type: [UserError], resolve: (p) => p.userErrors }),
  }),
});

builder.mutationFields((t) => ({
  createApiKey: t.field({
    type: CreateApiKeyPayload,
    authScopes: { admin: true },
    description: 'Makes an API key with a role, optionally limited to some panels. The secret is in this answer only.',
    args: { input: t.arg({ type: CreateApiKeyInput, required: true }) },
    resolve: async (_root, { input }, context) => {
      const ids = input.panelIds ? [...new Set(input.panelIds.map(String))] : null;
      const malformed = ids?.find((id) => !isPanelId(id));
      if (malformed !== undefined) {
        return { apiKey: null, key: null, userErrors: [{ field: ['input', 'panelIds'], code: 'INVALID_PANEL_ID' as const, message: `${quote(malformed)} is not a panel id (${PANEL_ID_RULE})` }] };
      }
      const refusal = grantRefusal(context.viewer, input.role, ids);
      if (refusal) throw forbidden(context, refusal);
      const key = newApiKey();
      const keyId = keyIdOf(key);
      try {
        await context.services.settings.record(context.viewer.name, { kind: 'apiKey.created', keyId, name: input.name, role: input.role, panels: ids, sha256: sha256Hex(key) });
      } catch (error) {
        return { apiKey: null, key: null, userErrors: [userErrorOf(error, ['input'])] };
      }
      return { apiKey: context.services.settings.apiKey(keyId), key, userErrors: [] };
    },
  }),
  revokeApiKey: t.field({
    type: RevokeApiKeyPayload,
    authScopes: { admin: true },
    description:
      'Revokes an API key made through the API (configured keys are removed from the configuration). A retry answers the same, recording nothing. ' +
      'A caller limited to some panels may revoke only keys it made for its own panels.',
    args: { input: t.arg({ type: RevokeApiKeyInput, required: true }) },
    resolve: async (_root, { input }, context) => {
      const keyId = localKey('ApiKey', String(input.id)) ?? String(input.id);
      const field = ['input', 'id'];
      if (!API_KEY_ID_PATTERN.test(keyId)) {
        return { apiKey: null, userErrors: [{ field, code: 'INVALID_API_KEY_ID' as const, message: `${quote(keyId)} is not an API key id (12 hex digits)` }] };
      }
      const known = context.services.settings.apiKey(keyId);
      const refusal = revokeRefusal(context.viewer, known);
      if (refusal) throw forbidden(context, refusal);
      if (known === null) return { apiKey: null, userErrors: [{ field, code: 'UNKNOWN_API_KEY' as const, message: `no API key "${keyId}"` }] };
      try {
        await context.services.settings.recordUnlessCurrent(context.viewer.name, { kind: 'apiKey.revoked', keyId });
      } catch (error) {
        return { apiKey: null, userErrors: [userErrorOf(error, field)] };
      }
      return { apiKey: context.services.settings.apiKey(keyId), userErrors: [] };
    },
  }),
}));
