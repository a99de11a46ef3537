import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { StartupConfigError } from '../config/startup-error.js';

/** The file in DATA_DIR that holds this installation's id. */
export const INSTALLATION_ID_FILE = 'installation-id';

/** The client id versions before the installation id used for every installation. */
const LEGACY_ID = 'ingester';

/**
 * The default MQTT client id, `energy-api-<id>`: unique per installation, so two installations on
 * one broker do not take each other's session, and stable across restarts, so the broker's
 * persistent session (readings queued while the product was down) is found again.
 *
 * The id is made once and kept in `DATA_DIR/installation-id`. A DATA_DIR that already holds data but
 * no id belongs to an installation from before this file: it keeps the old shared id
 * (`energy-api-ingester`), whose session on the broker may still hold queued readings. Call this
 * before the stores create their files.
 */
export function installationClientId(dataDir: string): string {
  const path = join(dataDir, INSTALLATION_ID_FILE);
  const existing = readId(path);
  if (existing !== null) return `energy-api-${existing}`;
  const id = readdirSync(dataDir).length > 0 ? LEGACY_ID : randomBytes(6).toString('hex');
  try {
    // 'wx': a process starting at the same moment on the same DATA_DIR keeps the id written first.
    writeFileSync(path, `${id}\n`, { flag: 'wx', mode: 0o644 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const written = readId(path);
    if (written !== null) return `energy-api-${written}`;
  }
  return `energy-api-${id}`;
}

/** The id in the file, null when there is no file; throws for a file that holds no valid id. */
function readId(path: string): string | null {
  let text: string;
  try {
    text = readFileSync(path, 'utf8').trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  // energy-api- (11 characters) plus the id stays within MQTT_CLIENT_ID's 64.
  if (!/^[A-Za-z0-9_-]{1,53}$/.test(text)) {
    throw new StartupConfigError(`${path} does not hold an installation id (letters, digits, _ and -, at most 53): delete it to make a new one`);
  }
  return text;
}
