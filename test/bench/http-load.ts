import { Agent, request } from 'node:http';

export interface GraphqlRequest {
  readonly query: string;
  readonly operationName?: string;
  readonly variables?: Record<string, unknown>;
}

export interface LoadResult {
  /** Latency of each request (ms), in completion order. */
  readonly latencies: Float64Array;
  /** Wall time from the first request sent to the last response read (ms). */
  readonly wallMs: number;
  readonly requestsPerSecond: number;
  /** Responses that were not 200 or carried GraphQL errors. */
  readonly failures: number;
  readonly firstFailure: string | null;
  /** The last response body, parsed, for the work check. */
  readonly lastBody: unknown;
  readonly responseBytes: number;
}

/** One keep-alive connection per concurrent worker, like a small fleet of dashboards. */
export function createAgent(concurrency: number): Agent {
  return new Agent({ keepAlive: true, maxSockets: concurrency, maxFreeSockets: concurrency });
}

/** One response: status, body bytes (`text` decodes them when read) and latency. */
export interface Posted {
  readonly status: number;
  readonly bytes: Buffer;
  readonly text: string;
  readonly ms: number;
}

/** POSTs one GraphQL request; resolves with status, body and latency (timed when the last byte arrived). */
export function postGraphql(url: string, body: string, agent: Agent): Promise<Posted> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = request(
      url,
      {
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const ms = performance.now() - started;
          const bytes = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
          resolve({
            status: res.statusCode ?? 0,
            bytes,
            get text() {
              return bytes.toString('utf8');
            },
            ms,
          });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const DATA_PREFIX = Buffer.from('{"data":');
const ERRORS = Buffer.from('"errors":');
const CLOSING_BRACE = 0x7d;

/**
 * A whole answer with data and no errors, checked on its bytes without decoding or parsing them
 * (the load generator shares the product's 2 cores; at 400 charts a second decoding each 161 KB
 * answer is CPU the product would otherwise have): a JSON object that begins with `data` and
 * names no `errors` anywhere (a panel named "errors" would count as a failure, never the reverse).
 */
function answered(bytes: Buffer): boolean {
  return bytes.length > DATA_PREFIX.length && bytes.subarray(0, DATA_PREFIX.length).equals(DATA_PREFIX) && bytes[bytes.length - 1] === CLOSING_BRACE && bytes.indexOf(ERRORS) === -1;
}

/**
 * Sends `requests` requests with `concurrency` in flight (closed loop: each worker sends its next
 * request when the previous answered). Every response is checked for errors (`answered`), the last one parsed.
 */
export async function runLoad(url: string, operation: GraphqlRequest, options: { concurrency: number; requests: number; agent: Agent }): Promise<LoadResult> {
  const body = JSON.stringify(operation);
  const latencies = new Float64Array(options.requests);
  let issued = 0;
  let done = 0;
  let failures = 0;
  let firstFailure: string | null = null;
  let last: Buffer | null = null;
  let responseBytes = 0;
  const started = performance.now();
  const worker = async () => {
    while (issued < options.requests) {
      issued++;
      const response = await postGraphql(url, body, options.agent);
      latencies[done++] = response.ms;
      responseBytes = response.bytes.length;
      if (response.status !== 200 || !answered(response.bytes)) {
        failures++;
        firstFailure ??= `HTTP ${response.status}: ${response.text.slice(0, 300)}`;
      } else {
        last = response.bytes;
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  // Parsed once, for the work checks: a closed-loop client parsing every 360 KB answer (the
  // 1,000-panel dashboard) spends as much CPU as the server, on the same 2 cores.
  const lastBody: unknown = last === null ? null : JSON.parse((last as Buffer).toString('utf8'));
  const wallMs = performance.now() - started;
  return { latencies, wallMs, requestsPerSecond: (options.requests / wallMs) * 1000, failures, firstFailure, lastBody, responseBytes };
}
