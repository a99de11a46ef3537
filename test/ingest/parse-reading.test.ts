import { describe, expect, it } from 'vitest';
import type { Reading } from '../../src/models/reading.js';
import { parseMeterTime } from '../../src/ingest/meter-time.js';
import { LocalTime } from '../../src/time/local-time.js';
import {
  MAX_PAYLOAD_BYTES,
  parseReading,
  type ParseContext,
  type ParseResult,
} from '../../src/ingest/parse-reading.js';
import { REJECT_REASONS, type RejectReason } from '../../src/ingest/reject-reasons.js';
import { seededRandom } from '../support/readings.js';

const TOPIC = 'DATA/PM/PANEL_LANTAI_1';
/** 12:31:00 in Jakarta, a minute after the example's meter time. */
const RECEIVED_AT = new Date('2026-07-01T05:31:00Z');
const CTX: ParseContext = {
  receivedAt: RECEIVED_AT,
  meterClock: new LocalTime('Asia/Jakarta'),
  maxClockSkewMs: 5 * 60_000,
  topicPrefix: 'DATA/PM',
};

/** The payload from the spec, byte for byte. */
const EXAMPLE_TEXT =
  '{"status":"OK","data":{"v":[224.7,224.7,0,149.8],"i":[0,0.2,0.02,0.07],"kw":"0.34","kVA":"0.18",' +
  '"kWh":"1532.08","pf":0.92,"vunbal":0.009,"iunbal":0.099,"time":"2026-07-01 12:30:05"}}';
const EXAMPLE_DATA: Readonly<Record<string, unknown>> = (JSON.parse(EXAMPLE_TEXT) as { data: Record<string, unknown> })
  .data;

const EXPECTED: Reading = {
  panelId: 'PANEL_LANTAI_1',
  time: new Date('2026-07-01T05:30:05Z'),
  voltage: { l1: 224.7, l2: 224.7, l3: 0, average: 149.8 },
  current: { l1: 0, l2: 0.2, l3: 0.02, average: 0.07 },
  activePowerKw: 0.34,
  apparentPowerKva: 0.18,
  energyKwh: 1532.08,
  powerFactor: 0.92,
  voltageUnbalance: 0.009,
  currentUnbalance: 0.099,
  reactiveEnergyKvarh: null,
};

function parse(payload: string | Uint8Array | object, options: { topic?: string; ctx?: Partial<ParseContext> } = {}) {
  const bytes =
    payload instanceof Uint8Array
      ? payload
      : Buffer.from(typeof payload === 'string' ? payload : JSON.stringify(payload), 'utf8');
  return parseReading(options.topic ?? TOPIC, bytes, { ...CTX, ...options.ctx });
}

/** The example with `data` fields replaced; `undefined` removes a field. */
function withData(changes: Record<string, unknown>, root: Record<string, unknown> = { status: 'OK' }): object {
  return { ...root, data: { ...EXAMPLE_DATA, ...changes } };
}

function reading(result: ParseResult): Reading {
  if (!result.ok) throw new Error(`expected a reading, got ${result.reason}: ${result.detail}`);
  return result.reading;
}

describe('parseReading: the example payload', () => {
  it('normalises every field; the offset-less time is meter local time (Asia/Jakarta)', () => {
    const result = parse(EXAMPLE_TEXT);
    expect(result).toEqual({ ok: true, reading: EXPECTED });
    expect(reading(result).time.toISOString()).toBe('2026-07-01T05:30:05.000Z');
  });

  it('accepts a Buffer and a plain Uint8Array alike', () => {
    const bytes = new TextEncoder().encode(EXAMPLE_TEXT);
    expect(parseReading(TOPIC, bytes, CTX)).toEqual(parseReading(TOPIC, Buffer.from(EXAMPLE_TEXT), CTX));
  });

  it('takes the panel id from the topic with the configured prefix', () => {
    const result = parse(EXAMPLE_TEXT, { topic: 'site/b/meters/P7', ctx: { topicPrefix: 'site/b/meters' } });
    expect(reading(result).panelId).toBe('P7');
  });
});

