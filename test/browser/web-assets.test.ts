import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { disposer } from '../support/disposer.js';
import { createWebAssets } from '../../src/http/web-assets.js';
import { startTestApp } from '../support/test-app.js';

const disposers = disposer();
afterEach(() => disposers.run());

const INDEX = '<!doctype html><html><head><script type="module" src="/assets/index-abc123.js"></script></head><body></body></html>';
const SCRIPT = `console.log(${JSON.stringify('energy '.repeat(200))});\n`;

/** A build as Vite writes it, in a temporary directory. */
function fakeBuild(): string {
  const dir = mkdtempSync(join(tmpdir(), 'web-assets-'));
  disposers.add(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'index.html'), INDEX);
  writeFileSync(join(dir, 'assets', 'index-abc123.js'), SCRIPT);
  writeFileSync(join(dir, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  return dir;
}

/** The handler alone on a loopback server; everything it does not handle is a 418. */
async function serve(dir: string): Promise<number> {
  const assets = createWebAssets({ dir });
  const server = createServer((req, res) => {
    if (assets.handles(req.method ?? 'GET', (req.url ?? '/').split('?')[0] ?? '/')) return assets.serve(req, res);
    res.writeHead(418).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  disposers.add(() => new Promise((resolve) => server.close(resolve)));
  return (server.address() as AddressInfo).port;
}

interface Response {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** A raw request: the path goes out byte for byte (fetch would resolve `..` before sending). */
function get(port: number, path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Response> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('web assets (the dashboard page as static files)', () => {
  it('serves index.html at / and /index.html, revalidated on every load and locked to its own origin', async () => {
    const port = await serve(fakeBuild());
    for (const path of ['/', '/index.html', '/?panel=A']) {
      const response = await get(port, path);
      expect(response.status).toBe(200);
      expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(response.headers['cache-control']).toBe('no-cache');
      expect(response.headers['content-security-policy']).toContain("default-src 'self'");
      expect(response.headers['x-content-type-options']).toBe('nosniff');
      expect(response.headers.etag).toMatch(/^"[\w-]+"$/);
      expect(response.body.toString()).toBe(INDEX);
    }
  });

  it('serves hashed assets as immutable, brotli or gzip as accepted, with an ETag per encoding', async () => {
    const port = await serve(fakeBuild());
    const path = '/assets/index-abc123.js';
    const plain = await get(port, path);
    expect(plain.status).toBe(200);
    expect(plain.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(plain.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.headers.vary).toBe('Accept-Encoding');
    expect(plain.body.toString()).toBe(SCRIPT);

    const gzip = await get(port, path, { 'accept-encoding': 'gzip, deflate' });
    expect(gzip.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gzip.body).toString()).toBe(SCRIPT);
    expect(Number(gzip.headers['content-length'])).toBe(gzip.body.length);
    expect(gzip.body.length).toBeLessThan(SCRIPT.length / 4);

    const br = await get(port, path, { 'accept-encoding': 'gzip, deflate, br' });
    expect(br.headers['content-encoding']).toBe('br');
    expect(brotliDecompressSync(br.body).toString()).toBe(SCRIPT);
    // q=0 means "not this one".
    expect((await get(port, path, { 'accept-encoding': 'br;q=0, gzip' })).headers['content-encoding']).toBe('gzip');

    expect(new Set([plain.headers.etag, gzip.headers.etag, br.headers.etag]).size).toBe(3);
    const revalidated = await get(port, path, { 'accept-encoding': 'br', 'if-none-match': String(br.headers.etag) });
    expect(revalidated.status).toBe(304);
    expect(revalidated.body.length).toBe(0);
    expect(revalidated.headers.etag).toBe(br.headers.etag);
    // Another encoding's ETag does not validate this one.
    expect((await get(port, path, { 'accept-encoding': 'br', 'if-none-match': String(gzip.headers.etag) })).status).toBe(200);

    const head = await get(port, path, { 'accept-encoding': 'gzip' }, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.body.length).toBe(0);
    expect(head.headers['content-length']).toBe(gzip.headers['content-length']);

    const icon = await get(port, '/favicon.svg');
    expect(icon.headers['content-type']).toBe('image/svg+xml');
    expect(icon.headers['cache-control']).toBe('no-cache');
  });

  it('answers 404 for unknown files and for paths that climb out of the build', async () => {
    const dir = fakeBuild();
    writeFileSync(join(dir, '..', `secret-${process.pid}.txt`), 'secret');
    disposers.add(() => rmSync(join(dir, '..', `secret-${process.pid}.txt`), { force: true }));
    const port = await serve(dir);
    for (const path of [
      '/assets/missing.js',
      '/assets/',
      `/assets/../../secret-${process.pid}.txt`,
      `/assets/..%2F..%2Fsecret-${process.pid}.txt`,
      `/assets/%2e%2e/%2e%2e/secret-${process.pid}.txt`,
      '/assets/..\\..\\index.html',
      '/assets/index-abc123.js%00.html',
    ]) {
      const response = await get(port, path);
      expect([path, response.status]).toEqual([path, 404]);
      expect(response.body.toString()).not.toContain('secret');
    }
  });

  it('handles only GET and HEAD of the page and its files, leaving the API and the rest alone', () => {
    const assets = createWebAssets({ dir: fakeBuild() });
    expect(['/', '/index.html', '/assets/a-1.js', '/favicon.svg', '/favicon.ico'].every((path) => assets.handles('GET', path))).toBe(true);
    expect(assets.handles('HEAD', '/')).toBe(true);
    expect(assets.handles('POST', '/')).toBe(false);
    expect(['/graphql', '/health', '/ready', '/metrics', '/favicon', '/other.html'].some((path) => assets.handles('GET', path))).toBe(false);
  });

  it('says to run the build when there is none', async () => {
    const port = await serve(join(tmpdir(), `no-such-build-${process.pid}`));
    const response = await get(port, '/');
    expect(response.status).toBe(404);
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(response.body.toString()).toContain('npm run build');
    expect((await get(port, '/assets/index-abc123.js')).status).toBe(404);
  });

  it('is the page the product serves at /, beside the API at /graphql', async () => {
    const app = disposers.use(await startTestApp(), (a) => a.stop({ removeData: true }));
    const page = await fetch(`${app.baseUrl}/`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('<div id="app"></div>');
    // Everything the page loads is its own: no absolute URL in any src or href.
    const references = [...html.matchAll(/\b(?:src|href)="([^"]*)"/g)].map((match) => match[1] ?? '');
    expect(references.length).toBeGreaterThan(1);
    expect(references.filter((ref) => !ref.startsWith('/') || ref.startsWith('//'))).toEqual([]);
    for (const ref of references) expect([ref, (await fetch(`${app.baseUrl}${ref}`)).status]).toEqual([ref, 200]);

    const api = await fetch(app.httpUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(await api.json()).toEqual({ data: { __typename: 'Query' } });
  });
});
