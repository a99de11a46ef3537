import { flux, fluxString, type QueryApi } from '@influxdata/influxdb-client';
import { ALARM_SEVERITIES, ALARM_TYPES, type AlarmSeverity, type AlarmType } from '../../models/alarm.js';
import { recordBucket, type InfluxConnection, type InfluxHttp } from '../influx/influx-http.js';
import { escapeTag } from '../influx/influx-points.js';
import { compareEntries, type AlarmLog, type AlarmLogEntry } from './alarm-log.js';

export const ALARM_MEASUREMENT = 'alarm_log';
export const SECRET_MEASUREMENT = 'alarm_secret';

/**
 * The alarm log in InfluxDB's admin bucket (no retention). One point per entry, tagged with its
 * id, at its meter time: InfluxDB merges points with the same series and time, so the same entry
 * written by several processes (each decides the same from the same readings) is one entry.
 * Secrets: one point per secret id at time 0, so a new value replaces the old.
 */
export class InfluxAlarmLog implements AlarmLog {
  readonly #http: InfluxHttp;
  readonly #query: QueryApi;
  readonly #bucket: string;

  constructor(connection: InfluxConnection) {
    ({ bucket: this.#bucket, http: this.#http, query: this.#query } = recordBucket(connection));
  }

  async append(entries: readonly AlarmLogEntry[]): Promise<void> {
    const lines = entries.map(
      (e) =>
        `${ALARM_MEASUREMENT},id=${escapeTag(e.id)} ` +
        [
          `alarm=${str(e.alarmId)}`,
          `kind=${str(e.kind)}`,
          `subject=${str(e.subject)}`,
          `type=${str(e.type)}`,
          `severity=${str(e.severity)}`,
          `started=${e.startedAt.getTime()}i`,
          `message=${str(e.message)}`,
          `rule_version=${e.ruleVersion}i`,
          ...(e.value === null ? [] : [`value=${e.value}`]),
          ...(e.threshold === null ? [] : [`threshold=${e.threshold}`]),
        ].join(',') +
        ` ${e.at.getTime()}`,
    );
    await this.#http.writeLines(lines);
  }

  async all(): Promise<AlarmLogEntry[]> {
    const rows = await this.#query.collectRows<Record<string, unknown>>(
      flux`from(bucket: ${fluxString(this.#bucket)})
  |> range(start: 0)
  |> filter(fn: (r) => r._measurement == ${fluxString(ALARM_MEASUREMENT)})
  |> pivot(rowKey: ["_time"], columnKey: ["_field"], valueColumn: "_value")
  |> group()`,
      (values, meta) => meta.toObject(values),
    );
    return rows
      .map((row): AlarmLogEntry => {
        const type = String(row.type);
        const severity = String(row.severity);
        if (!(ALARM_TYPES as readonly string[]).includes(type) || !(ALARM_SEVERITIES as readonly string[]).includes(severity)) {
          throw new Error(`alarm log entry ${String(row.id)} in bucket ${this.#bucket} has an unknown type or severity (${type}, ${severity})`);
        }
        return {
          id: String(row.id),
          alarmId: String(row.alarm),
          kind: String(row.kind) as AlarmLogEntry['kind'],
          at: new Date(String(row._time)),
          subject: String(row.subject),
          type: type as AlarmType,
          severity: severity as AlarmSeverity,
          startedAt: new Date(Number(row.started)),
          value: typeof row.value === 'number' ? row.value : null,
          threshold: typeof row.threshold === 'number' ? row.threshold : null,
          message: String(row.message),
          ruleVersion: Number(row.rule_version),
        };
      })
      .sort(compareEntries);
  }

  async putSecret(id: string, value: string): Promise<void> {
    await this.#http.writeLines([`${SECRET_MEASUREMENT},id=${escapeTag(id)} value=${str(value)} 0`]);
  }

  async secret(id: string): Promise<string | null> {
    const rows = await this.#query.collectRows<Record<string, unknown>>(
      flux`from(bucket: ${fluxString(this.#bucket)})
  |> range(start: 0)
  |> filter(fn: (r) => r._measurement == ${fluxString(SECRET_MEASUREMENT)} and r.id == ${fluxString(id)} and r._field == "value")
  |> last()`,
      (values, meta) => meta.toObject(values),
    );
    const value = rows[0]?._value;
    return typeof value === 'string' ? value : null;
  }
}

function str(value: string): string {
  return `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}
