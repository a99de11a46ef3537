import type { Viewer } from '../../models/viewer.js';
import type { SiteSettings } from '../site-settings.js';
import { sha256Hex, type ConfiguredKey } from './api-keys.js';
import { TokenRejected, type VerifiedToken } from './jwt.js';

/**
 * What a caller authenticated with, kept while a socket is open so that every operation on it can
 * check the credential still holds (a key not revoked, a token not expired).
 */
export type Credential =
  | { readonly kind: 'open' }
  | { readonly kind: 'key'; readonly sha256: string }
  | { readonly kind: 'jwt'; readonly expiresAt: Date };

export type AuthResult =
  | {
      readonly ok: true;
      readonly viewer: Viewer;
      readonly credential: Credential;
      /**
       * One caller for the fair share of limits (CALLER_MAX_SHARE): a key, or a token's subject;
       * null for the open mode's anonymous caller, who is everyone.
       */
      readonly callerId: string | null;
    }
  | { readonly ok: false; readonly code: 'UNAUTHENTICATED'; readonly message: string };

export interface AuthenticatorOptions {
  /** required: every request needs credentials; optional: anonymous callers get full access. */
  readonly mode: 'required' | 'optional';
  /** Keys from the configuration (API_KEYS, API_KEYS_FILE). */
  readonly keys: readonly ConfiguredKey[];
  /** Keys created through the API live in the admin record. */
  readonly settings: SiteSettings;
  /** Verifies a JWT of the site's identity provider; absent when none is configured. */
  readonly verifyJwt?: (token: string) => Promise<VerifiedToken>;
}

/** The anonymous caller of the open (development) mode. */
export const OPEN_VIEWER: Viewer = { name: 'anonymous (open mode)', role: 'admin', panels: null, expiresAt: null };

/**
 * Who is calling, from an `Authorization: Bearer …` value (HTTP header, or graphql-ws
 * connectionParams.authorization): an API key, else a JWT. A wrong credential is refused in both
 * modes; no credential is refused only when credentials are required.
 */
export class Authenticator {
  readonly #options: AuthenticatorOptions;
  readonly #configured: ReadonlyMap<string, ConfiguredKey>;

  constructor(options: AuthenticatorOptions) {
    this.#options = options;
    this.#configured = new Map(options.keys.map((key) => [key.sha256, key]));
  }

  get mode(): 'required' | 'optional' {
    return this.#options.mode;
  }

  async authenticate(authorization: string | null | undefined): Promise<AuthResult> {
    const value = authorization?.trim() ?? '';
    if (value === '') {
      return this.#options.mode === 'optional'
        ? { ok: true, viewer: OPEN_VIEWER, credential: { kind: 'open' }, callerId: null }
        : { ok: false, code: 'UNAUTHENTICATED', message: 'credentials required: send "Authorization: Bearer <API key or token>"' };
    }
    const match = /^Bearer\s+(\S+)$/i.exec(value);
    if (!match) return { ok: false, code: 'UNAUTHENTICATED', message: 'the Authorization value must be "Bearer <API key or token>"' };
    const secret = match[1]!;
    const hash = sha256Hex(secret);
    const key = this.#configured.get(hash) ?? this.#options.settings.state.apiKeys.get(hash);
    if (key) {
      return {
        ok: true,
        viewer: { name: `key:${key.name}`, role: key.role, panels: key.panels ? new Set(key.panels) : null, expiresAt: null },
        credential: { kind: 'key', sha256: hash },
        // The key's id (as createApiKey shows it), not its name: two keys may share a name.
        callerId: `key:${hash.slice(0, 12)}`,
      };
    }
    if (this.#options.verifyJwt && secret.split('.').length === 3) {
      try {
        const token = await this.#options.verifyJwt(secret);
        return {
          ok: true,
          viewer: { name: token.name, role: token.role, panels: token.panels ? new Set(token.panels) : null, expiresAt: token.expiresAt },
          credential: { kind: 'jwt', expiresAt: token.expiresAt },
          callerId: token.name,
        };
      } catch (error) {
        if (error instanceof TokenRejected) return { ok: false, code: 'UNAUTHENTICATED', message: error.message };
        return { ok: false, code: 'UNAUTHENTICATED', message: 'the token could not be verified (the identity provider did not answer)' };
      }
    }
    return { ok: false, code: 'UNAUTHENTICATED', message: 'unknown or revoked API key' };
  }

  /**
   * Why a credential accepted earlier no longer holds (an API key revoked, a token expired), or
   * null while it does. Configured keys last as long as the process: the configuration is read at
   * start, so a key removed from API_KEYS or API_KEYS_FILE is gone after the restart that applies it.
   */
  revoked(credential: Credential): string | null {
    switch (credential.kind) {
      case 'open':
        return null;
      case 'key':
        return this.#configured.has(credential.sha256) || this.#options.settings.state.apiKeys.has(credential.sha256) ? null : 'API key revoked';
      case 'jwt':
        return credential.expiresAt.getTime() <= Date.now() ? 'token expired' : null;
    }
  }

  /**
   * Calls `listener` whenever API keys stop being valid: revoked through the API here or by
   * another process (seen when this one re-reads the admin record). Returns the unsubscribe function.
   */
  onRevocation(listener: () => void): () => void {
    return this.#options.settings.onKeysRevoked(() => listener());
  }
}
