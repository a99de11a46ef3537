import { createYoga } from 'graphql-yoga';
import { loadConfig } from '../../src/config/config.js';
import { silentLogger } from '../../src/config/logger.js';
import { createContext, type Context, type Services, type Viewer } from '../../src/graphql/context.js';
import { schema } from '../../src/graphql/schema.js';
import { maskClientError } from '../../src/http/client-errors.js';
import { IngestService } from '../../src/ingest/ingest-service.js';
import { RejectionStats } from '../../src/ingest/rejection-stats.js';
import { topicPrefix } from '../../src/ingest/topic.js';
import { createAfterWrite } from '../../src/pipeline/after-write.js';
import { LiveState } from '../../src/pipeline/live-state.js';
import { createAppPubSub } from '../../src/pipeline/pubsub.js';
import { StatusMonitor } from '../../src/pipeline/status-monitor.js';
import { BillService } from '../../src/services/bills/bill-service.js';
import { EnergyLedger } from '../../src/services/energy/energy-ledger.js';
import { EnergyService } from '../../src/services/energy/energy-service.js';
import { HistoryService } from '../../src/services/history-service.js';
import { IngestHealth } from '../../src/services/ingest-health.js';
import { LiveUpdates } from '../../src/services/live-updates.js';
import { createMetrics } from '../../src/services/metrics.js';
import { PanelService } from '../../src/services/panel-service.js';
import { SiteSettings } from '../../src/services/site-settings.js';
import { TariffService } from '../../src/services/tariff-service.js';
import { openStores } from '../../src/store/open-stores.js';
import { LocalTime } from '../../src/time/local-time.js';
import { tempDir, type Disposer } from './disposer.js';
import { dataOf, source, type HttpResult, type Operation } from './graphql-client.js';

/** Sees everything, as an admin key does; access control has its own tests over HTTP. */
const ADMIN: Viewer = { name: 'test', role: 'admin', panels: null, expiresAt: null };

export interface InProcessApi {
  readonly services: Services;
  /** The product's ingest path (parse, validate, durable write, after-write pipeline): `seed()` feeds it. */
  readonly ingest: IngestService;
  /** One operation through yoga's `fetch` on the schema: no socket, no broker. */
  request<TData, TVars>(document: Operation<TData, TVars>, variables?: TVars): Promise<HttpResult<TData>>;
  /** Like request, but the data or a thrown error naming every GraphQL error. */
  data<TData, TVars>(document: Operation<TData, TVars>, variables?: TVars): Promise<TData>;
}

/**
 * The fast layer: the product's schema, services and after-write pipeline over a temporary SQLite
 * store, in this process, with settings given as the environment (`loadConfig`) exactly as the
 * product reads them. No broker, HTTP server or WebSocket: what those add is tested in test/api.
 * Wired as src/app.ts wires them; `now` is the clock of the parts that take one.
 */
export async function startInProcessApi(cleanup: Disposer, env: Record<string, string> = {}): Promise<InProcessApi> {
  const logger = silentLogger;
  const config = loadConfig({ SIMULATE: 'false', DATA_DIR: tempDir(cleanup, 'energy-fast-'), ...env });
  const stores = await openStores(config, logger);
  cleanup.add(() => stores.close());
  const time = new LocalTime(config.site.timezone);
  const settings = new SiteSettings({ log: stores.admin, time, configuredPlan: config.site.tariffPlan, logger });
  const tariffs = () => settings.state.tariffs;
  const pubsub = createAppPubSub();
  const rejections = new RejectionStats();
  const live = new LiveState();
  const status = new StatusMonitor({ live, pubsub, offlineAfterMs: config.site.offlineAfterMs, logger });
  cleanup.add(() => status.stop());
  const ledger = new EnergyLedger({ rule: config.site.countingRule, time, source: stores.read, logger });
  const energy = new EnergyService({ ledger, tariffs, time, source: stores.read });
  const panels = new PanelService({ live, status, energy, settings, defaultNames: config.site.panelNames });
  const services: Services = {
    panels,
    energy,
    bills: new BillService({ ledger, energy, tariffs, time }),
    live: new LiveUpdates({ pubsub, panels, energy, time }),
    history: new HistoryService(stores.read, energy),
    tariff: new TariffService(tariffs, time),
    ingest: new IngestHealth({ rejections, brokerConnected: () => true, storeLag: () => stores.lag() }),
    settings,
    pubsub,
  };
  const ingest = new IngestService({
    writer: stores.writer,
    parse: {
      meterClock: new LocalTime(config.site.meterTimezone),
      maxClockSkewMs: config.site.maxClockSkewMs,
      topicPrefix: topicPrefix(config.mqtt.topic),
      timeFloorMs: config.limits.ingest.meterTimeFloorMs,
    },
    rejections,
    metrics: createMetrics(),
    logger,
    afterWrite: createAfterWrite({ forward: () => stores.written(), live, status, ledger, pubsub, logger }),
  });
  services.ingest.attachStoreWrites(() => ingest.storeHealth());
  // As app.ts's warm-up: panels and the energy ledger loaded before the first question.
  await stores.prepare();
  await settings.load();
  const ids = await live.loadFrom(stores.read);
  for (const id of ids) status.track(id);
  await ledger.load(ids);

  const yoga = createYoga<Record<string, unknown>, Context>({
    schema,
    context: () => createContext(services, ADMIN),
    maskedErrors: { maskError: maskClientError(logger) },
    logging: false,
  });
  const request = async <TData, TVars>(document: Operation<TData, TVars>, variables?: TVars): Promise<HttpResult<TData>> => {
    const response = await yoga.fetch('http://in-process/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
      body: JSON.stringify({ query: source(document), variables: variables ?? {} }),
    });
    return { status: response.status, ...((await response.json()) as Omit<HttpResult<TData>, 'status'>) };
  };
  return {
    services,
    ingest,
    request,
    data: async (document, variables) => dataOf(await request(document, variables)),
  };
}
