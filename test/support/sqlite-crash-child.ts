/**
 * Child process for the crash test: writes readings with writeBatchSync, reports, then kills
 * itself with SIGKILL (no close, no checkpoint, no exit handlers).
 * argv: <file> <panelId> <count>
 */
import { DEFAULT_COUNTER_RULE } from '../../src/models/energy.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { makeReading } from './readings.js';

const [file, panelId, count] = process.argv.slice(2) as [string, string, string];
const store = new SqliteStore({ file, timezone: 'Asia/Jakarta', counterRule: DEFAULT_COUNTER_RULE, outbox: true });
const start = Date.UTC(2025, 2, 10, 3, 0, 0);
for (let i = 0; i < Number(count); i++) {
  store.writeBatchSync([makeReading(panelId, new Date(start + i * 60_000), 100 + i * 0.1, 6)]);
}
process.stdout.write('written\n', () => process.kill(process.pid, 'SIGKILL'));
