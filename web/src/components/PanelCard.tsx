import { formatAmperes, formatKw, formatKwh, formatMoney, formatVolts } from '../format.js';
import { ageText } from '../i18n/age.js';
import { useI18n } from '../i18n/i18n.js';
import type { Panel } from '../types.js';
import { AlarmOnCard, type OpenAlarm } from './AlarmBadge.js';
import { Figure } from './Figure.js';

export interface PanelCardProps {
  readonly panel: Panel;
  /** Formats the last reading's time on the site's clock. */
  readonly formatTime: (instant: string) => string;
  /** The page's clock (ms), for the age of an OFFLINE panel's last values. */
  readonly now: number;
  /** The panel's gravest open alarm, if any. */
  readonly alarm?: OpenAlarm | null;
}

/**
 * One panel: status, what its meter reads now, and its use today. An OFFLINE panel's meter values
 * are not live: they are shown dimmed, as the last known ones, with their age.
 */
export function PanelCard({ panel, formatTime, now, alarm = null }: PanelCardProps) {
  const { t } = useI18n();
  const reading = panel.latestReading;
  const titleId = `panel-${panel.id}`;
  const stale = panel.status === 'OFFLINE' && reading !== null;
  return (
    <article class="card" aria-labelledby={titleId} data-panel-id={panel.id} data-status={panel.status}>
      <header>
        <h3 id={titleId}>{panel.name}</h3>
        <span class="status" data-field="status">
          <span class="dot" aria-hidden="true" />
          {t(panel.status === 'ONLINE' ? 'statusONLINE' : 'statusOFFLINE')}
        </span>
      </header>
      {alarm && <AlarmOnCard alarm={alarm} />}
      <div class={stale ? 'meter last-known' : 'meter'} data-testid="meter">
        {stale && (
          <p class="last-known-note" data-field="last-known">
            {t('lastKnown', { age: ageText(t, now - Date.parse(reading.time)) })}
          </p>
        )}
        <dl class="figures-meter">
          <Figure field="kw" label={t('power')} value={reading?.activePowerKw} text={formatKw(reading?.activePowerKw)} />
          <Figure field="a" label={t('current')} value={reading?.current.average} text={formatAmperes(reading?.current.average)} />
          <Figure field="v" label={t('voltage')} value={reading?.voltage.average} text={formatVolts(reading?.voltage.average)} />
        </dl>
      </div>
      <dl class="figures-today">
        {/* null when today's figures failed for this panel alone (a field error): a dash, the other cards unaffected. */}
        <Figure field="today-kwh" label={t('today')} value={panel.todayUsage?.energyKwh} text={panel.todayUsage ? formatKwh(panel.todayUsage.energyKwh) : '—'} />
        <Figure field="today-cost" label={t('costToday')} tax="excluded" value={panel.todayUsage?.cost.amount} text={panel.todayUsage ? formatMoney(panel.todayUsage.cost) : '—'} />
      </dl>
      <footer>
        <span class="panel-id">{panel.id}</span>
        {' · '}
        {panel.lastSeenAt ? (
          <time dateTime={panel.lastSeenAt}>{t('lastReading', { time: formatTime(panel.lastSeenAt) })}</time>
        ) : (
          t('noReading')
        )}
      </footer>
    </article>
  );
}
