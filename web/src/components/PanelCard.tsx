import { formatAmperes, formatKw, formatKwh, formatRupiah, formatVolts } from '../format.js';
import type { Panel } from '../types.js';
import { Figure } from './Figure.js';

export interface PanelCardProps {
  readonly panel: Panel;
  /** Formats the last reading's time on the site's clock. */
  readonly formatTime: (instant: string) => string;
}

/** One panel: status, what its meter reads now, and its use today. */
export function PanelCard({ panel, formatTime }: PanelCardProps) {
  const reading = panel.latestReading;
  const titleId = `panel-${panel.id}`;
  return (
    <article class="card" aria-labelledby={titleId} data-panel-id={panel.id} data-status={panel.status}>
      <header>
        <h3 id={titleId}>{panel.name}</h3>
        <span class="status" data-field="status">
          <span class="dot" aria-hidden="true" />
          {panel.status}
        </span>
      </header>
      <dl class="figures-meter">
        <Figure field="kw" label="Power" value={reading?.activePowerKw} text={formatKw(reading?.activePowerKw)} />
        <Figure field="a" label="Current" value={reading?.current.average} text={formatAmperes(reading?.current.average)} />
        <Figure field="v" label="Voltage" value={reading?.voltage.average} text={formatVolts(reading?.voltage.average)} />
      </dl>
      <dl class="figures-today">
        <Figure field="today-kwh" label="Today" value={panel.todayUsage.energyKwh} text={formatKwh(panel.todayUsage.energyKwh)} />
        <Figure field="today-cost" label="Cost today" value={panel.todayUsage.cost} text={formatRupiah(panel.todayUsage.cost)} />
      </dl>
      <footer>
        {panel.id}
        {' · '}
        {panel.lastSeenAt ? <time dateTime={panel.lastSeenAt}>last reading {formatTime(panel.lastSeenAt)}</time> : 'no reading yet'}
      </footer>
    </article>
  );
}
