import type { ApiError } from '../api/errors.js';
import { formatKwh, formatRupiah, timeFormatter } from '../format.js';
import type { BlockUsage, Overview } from '../types.js';
import { Figure } from './Figure.js';

const BLOCK_NAMES: Record<BlockUsage['block'], string> = { LWBP: 'Off-peak (LWBP)', WBP: 'Peak (WBP)', FLAT: 'Flat rate' };

export interface BuildingTotalsProps {
  readonly overview: Overview;
  readonly timezone: string;
  /** Set when the server does not push the totals: they are then re-fetched after readings. */
  readonly liveError: ApiError | undefined;
}

/** The whole building today, from local midnight on the site until now. */
export function BuildingTotals({ overview, timezone, liveError }: BuildingTotalsProps) {
  const today = timeFormatter(timezone, { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' })(Date.now());
  // Only the pushed totals carry the blocks; the query's do not ask for them.
  const blocks = 'blocks' in overview.todayUsage ? overview.todayUsage.blocks : [];
  return (
    <section class="totals" aria-labelledby="totals-title" data-testid="building-totals">
      <h2 id="totals-title">
        Building today <small>{today}</small>
      </h2>
      <dl class="figures">
        <Figure field="today-kwh" label="Energy" value={overview.todayUsage.energyKwh} text={formatKwh(overview.todayUsage.energyKwh)} />
        <Figure field="today-cost" label="Cost" value={overview.todayUsage.cost} text={formatRupiah(overview.todayUsage.cost)} />
        <div>
          <dt>Panels</dt>
          <dd class="counts">
            <span data-field="panel-count" data-value={overview.panelCount}>
              {overview.panelCount} {overview.panelCount === 1 ? 'panel' : 'panels'}
            </span>
            {' · '}
            <span data-field="online-count" data-value={overview.onlineCount}>
              {overview.onlineCount} online
            </span>
            {' · '}
            <span data-field="offline-count" data-value={overview.offlineCount}>
              {overview.offlineCount} offline
            </span>
          </dd>
        </div>
      </dl>
      {blocks.length > 1 && (
        <ul class="blocks">
          {blocks.map((block) => (
            <li key={block.block} data-block={block.block}>
              {BLOCK_NAMES[block.block]}: {formatKwh(block.energyKwh)} · {formatRupiah(block.cost)}
            </li>
          ))}
        </ul>
      )}
      {liveError && (
        <p class="note" data-testid="live-totals-fallback">
          This server does not push today's totals ({liveError.message}); they are refreshed after each reading instead.
        </p>
      )}
    </section>
  );
}
