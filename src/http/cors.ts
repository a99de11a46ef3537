import type { IncomingHttpHeaders } from 'node:http';

/**
 * Which browser origins may call the API (CORS_ORIGINS): an exact allow-list, `*` for any, empty
 * for none but the API's own origin (the dashboard page it serves). An origin not on the list is
 * never reflected. No `access-control-allow-credentials`: credentials are an Authorization header
 * the page adds itself, not cookies, so a page on another origin cannot borrow a user's access.
 */
export class CorsPolicy {
  readonly #any: boolean;
  readonly #origins: ReadonlySet<string>;

  /** `origins`: exact origins (`https://dash.example.co.id`), or `*`. */
  constructor(origins: readonly string[]) {
    this.#any = origins.includes('*');
    // Browsers send the origin without a trailing slash and with a lower-case scheme and host.
    this.#origins = new Set(origins.filter((origin) => origin !== '*').map((origin) => origin.replace(/\/+$/, '').toLowerCase()));
  }

  /**
   * Whether a request with these headers may proceed: no Origin (not a browser's cross-origin
   * call: curl, a script, a same-origin GET), the API's own origin, or a listed one.
   */
  allows(headers: IncomingHttpHeaders): boolean {
    const origin = headers.origin;
    if (origin === undefined) return true;
    return this.#any || this.#origins.has(origin.toLowerCase()) || sameOrigin(origin, headers.host);
  }

  /** Headers for a response to an allowed request (none when it carries no Origin). */
  responseHeaders(headers: IncomingHttpHeaders): Record<string, string> {
    if (headers.origin === undefined || !this.allows(headers)) return {};
    return {
      // `*` is exact when any origin may call (no credentials are involved); otherwise the one
      // allowed origin, and caches must keep answers to different origins apart.
      'access-control-allow-origin': this.#any ? '*' : headers.origin,
      ...(this.#any ? {} : { vary: 'Origin' }),
    };
  }

  /** Headers answering a preflight (OPTIONS) of an allowed origin. */
  preflightHeaders(headers: IncomingHttpHeaders): Record<string, string> {
    return {
      ...this.responseHeaders(headers),
      'access-control-allow-methods': 'GET, POST, OPTIONS',
      'access-control-allow-headers': 'authorization, content-type, accept',
      'access-control-max-age': '600',
    };
  }
}

/** The page was served by this server: its origin's host is the Host the browser sent here. */
function sameOrigin(origin: string, host: string | undefined): boolean {
  if (!host) return false;
  try {
    return new URL(origin).host === host.toLowerCase();
  } catch {
    return false;
  }
}
