import { mkdirSync, readFileSync } from 'node:fs';
import { Gauge } from 'prom-client';
import type { Config } from './config/config.js';
import type { Logger } from './config/logger.js';
import { isLoopbackHost } from './config/hosts.js';
import { StartupConfigError } from './config/startup-error.js';
import { ClusterMember } from './cluster.js';
import { buildCore, type Core } from './core.js';
import type { Services } from './services/services.js';
import { loadOperationSources, operationTabs } from './http/graphiql-tabs.js';
import { CorsPolicy } from './http/cors.js';
import { createGraphqlServer, type GraphqlServer } from './http/graphql-server.js';
import { httpLimits } from './http/limits.js';
import { autoConnectionLimit } from './config/open-files.js';
import type { IngestService } from './ingest/ingest-service.js';
import type { AppPubSub } from './pipeline/pubsub.js';
import { configuredKeys } from './services/access/api-keys.js';
import type { Metrics } from './config/metrics.js';
import { Authenticator } from './services/access/authenticator.js';
import { createJwtVerifier } from './services/access/jwt.js';
import { startSimulator } from './simulators/simulator.js';
import type { Readiness } from './services/ingest-health.js';
import { openStores, type Stores } from './store/open-stores.js';
import { installationClientId } from './transports/installation-id.js';
import { externalBroker, startIngestion, type Ingestion } from './transports/start-ingestion.js';

/** Messages received and not yet acknowledged to the broker, for alerts on a member that stopped acknowledging. */
function registerAckGauges(metrics: Metrics, ingestion: Ingestion): void {
  new Gauge({
    name: 'energy_mqtt_unacknowledged_messages',
    help: 'MQTT messages received and not yet acknowledged to the broker (several processes: waiting for InfluxDB to confirm them)',
    registers: [metrics.registry],
    collect() {
      this.set(ingestion.unacknowledged().messages);
    },
  });
  new Gauge({
    name: 'energy_mqtt_oldest_unacknowledged_seconds',
    help: 'How long the oldest stored, unacknowledged MQTT message has waited for InfluxDB (0 when none waits)',
    registers: [metrics.registry],
    collect() {
      const since = ingestion.unacknowledged().oldestSince;
      this.set(since === null ? 0 : (Date.now() - since.getTime()) / 1000);
    },
  });
}

export interface App {
  /** The HTTP/WebSocket port actually bound (useful with PORT=0). */
  readonly httpPort: number;
  /** The port /metrics listens on when METRICS_PORT is set (useful with 0), else null (on httpPort). */
  readonly metricsPort: number | null;
  /** The embedded broker's port, or null when using MQTT_URL. */
  readonly mqttPort: number | null;
  /** The broker URL meters (and the simulator) publish to. */
  readonly mqttUrl: string;
  readonly services: Services;
  readonly ingest: IngestService;
  readonly pubsub: AppPubSub;
  /** Settles when the energy ledger has walked every stored reading (summaries are then exact). */
  readonly warmedUp: Promise<void>;
  stop(): Promise<void>;
}

/**
 * The composition root: wires config, store, broker or subscriber, pubsub, services and the
 * server. Tests build the same app with real parts on ephemeral ports (PORT=0, MQTT_PORT=0).
 */
