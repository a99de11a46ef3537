import { mkdirSync, readFileSync } from 'node:fs';
import { Gauge } from 'prom-client';
import type { Config } from './config/config.js';
import type { Logger } from './config/logger.js';
import { isLoopbackHost } from './config/hosts.js';
import { StartupConfigError } from './config/startup-error.js';
import { buildCore } from './core.js';
import type { Services } from './graphql/context.js';
import { loadOperationSources, operationTabs } from './http/graphiql-tabs.js';
import { CorsPolicy } from './http/cors.js';
import { createGraphqlServer } from './http/graphql-server.js';
import { httpLimits } from './http/limits.js';
import { autoConnectionLimit } from './config/open-files.js';
import type { IngestService } from './ingest/ingest-service.js';
import { AppliedReadings, createAfterRemoteWrite } from './pipeline/after-write.js';
import type { Reading } from './models/reading.js';
import type { AppPubSub } from './pipeline/pubsub.js';
import { configuredKeys } from './services/access/api-keys.js';
import type { Metrics } from './services/metrics.js';
import { Authenticator } from './services/access/authenticator.js';
import { createJwtVerifier } from './services/access/jwt.js';
import { startSimulator } from './simulators/simulator.js';
import { openStores } from './store/open-stores.js';
import { installationClientId } from './transports/installation-id.js';
import { externalBroker, sharedGroupGoneTopic, startIngestion, type Ingestion } from './transports/start-ingestion.js';
import { SessionAdoptions } from './transports/session-adoptions.js';
import { startStoredFeed, type StoredFeed } from './transports/stored-feed.js';

