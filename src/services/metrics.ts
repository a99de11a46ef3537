import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * Prometheus metrics of one app instance. A registry per instance (not prom-client's global one)
 * so tests can run several apps in one process.
 */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    readingsStored: new Counter({
      name: 'energy_readings_stored_total',
      help: 'Readings durably written to the store',
      registers: [registry],
    }),
    readingsRejected: new Counter({
      name: 'energy_readings_rejected_total',
      help: 'Payloads rejected by validation, by panel and reason',
      labelNames: ['panel', 'reason'] as const,
      registers: [registry],
    }),
    storeWriteFailures: new Counter({
      name: 'energy_store_write_failures_total',
      help: 'Durable writes that failed (the message is not acknowledged and will be redelivered)',
      registers: [registry],
    }),
    liveSubscribers: new Gauge({
      name: 'energy_live_subscriptions',
      help: 'Open GraphQL subscriptions',
      registers: [registry],
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
