import { useEffect, useMemo, useState } from 'preact/hooks';
import { loadApiKey, saveApiKey } from '../api/api-key.js';
import { ApiContext, createApi } from '../api/client.js';
import type { LiveState } from '../api/live.js';
import { Dashboard } from './Dashboard.js';
import { SignIn } from './SignIn.js';

/** Why the page shows the sign-in form instead of the dashboard. */
type Refusal = 'needs-key' | 'refused' | null;

/**
 * Tries the API without a key first (access control may be off). When the API refuses, asks for
 * a key, keeps it for the tab and starts over with it; a refused key is said to be refused.
 */
export function App() {
  const [apiKey, setApiKey] = useState(loadApiKey);
  const [refusal, setRefusal] = useState<Refusal>(null);
  const [liveState, setLiveState] = useState<LiveState>('connecting');
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

  if (refusal) return <SignIn refused={refusal === 'refused'} onSubmit={switchKey} />;
  return (
    <ApiContext.Provider value={api}>
      <Dashboard liveState={liveState} onSignOut={apiKey === null ? null : () => switchKey(null)} />
    </ApiContext.Provider>
  );
}
