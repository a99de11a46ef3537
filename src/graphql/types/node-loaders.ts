import { GraphQLError } from 'graphql';
import type { ApiRole } from '../../models/admin-change.js';
import { revokeRefusal, roleAtLeast } from '../../services/access/api-keys.js';
import type { ErrorReason } from '../../services/user-input-error.js';
import { describeCaller } from '../builder.js';
import type { Context } from '../context.js';
import { alarmsOf } from './alarm.js';
import { registerNode } from './node.js';

/**
 * How node(id) finds each type, with the access of the type's own field (alarm, panel, apiKeys,
 * adminChanges, tariff): one place to read when checking that node() opens no way around a rule
 * (test/access/node-scope.test.ts).
 */

/** What the scope-auth plugin answers for a field the caller's role may not use. */
function requireRole(context: Context, role: ApiRole, field: string): void {
  if (roleAtLeast(context.viewer.role, role)) return;
  throw new GraphQLError(`${describeCaller(context.viewer)} may not use ${field}`, { extensions: { code: 'FORBIDDEN', reason: 'NOT_ALLOWED' satisfies ErrorReason } });
}

// As panel(id): UNKNOWN_PANEL for a panel outside the caller's (hidden ones too, as there).
registerNode('Panel', (key, { services, viewer }) => services.panels.visible(key, viewer.panels));

// As alarm(id): null for one the caller does not see.
registerNode('Alarm', (key, context) => alarmsOf(context).service.get(key, context.viewer.panels));

// As apiKeys: admins, and a caller limited to some panels only the keys it made for its own.
registerNode('ApiKey', (key, context) => {
  requireRole(context, 'admin', 'Query.apiKeys');
  return context.services.settings.apiKeys().find((listing) => listing.keyId === key && revokeRefusal(context.viewer, listing) === null) ?? null;
});

// As adminChanges: operators, and a caller limited to some panels only the changes it may see there.
registerNode('AdminChange', (key, context) => {
  requireRole(context, 'operator', 'Query.adminChanges');
  return context.services.settings.recentChanges(Number.POSITIVE_INFINITY, context.viewer.panels).find((record) => String(record.id) === key) ?? null;
});

// As tariff: every caller.
registerNode('TariffPlanVersion', (key, { services }) => services.tariff.current().versions.find((version) => version.effectiveFrom === key) ?? null);
