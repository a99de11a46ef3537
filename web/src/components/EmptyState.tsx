import { useI18n } from '../i18n/i18n.js';

/** The topic meters publish to under MQTT_TOPIC's default prefix (`DATA/PM/#`). */
const TOPIC = 'DATA/PM/<PANEL_ID>';
const BACKFILL = 'npm run simulate -- --backfill 30d';

/**
 * No panel has reported yet: how to connect a meter and how to fill in history, in place of empty
 * cards, charts and pickers. Commands and topics are code, the same in every language.
 */
export function EmptyState() {
  const { t } = useI18n();
  // The flag is code inside the sentence, wherever the language puts it.
  const [beforeFlag, afterFlag] = t('emptyBackfillLive', { flag: '\u0000' }).split('\u0000');
  return (
    <section class="empty widget" aria-labelledby="empty-title" data-testid="empty-state">
      <h2 id="empty-title">{t('emptyTitle')}</h2>
      <p>{t('emptyIntro')}</p>
      <h3>{t('emptyConnectTitle')}</h3>
      <p>
        {t('emptyConnect')} <code>{TOPIC}</code>. {t('emptyConnectPrefix')} <code>MQTT_TOPIC</code>.
      </p>
      <h3>{t('emptyBackfillTitle')}</h3>
      <p>{t('emptyBackfill')}</p>
      <pre>
        <code data-testid="backfill-command">{BACKFILL}</code>
      </pre>
      <p>
        {beforeFlag}
        <code>--live</code>
        {afterFlag}
      </p>
    </section>
  );
}
