/**
 * Keeping secrets out of what the product prints: start-up errors name a setting and its problem,
 * never the value of a secret (tokens, passwords, key material, API key hashes, credentials inside
 * URLs). What a setting's name says it holds decides; a URL is shown without its credentials and
 * query values; and whatever slips through is scrubbed from every printed line (`scrubSecrets`).
 */

/**
 * Names of settings whose value is a secret. A `…_FILE` setting holds a path (printable); the
 * secret is the file's content, which nothing prints.
 */
const SECRET_NAME = /PASSWORD|PASSWD|TOKEN|SECRET|API_KEYS$|PRIVATE|CREDENTIAL|HASH|HMAC|SIGNING|(^|_)KEY$/;

/** Whether the setting `name` holds a secret (its value is never printed). */
export function isSecretSetting(name: string): boolean {
  return SECRET_NAME.test(name) && !name.endsWith('_FILE');
}

/** A value that may carry credentials the way URLs do: `scheme://user:password@host`, `user:pw@host`. */
function looksLikeUrl(name: string, value: string): boolean {
  return name.endsWith('_URL') || /^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(value.trim());
}

/** The `user:password` part of a URL-like text, if any: up to the last `@` before a query (a password may hold an unencoded `/` or `@`). */
const USERINFO = /^([A-Za-z][A-Za-z0-9+.-]*:(?:\/\/)?)?([^?#]*)@/;

/**
 * A URL with its credentials (`user:password@`, up to the last `@`: a password may hold `/` or `@`)
 * and its query values replaced, for logs and messages. Works on mistyped URLs too (`mqqt://`,
 * `mqtt:gw:pw@host`), which a URL parser would refuse.
 */
export function redactUrl(url: string): string {
  return url
    .replace(USERINFO, (_match, scheme: string | undefined) => `${scheme ?? ''}***@`)
    .replace(/([?&][^=&#]*=)[^&#]*/g, '$1***');
}

/**
 * How a configuration problem may show the value given: null for a secret setting (not at all),
 * a URL-like value without its credentials, anything else as given.
 */
export function shownValue(name: string, value: string): string | null {
  if (isSecretSetting(name)) return null;
  return looksLikeUrl(name, value) ? redactUrl(value) : value;
}

/** Shorter values are not scrubbed from text (they would match ordinary words); they are never printed by design. */
const MIN_SCRUBBED = 4;

/**
 * The secret values in an environment: every secret setting's value, and the password inside any
 * URL-like value. Longest first, so that scrubbing a
 * secret that contains another leaves no part of it.
 */
export function secretValues(env: Readonly<Record<string, string | undefined>>): string[] {
  const secrets = new Set<string>();
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined || value.trim() === '') continue;
    if (isSecretSetting(name)) {
      secrets.add(value);
      secrets.add(value.trim());
      // A list of secrets (API_KEYS: name:role:hash entries): each part too.
      for (const part of value.split(/[,\s:]+/)) if (part.length >= 16) secrets.add(part);
      continue;
    }
    // A URL's credentials, and the password alone (what follows the first `:`).
    const credentials = looksLikeUrl(name, value) ? USERINFO.exec(value.trim())?.[2] : undefined;
    if (credentials) {
      secrets.add(credentials);
      secrets.add(credentials.slice(credentials.indexOf(':') + 1));
    }
  }
  return [...secrets].filter((secret) => secret.length >= MIN_SCRUBBED).sort((a, b) => b.length - a.length);
}

/** `text` with every one of `secrets` replaced by `***`. */
export function scrubSecrets(text: string, secrets: readonly string[]): string {
  let result = text;
  for (const secret of secrets) {
    if (result.includes(secret)) result = result.split(secret).join('***');
    // The same secret as JSON would print it (a log field holding a quote or a backslash).
    const quoted = JSON.stringify(secret).slice(1, -1);
    if (quoted !== secret && result.includes(quoted)) result = result.split(quoted).join('***');
  }
  return result;
}

/**
 * Runs of 32 or more hex digits, or of 40 or more base64 characters mixing digits and both cases,
 * in a start-up message: hashes and keys quoted from a file the product read (a JSON parser's
 * error shows a piece of the text). Paths and words do not look like that.
 */
export function scrubKeyMaterial(text: string): string {
  return text
    .replace(/\b[0-9a-fA-F]{32,}\b/g, '***')
    .replace(/[A-Za-z0-9+/]{40,}={0,2}/g, (run) => (/[0-9]/.test(run) && /[A-Z]/.test(run) && /[a-z]/.test(run) ? '***' : run));
}
