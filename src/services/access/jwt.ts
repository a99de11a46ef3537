import { createRemoteJWKSet, jwtVerify, errors, type JWTPayload } from 'jose';
import { API_ROLES, type ApiRole } from '../../models/admin-change.js';
import { PANEL_ID_PATTERN } from '../../models/panel-id.js';

export interface JwtSettings {
  readonly issuer: string;
  readonly audience: string;
  readonly jwksUrl: string;
  /** The claim holding the role (viewer, operator or admin). */
  readonly roleClaim: string;
  /** The claim holding the panels the holder may see (an array; absent: all). */
  readonly panelsClaim: string;
}

export interface VerifiedToken {
  readonly name: string;
  readonly role: ApiRole;
  readonly panels: readonly string[] | null;
  /** Always set: a token without an expiry is refused (an open socket must end some day). */
  readonly expiresAt: Date;
}

/** Why a token was refused, in words safe to show the client (never the token). */
export class TokenRejected extends Error {}

/**
 * Verifies JWTs from the site's identity provider with jose: signature against the provider's
 * JWKS (fetched and cached by jose, refreshed when an unknown key id appears), issuer, audience,
 * expiry (required: a token without `exp` would be valid for ever, and so would the sockets it
 * opened) and not-before; then reads the role and the panels from the configured claims.
 */
export function createJwtVerifier(settings: JwtSettings): (token: string) => Promise<VerifiedToken> {
  const jwks = createRemoteJWKSet(new URL(settings.jwksUrl), { timeoutDuration: 5_000, cooldownDuration: 30_000 });
  return async (token) => {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, jwks, { issuer: settings.issuer, audience: settings.audience, clockTolerance: 5, requiredClaims: ['exp'] }));
    } catch (error) {
      if (error instanceof errors.JWTExpired) throw new TokenRejected('the token has expired');
      if (error instanceof errors.JWTClaimValidationFailed && error.claim === 'exp') {
        throw new TokenRejected('the token has no "exp" claim: tokens without an expiry are refused');
      }
      if (error instanceof errors.JOSEError) throw new TokenRejected(`the token is not valid (${error.code})`);
      throw error;
    }
    const role = payload[settings.roleClaim];
    if (typeof role !== 'string' || !(API_ROLES as readonly string[]).includes(role)) {
      throw new TokenRejected(`the token has no "${settings.roleClaim}" claim of ${API_ROLES.join(', ')}`);
    }
    const panels = payload[settings.panelsClaim];
    if (panels !== undefined && !(Array.isArray(panels) && panels.every((p) => typeof p === 'string' && PANEL_ID_PATTERN.test(p)))) {
      throw new TokenRejected(`the token's "${settings.panelsClaim}" claim is not a list of panel ids`);
    }
    return {
      name: typeof payload.sub === 'string' ? `jwt:${payload.sub}` : 'jwt',
      role: role as ApiRole,
      panels: (panels as string[] | undefined) ?? null,
      // jwtVerify checked that `exp` is a number (requiredClaims).
      expiresAt: new Date((payload.exp ?? 0) * 1000),
    };
  };
}
