import SchemaBuilder from '@pothos/core';
import ScopeAuthPlugin from '@pothos/plugin-scope-auth';
import { GraphQLError } from 'graphql';
import { roleAtLeast } from '../services/access/api-keys.js';
import type { ErrorReason } from '../services/user-input-error.js';
import type { Context } from './context.js';

/** The builder's type parameters (for helpers that take a field builder). */
export interface BuilderTypes {
  Context: Context;
  Scalars: {
    /** Output: a Date, or epoch ms where many instants are listed (history windows, models/usage.ts). */
    DateTime: { Input: Date; Output: Date | number };
    Date: { Input: string; Output: string };
  };
  DefaultFieldNullability: false;
  /**
   * Roles, each including the ones below it (services/access/api-keys.ts roleAtLeast); allPanels:
   * the caller has no panel limit (what concerns the whole building needs it, with a role).
   */
  AuthScopes: { viewer: boolean; operator: boolean; admin: boolean; allPanels: boolean };
}

/** The one schema builder. Types live in ./types, one file per domain type. */
export const builder = new SchemaBuilder<BuilderTypes>({
  plugins: [ScopeAuthPlugin],
  defaultFieldNullability: false,
  scopeAuth: {
    authScopes: ({ viewer }) => ({
      viewer: roleAtLeast(viewer.role, 'viewer'),
      operator: roleAtLeast(viewer.role, 'operator'),
      admin: roleAtLeast(viewer.role, 'admin'),
      allPanels: viewer.role !== null && viewer.panels === null,
    }),
    // Access is enforced here, in the schema, not in resolvers; a refusal says which it is.
    unauthorizedError: (_parent, { viewer }, info) =>
      viewer.role === null
        ? new GraphQLError('credentials required', { extensions: { code: 'UNAUTHENTICATED', reason: 'CREDENTIALS_REQUIRED' satisfies ErrorReason } })
        : new GraphQLError(`${describeCaller(viewer)} may not use ${info.parentType.name}.${info.fieldName}`, {
            extensions: { code: 'FORBIDDEN', reason: 'NOT_ALLOWED' satisfies ErrorReason },
          }),
  },
});

/** "key:ops (admin)", or "key:floor-1 (admin, limited to 2 panels)": who was refused, in a refusal. */
export function describeCaller(viewer: Context['viewer']): string {
  const limit = viewer.panels === null ? '' : `, limited to ${viewer.panels.size} panel${viewer.panels.size === 1 ? '' : 's'}`;
  return `${viewer.name} (${viewer.role ?? 'anonymous'}${limit})`;
}

// Reading anything needs at least a viewer; mutations name their own role.
builder.queryType({ authScopes: { viewer: true } });
builder.subscriptionType({ authScopes: { viewer: true } });
builder.mutationType({ authScopes: { operator: true } });
