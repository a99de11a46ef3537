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

/**
 * Up to `limit` readings of one panel from `fromMs` on, as six columns packed in one Float64Array
 * (t, kwh, kw, pf, kvarh, kva; NaN for null), transferred to the caller instead of copied.
 */
function scan({ file, panelId, fromMs, limit }) {
  const rows = connection(file).scan.all(panelId, fromMs, limit);
  const n = rows.length;
  const packed = new Float64Array(6 * n);
  for (let k = 0; k < n; k++) {
    const row = rows[k];
    packed[k] = row[0];
    packed[n + k] = row[1];
    packed[2 * n + k] = row[2];
    packed[3 * n + k] = row[3] ?? Number.NaN;
    packed[4 * n + k] = row[4] ?? Number.NaN;
    packed[5 * n + k] = row[5] ?? Number.NaN;
  }
  return move(packed);
}

function run(task) {
  switch (task.op) {
    case 'scan':
      return scan(task);
    case 'downsample':
      return connection(task.file).downsample.all(task.params);
    case 'ping':
      return connection(task.file).db.prepare('SELECT 1 AS one').get().one;
    default:
      throw new Error(`unknown SQLite read task ${String(task.op)}`);
  }
}

module.exports = run;
