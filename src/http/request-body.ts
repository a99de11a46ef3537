import type { IncomingMessage } from 'node:http';

/**
 * POST /graphql's JSON body, read here and handed to yoga already parsed.
 *
 * yoga reads a body through Fetch's streams: the request's Node stream becomes a web stream, its
 * size limit pipes it through a TransformStream, and Node's `pipeline` behind that makes an
 * AbortController per request and aborts it when done (a DOMException with its stack each time).
 * Under the dashboard's load that was about a tenth of the product's CPU and a fifth of what it
 * allocated, for bodies of a few hundred bytes (docs/benchmarks.md). @whatwg-node/server takes a
 * body its framework has parsed already (`req.body`, as Express and serverless adapters give it),
 * and yoga then reads no stream at all.
 *
 * Only the plain case takes this path: POST, `Content-Type: application/json`, a Content-Length
 * within `maxBytes`, and a body that is a JSON object with at least one key. Anything else (no
 * length, too long, another media type, JSON that is not such an object) goes to yoga exactly as
 * before, as the bytes read, so its answers (413, 415, "POST body sent invalid JSON", batches)
 * stay its own.
 */
export async function readJsonBody(req: IncomingMessage, maxBytes: number): Promise<'read' | 'untouched' | 'closed'> {
  if (req.method !== 'POST' || !isJson(req.headers['content-type'])) return 'untouched';
  const declared = req.headers['content-length'];
  // Node's parser refuses a malformed Content-Length before we see the request; absent means chunked.
  // An empty body is left to yoga too (whatwg-node takes an empty `req.body` for none given).
  if (declared === undefined || !/^\d+$/.test(declared) || Number(declared) > maxBytes || declared === '0') return 'untouched';
  const chunks: Buffer[] = [];
  try {
    // Node delivers at most Content-Length bytes for this request.
    for await (const chunk of req) chunks.push(chunk as Buffer);
  } catch {
    // The client went away (or the request timed out, which Node answers itself): nothing to answer.
    return 'closed';
  }
  const bytes = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
  Object.assign(req, { body: parsedObject(bytes) ?? bytes });
  return 'read';
}

/** `application/json`, with or without parameters (what yoga's JSON parser takes). */
function isJson(contentType: string | undefined): boolean {
  if (contentType === undefined) return false;
  const semicolon = contentType.indexOf(';');
  return (semicolon === -1 ? contentType : contentType.slice(0, semicolon)).trim().toLowerCase() === 'application/json';
}

/** The body as a JSON object with at least one key, else null (yoga answers the rest from the bytes). */
function parsedObject(bytes: Buffer): Record<string, unknown> | null {
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value) || Object.keys(value).length === 0) return null;
  return value as Record<string, unknown>;
}