describe('parseReading: numbers', () => {
  it('reads numbers and numeric strings (with surrounding whitespace) the same way', () => {
    const asNumbers = withData({ kw: 0.34, kVA: 0.18, kWh: 1532.08, pf: 0.92 });
    const asStrings = withData({
      v: ['224.7', ' 224.7', '0', '149.8 '],
      i: ['0', '0.2', '0.02', '0.07'],
      kw: ' 0.34 ',
      kVA: '\t0.18',
      kWh: '1532.08\n',
      pf: '0.92',
      vunbal: '0.009',
      iunbal: '+0.099',
    });
    expect(reading(parse(asNumbers))).toEqual(EXPECTED);
    expect(reading(parse(asStrings))).toEqual(EXPECTED);
  });

  it.each([
    ['1532', 1532],
    ['1.5e3', 1500],
    ['1.', 1],
    ['.5', 0.5],
    ['0', 0],
    ['-0', 0],
    ['007', 7],
  ])('reads the counter %j as %d', (text, value) => {
    expect(reading(parse(withData({ kWh: text }))).energyKwh).toBe(value);
  });

  it('keeps a negative power factor (leading, capacitive loads) and the bounds of [-1, 1]', () => {
    expect(reading(parse(withData({ pf: -0.5 }))).powerFactor).toBe(-0.5);
    expect(reading(parse(withData({ pf: '-1' }))).powerFactor).toBe(-1);
    expect(reading(parse(withData({ pf: 1 }))).powerFactor).toBe(1);
  });

  it('turns missing and null optional fields into null', () => {
    const missing = reading(parse(withData({ kVA: undefined, pf: undefined, vunbal: undefined, iunbal: undefined })));
    const nulls = reading(parse(withData({ kVA: null, pf: null, vunbal: null, iunbal: null })));
    for (const r of [missing, nulls]) {
      expect(r).toEqual({
        ...EXPECTED,
        apparentPowerKva: null,
        powerFactor: null,
        voltageUnbalance: null,
        currentUnbalance: null,
      });
    }
  });

  it('computes the average of three phase values', () => {
    const r = reading(parse(withData({ v: [230, 231, '232'], i: [1, 2, 3] })));
    expect(r.voltage).toEqual({ l1: 230, l2: 231, l3: 232, average: 231 });
    expect(r.current).toEqual({ l1: 1, l2: 2, l3: 3, average: 2 });
    const example = reading(parse(withData({ v: [224.7, 224.7, 0], i: [0, 0.2, 0.02] })));
    expect(example.voltage.average).toBeCloseTo(149.8, 10);
    expect(example.current.average).toBeCloseTo(0.0733333, 6);
  });

  it('keeps the average the meter reported, even when it is not the exact mean (meters round)', () => {
    expect(reading(parse(EXAMPLE_TEXT)).current.average).toBe(0.07);
  });
});

describe('parseReading: the reactive energy counter', () => {
  it('accepts kVArh or kvarh (a number or a numeric string); absent is null', () => {
    expect(reading(parse(withData({ kVArh: '812.5' }))).reactiveEnergyKvarh).toBe(812.5);
    expect(reading(parse(withData({ kvarh: 9 }))).reactiveEnergyKvarh).toBe(9);
    expect(reading(parse(withData({}))).reactiveEnergyKvarh).toBeNull();
    expect(parse(withData({ kVArh: -1 }))).toMatchObject({ ok: false, reason: 'negative_value' });
    expect(parse(withData({ kVArh: 'many' }))).toMatchObject({ ok: false, reason: 'invalid_number' });
  });
});

