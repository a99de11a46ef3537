import type { Overview as OverviewShape } from '../../models/usage.js';
import { builder } from '../builder.js';
import { Usage } from './usage.js';

export const Overview = builder.objectRef<OverviewShape>('Overview').implement({
  description: 'Building totals for the header cards.',
  fields: (t) => ({
    panelCount: t.exposeInt('panelCount', { description: 'How many panels the caller sees (a count).' }),
    onlineCount: t.exposeInt('onlineCount', { description: 'How many of them are ONLINE (a count).' }),
    offlineCount: t.exposeInt('offlineCount', { description: 'How many of them are OFFLINE (a count).' }),
    todayUsage: t.expose('todayUsage', { type: Usage, description: 'All panels, local midnight until now.' }),
  }),
});

builder.queryField('overview', (t) =>
  t.field({
    type: Overview,
    nullable: true,
    deprecationReason: 'Use site { overview } (2026-12).',
    resolve: (_root, _args, { services, viewer }) => services.panels.overview(viewer.panels),
  }),
);

builder.subscriptionField('overview', (t) =>
  t.field({
    type: Overview,
    deprecationReason: 'Use overviewChanged (2026-12).',
    description: "The building's overview at once, then whenever it changes (a reading, a status), at most once a second.",
    subscribe: (_root, _args, { services, viewer }) => services.live.overview(viewer.panels),
    resolve: (overview) => overview,
  }),
);
