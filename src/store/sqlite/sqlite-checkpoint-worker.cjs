// Checkpoints of a SQLite write-ahead log, run in a worker thread (wal-checkpointer.ts): copying
// the log's pages into the database file and syncing both took 40-50 % of what storing readings
// cost the ingesting thread (docs/benchmarks.md, "sixth pass"). WAL lets this connection checkpoint
// while the writer keeps appending; PASSIVE never waits for, nor blocks, the writer or readers.
// CommonJS for the reason sqlite-read-worker.cjs gives.
'use strict';
const Database = require('better-sqlite3');

/** One read-write connection per database file per worker; it never writes rows. */
const connections = new Map();

function connection(file) {
  let db = connections.get(file);
  if (!db) {
    db = new Database(file, { fileMustExist: true });
    // The writer's own durability rule (sqlite-database.ts): the log is synced before its pages
    // are copied, the file after. This connection never commits, so it never checkpoints on its own.
    db.pragma('synchronous = NORMAL');
    db.pragma('wal_autocheckpoint = 0');
    connections.set(file, db);
  }
  return db;
}

/**
 * Up to `rounds` passive checkpoints, until every frame of the log is in the file (then the
 * writer starts the log over at its next commit, instead of growing it). Answers SQLite's counts
 * of the last round: frames in the log, frames copied, and whether a lock was busy.
 */
module.exports = function checkpoint({ file, rounds }) {
  try {
    const db = connection(file);
    let last = { busy: 0, log: 0, checkpointed: 0 };
    for (let i = 0; i < rounds; i++) {
      last = db.pragma('wal_checkpoint(PASSIVE)')[0];
      if (last.busy !== 0 || last.checkpointed >= last.log) break;
    }
    return last;
  } catch (error) {
    // A SqliteError reaches the caller as a bare { code } (structured cloning keeps only Error's
    // own fields): its code and message go into the message of a plain Error.
    throw new Error(`checkpoint of ${file} failed: ${error.code ? `${error.code}: ` : ''}${error.message}`);
  }
};
