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

/** POSTs one GraphQL request; resolves with status, body and latency. */
export function postGraphql(url: string, body: string, agent: Agent): Promise<{ status: number; text: string; ms: number }> {
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
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8'), ms: performance.now() - started }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * Sends `requests` requests with `concurrency` in flight (closed loop: each worker sends its next
 * request when the previous answered). Every response is parsed and checked for errors.
 */
export async function runLoad(url: string, operation: GraphqlRequest, options: { concurrency: number; requests: number; agent: Agent }): Promise<LoadResult> {
  const body = JSON.stringify(operation);
  const latencies = new Float64Array(options.requests);
  let issued = 0;
  let done = 0;
  let failures = 0;
  let firstFailure: string | null = null;
  let lastBody: unknown = null;
  let responseBytes = 0;
  const started = performance.now();
  const worker = async () => {
    while (issued < options.requests) {
      issued++;
      const response = await postGraphql(url, body, options.agent);
      latencies[done++] = response.ms;
      responseBytes = response.text.length;
      let parsed: { errors?: unknown } | null = null;
      try {
        parsed = JSON.parse(response.text) as { errors?: unknown };
      } catch {
        parsed = null;
      }
      if (response.status !== 200 || parsed === null || parsed.errors !== undefined) {
        failures++;
        firstFailure ??= `HTTP ${response.status}: ${response.text.slice(0, 300)}`;
      } else {
        lastBody = parsed;
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  const wallMs = performance.now() - started;
  return { latencies, wallMs, requestsPerSecond: (options.requests / wallMs) * 1000, failures, firstFailure, lastBody, responseBytes };
}
