import { useState } from 'preact/hooks';

export interface SignInProps {
  /** The key the page tried was refused (rather than none given yet). */
  readonly refused: boolean;
  readonly onSubmit: (apiKey: string) => void;
}

/** Shown when the API asks for credentials: the key is kept for this tab only. */
export function SignIn({ refused, onSubmit }: SignInProps) {
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
        <h1 id="sign-in-title">Energy dashboard</h1>
        {refused ? (
          <p class="refused" role="alert" data-access="refused">
            The API refused this key. Check it and try again.
          </p>
        ) : (
          <p data-access="needs-key">Access to this API needs an API key.</p>
        )}
        <label>
          API key
          <input type="password" name="api-key" autocomplete="off" required value={key} onInput={(event) => setKey(event.currentTarget.value)} />
        </label>
        <button type="submit">Sign in</button>
      </form>
    </main>
  );
}
