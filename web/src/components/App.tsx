import { useEffect, useMemo, useState } from 'preact/hooks';
import { loadApiKey, saveApiKey } from '../api/api-key.js';
import { ApiContext, createApi } from '../api/client.js';
import type { LiveState } from '../api/live.js';
import { I18nContext, i18nFor, loadLang, saveLang, type Lang } from '../i18n/i18n.js';
import { useRoute } from '../route.js';
import { AlarmList } from './AlarmList.js';
import { Dashboard } from './Dashboard.js';
import { DemandView } from './Demand.js';
import { MonthlyReport } from './MonthlyReport.js';
import { SignIn } from './SignIn.js';

/** Why the page shows the sign-in form instead of the dashboard. */
type Refusal = 'needs-key' | 'refused' | null;

/**
 * Tries the API without a key first (access control may be off). When the API refuses, asks for
 * a key, keeps it for the tab and starts over with it; a refused key is said to be refused.
 * Speaks Bahasa Indonesia unless English was picked (remembered in localStorage).
 */
export function App() {
  const [lang, setLang] = useState<Lang>(loadLang);
  const i18n = useMemo(
    () =>
      i18nFor(lang, (next) => {
        saveLang(next);
        setLang(next);
      }),
    [lang],
  );
  useEffect(() => {
    // Screen readers pick their voice by the document's language; the tab's title is a label too.
    document.documentElement.lang = lang;
    document.title = i18n.t('appTitle');
  }, [lang, i18n]);

  const [apiKey, setApiKey] = useState(loadApiKey);
  const [refusal, setRefusal] = useState<Refusal>(null);
  const [liveState, setLiveState] = useState<LiveState>('connecting');
  const route = useRoute();
  const api = useMemo(
    () =>
      createApi({
        apiKey,
        onUnauthenticated: () => setRefusal(apiKey === null ? 'needs-key' : 'refused'),
        onLiveState: setLiveState,
      }),
    [apiKey],
  );
  useEffect(() => () => api.dispose(), [api]);

  const switchKey = (key: string | null) => {
    saveApiKey(key);
    setApiKey(key);
    setRefusal(null);
  };
  const onSignOut = apiKey === null ? null : () => switchKey(null);

  return (
    <I18nContext.Provider value={i18n}>
      {refusal ? (
        <SignIn refused={refusal === 'refused'} onSubmit={switchKey} />
      ) : (
        <ApiContext.Provider value={api}>
          {route.view === 'report' ? (
            <MonthlyReport route={route} liveState={liveState} onSignOut={onSignOut} />
          ) : route.view === 'demand' ? (
            <DemandView liveState={liveState} onSignOut={onSignOut} />
          ) : route.view === 'alarms' ? (
            <AlarmList route={route} liveState={liveState} onSignOut={onSignOut} />
          ) : (
            <Dashboard liveState={liveState} onSignOut={onSignOut} />
          )}
        </ApiContext.Provider>
      )}
    </I18nContext.Provider>
  );
}
