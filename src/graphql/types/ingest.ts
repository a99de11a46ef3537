import type { RejectionCount as RejectionCountShape } from '../../ingest/rejection-stats.js';
import type { IngestStatus as IngestStatusShape } from '../../services/ingest-health.js';
import { builder } from '../builder.js';

const RejectionCount = builder.objectRef<RejectionCountShape>('RejectionCount').implement({
  description: 'Payloads rejected since start, per panel and reason.',
  fields: (t) => ({
    panelId: t.exposeID('panelId', { nullable: true, description: 'null when the topic itself was invalid.' }),
    reason: t.exposeString('reason'),
    count: t.exposeInt('count'),
    lastAt: t.expose('lastAt', { type: 'DateTime' }),
    lastDetail: t.exposeString('lastDetail'),
    lastTopic: t.exposeString('lastTopic'),
  }),
});

const IngestStatus = builder.objectRef<IngestStatusShape>('IngestStatus').implement({
  fields: (t) => ({
    brokerConnected: t.exposeBoolean('brokerConnected'),
    lagging: t.boolean({
      description: 'True while readings are stored locally but not yet in the remote store (InfluxDB): history and usage may miss them.',
      resolve: (status) => (status.storeLag?.backlog ?? 0) > 0,
    }),
    backlog: t.int({ resolve: (status) => status.storeLag?.backlog ?? 0 }),
    oldestUnsentAgeSeconds: t.float({
      nullable: true,
      resolve: (status) => (status.storeLag?.oldestUnsentAgeMs == null ? null : status.storeLag.oldestUnsentAgeMs / 1000),
    }),
    rejections: t.expose('rejections', { type: [RejectionCount] }),
  }),
});

builder.queryField('ingestStatus', (t) =>
  t.field({
    type: IngestStatus,
    authScopes: { operator: true },
    args: { panelId: t.arg.id({ required: false }) },
    resolve: (_root, { panelId }, { services }) => services.ingest.status(panelId == null ? undefined : String(panelId)),
  }),
);
