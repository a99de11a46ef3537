import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from './config/config.js';
import type { Logger } from './config/logger.js';
import { StartupConfigError } from './config/startup-error.js';
import { createGraphqlServer } from './http/graphql-server.js';
import { startIngestion } from './transports/start-ingestion.js';
import { topicPrefix } from './ingest/topic.js';
import { createAppPubSub, type AppPubSub } from './pipeline/pubsub.js';
import { DailyEnergyCache } from './services/energy/daily-energy-cache.js';
import { EnergyService } from './services/energy/energy-service.js';
import { HistoryService } from './services/history-service.js';
import { IngestHealth } from './services/ingest-health.js';
import { IngestService } from './ingest/ingest-service.js';
import { LiveState } from './pipeline/live-state.js';
import { createMetrics } from './services/metrics.js';
import { PanelService } from './services/panel-service.js';
import { RejectionStats } from './ingest/rejection-stats.js';
import { StatusMonitor } from './pipeline/status-monitor.js';
import { openStores } from './store/open-stores.js';
import { TariffHistory } from './services/tariff-history.js';
import { TariffService } from './services/tariff-service.js';
import { startSimulator } from './simulators/simulator.js';
import type { Services } from './graphql/context.js';

export interface App {
  /** The HTTP/WebSocket port actually bound (useful with PORT=0). */
  readonly httpPort: number;
  /** The embedded broker's port, or null when using MQTT_URL. */
  readonly mqttPort: number | null;
  /** The broker URL meters (and the simulator) publish to. */
  readonly mqttUrl: string;
  readonly services: Services;
  readonly ingest: IngestService;
  readonly pubsub: AppPubSub;
  /** Settles when the daily energy cache holds this year (summaries are then served from memory). */
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
    const stores = await openStores(config, logger);
    stops.push(() => stores.close());

    const tariffs = TariffHistory.open(join(config.store.dataDir, 'tariff-history.json'), config.site.tariffRpPerKwh);
    const metrics = createMetrics();
    const pubsub = createAppPubSub();
    const rejections = new RejectionStats();
    const live = await LiveState.load(stores.read);
    const status = new StatusMonitor({ live, pubsub, offlineAfterMs: config.site.offlineAfterMs, logger });
    stops.push(() => status.stop());
    const cache = new DailyEnergyCache(
      stores.read,
      config.site.timezone,
      live.panels().map((panel) => [panel.id, panel.lastSeenAt.getTime()] as [string, number]),
    );
    // The cache must forget a day only once the store that answers queries can see the reading.
    stores.onVisible((reading) => cache.invalidate(reading.panelId, reading.time));

    const energy = new EnergyService({ store: stores.read, cache, tariffs, timezone: config.site.timezone });
    const panels = new PanelService({ live, status, energy, names: config.site.panelNames });

    let brokerConnected = () => false;
    const services: Services = {
      panels,
      energy,
      history: new HistoryService(stores.read),
      tariff: new TariffService(tariffs, config.site.timezone),
      ingest: new IngestHealth({ rejections, brokerConnected: () => brokerConnected(), storeLag: () => stores.lag() }),
      pubsub,
    };

    const ingest = new IngestService({
      writer: stores.journal,
      parse: {
        meterTimezone: config.site.meterTimezone,
        maxClockSkewMs: config.site.maxClockSkewMs,
        topicPrefix: topicPrefix(config.mqtt.topic),
      },
      rejections,
      metrics,
      logger,
      onStored: [
        (reading) => live.apply(reading),
        (reading) => stores.written(reading),
        (reading) => {
          pubsub.publish('readingStored', reading);
          pubsub.publish('panelReadingStored', reading.panelId, reading);
        },
      ],
    });

    const ingestion = await startIngestion(config.mqtt, ingest, logger);
    stops.push(() => ingestion.stop());
    brokerConnected = () => ingestion.isConnected();

    const server = createGraphqlServer({
      services,
      logger,
      metrics,
      defaultQuery: loadGraphiqlOperations(),
      readiness: async () => {
        const details: Record<string, unknown> = { brokerConnected: brokerConnected() };
        let ready = details.brokerConnected === true;
        try {
          await stores.read.ping();
          details.store = 'ok';
        } catch (error) {
          details.store = `unreachable: ${(error as Error).message}`;
          ready = false;
        }
        const lag = stores.lag();
        if (lag) {
          details.backlog = lag.backlog;
          details.oldestUnsentAgeSeconds = lag.oldestUnsentAgeMs === null ? null : lag.oldestUnsentAgeMs / 1000;
          details.degraded = lag.backlog > 0;
        }
        return { ready, details };
      },
    });
    const httpPort = await server.listen(config.http.port, config.http.host).catch((error: unknown) => {
      if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
      throw new StartupConfigError(`HTTP port ${config.http.port} is already in use. Set PORT to a free port.`, { cause: error });
    });
    stops.push(() => server.close());
    logger.info({ url: `http://localhost:${httpPort}/graphql` }, 'GraphQL API and GraphiQL ready');

    if (config.simulator.enabled) {
      try {
        const simulator = await startSimulator({
          url: ingestion.mqttUrl,
          panels: config.simulator.panels,
          intervalMs: config.simulator.intervalMs,
          timezone: config.site.meterTimezone,
          username: config.mqtt.username,
          password: config.mqtt.password,
          logger: logger.child({ component: 'simulator' }),
        });
        stops.push(() => simulator.stop());
        logger.info({ panels: config.simulator.panels, every: `${config.simulator.intervalMs / 1000}s` }, 'simulator publishing');
      } catch (error) {
        // The simulator is a demo aid: a broker it cannot reach must not stop the product.
        logger.warn({ err: error, url: ingestion.mqttUrl }, 'simulator could not start; continuing without it');
      }
    }

    const started = Date.now();
    const warmedUp = panels
      .warmUp()
      .then(() => logger.info({ ms: Date.now() - started }, 'daily energy cache warmed for this year'))
      .catch((error: unknown) => logger.debug({ err: error }, 'cache warm-up did not finish'));

    return { httpPort, mqttPort: ingestion.mqttPort, mqttUrl: ingestion.mqttUrl, services, ingest, pubsub, warmedUp, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** The dashboard's operations (operations/*.graphql), so GraphiQL opens with queries that work. */
function loadGraphiqlOperations(): string | undefined {
  try {
    const dir = new URL('../operations/', import.meta.url);
    return readdirSync(dir)
      .filter((file) => file.endsWith('.graphql'))
      .sort((a, b) => (a === 'dashboard.graphql' ? -1 : b === 'dashboard.graphql' ? 1 : a.localeCompare(b)))
      .map((file) => readFileSync(new URL(file, dir), 'utf8').trim())
      .join('\n\n');
  } catch {
    return undefined;
  }
}
