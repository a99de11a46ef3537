import { LocalTime } from '../../src/time/local-time.js';

/** A meter that keeps reporting after the seeded history: its newest reading. */
export interface MeterState {
  readonly panelId: string;
  timeMs: number;
  /** The unrounded counter; readings carry it rounded to 2 decimals like the meters. */
  exactKwh: number;
  readonly kw: number;
}

/**
 * The gateway's wire format (`{"status":"OK","data":{...}}`, numbers as strings where the
 * firmware sends strings, meter-local time without offset).
 */
export function meterPayload(panelId: string, timeMs: number, kwh: number, kw: number, timezone = 'Asia/Jakarta'): string {
  const pf = 0.92;
  const amps = Number(((kw * 1000) / (3 * 230 * pf)).toFixed(2));
  return JSON.stringify({
    status: 'OK',
    data: {
      v: [229.6, 230.4, 230.9, 230.3],
      i: [amps, amps, amps, amps],
      kw: kw.toFixed(2),
      kVA: (kw / pf).toFixed(2),
      kWh: kwh.toFixed(2),
      pf,
      vunbal: 0.35,
      iunbal: 1.1,
      time: new LocalTime(timezone).formatWallClock(timeMs),
    },
  });
}

/**
 * Advances a meter by `stepMs` at its constant power and returns the reading to publish; the
 * counter stays consistent with the power (a normal step under the counter rule).
 */
export function advance(meter: MeterState, stepMs: number): { panelId: string; timeMs: number; kwh: number; payload: string } {
  meter.timeMs += stepMs;
  meter.exactKwh += (meter.kw * stepMs) / 3_600_000;
  const kwh = Number(meter.exactKwh.toFixed(2));
  return { panelId: meter.panelId, timeMs: meter.timeMs, kwh, payload: meterPayload(meter.panelId, meter.timeMs, kwh, meter.kw) };
}
