import type { ComponentChildren } from 'preact';
import type { LiveState } from '../api/live.js';
import { LANG_NAMES, LANGS, useI18n, type Lang } from '../i18n/i18n.js';
import { LiveBadge } from './LiveBadge.js';

export interface TopBarProps {
  readonly view: 'dashboard' | 'report' | 'demand' | 'alarms';
  readonly liveState: LiveState;
  /** Shown when the user gave an API key, to forget it. */
  readonly onSignOut: (() => void) | null;
  /** What the view adds under the title (the dashboard: this month's bill and the rate). */
  readonly children?: ComponentChildren;
}

/** The header of every view: the product's name, live state, the views, the language, sign-out. */
export function TopBar({ view, liveState, onSignOut, children }: TopBarProps) {
  const { t } = useI18n();
  return (
    <header class="top">
      <div class="title">
        {/* The report's own title is the page's heading there; it is a month's figures, not live. */}
        {view === 'dashboard' ? <h1>{t('appTitle')}</h1> : <p class="brand">{t('appTitle')}</p>}
        {view === 'dashboard' && <LiveBadge state={liveState} />}
      </div>
      <nav class="views no-print" aria-label={t('viewsLabel')}>
        <a href="#/" aria-current={view === 'dashboard' ? 'page' : undefined}>
          {t('navDashboard')}
        </a>
        <a href="#/report" aria-current={view === 'report' ? 'page' : undefined} data-testid="report-link">
          {t('navReport')}
        </a>
        <a href="#/alarms" aria-current={view === 'alarms' ? 'page' : undefined} data-testid="alarms-link">
          {t('navAlarms')}
        </a>
        <a href="#/demand" aria-current={view === 'demand' ? 'page' : undefined} data-testid="demand-link">
          {t('navDemand')}
        </a>
      </nav>
      <div class="top-tools no-print">
        <LanguageSwitch />
        {onSignOut && (
          <button type="button" class="link" onClick={onSignOut}>
            {t('signOut')}
          </button>
        )}
      </div>
      {children}
    </header>
  );
}

/** Each language named in itself (marked with its `lang`), so a reader finds their own. */
export function LanguageSwitch() {
  const { t, lang, setLang } = useI18n();
  return (
    <label class="lang-switch">
      {t('language')}
      <select name="lang" value={lang} onChange={(event) => setLang(event.currentTarget.value as Lang)}>
        {LANGS.map((option) => (
          <option key={option} value={option} lang={option}>
            {LANG_NAMES[option]}
          </option>
        ))}
      </select>
    </label>
  );
}
