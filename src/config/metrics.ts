import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics, type LabelValues } from 'prom-client';

/**
 * Every limit a client can run into, named by the setting that sets it. A closed list so that the
 * counter has one series per limit from the start ("zero so far" is visible to alerts).
 */
export const LIMITS = [
  'HTTP_MAX_CONNECTIONS',
  'HTTP_MAX_BODY',
  'HTTP_REQUEST_TIMEOUT',
  'HTTP_IDLE_TIMEOUT',
  'GRAPHQL_MAX_COST',
  'GRAPHQL_MAX_COST_IN_FLIGHT',
  'WS_MAX_CONNECTIONS',
  'WS_MAX_SUBSCRIPTIONS',
  'WS_MAX_SUBSCRIPTIONS_PER_CONNECTION',
  'CALLER_MAX_SHARE',
  'OPERATOR_RESERVE',
  'MQTT_MAX_CONNECTIONS',
  'MQTT_MAX_PACKET_SIZE',
  'MQTT_MAX_TOPIC_LEVELS',
  'MQTT_CONNECT_TIMEOUT',
  'MQTT_IDLE_TIMEOUT',
  'MQTT_RETAIN',
  'MAX_PANELS',
  'METER_TIME_FLOOR',
  'STORE_MIN_FREE',
  'EXPORT_MAX_STREAMS',
] as const;
export type LimitName = (typeof LIMITS)[number];

/**
 * Why the embedded broker refused a client (docs/mqtt-access.md): no credentials where anonymous
 * access is off, an unknown user or wrong password, a TLS handshake that failed (no or a bad client
 * certificate, plain MQTT on the TLS port), a publish outside the account's topics, a subscription,
 * a client id another account owns (MQTT_CLIENT_IDS).
 */
export const MQTT_REFUSALS = ['no_credentials', 'bad_credentials', 'tls', 'publish_denied', 'subscribe_denied', 'client_id_not_owned'] as const;
export type MqttRefusal = (typeof MQTT_REFUSALS)[number];

/**
 * Why (part of) the energy ledger's checkpoint was not used at start-up (docs/counting-rule.md,
 * "Checkpoints"): damaged or edited, saved under other ENERGY_* settings or zone, readings older
 * than its first day, its first day not the start of the series, a day whose readings changed, a
 * day with readings and nothing saved (or the reverse).
 */
export const CHECKPOINT_REFUSALS = ['damaged', 'other_rule', 'readings_before', 'not_series_start', 'day_changed', 'day_missing'] as const;
export type CheckpointRefusal = (typeof CHECKPOINT_REFUSALS)[number];

/** Values read when /metrics is scraped, set by the parts that own them (the store's free space). */
export interface MetricProbes {
  storeFreeBytes: () => number | null;
  storeWritable: () => boolean;
  /** Entries of the admin record this version cannot interpret (SiteSettings.unreadable). */
  adminRecordUnreadable: () => number;
  /** Checkpoints of the durable writer's WAL that failed in their worker (store/sqlite/wal-checkpointer.ts). */
  logCheckpointFailures: () => number;
}

/**
 * Prometheus metrics of one app instance. A registry per instance (not prom-client's global one)
 * so tests can run several apps in one process. Registered in the order /metrics lists them.
 */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const probes: MetricProbes = { storeFreeBytes: () => null, storeWritable: () => true, adminRecordUnreadable: () => 0, logCheckpointFailures: () => 0 };
  return {
    registry,
    probes,
    ...refusalMetrics(registry),
    ...readingMetrics(registry),
    ...storeMetrics(registry, probes),
    ...connectionMetrics(registry),
  };
}

/** What limits and the embedded broker refused, every label present from the start (at 0). */
function refusalMetrics(registry: Registry) {
  return {
    limitHits: countedBy(registry, 'limit', LIMITS, {
      name: 'energy_limit_hits_total',
      help: 'Requests, connections, operations, packets and readings refused or cut off by a limit, by the setting that sets it',
    }),
    mqttRefused: countedBy(registry, 'reason', MQTT_REFUSALS, {
      name: 'energy_mqtt_refused_total',
      help: 'Connections, publishes and subscriptions the embedded MQTT broker refused, by reason',
    }),
    mqttLoginsDelayed: countedBy(registry, 'by', ['address', 'username'], {
      name: 'energy_mqtt_logins_delayed_total',
      help: 'Logins to the embedded MQTT broker held back after failed ones, by what held them back (the source address or the user name; MQTT_LOGIN_DELAY_MAX)',
    }),
  };
}

function readingMetrics(registry: Registry) {
  return {
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
    liveReadingsLate: new Counter({
      name: 'energy_live_readings_late_total',
      help: 'With several processes: readings that reached live subscribers after a newer reading of their panel (more than MQTT_FEED_ORDER_HOLD late)',
      registers: [registry],
    }),
  };
}

