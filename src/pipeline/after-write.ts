import type { Logger } from '../config/logger.js';
import type { Reading } from '../models/reading.js';
import type { EnergyLedger } from '../services/energy/energy-ledger.js';
import type { LiveState } from './live-state.js';
import type { AppPubSub } from './pubsub.js';
import type { StatusMonitor } from './status-monitor.js';

export interface AfterWriteDeps {
  /** Forwards the journal to InfluxDB soon (a no-op for the embedded store). */
  readonly forward: () => void;
  readonly live: LiveState;
  readonly status: StatusMonitor;
  readonly ledger: EnergyLedger;
  readonly pubsub: AppPubSub;
  readonly logger: Logger;
}

/** What follows the durable write of readings (called once per committed group, in order). */
export type AfterWrite = (readings: readonly Reading[]) => void;

/**
 * Everything that happens after readings are durable, in order, in one place. A reading is
 * queryable as soon as it is durable (embedded store, or the journal merged into InfluxDB's
 * answers), so there is no second stage:
 * 1. nudge the forwarder, so InfluxDB gets the readings promptly;
 * 2. the panel's newest reading (panel cards, the panel list);
 * 3. its status, when the reading is its newest (ONLINE again, and the OFFLINE timer re-armed);
 * 4. the energy ledger (today's kWh and Rupiah, summaries, bills);
 * 5. live subscribers, last: a subscriber never hears of a reading the API cannot answer for.
 * A failure of one step for one reading is logged and does not stop the others: the reading is
 * already durable, and withholding its acknowledgement would only bring it back again.
 */
export function createAfterWrite(deps: AfterWriteDeps): AfterWrite {
  return (readings) => {
    step(deps.logger, 'forward', undefined, deps.forward);
    for (const reading of readings) {
      const newest = step(deps.logger, 'live state', reading, () => deps.live.apply(reading)) ?? false;
      if (newest) step(deps.logger, 'status', reading, () => deps.status.refresh(reading.panelId, reading.time));
      step(deps.logger, 'energy ledger', reading, () =>
        deps.ledger.apply({
          panelId: reading.panelId,
          t: reading.time.getTime(),
          kwh: reading.energyKwh,
          kw: reading.activePowerKw,
          pf: reading.powerFactor ?? Number.NaN,
          kvarh: reading.reactiveEnergyKvarh ?? Number.NaN,
          kva: reading.apparentPowerKva ?? Number.NaN,
        }),
      );
      step(deps.logger, 'pubsub', reading, () => {
        deps.pubsub.publish('readingStored', reading);
        deps.pubsub.publish('panelReadingStored', reading.panelId, reading);
      });
    }
  };
}

function step<T>(logger: Logger, name: string, reading: Reading | undefined, run: () => T): T | undefined {
  try {
    return run();
  } catch (error) {
    logger.error({ err: error, step: name, panelId: reading?.panelId, time: reading?.time }, 'after-write step failed');
    return undefined;
  }
}
