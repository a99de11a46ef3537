import { useState } from 'preact/hooks';
import { useI18n } from '../i18n/i18n.js';
import { LanguageSwitch } from './TopBar.js';

export interface SignInProps {
  /** The key the page tried was refused (rather than none given yet). */
  readonly refused: boolean;
  readonly onSubmit: (apiKey: string) => void;
}

/** Shown when the API asks for credentials: the key is kept for this tab only. */
export function SignIn({ refused, onSubmit }: SignInProps) {
  const { t } = useI18n();
  const [key, setKey] = useState('');
  return (
    <main class="sign-in">
      <form
        aria-labelledby="sign-in-title"
        onSubmit={(event) => {
          event.preventDefault();
          if (key.trim()) onSubmit(key.trim());
        }}
      >
        <h1 id="sign-in-title">{t('appTitle')}</h1>
        {refused ? (
          <p class="refused" role="alert" data-access="refused">
            {t('signInRefused')}
          </p>
        ) : (
          <p data-access="needs-key">{t('signInNeedsKey')}</p>
        )}
        <label>
          {t('signInKey')}
          <input type="password" name="api-key" autocomplete="off" required value={key} onInput={(event) => setKey(event.currentTarget.value)} />
        </label>
        <button type="submit">{t('signInSubmit')}</button>
        <LanguageSwitch />
      </form>
    </main>
  );
}
