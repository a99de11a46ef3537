import { afterEach, describe, expect, it } from 'vitest';
import { alarmId, transitionId } from '../../src/models/alarm.js';
import type { AlarmLogEntry } from '../../src/store/alarms/alarm-log.js';
import { InfluxAlarmLog } from '../../src/store/alarms/influx-alarm-log.js';
import { disposer } from '../support/disposer.js';
import { createBucket, realInflux } from '../support/influx.js';

/** The alarm log in a real InfluxDB (`npm run test:influx -- test/alarms/influx-log.test.ts`). */
const cleanup = disposer();
afterEach(() => cleanup.run());

describe.skipIf(!realInflux)('the alarm log in InfluxDB', () => {
  it('keeps each entry once however often it is written (as several processes write it), in order, with its fields; secrets replace', async () => {
    const influx = realInflux!;
    const bucket = await createBucket(influx, 'alarmlog');
    cleanup.add(() => bucket.remove());
    const log = new InfluxAlarmLog({ url: influx.url, token: influx.token, org: influx.org, bucket: bucket.name });
    const startedAt = new Date('2026-03-02T01:05:00Z');
    const id = alarmId('PANEL_A', 'VOLTAGE_OUT_OF_RANGE', startedAt);
    const base = { alarmId: id, subject: 'PANEL_A', type: 'VOLTAGE_OUT_OF_RANGE' as const, severity: 'MAJOR' as const, startedAt, threshold: 231, message: 'L1 "236.0 V" above 231 V, for 5 min', ruleVersion: 2 };
    const clearedAt = new Date('2026-03-02T01:20:00Z');
    const entries: AlarmLogEntry[] = [
      { ...base, id: transitionId(id, 'RAISED', startedAt), kind: 'RAISED', at: startedAt, value: 236 },
      { ...base, id: transitionId(id, 'CLEARED', clearedAt), kind: 'CLEARED', at: clearedAt, value: null },
    ];
    await log.append(entries);
    await log.append(entries);
    await log.append([entries[1]!]);
    expect(await log.all()).toEqual(entries);

    expect(await log.secret('ops-1')).toBeNull();
    await log.putSecret('ops-1', 'first');
    await log.putSecret('ops-1', 'sec"ond\\');
    expect(await log.secret('ops-1')).toBe('sec"ond\\');
  });
});