export async function startApp(config: Config, logger: Logger): Promise<App> {
  const stops: Array<() => Promise<void> | void> = [];
  const stop = async () => {
    for (const step of stops.reverse()) {
      try {
        await step();
      } catch (error) {
        logger.error({ err: error }, 'error during shutdown');
      }
    }
    stops.length = 0;
  };

  try {
    mkdirSync(config.store.dataDir, { recursive: true });
    // Before the stores create their files: a DATA_DIR with data but no id is an older installation's.
    const mqttClientId = config.mqtt.clientId ?? installationClientId(config.store.dataDir);
    const stores = await openStores(config, logger);
    stops.push(() => stores.close());
    const keys = loadKeys(config);

    // Several processes sharing the meters over one InfluxDB (src/cluster.ts); null for one process.
    const member = ClusterMember.plan(config, stores, logger);
    let brokerConnected = () => false;
    const core = buildCore(config, stores, logger, { brokerConnected: () => brokerConnected(), ...(member ? { cluster: member } : {}) });
    const { metrics, pubsub, services, ingest } = core;
    const authenticator = new Authenticator({
      mode: config.access.mode,
      keys,
      settings: core.settings,
      verifyJwt: config.access.jwt ? createJwtVerifier(config.access.jwt) : undefined,
    });
    warnAboutOpenAccess(config, authenticator.mode, keys.length, logger);

    const warm = warmUp(core, logger);
    // The start-up walk may still be reading the stores: it ends before they close.
    stops.push(async () => {
      warm.stop();
      await core.stop();
      await warm.done;
    });

    // The feed connects before ingestion starts and closes after it: every reading is announced.
    if (member) {
      await member.join(core, mqttClientId);
      stops.push(() => member.leave());
    }
    const ingestion = await connectIngestion(config, core, member, mqttClientId, logger);
    stops.push(() => ingestion.stop());
    brokerConnected = () => ingestion.isConnected();
    registerAckGauges(metrics, ingestion);
    if (member) stops.push(member.adoptWith(ingestion, mqttClientId));

    const server = apiServer(config, core, authenticator, () => readiness(core, stores, ingestion, member), logger);
    const { httpPort, metricsPort } = await listenHttp(server, config);
    stops.push(() => server.close());
    logger.info({ url: `http://localhost:${httpPort}/graphql` }, 'GraphQL API and GraphiQL ready');

    const simulator = await startSimulatorIfAsked(config, ingestion, logger);
    if (simulator) stops.push(() => simulator.stop());

    return { httpPort, metricsPort, mqttPort: ingestion.mqttPort, mqttUrl: ingestion.mqttUrl, services, ingest, pubsub, warmedUp: warm.done, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Meters' readings into the core: the embedded broker, or a subscription to MQTT_URL. */
function connectIngestion(config: Config, core: Core, member: ClusterMember | null, mqttClientId: string, logger: Logger): Promise<Ingestion> {
  return startIngestion(
    { ...config.mqtt, clientId: mqttClientId },
    externalBroker(config.mqtt),
    core.ingest,
    logger,
    { limits: { ...config.limits.mqtt, maxConnections: config.limits.mqtt.maxConnections ?? autoConnectionLimit() }, metrics: core.metrics },
    // Several processes: a reading is acknowledged only once InfluxDB has confirmed it (a member
    // whose disk is lost for good takes nothing acknowledged with it) and the others have been told.
    member ? () => member.acknowledgeWhen() : undefined,
  );
}

/** The HTTP and WebSocket server over the core's services (not yet listening). */
function apiServer(config: Config, core: Core, authenticator: Authenticator, ready: () => Promise<Readiness>, logger: Logger): GraphqlServer {
  const { services, metrics } = core;
  return createGraphqlServer({
    services,
    logger,
    metrics,
    authenticator,
    cors: new CorsPolicy(config.access.corsOrigins),
    metricsAuth: config.access.metricsAuth,
    metricsOnOwnPort: config.http.metricsPort !== undefined,
    graphiqlTabs: () =>
      operationTabs(loadOperationSources(), {
        panelId: services.panels.list(null)[0]?.id ?? config.simulator.panels[0] ?? 'PANEL_LANTAI_1',
        now: new Date(),
        time: core.time,
      }),
    limits: httpLimits(config.limits),
    panelCount: () => core.live.size,
    readiness: ready,
  });
}

/** API_KEYS and API_KEYS_FILE; a bad entry or file stops the start (exit 2) with its reason. */
function loadKeys(config: Config): ReturnType<typeof configuredKeys> {
  const path = config.access.keysFile;
  try {
    return configuredKeys(config.access.keys, path ? { path, text: readFileSync(path, 'utf8') } : null);
  } catch (error) {
    throw new StartupConfigError((error as Error).message, { cause: error });
  }
}

/** Says loudly when the API is open, and where. */
function warnAboutOpenAccess(config: Config, mode: Authenticator['mode'], keyCount: number, logger: Logger): void {
  if (mode === 'optional' && isLoopbackHost(config.http.host)) {
    logger.warn({ host: config.http.host }, 'access control is OPEN: anyone on this machine may read and change everything (AUTH=optional; set NODE_ENV=production or AUTH=required)');
  } else if (mode === 'optional') {
    // Open is meant for a developer's machine (HOST defaults to 127.0.0.1 then); HOST says otherwise here.
    logger.warn(
      { host: config.http.host },
      'access control is OPEN and the API is reachable from the network: anyone who can reach it may read and change everything (AUTH=optional; set AUTH=required with API_KEYS, or HOST=127.0.0.1)',
    );
  } else if (keyCount === 0 && !config.access.jwt) {
    // Keys made through the API still work; without one configured, only they can get in.
    logger.warn('AUTH=required but no API_KEYS, API_KEYS_FILE or JWT_* is set: only keys made earlier through the API are accepted (make one with `npm run api-key`)');
  }
}

/**
 * Loads the panels and walks every stored reading once, retrying while the store (InfluxDB) cannot
 * answer; ingestion runs meanwhile, and readings arriving wait in the ledger's queue.
 */
function warmUp(core: Core, logger: Logger): { readonly done: Promise<void>; stop(): void } {
  let stopping = false;
  const done = (async () => {
    const started = Date.now();
    for (let attempt = 1; !stopping; attempt++) {
      try {
        const ids = await core.load();
        // Stopped meanwhile: the ledger ended its walk early, so it is not loaded.
        if (stopping) return;
        logger.info({ ms: Date.now() - started, panels: ids.length }, 'panels and energy ledger loaded');
        return;
      } catch (error) {
        // Stopping (a failed start closes the stores under the load): no retry. Its timer is
        // unref'd, so waiting for it could let the process exit 0 before main reports the failure.
        if (stopping) return;
        if (attempt === 1 || attempt % 30 === 0) logger.warn({ err: error, attempt }, 'cannot load panels from the store yet; retrying');
        await new Promise((resolve) => setTimeout(resolve, 2_000).unref());
      }
    }
  })();
  return {
    done,
    stop: () => {
      stopping = true;
    },
  };
}

/** GET /ready: codes only in `details` (anyone may ask); texts such as paths go to `problems`, logged. */
async function readiness(core: Core, stores: Stores, ingestion: Ingestion, member: ClusterMember | null): Promise<Readiness> {
  const details: Record<string, string | number | boolean | null> = { brokerConnected: ingestion.isConnected() };
  const problems: Record<string, string> = {};
  let ready = details.brokerConnected === true;
  // Several processes: messages held unacknowledged until InfluxDB confirms them, and the feed.
  if (member && !member.readiness(details, ingestion)) ready = false;
  try {
    await stores.read.ping();
    details.store = 'ok';
  } catch (error) {
    details.store = 'unreachable';
    problems.store = (error as Error).message;
    ready = false;
  }
  // A full disk or a damaged store: readings are refused (not acknowledged), so not ready.
  const writes = core.ingest.storeHealth();
  if (!writes.writable) {
    details.storeWrites = 'refused';
    problems.storeWrites = writes.problem ?? 'readings cannot be stored';
    ready = false;
  }
  // Until every stored reading has been walked, summaries would have to wait: not ready.
  const computing = core.ledger.pendingPanels().length;
  const loaded = core.isLoaded();
  details.energy = !loaded ? 'loading' : computing === 0 ? 'ok' : `computing ${computing} panel(s)`;
  if (!loaded) ready = false;
  const lag = stores.lag();
  if (lag) {
    details.backlog = lag.backlog;
    details.oldestUnsentAgeSeconds = lag.oldestUnsentAgeMs === null ? null : lag.oldestUnsentAgeMs / 1000;
    details.influx = lag.state;
    details.degraded = lag.backlog > 0 || lag.state !== 'ok';
  }
  return { ready, details, problems };
}

/** Binds PORT (and METRICS_PORT); a taken port stops the start with the setting to change. */
async function listenHttp(server: GraphqlServer, config: Config): Promise<{ httpPort: number; metricsPort: number | null }> {
  const taken = (what: string, setting: string) => (error: unknown) => {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
    throw new StartupConfigError(`${what} is already in use. Set ${setting} to a free port.`, { cause: error });
  };
  const httpPort = await server.listen(config.http.port, config.http.host).catch(taken(`HTTP port ${config.http.port}`, 'PORT'));
  const metricsPort =
    config.http.metricsPort === undefined
      ? null
      : await server.listenMetrics(config.http.metricsPort, config.http.host).catch(taken(`METRICS_PORT ${config.http.metricsPort}`, 'METRICS_PORT'));
  return { httpPort, metricsPort };
}

/** The in-process simulator (a demo aid): a broker it cannot reach does not stop the product. */
async function startSimulatorIfAsked(config: Config, ingestion: Ingestion, logger: Logger): Promise<{ stop(): Promise<void> } | null> {
  if (!config.simulator.enabled) {
    if (config.nodeEnv === 'production' && config.mqtt.url === undefined) {
      logger.info('simulator off: NODE_ENV=production (SIMULATE=true would store simulated readings, billed as real ones)');
    }
    return null;
  }
  try {
    const simulator = await startSimulator({
      url: ingestion.mqttUrl,
      panels: config.simulator.panels,
      topic: config.mqtt.topic,
      intervalMs: config.simulator.intervalMs,
      timezone: config.site.meterTimezone,
      username: ingestion.publisher.username,
      password: ingestion.publisher.password,
      logger: logger.child({ component: 'simulator' }),
    });
    logger.info({ panels: config.simulator.panels, every: `${config.simulator.intervalMs / 1000}s` }, 'simulator publishing');
    if (config.nodeEnv === 'production') {
      logger.warn({ panels: config.simulator.panels }, 'SIMULATE=true in production: simulated readings are stored, and billed, as if meters had sent them');
    }
    return simulator;
  } catch (error) {
    logger.warn({ err: error, url: ingestion.mqttUrl }, 'simulator could not start; continuing without it');
    return null;
  }
}
