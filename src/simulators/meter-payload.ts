import { isPanelId, PANEL_ID_RULE } from '../models/panel-id.js';
import type { LocalTime } from '../time/local-time.js';
import type { MeterState } from './meter-model.js';

/**
 * The wire format of the real meters' gateway. Power and energy travel as strings because that is
 * what the firmware sends; the ingester has to cope with it, so the simulator must exercise it.
 */
export interface MeterPayload {
  readonly status: 'OK';
  readonly data: {
    /** L1, L2, L3, average (V). */
    readonly v: readonly [number, number, number, number];
    /** L1, L2, L3, average (A). */
    readonly i: readonly [number, number, number, number];
    readonly kw: string;
    readonly kVA: string;
    readonly kWh: string;
    readonly pf: number;
    readonly vunbal: number;
    readonly iunbal: number;
    /** The meter's local clock, `YYYY-MM-DD HH:mm:ss`, without an offset. */
    readonly time: string;
  };
}

/** Throws a RangeError naming the rule when `panelId` is not a panel id the ingester accepts. */
export function assertPanelId(panelId: string): void {
  if (!isPanelId(panelId)) throw new RangeError(`panel id "${panelId}" must be ${PANEL_ID_RULE}`);
}

/**
 * The topic a panel's meter publishes to: `<prefix>/<panel id>`, where the prefix is that of the
 * ingester's subscription (`topicPrefix(MQTT_TOPIC)`, `DATA/PM` by default).
 */
export function meterTopic(prefix: string, panelId: string): string {
  assertPanelId(panelId);
  return `${prefix}/${panelId}`;
}

const round = (value: number, decimals: number): number => {
  const factor = 10 ** decimals;
  // `+ 0` turns -0 into 0, which JSON would print as 0 anyway but tests compare with Object.is.
  return Math.round(value * factor) / factor + 0;
};

const average = (values: readonly [number, number, number]): number => (values[0] + values[1] + values[2]) / 3;

/** Rounds the state the way the meter displays it and writes the time on the meters' clock. */
export function toMeterPayload(state: MeterState, clock: LocalTime): MeterPayload {
  const { voltage: v, current: i } = state;
  return {
    status: 'OK',
    data: {
      v: [round(v[0], 1), round(v[1], 1), round(v[2], 1), round(average(v), 1)],
      i: [round(i[0], 2), round(i[1], 2), round(i[2], 2), round(average(i), 2)],
      kw: state.powerKw.toFixed(2),
      kVA: state.apparentPowerKva.toFixed(2),
      // Rounding is monotonic, so a non-decreasing counter stays non-decreasing on the wire.
      kWh: state.energyKwh.toFixed(2),
      pf: round(state.powerFactor, 2),
      vunbal: round(state.voltageUnbalance, 3),
      iunbal: round(state.currentUnbalance, 3),
      time: clock.formatWallClock(state.time.getTime()),
    },
  };
}
