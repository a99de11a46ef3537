import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { useApi } from '../api/client.js';
import type { ApiError } from '../api/errors.js';
import {
  EMPTY_OVERLAY,
  isUnknownPanel,
  mergeView,
  withOverview,
  withReading,
  withStatus,
  withUsage,
  type LiveOverlay,
} from '../live/live-overlay.js';
import {
  DashboardDocument,
  OverviewChangedDocument,
  PanelReadingChangedDocument,
  PanelStatusChangedDocument,
  PanelUsageChangedDocument,
} from '../generated/graphql.js';
import { dateAt, addDays, startOfDay } from '../time.js';
import type { DashboardData, DashboardView } from '../types.js';
import { useQuery } from './use-query.js';
import { useSubscription } from './use-subscription.js';

export interface Dashboard {
  readonly view: DashboardView | undefined;
  /** The dashboard query failed (the whole card grid). */
  readonly error: ApiError | undefined;
  /** The server does not push today's usage or the building's totals (they are re-fetched instead). */
  readonly liveTotalsError: ApiError | undefined;
  readonly liveCardsError: ApiError | undefined;
}

/** Without pushed totals, the query is asked again after live events, at most this often. */
const FALLBACK_REFETCH_MS = 1_000;

/**
 * The panel cards and the building's totals: one query, kept live by four subscriptions (readings,
 * status, today's usage per panel, the building's totals).
 */
export function useDashboard(): Dashboard {
  const api = useApi();
  const query = useQuery(DashboardDocument, {});
  const [overlay, setOverlay] = useState<LiveOverlay>(EMPTY_OVERLAY);
  const snapshot = useRef<DashboardData>();
  snapshot.current = query.data;

  // Events missed while the connection was down are not replayed: drop what the old connection
  // said (useQuery fetches the dashboard again at the same time).
  useEffect(() => api.onReconnected(() => setOverlay(EMPTY_OVERLAY)), [api]);

  const pending = useRef<ReturnType<typeof setTimeout>>();
  useEffect(() => () => clearTimeout(pending.current), []);
  const refetchSoon = () => {
    pending.current ??= setTimeout(() => {
      pending.current = undefined;
      query.refetch();
    }, FALLBACK_REFETCH_MS);
  };

  // The server skipped events this page read too slowly (extensions.skipped): what they said is
  // fetched again, as after a dropped connection.
  const afterGap = () => {
    setOverlay(EMPTY_OVERLAY);
    query.refetch();
  };
  // Each event carries its panel; the overlay keeps the newest per panel id.
  const usageError = useSubscription(
    PanelUsageChangedDocument,
    ({ panelUsageChanged: { panel, date, at, today } }) => setOverlay((o) => withUsage(o, { panelId: panel.panelId, date, at, today })),
    afterGap,
  );
  const overviewError = useSubscription(OverviewChangedDocument, ({ overviewChanged }) => setOverlay((o) => withOverview(o, overviewChanged.overview)), afterGap);
  const liveTotalsError = usageError ?? overviewError;
  const afterEvent = (panelId: string) => {
    if (snapshot.current && isUnknownPanel(snapshot.current, panelId)) query.refetch();
    else if (liveTotalsError) refetchSoon();
  };
  const readingsError = useSubscription(
    PanelReadingChangedDocument,
    ({ panelReadingChanged: { reading } }) => {
      setOverlay((o) => withReading(o, reading));
      afterEvent(reading.panelId);
    },
    afterGap,
  );
  const statusError = useSubscription(
    PanelStatusChangedDocument,
    ({ panelStatusChanged: { panel, status, at } }) => {
      setOverlay((o) => withStatus(o, { panelId: panel.panelId, status, at }));
      afterEvent(panel.panelId);
    },
    afterGap,
  );

  useMidnightRefetch(query.data?.site.tariff?.timezone, query.refetch);

  const view = useMemo(() => (query.data ? mergeView(query.data, overlay) : undefined), [query.data, overlay]);
  return { view, error: query.error, liveTotalsError, liveCardsError: readingsError ?? statusError };
}

/** A new day starts at local midnight on the site: today's figures start again from zero. */
function useMidnightRefetch(zone: string | undefined, refetch: () => void): void {
  useEffect(() => {
    if (!zone) return undefined;
    let timer: ReturnType<typeof setTimeout>;
    const schedule = () => {
      const now = Date.now();
      const midnight = startOfDay(zone, addDays(dateAt(zone, now), 1));
      // A second late, so the server's clock has certainly crossed midnight too.
      timer = setTimeout(() => {
        refetch();
        schedule();
      }, midnight - now + 1_000);
    };
    schedule();
    return () => clearTimeout(timer);
  }, [zone, refetch]);
}