/** The store's health; the gauges read their probes when /metrics is scraped. */
function storeMetrics(registry: Registry, probes: MetricProbes) {
  const checkpointRefused = countedBy(registry, 'reason', CHECKPOINT_REFUSALS, {
    name: 'energy_ledger_checkpoint_refused_total',
    help: 'Checkpoint days, or panels from some day on, the energy ledger refused at start-up and walked from the readings instead, by reason',
  });
  return {
    storeWriteFailures: new Counter({
      name: 'energy_store_write_failures_total',
      help: 'Durable writes that failed (the message is not acknowledged and will be redelivered)',
      registers: [registry],
    }),
    storeWritable: new Gauge({
      name: 'energy_store_writable',
      help: '1 while readings can be stored; 0 while the disk is full or failing or the store is damaged (nothing is acknowledged)',
      registers: [registry],
      collect() {
        this.set(probes.storeWritable() ? 1 : 0);
      },
    }),
    storeFreeBytes: new Gauge({
      name: 'energy_store_free_bytes',
      help: 'Free space on the file system of DATA_DIR (bytes available to this process)',
      registers: [registry],
      collect() {
        const free = probes.storeFreeBytes();
        if (free !== null) this.set(free);
      },
    }),
    logCheckpointFailures: new Counter({
      name: 'energy_store_log_checkpoint_failures_total',
      help: "Checkpoints of the local database's write-ahead log that failed in their worker thread (commits then checkpoint it themselves past 16 MiB)",
      registers: [registry],
      collect() {
        // The store counts; the counter shows its count (reset, then raised to it, as prom-client has no set for counters).
        this.reset();
        this.inc(probes.logCheckpointFailures());
      },
    }),
    checkpointDaysRestored: new Counter({
      name: 'energy_ledger_checkpoint_days_restored_total',
      help: 'Panel-days the energy ledger took from its checkpoint at start-up (checked against the readings) instead of walking their readings',
      registers: [registry],
    }),
    checkpointRefused,
    adminRecordUnreadable: new Gauge({
      name: 'energy_admin_record_unreadable_entries',
      help: 'Entries of the admin record this version cannot interpret (written by another version?): skipped, shown in adminRecordUnreadable',
      registers: [registry],
      collect() {
        this.set(probes.adminRecordUnreadable());
      },
    }),
  };
}

/** Open connections and subscriptions, the work in flight, and the broker's login delays. */
function connectionMetrics(registry: Registry) {
  return {
    liveSubscribers: new Gauge({
      name: 'energy_live_subscriptions',
      help: 'Open GraphQL subscriptions',
      registers: [registry],
    }),
    liveEventsSkipped: new Counter({
      name: 'energy_live_events_skipped_total',
      help: 'Subscription events dropped for subscribers that read too slowly (each is told on its next event, extensions.skipped)',
      registers: [registry],
    }),
    mqttLoginDelay: new Histogram({
      name: 'energy_mqtt_login_delay_seconds',
      help: 'How long the embedded MQTT broker held back each login with a password before checking it, by outcome',
      labelNames: ['outcome'] as const,
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30],
      registers: [registry],
    }),
    httpConnections: new Gauge({
      name: 'energy_http_connections',
      help: 'Open TCP connections to the HTTP port (WebSockets included)',
      registers: [registry],
    }),
    wsConnections: new Gauge({
      name: 'energy_ws_connections',
      help: 'Open WebSocket connections',
      registers: [registry],
    }),
    sharedAnswers: countedBy(registry, 'outcome', ['shared', 'executed'], {
      name: 'energy_graphql_shared_answers_total',
      help: 'GraphQL operations of panel-card fields only: answered with the answer kept since nothing it shows changed (shared), or executed',
    }),
    graphqlCostInFlight: new Gauge({
      name: 'energy_graphql_cost_in_flight',
      help: 'Summed cost (GRAPHQL_MAX_COST units) of the GraphQL operations executing now',
      registers: [registry],
    }),
    mqttConnections: new Gauge({
      name: 'energy_mqtt_connections',
      help: 'Open TCP connections to the embedded MQTT broker',
      registers: [registry],
    }),
  };
}

/**
 * A counter with one label whose values are a closed list, each present from the start at 0
 * ("none so far" is visible to alerts, not a missing series).
 */
function countedBy<L extends string>(registry: Registry, label: L, values: readonly string[], meta: { name: string; help: string }): Counter<L> {
  const counter = new Counter({ ...meta, labelNames: [label], registers: [registry] });
  for (const value of values) counter.inc({ [label]: value } as LabelValues<L>, 0);
  return counter;
}

export type Metrics = ReturnType<typeof createMetrics>;
