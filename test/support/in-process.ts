import { loadConfig } from '../../src/config/config.js';
import { silentLogger } from '../../src/config/logger.js';
import { buildCore } from '../../src/core.js';
import type { Viewer } from '../../src/graphql/context.js';
import type { Services } from '../../src/services/services.js';
import { httpLimits } from '../../src/http/limits.js';
import { createYogaApp } from '../../src/http/yoga-app.js';
import type { IngestService } from '../../src/ingest/ingest-service.js';
import { openStores } from '../../src/store/open-stores.js';
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
 * Built by the same `buildCore` and `createYogaApp` as src/app.ts.
 */
export async function startInProcessApi(cleanup: Disposer, env: Record<string, string> = {}): Promise<InProcessApi> {
  const logger = silentLogger;
  const config = loadConfig({ SIMULATE: 'false', DATA_DIR: tempDir(cleanup, 'energy-fast-'), ...env });
  const stores = await openStores(config, logger);
  cleanup.add(() => stores.close());
  // No broker here: the health of ingestion reports it connected.
  const { services, ingest, load, stop, metrics, live } = buildCore(config, stores, logger, { brokerConnected: () => true });
  cleanup.add(stop);
  // As app.ts's warm-up: panels and the energy ledger loaded before the first question.
  await load();

  // The product's own GraphQL app, every plugin included (limits, JIT, masking), as an admin.
  const yoga = createYogaApp({
    services,
    logger,
    metrics,
    limits: httpLimits(config.limits),
    panelCount: () => live.size,
    viewerOf: () => ADMIN,
    callerOf: () => null,
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
