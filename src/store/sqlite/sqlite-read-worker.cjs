// The SQLite store's long reads, run by a piscina pool in worker threads: better-sqlite3 is
// synchronous, and a scan of months of readings on the main thread would stall MQTT
// acknowledgements and every request. Plain JavaScript so it runs unchanged under tsx, vitest
// and the compiled build. WAL lets these read-only connections see every commit.
// CommonJS on purpose: piscina loads a worker with require() first, and Node 20's require() of an
// ES module aborted the whole process once (an assertion in CreateRequiredModuleFacade, seen in
// CI); require() of a CommonJS file is the long-stable path.
'use strict';
const { move } = require('piscina');
const Database = require('better-sqlite3');
const { threadId } = require('node:worker_threads');

/** One read-only connection per database file per worker, with its prepared statements. */
const connections = new Map();

function connection(file) {
  let entry = connections.get(file);
  if (!entry) {
    const db = new Database(file, { readonly: true, fileMustExist: true });
    db.pragma('busy_timeout = 5000');
    entry = {
      db,
      scan: db
        .prepare(
          `SELECT time_ms, energy_kwh, active_power_kw, power_factor, reactive_energy_kvarh, apparent_power_kva
           FROM readings WHERE panel_id = ? AND time_ms >= ? ORDER BY time_ms LIMIT ?`,
        )
        .raw(),
      // better-sqlite3 binds JS numbers as REAL: cast so the window index is an integer division.
      // energy_kwh next to the single max() comes from the row holding the max (SQLite documents
      // this for bare columns), i.e. the window's last counter value.
      downsample: db.prepare(`
        SELECT (time_ms - CAST(@from AS INTEGER)) / CAST(@every AS INTEGER) AS window_index,
               count(*) AS count, max(time_ms) AS last_time_ms, energy_kwh,
               avg(voltage_l1) AS voltage_l1, avg(voltage_l2) AS voltage_l2,
               avg(voltage_l3) AS voltage_l3, avg(voltage_avg) AS voltage_avg,
               avg(current_l1) AS current_l1, avg(current_l2) AS current_l2,
               avg(current_l3) AS current_l3, avg(current_avg) AS current_avg,
               avg(active_power_kw) AS active_power_kw, avg(apparent_power_kva) AS apparent_power_kva,
               avg(power_factor) AS power_factor, avg(voltage_unbalance) AS voltage_unbalance,
               avg(current_unbalance) AS current_unbalance, reactive_energy_kvarh
        FROM readings
        WHERE panel_id = @panelId AND time_ms >= @from AND time_ms < @to
        GROUP BY window_index ORDER BY window_index`),
    };
    connections.set(file, entry);
  }
  return entry;
}

/** The scan's columns before they are packed (grown to the largest `limit` asked). */
let scratch = new Float64Array(0);

/**
 * Up to `limit` readings of one panel from `fromMs` on, as six columns packed in one Float64Array
 * (t, kwh, kw, pf, kvarh, kva; NaN for null), transferred to the caller instead of copied.
 */
function scan({ file, panelId, fromMs, limit }) {
  // Row by row into columns of `limit` (off the JS heap), not all() first: all() keeps every row's
  // array alive until the last one is read, so a 50,000-row chunk was promoted to the worker's old
  // generation on every scan, and each worker's heap grew to tens of MB of garbage (measured with
  // /proc/<pid>/smaps: the two workers' heaps were a third of the product's peak RSS).
  // One scratch buffer per worker, reused: a fresh one per scan left the workers' malloc arenas
  // holding tens of MB of freed buffers.
  if (scratch.length < 6 * limit) scratch = new Float64Array(6 * limit);
  const columns = scratch;
  let n = 0;
  for (const row of connection(file).scan.iterate(panelId, fromMs, limit)) {
    columns[n] = row[0];
    columns[limit + n] = row[1];
    columns[2 * limit + n] = row[2];
    columns[3 * limit + n] = row[3] ?? Number.NaN;
    columns[4 * limit + n] = row[4] ?? Number.NaN;
    columns[5 * limit + n] = row[5] ?? Number.NaN;
    n++;
  }
  const packed = new Float64Array(6 * n);
  for (let c = 0; c < 6; c++) packed.set(columns.subarray(c * limit, c * limit + n), c * n);
  return move(packed);
}

function run(task) {
  switch (task.op) {
    case 'scan':
      return scan(task);
    case 'downsample':
      return connection(task.file).downsample.all(task.params);
    case 'ping':
      // The thread's id: which worker answered (a replaced pool answers from new ones).
      return { one: connection(task.file).db.prepare('SELECT 1 AS one').get().one, threadId };
    default:
      throw new Error(`unknown SQLite read task ${String(task.op)}`);
  }
}

module.exports = run;
