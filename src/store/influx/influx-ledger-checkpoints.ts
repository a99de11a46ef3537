import { flux, fluxString, type QueryApi } from '@influxdata/influxdb-client';
import type { CheckpointRecord, LedgerCheckpointStore } from '../day-totals.js';
import { fluxTime, MAX_TIME, MIN_TIME, panelPredicate } from './influx-flux.js';
import { recordBucket, type InfluxConnection, type InfluxHttp } from './influx-http.js';
import { escapeTag, stringCell, timeCell, type FluxRow } from './influx-points.js';

/**
 * The measurement of the energy ledger's checkpoints, in the admin bucket: never in the readings'
 * measurement, which holds raw readings only.
 */
export const CHECKPOINT_MEASUREMENT = 'ledger_checkpoint';

/** Lines per write request (a checkpoint line is about 3 KB). */
const LINES_PER_WRITE = 500;
/** Panels per read query, to keep each answer a few MB. */
const PANELS_PER_READ = 20;

/**
 * Checkpoints as points: tag `panel_id`, one string field `data` (the ledger's encoding), time =
 * the local day's start. Panel and day are the point's key, so writing a day again (this process
 * later, or another process with the same readings) replaces it instead of adding a second one.
 */
export class InfluxLedgerCheckpoints implements LedgerCheckpointStore {
  readonly #http: InfluxHttp;
  readonly #query: QueryApi;
  readonly #bucket: string;

  constructor(adminConnection: InfluxConnection) {
    ({ bucket: this.#bucket, http: this.#http, query: this.#query } = recordBucket(adminConnection));
  }

  async write(records: readonly CheckpointRecord[]): Promise<void> {
    const lines = records.map((r) => `${CHECKPOINT_MEASUREMENT},panel_id=${escapeTag(r.panelId)} data=${stringField(r.text)} ${r.dayStartMs}`);
    for (let i = 0; i < lines.length; i += LINES_PER_WRITE) await this.#http.writeLines(lines.slice(i, i + LINES_PER_WRITE));
  }

  async read(panelIds: readonly string[]): Promise<CheckpointRecord[]> {
    const records: CheckpointRecord[] = [];
    for (let i = 0; i < panelIds.length; i += PANELS_PER_READ) {
      const rows = await this.#query.collectRows<FluxRow>(
        flux`from(bucket: ${fluxString(this.#bucket)})
  |> range(start: ${fluxTime(MIN_TIME)}, stop: ${fluxTime(MAX_TIME)})
  |> filter(fn: (r) => r._measurement == ${fluxString(CHECKPOINT_MEASUREMENT)} and r._field == "data" and ${panelPredicate(panelIds.slice(i, i + PANELS_PER_READ))})
  |> keep(columns: ["_time", "_value", "panel_id"])`,
        (values, meta) => meta.toObject(values),
      );
      for (const row of rows) {
        records.push({ panelId: stringCell(row, 'panel_id'), dayStartMs: timeCell(row, '_time').getTime(), text: stringCell(row, '_value') });
      }
    }
    return records;
  }
}

/** A line-protocol string field: quotes and backslashes escaped. */
function stringField(value: string): string {
  return `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}