describe('parseReading: key case', () => {
  it.each([
    ['all upper case', { STATUS: 'OK', DATA: upperKeys(EXAMPLE_DATA) }],
    ['all lower case', { status: 'OK', data: lowerKeys(EXAMPLE_DATA) }],
    ['capitalised wrapper, firmware 2 style', { Status: 'OK', Data: { ...lowerKeys(EXAMPLE_DATA), kWh: '1532.08' } }],
    [
      'mixed',
      {
        sTaTuS: 'OK',
        dAtA: {
          V: EXAMPLE_DATA.v,
          I: EXAMPLE_DATA.i,
          Kw: '0.34',
          KVA: '0.18',
          KWH: '1532.08',
          PF: 0.92,
          VUnbal: 0.009,
          IUNBAL: 0.099,
          Time: '2026-07-01 12:30:05',
        },
      },
    ],
  ])('%s', (_name, payload) => {
    expect(reading(parse(payload))).toEqual(EXPECTED);
  });

  it('accepts two spellings of one key when they carry the same value', () => {
    expect(reading(parse(withData({ kwh: '1532.08', KWH: '1532.08', V: [224.7, 224.7, 0, 149.8] })))).toEqual(EXPECTED);
  });

  it('accepts "ok" in any case, and a missing or null status (documented in payload-schema.ts)', () => {
    expect(reading(parse(withData({}, { status: 'ok' })))).toEqual(EXPECTED);
    expect(reading(parse(withData({}, { Status: ' Ok ' })))).toEqual(EXPECTED);
    expect(reading(parse(withData({}, {})))).toEqual(EXPECTED);
    expect(reading(parse(withData({}, { status: null })))).toEqual(EXPECTED);
  });

  it('ignores unknown fields, including ones that collide in case', () => {
    const payload = withData(
      { serial: 'X1', Extra: { deep: [1, 2, 3] }, extra: 5, kWhTotal: 'abc', V_raw: -1 },
      { status: 'OK', gateway: 'gw-1', ts: 0 },
    );
    expect(reading(parse(payload))).toEqual(EXPECTED);
  });

  it('is not affected by prototype-pollution keys', () => {
    const text =
      '{"__proto__":{"polluted":1,"status":"FAIL"},"constructor":{"prototype":{"polluted":1}},"status":"OK",' +
      '"data":{"__proto__":{"kwh":-5,"polluted":1},"toString":"x","hasOwnProperty":1,' +
      EXAMPLE_TEXT.slice(EXAMPLE_TEXT.indexOf('"v"'));
    expect(reading(parse(text))).toEqual(EXPECTED);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('kwh');
  });
});

describe('parseReading: time', () => {
  const at = (time: unknown, ctx: Partial<ParseContext> = {}) => reading(parse(withData({ time }), { ctx })).time;

  it.each([
    ['2026-07-01 12:30:05', '2026-07-01T05:30:05.000Z'],
    ['2026-07-01T12:30:05', '2026-07-01T05:30:05.000Z'],
    [' 2026-07-01 12:30:05 ', '2026-07-01T05:30:05.000Z'],
    ['2026-07-01 12:30:05.250', '2026-07-01T05:30:05.250Z'],
    ['2026-07-01T12:30:05.123456789', '2026-07-01T05:30:05.123Z'],
    ['2026-07-01T05:30:05Z', '2026-07-01T05:30:05.000Z'],
    ['2026-07-01T05:30:05.5z', '2026-07-01T05:30:05.500Z'],
    ['2026-07-01T13:30:05+08:00', '2026-07-01T05:30:05.000Z'],
    ['2026-07-01T13:30:05+0800', '2026-07-01T05:30:05.000Z'],
    ['2026-07-01T13:30:05+08', '2026-07-01T05:30:05.000Z'],
    ['2026-07-01 14:30:05+09:00', '2026-07-01T05:30:05.000Z'],
    ['2026-07-01T01:00:05-04:30', '2026-07-01T05:30:05.000Z'],
  ])('%j -> %s (offset taken as given; none means Asia/Jakarta)', (text, iso) => {
    expect(at(text).toISOString()).toBe(iso);
  });

  it('reads offset-less times in the configured meter zone (Asia/Makassar is UTC+8)', () => {
    expect(at('2026-07-01 12:30:05', { meterClock: new LocalTime('Asia/Makassar') }).toISOString()).toBe('2026-07-01T04:30:05.000Z');
    expect(at('2026-07-01T12:30:05', { meterClock: new LocalTime('Asia/Makassar') }).toISOString()).toBe('2026-07-01T04:30:05.000Z');
    expect(at('2026-07-01 12:30:05', { meterClock: new LocalTime('Asia/Jayapura') }).toISOString()).toBe('2026-07-01T03:30:05.000Z');
    // An explicit offset wins over the meter zone.
    expect(at('2026-07-01T05:00:00Z', { meterClock: new LocalTime('Asia/Makassar') }).toISOString()).toBe('2026-07-01T05:00:00.000Z');
  });

  it('uses the receive time when time is missing or null, as a copy', () => {
    for (const time of [undefined, null]) {
      const result = at(time);
      expect(result).toEqual(RECEIVED_AT);
      expect(result).not.toBe(RECEIVED_AT);
    }
  });

  it('accepts a meter clock up to the allowed skew ahead, and any time in the past', () => {
    // 12:36:00 Jakarta is exactly 5 minutes after the receive time.
    expect(at('2026-07-01 12:36:00').toISOString()).toBe('2026-07-01T05:36:00.000Z');
    expect(at('2026-06-30 12:30:05').toISOString()).toBe('2026-06-30T05:30:05.000Z');
    expect(at('2020-01-01 00:00:00').toISOString()).toBe('2019-12-31T17:00:00.000Z');
  });

  it('accepts the last day of February in a leap year only', () => {
    expect(at('2024-02-29 00:00:00').toISOString()).toBe('2024-02-28T17:00:00.000Z');
    expect(parse(withData({ time: '2025-02-29 00:00:00' }))).toMatchObject({ ok: false, reason: 'invalid_time' });
  });
});

