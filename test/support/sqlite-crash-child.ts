/**
 * Child process for the crash test: writes readings with writeBatchSync, reports, then kills
 * itself with SIGKILL (no close, no checkpoint, no exit handlers).
 * argv: <file> <panelId> <count> <store|journal>
 */
import { SqliteJournal } from '../../src/store/sqlite/sqlite-journal.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { makeReading } from './readings.js';

const [file, panelId, count, kind] = process.argv.slice(2) as [string, string, string, string];
const writer = kind === 'journal' ? new SqliteJournal({ file }) : new SqliteStore({ file });
const start = Date.UTC(2025, 2, 10, 3, 0, 0);
for (let i = 0; i < Number(count); i++) {
  writer.writeBatchSync([makeReading(panelId, new Date(start + i * 60_000), 100 + i * 0.1, 6)]);
}
process.stdout.write('written\n', () => process.kill(process.pid, 'SIGKILL'));
