/**
 * Makes an API key for the configuration (API_KEYS), e.g. the first admin key of a site:
 *
 *   npm run api-key -- --name ops --role admin [--panels PANEL_A,PANEL_B]
 *
 * Prints the key (give it to the client; it is not stored anywhere) and the API_KEYS entry that
 * holds only its SHA-256. Keys can also be made later through the API (createApiKey, admin).
 */
import { parseArgs } from 'node:util';
import { API_ROLES } from '../models/admin-change.js';
import { configuredKeySchema, newApiKey, sha256Hex } from '../services/access/api-keys.js';

const { values } = parseArgs({
  options: { name: { type: 'string' }, role: { type: 'string', default: 'viewer' }, panels: { type: 'string' }, help: { type: 'boolean' } },
});
if (values.help || !values.name) {
  console.error(`usage: npm run api-key -- --name NAME [--role ${API_ROLES.join('|')}] [--panels PANEL_A,PANEL_B]`);
  process.exit(values.help ? 0 : 2);
}
const key = newApiKey();
const panels = values.panels?.split(',').map((p) => p.trim()).filter(Boolean) ?? null;
const parsed = configuredKeySchema.safeParse({ name: values.name, role: values.role, sha256: sha256Hex(key), panels });
if (!parsed.success) {
  console.error(`invalid: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  process.exit(2);
}
const entry = [parsed.data.name, parsed.data.role, parsed.data.sha256, ...(panels ? [panels.join('+')] : [])].join(':');
console.log(`key (give it to the client, it is shown only now):\n  ${key}\n`);
console.log(`add to API_KEYS (comma separated):\n  ${entry}`);
