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
 * A whole answer with data and no errors, checked without parsing it: a JSON object that begins
 * with `data` and names no `errors` anywhere (a panel named "errors" would count as a failure,
 * never the reverse).
 */
function answered(text: string): boolean {
  return text.startsWith('{"data":') && text.endsWith('}') && !text.includes('"errors":');
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
  let lastText: string | null = null;
  let responseBytes = 0;
  const started = performance.now();
  const worker = async () => {
    while (issued < options.requests) {
      issued++;
      const response = await postGraphql(url, body, options.agent);
      latencies[done++] = response.ms;
      responseBytes = response.text.length;
      if (response.status !== 200 || !answered(response.text)) {
        failures++;
        firstFailure ??= `HTTP ${response.status}: ${response.text.slice(0, 300)}`;
      } else {
        lastText = response.text;
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  // Parsed once, for the work checks: a closed-loop client parsing every 360 KB answer (the
  // 1,000-panel dashboard) spends as much CPU as the server, on the same 2 cores.
  const lastBody: unknown = lastText === null ? null : JSON.parse(lastText);
  const wallMs = performance.now() - started;
  return { latencies, wallMs, requestsPerSecond: (options.requests / wallMs) * 1000, failures, firstFailure, lastBody, responseBytes };
}
