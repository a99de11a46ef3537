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
export async function postGraphql(url: string, body: string, agent: Agent): Promise<Posted> {
  const { status, chunks, ms } = await post(url, body, agent);
  const bytes = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
  return {
    status,
    bytes,
    get text() {
      return bytes.toString('utf8');
    },
    ms,
  };
}

/** A response's status, its body's chunks as they came (`onChunk` sees each) and its latency (timed when the last byte arrived). */
function post(url: string, body: string, agent: Agent, onChunk?: (chunk: Buffer) => void): Promise<{ status: number; chunks: Buffer[]; ms: number }> {
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
        res.on('data', (chunk: Buffer) => {
          chunks.push(chunk);
          onChunk?.(chunk);
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, chunks, ms: performance.now() - started }));
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

/** One response of the load, checked as its bytes arrived. */
interface Checked {
  readonly status: number;
  /** A whole answer with data and no errors (`AnswerCheck`). */
  readonly ok: boolean;
  readonly ms: number;
  /** The body's chunks as they came (not joined: see `AnswerCheck`). */
  readonly chunks: Buffer[];
  readonly bytes: number;
}

/**
 * Whether an answer is whole, with data and no errors, checked on its bytes as they arrive,
 * without decoding, parsing or even joining them: a JSON object that begins with `data` and names
 * no `errors` anywhere (a panel named "errors" would count as a failure, never the reverse).
 *
 * Why this much care in a load generator: it shares the product's 2 cores. Decoding each 161 KB
 * chart was CPU the product would otherwise have had; joining the chunks into one buffer doubled
 * what the generator allocated outside its heap (80 MB/s at 500 charts a second), and V8 answers
 * that with full collections of the generator's heap: 9-14 ms pauses in which no answer was read,
 * so every chart in flight looked that much slower (docs/benchmarks.md, seventh pass).
 */
class AnswerCheck {
  #head = Buffer.alloc(0);
  #tail: Buffer = Buffer.alloc(0);
  #errors = false;
  #last = -1;

  add(chunk: Buffer): void {
    if (chunk.length === 0) return;
    if (this.#head.length < DATA_PREFIX.length) this.#head = Buffer.concat([this.#head, chunk.subarray(0, DATA_PREFIX.length - this.#head.length)]);
    // "errors" split across two chunks: search the seam with the previous chunk's last bytes.
    const seam = Buffer.concat([this.#tail, chunk.subarray(0, ERRORS.length - 1)]);
    if (seam.indexOf(ERRORS) !== -1 || chunk.indexOf(ERRORS) !== -1) this.#errors = true;
    // A view, not a copy: the chunks are kept until the answer is done anyway.
    this.#tail = chunk.subarray(Math.max(0, chunk.length - (ERRORS.length - 1)));
    this.#last = chunk[chunk.length - 1]!;
  }

  get ok(): boolean {
    return this.#head.equals(DATA_PREFIX) && this.#last === CLOSING_BRACE && !this.#errors;
  }
}

/** POSTs one GraphQL request of a load; resolves with its status, whether it answered, and latency. */
async function postChecked(url: string, body: string, agent: Agent): Promise<Checked> {
  const check = new AnswerCheck();
  const { status, chunks, ms } = await post(url, body, agent, (chunk) => check.add(chunk));
  return { status, ok: check.ok, ms, chunks, bytes: chunks.reduce((n, chunk) => n + chunk.length, 0) };
}

/**
 * Sends `requests` requests with `concurrency` in flight (closed loop: each worker sends its next
 * request when the previous answered). Every response is checked for errors as it arrives (`AnswerCheck`), the last one parsed.
 */
export async function runLoad(url: string, operation: GraphqlRequest, options: { concurrency: number; requests: number; agent: Agent }): Promise<LoadResult> {
  const body = JSON.stringify(operation);
  const latencies = new Float64Array(options.requests);
  let issued = 0;
  let done = 0;
  let failures = 0;
  let firstFailure: string | null = null;
  let last: Buffer[] | null = null;
  let responseBytes = 0;
  const started = performance.now();
  const worker = async () => {
    while (issued < options.requests) {
      issued++;
      const response = await postChecked(url, body, options.agent);
      latencies[done++] = response.ms;
      responseBytes = response.bytes;
      if (response.status !== 200 || !response.ok) {
        failures++;
        firstFailure ??= `HTTP ${response.status}: ${Buffer.concat(response.chunks).toString('utf8').slice(0, 300)}`;
      } else {
        last = response.chunks;
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  // Parsed once, for the work checks: a closed-loop client parsing every 360 KB answer (the
  // 1,000-panel dashboard) spends as much CPU as the server, on the same 2 cores.
  const lastBody: unknown = last === null ? null : JSON.parse(Buffer.concat(last).toString('utf8'));
  const wallMs = performance.now() - started;
  return { latencies, wallMs, requestsPerSecond: (options.requests / wallMs) * 1000, failures, firstFailure, lastBody, responseBytes };
}