describe('parseMeterTime', () => {
  it('handles years before 100 (which Date.UTC would move to the 1900s)', () => {
    expect(parseMeterTime('0050-01-01T00:00:00Z')).toEqual({ kind: 'instant', epochMs: Date.parse('0050-01-01T00:00:00Z') });
  });
});

interface BadCase {
  readonly name: string;
  readonly payload: string | Uint8Array | object;
  readonly reason: RejectReason;
  readonly topic?: string;
  /** Something the detail must mention: the field as spelled on the wire, the value. */
  readonly detail?: RegExp;
}

const BAD: readonly BadCase[] = [
  // Topic: checked first; the panel id stays null.
  ...[
    'DATA/PM',
    'DATA/PM/',
    'DATA/PM//P1',
    'DATA/PM/P1/extra',
    'DATA/PM/+',
    'DATA/PM/#',
    'OTHER/PM/P1',
    'data/pm/P1',
    'DATA/PM/-P1',
    'DATA/PM/P 1',
    `DATA/PM/${'p'.repeat(65)}`,
  ].map((topic): BadCase => ({ name: `topic ${topic.slice(0, 20)}`, topic, payload: EXAMPLE_TEXT, reason: 'invalid_topic' })),

  // Size: checked on the raw bytes, before decoding or parsing.
  { name: 'one byte over 16 KiB', payload: EXAMPLE_TEXT.padEnd(MAX_PAYLOAD_BYTES + 1, ' '), reason: 'payload_too_large', detail: /16385 bytes/ },
  { name: 'huge garbage', payload: new Uint8Array(1_000_000).fill(0x7b), reason: 'payload_too_large' },

  { name: 'nested 17 deep', payload: withData({ extra: nest(15) }), reason: 'too_deeply_nested', detail: /16 levels/ },
  { name: 'nested 8,000 deep', payload: `${'['.repeat(8000)}${']'.repeat(8000)}`, reason: 'too_deeply_nested' },
  { name: 'nested, unterminated', payload: '{"a":'.repeat(17), reason: 'too_deeply_nested' },

  { name: 'empty payload', payload: '', reason: 'invalid_json' },
  { name: 'plain text', payload: 'kWh=1532.08', reason: 'invalid_json', detail: /not JSON/ },
  { name: 'truncated JSON', payload: EXAMPLE_TEXT.slice(0, 40), reason: 'invalid_json' },
  { name: 'two documents', payload: `${EXAMPLE_TEXT}{}`, reason: 'invalid_json' },
  { name: 'NaN literal', payload: '{"status":"OK","data":{"kwh":NaN}}', reason: 'invalid_json' },
  { name: 'single quotes', payload: "{'status':'OK'}", reason: 'invalid_json' },
  { name: 'invalid UTF-8', payload: new Uint8Array([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]), reason: 'invalid_json', detail: /UTF-8/ },

  { name: 'array', payload: '[]', reason: 'not_an_object' },
  { name: 'array of the payload', payload: `[${EXAMPLE_TEXT}]`, reason: 'not_an_object' },
  { name: 'number', payload: '42', reason: 'not_an_object' },
  { name: 'string', payload: '"OK"', reason: 'not_an_object' },
  { name: 'null', payload: 'null', reason: 'not_an_object' },

  { name: 'no data', payload: { status: 'OK' }, reason: 'data_not_object' },
  { name: 'data null', payload: { status: 'OK', data: null }, reason: 'data_not_object' },
  { name: 'data a string', payload: { status: 'OK', data: 'kwh=1' }, reason: 'data_not_object', detail: /kwh=1/ },
  { name: 'data an array', payload: { status: 'OK', data: [1, 2] }, reason: 'data_not_object' },

  { name: 'kWh and KWH differ', payload: withData({ KWH: '1533' }), reason: 'ambiguous_key', detail: /kWh.*KWH/ },
  { name: 'v and V differ', payload: withData({ V: [1, 2, 3] }), reason: 'ambiguous_key' },
  { name: 'status and Status differ', payload: withData({}, { status: 'OK', Status: 'FAIL' }), reason: 'ambiguous_key' },
  { name: 'data and Data differ', payload: { status: 'OK', data: EXAMPLE_DATA, Data: {} }, reason: 'ambiguous_key' },

  { name: 'status ERROR', payload: withData({}, { status: 'ERROR' }), reason: 'status_not_ok', detail: /"ERROR"/ },
  { name: 'status empty', payload: withData({}, { status: '' }), reason: 'status_not_ok' },
  { name: 'status NOT OK', payload: withData({}, { status: 'NOT OK' }), reason: 'status_not_ok' },
  { name: 'status a number', payload: withData({}, { status: 0 }), reason: 'status_not_ok' },
  { name: 'status true', payload: withData({}, { status: true }), reason: 'status_not_ok' },
  { name: 'status wins over missing data', payload: { status: 'ERROR', data: null }, reason: 'status_not_ok' },
  { name: 'status wins over bad data', payload: withData({ kWh: 'abc' }, { Status: 'timeout' }), reason: 'status_not_ok' },

  { name: 'kWh missing', payload: withData({ kWh: undefined }), reason: 'missing_field', detail: /kwh/ },
  { name: 'kWh null', payload: withData({ kWh: null }), reason: 'missing_field', detail: /data\.kWh/ },
  { name: 'kw missing', payload: withData({ kw: undefined }), reason: 'missing_field' },
  { name: 'v missing', payload: withData({ v: undefined }), reason: 'missing_field' },
  { name: 'i null', payload: withData({ i: null }), reason: 'missing_field' },
  { name: 'empty data', payload: { status: 'OK', data: {} }, reason: 'missing_field', detail: /kwh/ },

  ...(
    [
      ['kWh', ''],
      ['kWh', '   '],
      ['kWh', 'abc'],
      ['kWh', '1,5'],
      ['kWh', '1.532,08'],
      ['kWh', '0x10'],
      ['kWh', 'Infinity'],
      ['kWh', '-Infinity'],
      ['kWh', 'NaN'],
      ['kWh', '1e400'],
      ['kWh', '1_000'],
      ['kWh', '12kWh'],
      ['kWh', true],
      ['kWh', {}],
      ['kWh', [1532.08]],
      ['kw', '1 2'],
      ['kw', '--1'],
      ['kVA', 'n/a'],
      ['pf', 'abc'],
      ['vunbal', ''],
      ['iunbal', false],
    ] as const
  ).map(
    ([field, value]): BadCase => ({
      name: `${field} ${JSON.stringify(value)}`,
      payload: withData({ [field]: value }),
      reason: 'invalid_number',
      detail: new RegExp(`data\\.${field}: `),
    }),
  ),
  { name: 'kWh 1e400 as a JSON number (parses to Infinity)', payload: EXAMPLE_TEXT.replace('"1532.08"', '1e400'), reason: 'invalid_number' },
  { name: 'kw -1e400 as a JSON number', payload: EXAMPLE_TEXT.replace('"0.34"', '-1e400'), reason: 'invalid_number' },

  { name: 'kWh negative', payload: withData({ kWh: -1 }), reason: 'negative_value', detail: /data\.kWh: -1/ },
  { name: 'kw negative', payload: withData({ kw: '-0.1' }), reason: 'negative_value', detail: /data\.kw: -0\.1/ },
  { name: 'kVA negative', payload: withData({ kVA: -0.2 }), reason: 'negative_value' },
  { name: 'voltage element negative', payload: withData({ v: [224.7, -1, 0, 149.8] }), reason: 'negative_value', detail: /data\.v: element 1/ },
  { name: 'current element negative', payload: withData({ i: [0, 0.2, '-0.5'] }), reason: 'negative_value' },
  { name: 'vunbal negative', payload: withData({ vunbal: -0.01 }), reason: 'negative_value' },
  { name: 'iunbal negative', payload: withData({ iunbal: '-1' }), reason: 'negative_value' },

  { name: 'pf above 1', payload: withData({ pf: 1.01 }), reason: 'power_factor_out_of_range', detail: /data\.pf: 1\.01/ },
  { name: 'pf below -1', payload: withData({ pf: -1.5 }), reason: 'power_factor_out_of_range' },
  { name: 'pf as percent', payload: withData({ pf: '92' }), reason: 'power_factor_out_of_range' },

  { name: 'v with two values', payload: withData({ v: [224.7, 224.7] }), reason: 'invalid_phase_array', detail: /data\.v: \[224\.7,224\.7\]/ },
  { name: 'v with five values', payload: withData({ v: [1, 2, 3, 4, 5] }), reason: 'invalid_phase_array' },
  { name: 'v empty', payload: withData({ v: [] }), reason: 'invalid_phase_array' },
  { name: 'v a number', payload: withData({ v: 224.7 }), reason: 'invalid_phase_array' },
  { name: 'v a string', payload: withData({ v: '224.7,224.7,0' }), reason: 'invalid_phase_array' },
  { name: 'v an object', payload: withData({ v: { l1: 1, l2: 2, l3: 3 } }), reason: 'invalid_phase_array' },
  { name: 'i with a text element', payload: withData({ i: [1, 'x', 3] }), reason: 'invalid_phase_array', detail: /element 1 \("x"\)/ },
  { name: 'i with a null element', payload: withData({ i: [1, null, 3] }), reason: 'invalid_phase_array' },
  { name: 'i with a nested array', payload: withData({ i: [1, [2], 3] }), reason: 'invalid_phase_array' },
  { name: 'i with an empty string', payload: withData({ I: ['', '', '', ''], i: undefined }), reason: 'invalid_phase_array', detail: /data\.I:/ },

  ...[
    '2026-13-01 00:00:00',
    '2026-02-30 12:00:00',
    '2026-07-01 24:00:00',
    '2026-07-01 12:60:00',
    '2026-07-01 12:30:60',
    '2026-07-01',
    '12:30:05',
    '2026-07-01 12:30',
    '01/07/2026 12:30:05',
    '2026/07/01 12:30:05',
    '2026-7-1 12:30:05',
    '2026-07-01T12:30:05+25:00',
    '2026-07-01T12:30:05+07:60',
    '2026-07-01T12:30:05 +07:00',
    '2026-07-01T12:30:05Asia/Jakarta',
    '',
    'yesterday',
  ].map((time): BadCase => ({ name: `time ${JSON.stringify(time)}`, payload: withData({ time }), reason: 'invalid_time', detail: /data\.time: / })),
  { name: 'time as epoch seconds (unit ambiguous)', payload: withData({ time: 1_782_883_805 }), reason: 'invalid_time' },
  { name: 'time as boolean', payload: withData({ Time: true, time: undefined }), reason: 'invalid_time', detail: /data\.Time: true/ },

  { name: 'meter clock 9 minutes ahead', payload: withData({ time: '2026-07-01 12:40:00' }), reason: 'time_in_future', detail: /540 s ahead/ },
  { name: 'meter clock 5 min + 1 ms ahead', payload: withData({ time: '2026-07-01T05:36:00.001Z' }), reason: 'time_in_future' },
  { name: 'meter clock a year ahead', payload: withData({ time: '2027-07-01 12:30:05' }), reason: 'time_in_future' },

  // A meter clock that was never set (METER_TIME_FLOOR, default 2000-01-01).
  { name: 'meter time in year 0001', payload: withData({ time: '0001-01-01 00:00:00' }), reason: 'time_too_old', detail: /data\.time: 0000-12-31T16:52:48.000Z is before METER_TIME_FLOOR 2000-01-01T00:00:00.000Z/ },
  { name: 'meter time at the epoch (1970)', payload: withData({ time: '1970-01-01T00:00:00Z' }), reason: 'time_too_old', detail: /1970-01-01T00:00:00.000Z is before METER_TIME_FLOOR/ },
  { name: 'meter time 1 ms before the floor', payload: withData({ time: '1999-12-31T23:59:59.999Z' }), reason: 'time_too_old' },
];

