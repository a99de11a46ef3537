import { flux, fluxString, type QueryApi } from '@influxdata/influxdb-client';
import type { AdminRecord } from '../../models/admin-change.js';
import { interpretEntries, type AdminLog, type AdminLogContents, type StoredAdminEntry } from '../admin-log.js';
import { recordBucket, type InfluxConnection, type InfluxHttp } from './influx-http.js';
import { escapeTag } from './influx-points.js';

/** The measurement of the admin record, in its own bucket (no retention: the history must stay). */
export const ADMIN_MEASUREMENT = 'admin_record';

/**
 * The admin record in InfluxDB: one point per change (tag `id`, string fields `actor` and
 * `change` holding the JSON), in a bucket of its own so that the readings bucket's retention can
 * never expire the tariff history. Written synchronously: a change is done only once InfluxDB
 * answered 204.
 */
export class InfluxAdminLog implements AdminLog {
  readonly #http: InfluxHttp;
  readonly #query: QueryApi;
  readonly #bucket: string;

  constructor(connection: InfluxConnection) {
    ({ bucket: this.#bucket, http: this.#http, query: this.#query } = recordBucket(connection));
  }

  async append(record: AdminRecord): Promise<void> {
    const line =
      `${ADMIN_MEASUREMENT},id=${escapeTag(record.id)} ` +
      `actor=${stringField(record.actor)},change=${stringField(JSON.stringify(record.change))} ${record.at.getTime()}`;
    await this.#http.writeLines([line]);
  }

  async all(): Promise<AdminLogContents> {
    const rows = await this.#query.collectRows<Record<string, unknown>>(
      flux`from(bucket: ${fluxString(this.#bucket)})
  |> range(start: 0)
  |> filter(fn: (r) => r._measurement == ${fluxString(ADMIN_MEASUREMENT)})
  |> pivot(rowKey: ["_time"], columnKey: ["_field"], valueColumn: "_value")
  |> group()`,
      (values, meta) => meta.toObject(values),
    );
    const entries = rows.map((row): StoredAdminEntry => ({ id: String(row.id), at: new Date(String(row._time)), actor: String(row.actor), changeJson: String(row.change) }));
    return interpretEntries(entries, (entry, reason) => new Error(`admin record ${entry.id} in bucket ${this.#bucket} cannot be read: ${reason}`));
  }
}

/** A line-protocol string field: quotes and backslashes escaped. */
function stringField(value: string): string {
  return `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}