/** Waits for every promise given (undefined: nothing to wait for); undefined when there is none. */
function allSettled(...waits: ReadonlyArray<Promise<void> | undefined>): Promise<void> | undefined {
  const pending = waits.filter((wait): wait is Promise<void> => wait !== undefined);
  return pending.length === 0 ? undefined : Promise.all(pending).then(() => undefined);
}

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

    const keys = (() => {
      const path = config.access.keysFile;
      try {
        return configuredKeys(config.access.keys, path ? { path, text: readFileSync(path, 'utf8') } : null);
      } catch (error) {
        throw new StartupConfigError((error as Error).message, { cause: error });
      }
    })();

    // Several processes sharing the meters (MQTT_SHARED_GROUP) over one InfluxDB: each tells the
    // others what it stored and which admin changes it made, over the stored-readings feed.
    const recent = stores.recent;
    const clustered = config.mqtt.sharedGroup !== undefined && config.mqtt.url !== undefined && recent !== null;
    let feed: StoredFeed | null = null;
    let brokerConnected = () => false;
    const core = buildCore(config, stores, logger, {
      brokerConnected: () => brokerConnected(),
      cluster: clustered
        ? {
            applied: new AppliedReadings(),
            // The feed is connected before ingestion starts (below), so every stored reading is announced.
            announce: (readings: readonly Reading[]) => feed?.publishReadings(readings),
          }
        : undefined,
    });
    // The start-up walk (below) may still be reading the stores: it ends before they close.
    let warming: Promise<void> = Promise.resolve();
    stops.push(async () => {
      await core.stop();
      await warming;
    });
    const { time, settings, metrics, pubsub, live, ledger, services, ingest } = core;
    const panels = services.panels;
    const authenticator = new Authenticator({
      mode: config.access.mode,
      keys,
      settings,
      verifyJwt: config.access.jwt ? createJwtVerifier(config.access.jwt) : undefined,
    });
    if (authenticator.mode === 'optional' && isLoopbackHost(config.http.host)) {
      logger.warn({ host: config.http.host }, 'access control is OPEN: anyone on this machine may read and change everything (AUTH=optional; set NODE_ENV=production or AUTH=required)');
    } else if (authenticator.mode === 'optional') {
      // Open is meant for a developer's machine (HOST defaults to 127.0.0.1 then); HOST says otherwise here.
      logger.warn(
        { host: config.http.host },
        'access control is OPEN and the API is reachable from the network: anyone who can reach it may read and change everything (AUTH=optional; set AUTH=required with API_KEYS, or HOST=127.0.0.1)',
      );
    } else if (keys.length === 0 && !config.access.jwt) {
      // Keys made through the API still work; without one configured, only they can get in.
      logger.warn('AUTH=required but no API_KEYS, API_KEYS_FILE or JWT_* is set: only keys made earlier through the API are accepted (make one with `npm run api-key`)');
    }

    // Load the panels and walk every stored reading once, retrying while the store (InfluxDB)
    // cannot answer; ingestion runs meanwhile, and readings arriving wait in the ledger's queue.
    let stopping = false;
    stops.push(() => {
      stopping = true;
    });
    const warmedUp = (async () => {
      const started = Date.now();
      for (let attempt = 1; !stopping; attempt++) {
        try {
          const ids = await core.load();
          // Stopped meanwhile: the ledger ended its walk early, so it is not loaded.
          if (stopping) return;
          logger.info({ ms: Date.now() - started, panels: ids.length }, 'panels and energy ledger loaded');
          return;
        } catch (error) {
          if (attempt === 1 || attempt % 30 === 0) logger.warn({ err: error, attempt }, 'cannot load panels from the store yet; retrying');
          await new Promise((resolve) => setTimeout(resolve, 2_000).unref());
        }
      }
    })();
    warming = warmedUp;

    // Several processes: the stored-readings feed connects before ingestion starts, so that every
    // reading this process stores is announced, and stops after ingestion has stored (and
    // announced) its last ones. A group of readings is acknowledged to the broker only once its
    // announcement is out.
    const external = externalBroker(config.mqtt);
    let adoptions: SessionAdoptions | null = null;
    // Gone notices the feed's session kept while this process was away arrive before ingestion exists.
    const goneBeforeIngestion: string[] = [];
    if (clustered && external) {
      const afterRemoteWrite = createAfterRemoteWrite(core.pipeline, (readings) => recent.add(readings));
      const syncSettings = (why: string) =>
        void settings.sync().catch((error: unknown) => logger.warn({ err: error, why }, 'could not re-read the admin record; retrying at the next poll'));
      const started = await startStoredFeed({
        ...external,
        topic: config.mqtt.feedTopic,
        clientId: `${mqttClientId}-feed`,
        // A panel retired here stays out, as the ingester keeps it out (the other may not have re-read
        // the record yet), and so does a panel beyond MAX_PANELS or with an invalid id.
        onReadings: (readings) => afterRemoteWrite(readings),
        admission: core.admission,
        onAdminChange: () => syncSettings('admin notice'),
        goneTopic: sharedGroupGoneTopic(config.mqtt.feedTopic),
        onMemberGone: (clientId) => (adoptions ? adoptions.take(clientId) : goneBeforeIngestion.push(clientId)),
        logger: logger.child({ component: 'feed' }),
      });
      stops.push(() => started.stop());
      feed = started;
      settings.setRecordedHandler(() => started.publishAdminChange());
      // A notice can be missed (broker restart, session expired): re-read the record now and then too.
      // Every 10 s, so that a key revoked on another process closes its sockets here within 15 s
      // even then (the re-read included).
      const poll = setInterval(() => syncSettings('poll'), 10_000);
      poll.unref();
      stops.push(() => clearInterval(poll));
    } else if (config.mqtt.sharedGroup !== undefined) {
      logger.warn('MQTT_SHARED_GROUP without InfluxDB: each process has its own store, and answers only for the readings it received');
    }

    const ingestion = await startIngestion(
      { ...config.mqtt, clientId: mqttClientId },
      external,
      ingest,
      logger,
      { limits: { ...config.limits.mqtt, maxConnections: config.limits.mqtt.maxConnections ?? autoConnectionLimit() }, metrics },
      // Several processes: a reading is acknowledged only once InfluxDB has confirmed it (a member
      // whose disk is lost for good takes nothing acknowledged with it) and the others have been told.
      clustered ? () => allSettled(stores.forwarded(), feed?.announced()) : undefined,
    );
    stops.push(() => ingestion.stop());
    brokerConnected = () => ingestion.isConnected();
    registerAckGauges(metrics, ingestion);
    if (feed) {
      const taking = new SessionAdoptions({ own: mqttClientId, adopt: ingestion.adopt, logger });
      stops.push(() => taking.stop());
      adoptions = taking;
      for (const clientId of goneBeforeIngestion.splice(0)) taking.take(clientId);
    }

    const server = createGraphqlServer({
      services,
      logger,
      metrics,
      authenticator,
      cors: new CorsPolicy(config.access.corsOrigins),
      metricsAuth: config.access.metricsAuth,
      metricsOnOwnPort: config.http.metricsPort !== undefined,
      graphiqlTabs: () =>
        operationTabs(loadOperationSources(), { panelId: panels.list(null)[0]?.id ?? config.simulator.panels[0] ?? 'PANEL_LANTAI_1', now: new Date(), time }),
      limits: httpLimits(config.limits),
      panelCount: () => live.size,
      readiness: async () => {
        // Codes only in `details` (anyone may ask); texts such as paths go to `problems`, logged (ingest-health.ts).
        const details: Record<string, string | number | boolean | null> = { brokerConnected: brokerConnected() };
        const problems: Record<string, string> = {};
        // Several processes: messages held unacknowledged at the broker until InfluxDB confirms them.
        if (clustered) {
          const { messages, oldestSince } = ingestion.unacknowledged();
          details.unacknowledged = messages;
          details.oldestUnacknowledgedAgeSeconds = oldestSince === null ? null : (Date.now() - oldestSince.getTime()) / 1000;
        }
        let ready = details.brokerConnected === true;
        // Several processes: without the feed this one's live subscribers would miss the others' readings.
        if (feed) {
          details.feedConnected = feed.isConnected();
          if (!feed.isConnected()) ready = false;
        }
        try {
          await stores.read.ping();
          details.store = 'ok';
        } catch (error) {
          details.store = 'unreachable';
          problems.store = (error as Error).message;
          ready = false;
        }
        // A full disk or a damaged store: readings are refused (not acknowledged), so not ready.
        const writes = ingest.storeHealth();
        if (!writes.writable) {
          details.storeWrites = 'refused';
          problems.storeWrites = writes.problem ?? 'readings cannot be stored';
          ready = false;
        }
        // Until every stored reading has been walked, summaries would have to wait: not ready.
        const computing = ledger.pendingPanels().length;
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
      },
    });
    const httpPort = await server.listen(config.http.port, config.http.host).catch((error: unknown) => {
      if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
      throw new StartupConfigError(`HTTP port ${config.http.port} is already in use. Set PORT to a free port.`, { cause: error });
    });
    stops.push(() => server.close());
    const metricsPort =
      config.http.metricsPort === undefined
        ? null
        : await server.listenMetrics(config.http.metricsPort, config.http.host).catch((error: unknown) => {
            if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
            throw new StartupConfigError(`METRICS_PORT ${config.http.metricsPort} is already in use. Set METRICS_PORT to a free port.`, { cause: error });
          });
    logger.info({ url: `http://localhost:${httpPort}/graphql` }, 'GraphQL API and GraphiQL ready');

    if (config.simulator.enabled) {
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
        stops.push(() => simulator.stop());
        logger.info({ panels: config.simulator.panels, every: `${config.simulator.intervalMs / 1000}s` }, 'simulator publishing');
        if (config.nodeEnv === 'production') {
          logger.warn({ panels: config.simulator.panels }, 'SIMULATE=true in production: simulated readings are stored, and billed, as if meters had sent them');
        }
      } catch (error) {
        // The simulator is a demo aid: a broker it cannot reach must not stop the product.
        logger.warn({ err: error, url: ingestion.mqttUrl }, 'simulator could not start; continuing without it');
      }
    } else if (config.nodeEnv === 'production' && config.mqtt.url === undefined) {
      logger.info('simulator off: NODE_ENV=production (SIMULATE=true would store simulated readings, billed as real ones)');
    }


    return { httpPort, metricsPort, mqttPort: ingestion.mqttPort, mqttUrl: ingestion.mqttUrl, services, ingest, pubsub, warmedUp, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