describe('parseReading: rejections', () => {
  it.each(BAD.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const ctx = {};
    const result = parse(c.payload, { topic: c.topic, ctx });
    expect(result).toMatchObject({ ok: false, reason: c.reason });
    if (result.ok) return;
    expect(result.panelId).toBe(c.reason === 'invalid_topic' ? null : 'PANEL_LANTAI_1');
    expect(result.detail.length).toBeGreaterThan(0);
    expect(result.detail.length).toBeLessThan(400);
    if (c.detail) expect(result.detail).toMatch(c.detail);
  });

  it('accepts nesting up to 16 levels, and brackets inside strings at any count', () => {
    expect(reading(parse(withData({ extra: nest(14) })))).toEqual(EXPECTED);
    const brackets = '[{'.repeat(40);
    expect(reading(parse(withData({ serial: brackets, 'we\\"ird[': `\\"${brackets}` })))).toEqual(EXPECTED);
  });

  it('accepts a payload of exactly 16 KiB', () => {
    expect(reading(parse(EXAMPLE_TEXT.padEnd(MAX_PAYLOAD_BYTES, ' ')))).toEqual(EXPECTED);
  });

  it('covers every reject reason except internal_error (and the admission reasons, decided after parsing)', () => {
    const covered = new Set(BAD.map((c) => c.reason));
    expect(REJECT_REASONS.filter((r) => !covered.has(r))).toEqual(['panel_retired', 'panel_limit', 'internal_error']);
  });

  it('accepts a meter time exactly at the floor, and a configured floor', () => {
    expect(parse(withData({ time: '2000-01-01T00:00:00Z' }))).toMatchObject({ ok: true });
    const ctx = { timeFloorMs: Date.UTC(2020, 0, 1) };
    expect(parse(withData({ time: '2019-12-31T23:59:59Z' }), { ctx })).toMatchObject({ ok: false, reason: 'time_too_old' });
    expect(parse(withData({ time: '2020-01-01T00:00:00Z' }), { ctx })).toMatchObject({ ok: true });
  });

  it('reports internal_error instead of throwing when called with nonsense from untyped code', () => {
    const result = parseReading(TOPIC, undefined as unknown as Uint8Array, CTX);
    expect(result).toMatchObject({ ok: false, reason: 'internal_error', panelId: 'PANEL_LANTAI_1' });
  });
});

