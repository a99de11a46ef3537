import type { LiveState } from '../api/live.js';
import { formatMoney, timeFormatter } from '../format.js';
import { useDashboard } from '../hooks/use-dashboard.js';
import { useNow } from '../hooks/use-now.js';
import { useI18n } from '../i18n/i18n.js';
import { AlarmBadge, useOpenAlarms } from './AlarmBadge.js';
import { AlarmBudgets } from './AlarmBudgets.js';
import { BillHeader } from './BillHeader.js';
import { BuildingTotals } from './BuildingTotals.js';
import { EmptyState } from './EmptyState.js';
import { History } from './History.js';
import { PanelCard } from './PanelCard.js';
import { Summaries } from './Summaries.js';
import { TopBar } from './TopBar.js';
import { WidgetError } from './WidgetError.js';

/** The product's default site zone, for the charts while the dashboard query has not answered. */
export const DEFAULT_TIMEZONE = 'Asia/Jakarta';

/** An OFFLINE card says how old its last values are; by the half minute is close enough. */
const AGE_TICK_MS = 30_000;

export interface DashboardProps {
  readonly liveState: LiveState;
  /** Shown when the user gave an API key, to forget it. */
  readonly onSignOut: (() => void) | null;
}

export function Dashboard({ liveState, onSignOut }: DashboardProps) {
  const { t, dateLocale } = useI18n();
  const { view, error, liveTotalsError, liveCardsError } = useDashboard();
  const now = useNow(AGE_TICK_MS);
  const alarms = useOpenAlarms();
  const timezone = view?.tariff?.timezone ?? DEFAULT_TIMEZONE;
  const formatTime = timeFormatter(dateLocale, timezone, { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit', second: '2-digit' });
  const panels = view?.panels ?? [];
  // No panel yet: one empty state saying how to get one, instead of empty charts and pickers.
  const empty = view !== undefined && panels.length === 0;

  return (
    <>
      <TopBar view="dashboard" liveState={liveState} onSignOut={onSignOut}>
        <AlarmBadge changes={alarms.changes} />
        {!empty && <BillHeader />}
        {view?.tariff && (
          <p class="tariff">
            {t('tariffLine', { rate: formatMoney(view.tariff.ratePerKwh), zone: view.tariff.timezone })}
          </p>
        )}
      </TopBar>
      <main>
        {error && <WidgetError what={t('panelsWhat')} error={error} />}
        {empty && <EmptyState />}
        {view && !empty && (
          <>
            <BuildingTotals overview={view.overview} timezone={timezone} liveError={liveTotalsError} />
            <AlarmBudgets />
            <section aria-labelledby="panels-title">
              <h2 id="panels-title">{t('panels')}</h2>
              {liveCardsError && <WidgetError what={t('liveWhat')} error={liveCardsError} />}
              <div class="cards">
                {panels.map((panel) => (
                  <PanelCard key={panel.id} panel={panel} formatTime={formatTime} now={now} alarm={alarms.byPanel.get(panel.id) ?? null} />
                ))}
              </div>
            </section>
            <Summaries panels={panels} timezone={timezone} />
            <History panels={panels} timezone={timezone} />
          </>
        )}
      </main>
    </>
  );
}
