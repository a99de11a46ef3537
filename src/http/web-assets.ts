import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants as zlib, gzipSync } from 'node:zlib';

/**
 * Where `npm run build:web` puts the dashboard page. Two levels up from this module is the
 * project root both from src/http/ (tsx) and from the compiled dist/http/.
 */
export const WEB_DIST_DIR = fileURLToPath(new URL('../../dist/web/', import.meta.url));

export interface WebAssetsOptions {
  /** The built page: index.html, assets/ (hashed names) and favicon.* */
  readonly dir: string;
}

export interface WebAssets {
  /** Whether this request is for the page (GET/HEAD of /, /index.html, /assets/*, /favicon.*). */
  handles(method: string, path: string): boolean;
  serve(req: IncomingMessage, res: ServerResponse): void;
}

interface Variant {
  readonly body: Buffer;
  readonly etag: string;
}

interface Asset {
  readonly type: string;
  readonly cacheControl: string;
  readonly identity: Variant;
  readonly gzip?: Variant;
  readonly br?: Variant;
}

const HTML = 'text/html; charset=utf-8';
const CONTENT_TYPES: Record<string, string> = {
  '.html': HTML,
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.map': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
};
/** Worth compressing; images and fonts already are. */
const COMPRESSIBLE = new Set(['.html', '.js', '.css', '.svg', '.json', '.map', '.txt']);

/** Vite puts a content hash in every name under assets/: a new build means new names. */
const IMMUTABLE = 'public, max-age=31536000, immutable';
/** index.html names the current assets, so browsers check it on every load (ETag keeps it cheap). */
const REVALIDATE = 'no-cache';

/**
 * Only the page's own origin: scripts, styles, API calls and the live WebSocket. Nothing may
 * come from the internet, and no other site may frame the page.
 */
const CONTENT_SECURITY_POLICY =
  "default-src 'self'; connect-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

const NOT_BUILT_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Energy dashboard not built</title></head>
<body><h1>The dashboard page is not built</h1>
<p>Run <code>npm run build</code> (or <code>npm run build:web</code>) and restart the server.
The API is at <a href="/graphql">/graphql</a>.</p></body></html>
`;

/**
 * Serves the built dashboard page from memory: every file is read, hashed and compressed (gzip
 * and brotli) once, when the server is created, so a request costs a map lookup. Only files
 * that exist in the build can be served, so a path like /assets/../../etc/passwd finds nothing.
 */
export function createWebAssets(options: WebAssetsOptions): WebAssets {
  const assets = loadAssets(options.dir);

  return {
    handles(method, path) {
      if (method !== 'GET' && method !== 'HEAD') return false;
      return path === '/' || path === '/index.html' || path.startsWith('/assets/') || /^\/favicon\.[A-Za-z0-9]+$/.test(path);
    },
    serve(req, res) {
      const path = (req.url ?? '/').split('?')[0] ?? '/';
      if (!assets) return send(res, req, 404, { 'content-type': HTML, 'cache-control': 'no-store' }, Buffer.from(NOT_BUILT_PAGE));
      const asset = assets.get(path === '/' ? '/index.html' : path);
      if (!asset) return send(res, req, 404, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' }, Buffer.from('Not found\n'));

      const variant = pickVariant(asset, String(req.headers['accept-encoding'] ?? ''));
      const headers: Record<string, string> = {
        'content-type': asset.type,
        'cache-control': asset.cacheControl,
        etag: variant.etag,
        vary: 'Accept-Encoding',
        'x-content-type-options': 'nosniff',
        ...(variant === asset.br ? { 'content-encoding': 'br' } : variant === asset.gzip ? { 'content-encoding': 'gzip' } : {}),
        ...(asset.type === HTML ? { 'content-security-policy': CONTENT_SECURITY_POLICY } : {}),
      };
      if (matches(req.headers['if-none-match'], variant.etag)) {
        const { 'content-type': _type, ...notModified } = headers;
        return send(res, req, 304, notModified, null);
      }
      send(res, req, 200, headers, variant.body);
    },
  };
}

/** Every file of the build by URL path, or null when there is no build (no index.html). */
function loadAssets(dir: string): Map<string, Asset> | null {
  if (!existsSync(join(dir, 'index.html'))) return null;
  const assets = new Map<string, Asset>();
  for (const file of listFiles(dir)) {
    const urlPath = `/${relative(dir, file).split(sep).join('/')}`;
    const extension = extname(file).toLowerCase();
    const body = readFileSync(file);
    const tag = createHash('sha256').update(body).digest('base64url').slice(0, 22);
    const compress = COMPRESSIBLE.has(extension) && body.length > 256;
    assets.set(urlPath, {
      type: CONTENT_TYPES[extension] ?? 'application/octet-stream',
      cacheControl: urlPath.startsWith('/assets/') ? IMMUTABLE : REVALIDATE,
      // A strong ETag per representation (RFC 9110 8.8.3): the compressed bytes differ.
      identity: { body, etag: `"${tag}"` },
      ...(compress
        ? {
            gzip: { body: gzipSync(body, { level: 9 }), etag: `"${tag}-gz"` },
            // Quality 6: about 7 ms for the 220 kB bundle, 9 % larger than quality 11 (300 ms),
            // which every server start (and every test starting one) would pay.
            br: { body: brotliCompressSync(body, { params: { [zlib.BROTLI_PARAM_QUALITY]: 6 } }), etag: `"${tag}-br"` },
          }
        : {}),
    });
  }
  return assets;
}

function listFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? listFiles(path) : [path];
  });
}

/** Brotli, then gzip, then the plain bytes, as the client accepts (q=0 refuses a coding). */
function pickVariant(asset: Asset, acceptEncoding: string): Variant {
  const accepted = new Set(
    acceptEncoding
      .split(',')
      .map((part) => part.trim().split(';'))
      .filter(([, ...params]) => !params.some((param) => /^\s*q\s*=\s*0(\.0*)?\s*$/.test(param)))
      .map(([coding]) => (coding ?? '').trim().toLowerCase()),
  );
  if (asset.br && accepted.has('br')) return asset.br;
  if (asset.gzip && accepted.has('gzip')) return asset.gzip;
  return asset.identity;
}

/** If-None-Match (weak comparison, RFC 9110 13.1.2) against the representation we would send. */
function matches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  return ifNoneMatch.split(',').some((tag) => {
    const trimmed = tag.trim();
    return trimmed === '*' || trimmed.replace(/^W\//, '') === etag;
  });
}

function send(res: ServerResponse, req: IncomingMessage, status: number, headers: Record<string, string>, body: Buffer | null): void {
  res.writeHead(status, body === null ? headers : { ...headers, 'content-length': String(body.length) });
  res.end(req.method === 'HEAD' || body === null ? undefined : body);
}
