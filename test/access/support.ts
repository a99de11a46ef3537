import { createServer } from 'node:http';
import { exportJWK, generateKeyPair, SignJWT, type JWTPayload } from 'jose';
import type { ApiRole } from '../../src/models/admin-change.js';
import { newApiKey, sha256Hex } from '../../src/services/access/api-keys.js';
import type { Disposer } from '../support/disposer.js';

/** A key as `npm run api-key` makes it: the secret for the client and the API_KEYS entry. */
export interface TestKey {
  readonly key: string;
  readonly entry: string;
}

export function makeKey(name: string, role: ApiRole, panels?: readonly string[]): TestKey {
  const key = newApiKey();
  return { key, entry: [name, role, sha256Hex(key), ...(panels ? [panels.join('+')] : [])].join(':') };
}

export function bearer(secret: string): Record<string, string> {
  return { authorization: `Bearer ${secret}` };
}

/** A site identity provider on loopback: its JWKS served over HTTP, tokens signed with its key. */
export interface IdentityProvider {
  readonly issuer: string;
  readonly audience: string;
  readonly jwksUrl: string;
  /** The JWT settings the product needs to trust this provider. */
  readonly env: Record<string, string>;
  /** A token with these claims; `expiresAt` in epoch seconds (default: an hour from now; null: no `exp` claim). */
  sign(claims: JWTPayload & { readonly sub: string }, options?: { readonly expiresAt?: number | null; readonly audience?: string }): Promise<string>;
}

export async function startIdentityProvider(disposers: Disposer): Promise<IdentityProvider> {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'test-key-1', alg: 'ES256', use: 'sig' };
  const server = createServer((req, res) => {
    if (req.url !== '/.well-known/jwks.json') {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ keys: [jwk] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  disposers.add(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const issuer = `http://127.0.0.1:${port}/`;
  const audience = 'energy-api';
  const jwksUrl = `http://127.0.0.1:${port}/.well-known/jwks.json`;
  return {
    issuer,
    audience,
    jwksUrl,
    env: { JWT_ISSUER: issuer, JWT_AUDIENCE: audience, JWT_JWKS_URL: jwksUrl },
    sign: (claims, options = {}) => {
      const token = new SignJWT(claims)
        .setProtectedHeader({ alg: 'ES256', kid: 'test-key-1' })
        .setIssuer(issuer)
        .setAudience(options.audience ?? audience)
        .setIssuedAt();
      if (options.expiresAt !== null) token.setExpirationTime(options.expiresAt ?? Math.floor(Date.now() / 1000) + 3_600);
      return token.sign(privateKey);
    },
  };
}
