import { REJECT_REASONS, type RejectReason } from '../../ingest/reject-reasons.js';
import type { RejectionCount as RejectionCountShape } from '../../ingest/rejection-stats.js';
import type { IngestStatus as IngestStatusShape } from '../../services/ingest-health.js';
import { builder } from '../builder.js';

const RejectionReason = builder.enumType('RejectionReason', {
  description: 'Why a meter message was refused (docs/ingestion.md); the metric label is the same name in lower case.',
  // The reasons keep their lower-case names inside (metric labels, logs).
  values: Object.fromEntries(REJECT_REASONS.map((reason) => [reason.toUpperCase(), { value: reason }])) as Record<Uppercase<RejectReason>, { value: RejectReason }>,
});

const RejectionCount = builder.objectRef<RejectionCountShape>('RejectionCount').implement({
  description: 'Payloads rejected since start, per panel and reason.',
  fields: (t) => ({
    panelId: t.exposeID('panelId', { nullable: true, description: 'null when the topic itself was invalid.' }),
    reason: t.field({ type: RejectionReason, resolve: (count) => count.reason as RejectReason }),
    count: t.exposeInt('count', { description: 'How many readings were refused for this reason (a count).' }),
    lastAt: t.expose('lastAt', { type: 'DateTime' }),
    lastDetail: t.exposeString('lastDetail'),
    lastTopic: t.exposeString('lastTopic'),
  }),
});

const StoreWrites = builder.objectRef<NonNullable<IngestStatusShape['storeWrites']>>('StoreWrites').implement({
  description: 'Whether readings can be stored now. While not, nothing is acknowledged: meters keep their readings and send them again.',
  fields: (t) => ({
    writable: t.exposeBoolean('writable'),
    problem: t.exposeString('problem', { nullable: true, description: 'Why not: the disk is full (below STORE_MIN_FREE) or failing, or the store is damaged.' }),
    failingSince: t.expose('failingSince', { type: 'DateTime', nullable: true }),
    lastError: t.exposeString('lastError', { nullable: true, description: 'The last write failure, kept after recovery.' }),
    lastErrorAt: t.expose('lastErrorAt', { type: 'DateTime', nullable: true }),
    refusedWrites: t.exposeInt('refusedWrites', { description: 'How many writes were refused since writes started failing (a count).' }),
    freeBytes: t.exposeFloat('freeBytes', { nullable: true, description: 'Free space of DATA_DIR, bytes.' }),
    minFreeBytes: t.exposeFloat('minFreeBytes', { nullable: true, description: 'STORE_MIN_FREE, bytes.' }),
  }),
});

const IngestStatus = builder.objectRef<IngestStatusShape>('IngestStatus').implement({
  fields: (t) => ({
    brokerConnected: t.exposeBoolean('brokerConnected'),
    lagging: t.boolean({
      description: 'True while readings are stored locally but not yet in the remote store (InfluxDB): history and usage may miss them.',
      resolve: (status) => (status.storeLag?.backlog ?? 0) > 0,
    }),
    backlog: t.int({ description: 'How many readings wait to be written to the store (a count).', resolve: (status) => status.storeLag?.backlog ?? 0 }),
    oldestUnsentAgeSeconds: t.float({
      nullable: true,
      description: 'Age of the oldest reading not yet written to the store, seconds; null when none waits.',
      resolve: (status) => (status.storeLag?.oldestUnsentAgeMs == null ? null : status.storeLag.oldestUnsentAgeMs / 1000),
    }),
    rejections: t.expose('rejections', { type: [RejectionCount], description: 'A caller limited to some panels sees only their rejections.' }),
    storeWrites: t.expose('storeWrites', { type: StoreWrites, nullable: true }),
  }),
});

builder.queryField('ingestStatus', (t) =>
  t.field({
    type: IngestStatus,
    nullable: true,
    authScopes: { operator: true },
    args: { panelId: t.arg.id({ required: false }) },
    resolve: (_root, { panelId }, { services, viewer }) => services.ingest.status(panelId == null ? undefined : String(panelId), viewer.panels),
  }),
);
