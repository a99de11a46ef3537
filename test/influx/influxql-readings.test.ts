import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InfluxStore } from '../../src/store/influx/influx-store.js';
import { downsampleStatement, influxqlString, readingsStatement } from '../../src/store/influx/influxql-queries.js';
import { createBucket, realInflux } from '../support/influx.js';
import { makeReading } from '../support/readings.js';

/**
 * Raw readings come from InfluxDB through InfluxQL (the 1.x /query API on the bucket's virtual
 * database); the store contract checks what they hold. These check what a caller could put into
 * the statement and what the caller hears when InfluxDB refuses it.
 */
describe('InfluxQL statements', () => {
  it('quotes a panel id as a string literal: quotes and backslashes cannot end it', () => {
    expect(influxqlString("A' OR panel_id =~ /.*/ --")).toBe("'A\\' OR panel_id =~ /.*/ --'");
    expect(influxqlString('A\\')).toBe("'A\\\\'");
    const statement = readingsStatement("x' OR '1'='1", new Date('2026-01-01T00:00:00Z'), new Date('2026-01-02T00:00:00Z'), 10);
    expect(statement).toBe(
      `SELECT * FROM "panel_energy" WHERE "panel_id" = 'x\\' OR \\'1\\'=\\'1' AND time >= '2026-01-01T00:00:00.000Z' AND time < '2026-01-02T00:00:00.000Z' ORDER BY time ASC LIMIT 10`,
    );
  });

  it('aligns downsample windows to `from`, quotes the panel id, and refuses a window that is not a positive whole ms', () => {
    const statement = downsampleStatement("x' OR '1'='1", new Date('2026-01-01T00:01:00Z'), new Date('2026-01-01T01:01:00Z'), 300_000);
    expect(statement).toContain(`WHERE "panel_id" = 'x\\' OR \\'1\\'=\\'1' AND time >= '2026-01-01T00:01:00.000Z'`);
    expect(statement).toMatch(/GROUP BY time\(300000ms, 60000ms\) fill\(none\)$/);
    expect(() => downsampleStatement('A', new Date(0), new Date(1), 0)).toThrow(RangeError);
    expect(() => downsampleStatement('A', new Date(0), new Date(1), 1.5)).toThrow(RangeError);
  });

  it('keeps times inside what InfluxDB can hold, and refuses a limit that is not a positive integer', () => {
    expect(readingsStatement('A', new Date(-8.64e15), new Date(8.64e15))).toContain(`time >= '1677-09-22T00:00:00.000Z' AND time < '2262-04-10T00:00:00.000Z'`);
    expect(() => readingsStatement('A', new Date(0), new Date(1), 1.5)).toThrow(RangeError);
    expect(() => readingsStatement('A', new Date(Number.NaN), new Date(1))).toThrow(RangeError);
  });
});

describe.skipIf(!realInflux)('raw readings over InfluxQL (real InfluxDB)', () => {
  if (!realInflux) return;
  const influx = realInflux;
  let bucket: Awaited<ReturnType<typeof createBucket>>;
  let store: InfluxStore;
  const t0 = new Date('2026-03-01T00:00:00Z');

  beforeAll(async () => {
    bucket = await createBucket(influx, 'influxql');
    store = new InfluxStore({ ...influx, bucket: bucket.name });
    await store.writeBatch([0, 1, 2].map((i) => makeReading('PANEL_A', new Date(t0.getTime() + i * 60_000), 100 + i, 6)));
  });
  afterAll(async () => {
    await store?.close();
    await bucket?.remove();
  });

  it('a panel id written to break out of the string reads nothing, and nothing else', async () => {
    const to = new Date(t0.getTime() + 3_600_000);
    expect((await store.readings('PANEL_A', t0, to)).map((r) => r.energyKwh)).toEqual([100, 101, 102]);
    expect(await store.readings("PANEL_B' OR panel_id = 'PANEL_A", t0, to)).toEqual([]);
    expect(await store.readings('PANEL_A\\', t0, to)).toEqual([]);
    expect((await store.downsample('PANEL_A', t0, to, 3_600_000)).map((w) => w.count)).toEqual([3]);
    expect(await store.downsample("PANEL_B' OR panel_id = 'PANEL_A", t0, to, 3_600_000)).toEqual([]);
  });

  it('a bucket InfluxDB does not have is an error that names the query and the database', async () => {
    const missing = new InfluxStore({ ...influx, bucket: `${bucket.name}_missing` });
    try {
      await expect(missing.readings('PANEL_A', t0, new Date(t0.getTime() + 60_000))).rejects.toThrow(/readings.*(database|bucket).*not found|not found.*_missing/i);
    } finally {
      await missing.close();
    }
  });
});
