import type { DashboardData, DashboardView, Overview, Panel, Reading, StatusChange, TodayUsageUpdate } from '../types.js';

/**
 * What the live subscriptions said since the last (re)connection, laid over the last dashboard
 * query. Each subscription announces every change of its value, so its newest event is at least
 * as new as any query answer that came before or after it; the one exception, a connection that
 * dropped and missed events, clears the overlay (and fetches the query again).
 */
export interface LiveOverlay {
  readonly readings: ReadonlyMap<string, Reading>;
  readonly statuses: ReadonlyMap<string, StatusChange>;
  readonly usage: ReadonlyMap<string, TodayUsageUpdate>;
  readonly overview: Overview | null;
}

export const EMPTY_OVERLAY: LiveOverlay = { readings: new Map(), statuses: new Map(), usage: new Map(), overview: null };

export function withReading(overlay: LiveOverlay, reading: Reading): LiveOverlay {
  const known = overlay.readings.get(reading.panelId);
  // A late reading (older meter time) is stored, but it is not the panel's latest.
  if (known && Date.parse(known.time) > Date.parse(reading.time)) return overlay;
  return { ...overlay, readings: new Map(overlay.readings).set(reading.panelId, reading) };
}

export function withStatus(overlay: LiveOverlay, change: StatusChange): LiveOverlay {
  return { ...overlay, statuses: new Map(overlay.statuses).set(change.panelId, change) };
}

export function withUsage(overlay: LiveOverlay, update: TodayUsageUpdate): LiveOverlay {
  return { ...overlay, usage: new Map(overlay.usage).set(update.panelId, update) };
}

export function withOverview(overlay: LiveOverlay, overview: Overview): LiveOverlay {
  return { ...overlay, overview };
}

/** The dashboard as shown: the query's answer with the live events over it. */
export function mergeView(snapshot: DashboardData, overlay: LiveOverlay): DashboardView {
  const { site, ...rest } = snapshot;
  return {
    ...rest,
    overview: overlay.overview ?? site.overview,
    tariff: site.tariff,
    // null: the list failed (the query's error says why); the cards show that, not an empty site.
    panels: snapshot.panels?.nodes.map((panel) => mergePanel(panel, overlay)) ?? null,
  };
}

function mergePanel(panel: Panel, overlay: LiveOverlay): Panel {
  const reading = overlay.readings.get(panel.id);
  const newer = reading && (!panel.latestReading || Date.parse(reading.time) >= Date.parse(panel.latestReading.time));
  const latestReading = newer ? reading : panel.latestReading;
  return {
    ...panel,
    latestReading,
    lastSeenAt: latestReading?.time ?? panel.lastSeenAt,
    status: overlay.statuses.get(panel.id)?.status ?? panel.status,
    todayUsage: overlay.usage.get(panel.id)?.today ?? panel.todayUsage,
  };
}

/** Whether an event names a panel the last query did not list (a new meter): time to ask again. */
export function isUnknownPanel(snapshot: DashboardData, panelId: string): boolean {
  return !(snapshot.panels?.nodes ?? []).some((panel) => panel.id === panelId);
}