describe('parseReading: robustness', () => {
  it('never throws and always answers ok or a known reason for 6,000 random and mutated payloads', () => {
    const random = seededRandom(0x5eed);
    const known = new Set<string>(REJECT_REASONS);
    const counts = new Map<string, number>();
    for (let n = 0; n < 6000; n++) {
      const { topic, bytes } = randomMessage(random, n);
      let result: ParseResult;
      try {
        result = parseReading(topic, bytes, CTX);
      } catch (error) {
        throw new Error(`threw on case ${n} (${Buffer.from(bytes).toString('utf8').slice(0, 200)}): ${String(error)}`);
      }
      const label = result.ok ? 'ok' : result.reason;
      counts.set(label, (counts.get(label) ?? 0) + 1);
      if (!result.ok) {
        expect(known.has(result.reason)).toBe(true);
        // internal_error is the parser's own bug: the fuzzer must never find one.
        expect(result.reason, result.detail).not.toBe('internal_error');
        expect(typeof result.detail).toBe('string');
        continue;
      }
      const r = result.reading;
      expect(Number.isNaN(r.time.getTime())).toBe(false);
      expect(r.energyKwh).toBeGreaterThanOrEqual(0);
      expect(r.activePowerKw).toBeGreaterThanOrEqual(0);
      for (const value of [r.energyKwh, r.activePowerKw, r.voltage.average, r.current.l1]) {
        expect(Number.isFinite(value)).toBe(true);
      }
    }
    // The generator must exercise both sides, or the test proves little.
    expect(counts.get('ok') ?? 0).toBeGreaterThan(300);
    expect(counts.size).toBeGreaterThan(10);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

function pick<T>(random: () => number, items: readonly T[]): T {
  const item = items[Math.floor(random() * items.length)];
  if (item === undefined) throw new Error('pick from an empty list');
  return item;
}

const ODD_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf', 'kwh', 'KWH', 'Data', 'V'];
const ODD_STRINGS = ['', ' ', 'abc', '1,5', '0x1f', 'Infinity', 'NaN', '-0', '1e400', '-1', '\u0000', '２', '1.5e3', '2026-07-01 12:30:05'];

function randomValue(random: () => number, depth: number): unknown {
  const kind = Math.floor(random() * (depth > 3 ? 6 : 9));
  switch (kind) {
    case 0:
      return (random() - 0.3) * 10 ** Math.floor(random() * 12);
    case 1:
      return pick(random, [0, -0, 1, -1, 1e308, -1e308, Number.MAX_SAFE_INTEGER, 5e-324, 0.5, 2]);
    case 2:
      return pick(random, ODD_STRINGS);
    case 3:
      return String(Math.round(random() * 1e6) / 100);
    case 4:
      return pick(random, [null, true, false]);
    case 5:
      return 'x'.repeat(Math.floor(random() * 50));
    case 6:
      return Array.from({ length: Math.floor(random() * 6) }, () => randomValue(random, depth + 1));
    default: {
      const object: Record<string, unknown> = {};
      for (let k = Math.floor(random() * 4); k > 0; k--) {
        Object.defineProperty(object, pick(random, ODD_KEYS), {
          value: randomValue(random, depth + 1),
          enumerable: true,
          configurable: true,
          writable: true,
        });
      }
      return object;
    }
  }
}

function flipCase(key: string, random: () => number): string {
  return [...key].map((c) => (random() < 0.5 ? c.toUpperCase() : c.toLowerCase())).join('');
}

function mutateObject(source: Record<string, unknown>, random: () => number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(source)) {
    const roll = random();
    if (roll < 0.05) continue;
    const name = roll < 0.25 ? flipCase(key, random) : key;
    const next = roll > 0.9 ? randomValue(random, 1) : value;
    // defineProperty so that a generated "__proto__" becomes an own key, as JSON.parse would make it.
    Object.defineProperty(out, name, { value: next, enumerable: true, configurable: true, writable: true });
  }
  if (random() < 0.2) {
    Object.defineProperty(out, pick(random, ODD_KEYS), { value: randomValue(random, 1), enumerable: true, configurable: true, writable: true });
  }
  return out;
}

function randomMessage(random: () => number, n: number): { topic: string; bytes: Uint8Array } {
  const topic =
    random() < 0.9
      ? TOPIC
      : pick(random, ['DATA/PM/', 'DATA/PM/#', 'DATA/PM/a/b', '', 'DATA/PM/\u0000', `DATA/PM/${'z'.repeat(70)}`, 'DATA/PM/ok_1']);
  const mode = n % 8;
  if (mode < 5) {
    // Structured: the example with keys re-cased, dropped, or replaced by odd values.
    const data = mutateObject({ ...EXAMPLE_DATA, time: random() < 0.5 ? EXAMPLE_DATA.time : '2026-07-01T05:29:00Z' }, random);
    const root = mutateObject({ status: 'OK', data }, random);
    return { topic, bytes: Buffer.from(JSON.stringify(root)) };
  }
  if (mode === 5) {
    // Byte damage: flip, cut or splice the example text.
    const bytes = Buffer.from(EXAMPLE_TEXT);
    for (let k = 1 + Math.floor(random() * 4); k > 0; k--) {
      bytes[Math.floor(random() * bytes.length)] = Math.floor(random() * 256);
    }
    return { topic, bytes: random() < 0.3 ? bytes.subarray(0, Math.floor(random() * bytes.length)) : bytes };
  }
  if (mode === 6) {
    // Deep nesting within the size limit, inside data or at the top.
    const depth = 1 + Math.floor(random() * 8000);
    const open = random() < 0.5 ? '[' : '{"a":';
    const close = open === '[' ? ']' : '}';
    const nested = open.repeat(depth) + '1' + close.repeat(depth);
    const text = random() < 0.5 ? nested : `{"status":"OK","data":{"kwh":1,"v":${nested},"V":${nested}}}`;
    return { topic, bytes: Buffer.from(text.slice(0, random() < 0.8 ? text.length : Math.floor(random() * text.length))) };
  }
  // Random bytes, sometimes valid JSON of a random value.
  if (random() < 0.5) return { topic, bytes: Buffer.from(JSON.stringify(randomValue(random, 0))) };
  return { topic, bytes: Uint8Array.from({ length: Math.floor(random() * 300) }, () => Math.floor(random() * 256)) };
}

/** Arrays nested `levels` deep: inside `data`, which is already 2 levels, 14 reaches 16. */
function nest(levels: number): unknown {
  let value: unknown = 1;
  for (let k = 0; k < levels; k++) value = [value];
  return value;
}

function upperKeys(source: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(source).map(([key, value]) => [key.toUpperCase(), value]));
}

function lowerKeys(source: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(source).map(([key, value]) => [key.toLowerCase(), value]));
}
