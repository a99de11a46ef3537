import { describe, expect, it } from 'vitest';
import {
  escapeTag,
  FIELD_NAMES,
  flatReadingToLine,
  InvalidPointError,
  panelEdgesToRecords,
  pivotedRowToReading,
  readingToLine,
} from '../../src/store/influx/influx-points.js';
import { paramsToReading, READING_COLUMNS, readingParams } from '../../src/store/sqlite/sqlite-schema.js';
import { parseLine } from '../support/fake-influx.js';
import { makeReading, makeSparseReading } from '../support/readings.js';

const t = new Date('2026-03-01T10:00:00.123Z');

describe('readingToLine', () => {
  it('writes measurement, panel_id tag, one float field per value and a ms timestamp', () => {
    const line = readingToLine(makeReading('PANEL_LANTAI_1', t, 1234.5, 6));
    expect(line).toBe(
      'panel_energy,panel_id=PANEL_LANTAI_1 ' +
        'voltage_l1=229.5,voltage_l2=230.25,voltage_l3=231,voltage_avg=230.25,' +
        'current_l1=8.5,current_l2=9,current_l3=9.25,current_avg=8.916666666666666,' +
        'active_power_kw=6,apparent_power_kva=6.5,energy_kwh=1234.5,power_factor=0.92,' +
        'voltage_unbalance=0.4,current_unbalance=1.2,null_fields=4096i 1772359200123',
    );
  });

  it('never writes a measurement as an integer: whole numbers carry no i suffix, so InfluxDB stores floats', () => {
    const line = readingToLine(makeReading('P', t, 100, 0, { powerFactor: 1 }));
    expect(line.replace(/null_fields=\d+i/, '')).not.toMatch(/=\d+i[ ,]/);
    const point = parseLine(line); // the fake rejects anything that is not a float
    expect(point.fields.energy_kwh).toBe(100);
    expect(point.fields.active_power_kw).toBe(0);
  });

  it('omits null values instead of writing zeros, and lists them in null_fields', () => {
    const line = readingToLine(makeSparseReading('P', t, 5, 1.5));
    expect(line).toBe('panel_energy,panel_id=P active_power_kw=1.5,energy_kwh=5,null_fields=8191i 1772359200123');
  });

  it('round-trips awkward doubles exactly (shortest representation, exponents)', () => {
    for (const value of [0.1 + 0.2, 1e21, 5e-7, -0, 123456789.12345679, Number.MAX_SAFE_INTEGER]) {
      const point = parseLine(readingToLine(makeSparseReading('P', t, value)));
      expect(point.fields.energy_kwh).toBe(value === 0 ? 0 : value);
    }
  });

  it('escapes commas, equals signs and spaces in the panel id', () => {
    const id = 'Gedung A, lantai=2';
    const line = readingToLine(makeSparseReading(id, t, 1));
    expect(line.startsWith('panel_energy,panel_id=Gedung\\ A\\,\\ lantai\\=2 ')).toBe(true);
    expect(parseLine(line).tags.panel_id).toBe(id);
    expect(escapeTag('a b,c=d')).toBe('a\\ b\\,c\\=d');
  });

  it.each([
    ['an empty panel id', makeSparseReading('', t, 1), /empty/],
    ['a line break in the panel id', makeSparseReading('A\nB', t, 1), /control character/],
    ['a backslash in the panel id', makeSparseReading('A\\', t, 1), /backslash/],
    ['an invalid time', makeSparseReading('A', new Date(Number.NaN), 1), /time/],
    ['a non-finite value', makeReading('A', t, 1, 6, { powerFactor: Number.POSITIVE_INFINITY }), /power_factor is Infinity/],
    ['NaN counter', makeSparseReading('A', t, Number.NaN), /energy_kwh is NaN/],
  ])('refuses %s with InvalidPointError naming the problem', (_name, reading, reason) => {
    expect(() => readingToLine(reading)).toThrow(InvalidPointError);
    expect(() => readingToLine(reading)).toThrow(reason);
    expect(() => flatReadingToLine(readingParams(reading))).toThrow(reason);
  });

  it('writes the same line from the journal\'s flat rows (its columns are the fields, in order)', () => {
    expect(READING_COLUMNS).toEqual(['panel_id', 'time_ms', ...FIELD_NAMES]);
    const readings = [
      makeReading('A', t, 1234.5678, 6.25),
      makeSparseReading('B', t, 1),
      makeReading('C', t, 0.1, 0, { powerFactor: null, reactiveEnergyKvarh: 77.125 }),
    ];
    for (const reading of readings) {
      const row = readingParams(reading);
      expect(flatReadingToLine(row)).toBe(readingToLine(reading));
      expect(paramsToReading(row)).toEqual(reading);
    }
  });
});

describe('result rows back into models', () => {
  it('maps a pivoted row to a Reading, nulls for absent fields', () => {
    const reading = pivotedRowToReading({
      _time: '2026-03-01T10:00:00.123Z',
      panel_id: 'P',
      energy_kwh: 5,
      active_power_kw: 1.5,
      voltage_l1: 230,
      power_factor: null,
    });
    expect(reading).toEqual({
      ...makeSparseReading('P', t, 5, 1.5),
      voltage: { l1: 230, l2: null, l3: null, average: null },
    });
  });

  it('ignores rows without the counter or the power (not written by this product)', () => {
    expect(pivotedRowToReading({ _time: t.toISOString(), panel_id: 'P', voltage_l1: 230 })).toBeNull();
  });

  it('turns first/last edges into sorted panel records', () => {
    expect(
      panelEdgesToRecords([
        { panel_id: 'B', edge: 'first', _time: '2026-01-01T00:00:00Z' },
        { panel_id: 'A', edge: 'last', _time: '2026-02-01T00:00:00Z' },
        { panel_id: 'A', edge: 'first', _time: '2026-01-02T00:00:00Z' },
        { panel_id: 'B', edge: 'last', _time: '2026-01-03T00:00:00Z' },
      ]),
    ).toEqual([
      { id: 'A', firstSeenAt: new Date('2026-01-02T00:00:00Z'), lastSeenAt: new Date('2026-02-01T00:00:00Z') },
      { id: 'B', firstSeenAt: new Date('2026-01-01T00:00:00Z'), lastSeenAt: new Date('2026-01-03T00:00:00Z') },
    ]);
  });
});
