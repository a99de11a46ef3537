import type { LiveState } from '../api/live.js';
import { formatRupiah, timeFormatter } from '../format.js';
import { useDashboard } from '../hooks/use-dashboard.js';
import { BillHeader } from './BillHeader.js';
import { BuildingTotals } from './BuildingTotals.js';
import { History } from './History.js';
import { LiveBadge } from './LiveBadge.js';
import { PanelCard } from './PanelCard.js';
import { Summaries } from './Summaries.js';
import { WidgetError } from './WidgetError.js';

/** The product's default site zone, for the charts while the dashboard query has not answered. */
const DEFAULT_TIMEZONE = 'Asia/Jakarta';

export interface DashboardProps {
  readonly liveState: LiveState;
  /** Shown when the user gave an API key, to forget it. */
  readonly onSignOut: (() => void) | null;
}

export function Dashboard({ liveState, onSignOut }: DashboardProps) {
  const { view, error, liveTotalsError, liveCardsError } = useDashboard();
  const timezone = view?.tariff.timezone ?? DEFAULT_TIMEZONE;
  const formatTime = timeFormatter(timezone, { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit', second: '2-digit' });
  const panels = view?.panels ?? [];

  return (
    <>
      <header class="top">
        <div class="title">
          <h1>Energy dashboard</h1>
          <LiveBadge state={liveState} />
          {onSignOut && (
            <button type="button" class="link" onClick={onSignOut}>
              Sign out
            </button>
          )}
        </div>
        <BillHeader />
        {view && (
          <p class="tariff">
            {formatRupiah(view.tariff.ratePerKwh)}/kWh · days in {view.tariff.timezone}
          </p>
        )}
      </header>
      <main>
        {error && <WidgetError what="Panels" error={error} />}
        {view && <BuildingTotals overview={view.overview} timezone={timezone} liveError={liveTotalsError} />}
        <section aria-labelledby="panels-title">
          <h2 id="panels-title">Panels</h2>
          {liveCardsError && <WidgetError what="Live updates" error={liveCardsError} />}
          {view && panels.length === 0 && <p>No panel has reported yet.</p>}
          <div class="cards">
            {panels.map((panel) => (
              <PanelCard key={panel.id} panel={panel} formatTime={formatTime} />
            ))}
          </div>
        </section>
        <Summaries panels={panels} timezone={timezone} />
        <History panels={panels} timezone={timezone} />
      </main>
    </>
  );
}
