import { ApiError } from '../api/errors.js';
import { formatKwh, formatMoney, timeFormatter } from '../format.js';
import { useI18n } from '../i18n/i18n.js';
import type { BlockUsage, Overview } from '../types.js';
import { Figure } from './Figure.js';
import { WidgetError } from './WidgetError.js';

const BLOCK_NAMES = { LWBP: 'blockLWBP', WBP: 'blockWBP', FLAT: 'blockFLAT' } as const satisfies Record<BlockUsage['block'], string>;

export interface BuildingTotalsProps {
  /** null: the figures failed (a field error), shown as this widget's error. */
  readonly overview: Overview | null;
  readonly timezone: string;
  /** Set when the server does not push the totals: they are then re-fetched after readings. */
  readonly liveError: ApiError | undefined;
}

/** The whole building today, from local midnight on the site until now. */
export function BuildingTotals({ overview, timezone, liveError }: BuildingTotalsProps) {
  const { t, dateLocale } = useI18n();
  const today = timeFormatter(dateLocale, timezone, { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' })(Date.now());
  if (overview === null) return <WidgetError what={t('totalsTitle')} error={new ApiError('The API answered without the totals.', 'EMPTY')} />;
  // Only the pushed totals carry the blocks; the query's do not ask for them.
  const blocks = 'blocks' in overview.todayUsage ? overview.todayUsage.blocks : [];
  return (
    <section class="totals" aria-labelledby="totals-title" data-testid="building-totals">
      <h2 id="totals-title">
        {t('totalsTitle')} <small data-field="today-date">{today}</small>
      </h2>
      <dl class="figures">
        <Figure field="today-kwh" label={t('energy')} value={overview.todayUsage.energyKwh} text={formatKwh(overview.todayUsage.energyKwh)} />
        <Figure field="today-cost" label={t('cost')} tax="excluded" value={overview.todayUsage.cost.amount} text={formatMoney(overview.todayUsage.cost)} />
        <div>
          <dt>{t('panels')}</dt>
          <dd class="counts">
            <span data-field="panel-count" data-value={overview.panelCount}>
              {t(overview.panelCount === 1 ? 'panelCountOne' : 'panelCountOther', { n: overview.panelCount })}
            </span>
            {' · '}
            <span data-field="online-count" data-value={overview.onlineCount}>
              {t('onlineCount', { n: overview.onlineCount })}
            </span>
            {' · '}
            <span data-field="offline-count" data-value={overview.offlineCount}>
              {t('offlineCount', { n: overview.offlineCount })}
            </span>
          </dd>
        </div>
      </dl>
      {blocks.length > 1 && (
        <ul class="blocks">
          {blocks.map((block) => (
            <li key={block.block} data-block={block.block}>
              {t(BLOCK_NAMES[block.block])}: {formatKwh(block.energyKwh)} · {formatMoney(block.cost)} ({t('taxExcluded')})
            </li>
          ))}
        </ul>
      )}
      {liveError && (
        <p class="note" data-testid="live-totals-fallback">
          {t('liveTotalsFallback')} <q lang="en">{liveError.message}</q>
        </p>
      )}
    </section>
  );
}
