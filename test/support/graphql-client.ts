import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print, type DocumentNode, type GraphQLFormattedError } from 'graphql';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { metricValue } from './test-app.js';

/** How long a test waits for something that should come, by default: long, so a busy machine does not fail it. */
const WAIT_MS = 10_000;

/** A typed operation from test/generated (codegen) or, for malformed requests, plain text. */
export type Operation<TData, TVars> = TypedDocumentNode<TData, TVars> | string;

export interface GraphqlResult<TData> {
  readonly data?: TData | null;
  readonly errors?: readonly GraphQLFormattedError[];
  /** On a live event after a gap: `skipped`, how many events this client's window dropped. */
  readonly extensions?: { readonly skipped?: number } & Record<string, unknown>;
}

export interface HttpResult<TData> extends GraphqlResult<TData> {
  readonly status: number;
}

/** The text of an operation, as it goes over the wire. */
export function source(document: DocumentNode | string): string {
  return typeof document === 'string' ? document : print(document);
}

/** POSTs one operation to `url` (…/graphql) with fetch, as the dashboard does; `headers` are added (Authorization). */
export async function httpRequest<TData, TVars>(
  url: string,
  document: Operation<TData, TVars>,
  variables?: TVars,
  headers: Readonly<Record<string, string>> = {},
): Promise<HttpResult<TData>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json', ...headers },
    body: JSON.stringify({ query: source(document), variables: variables ?? {} }),
  });
  const body = (await response.json()) as GraphqlResult<TData>;
  return { status: response.status, ...body };
}

/** Like httpRequest, but the data or a thrown error naming every GraphQL error. */
export async function httpData<TData, TVars>(
  url: string,
  document: Operation<TData, TVars>,
  variables?: TVars,
  headers: Readonly<Record<string, string>> = {},
): Promise<Answered<TData>> {
  return dataOf(await httpRequest(url, document, variables, headers));
}

/**
 * The data of an answer without errors: root fields are nullable only so that a failure stays
 * local (docs/api.md, errors), so without errors they hold values (`alarm(id)`, whose null means
 * "none", is the exception a test checks with toBeNull()).
 */
export type Answered<TData> = { [K in keyof TData]: NonNullable<TData[K]> };

/** The data of a result, or a thrown error naming every GraphQL error. */
export function dataOf<TData>(result: HttpResult<TData>): Answered<TData> {
  if (result.errors?.length || !result.data) {
    throw new Error(`GraphQL errors (HTTP ${result.status}): ${JSON.stringify(result.errors ?? result)}`);
  }
  return result.data as Answered<TData>;
}

/**
 * A graphql-ws client as a browser would open it: lazy, and never retrying behind a test's back.
 * `connectionParams` go in connection_init (e.g. `{ authorization: 'Bearer …' }`).
 */
export function wsClient(url: string, connectionParams?: Record<string, unknown>): Client {
  return createClient({ url, webSocketImpl: WebSocket, retryAttempts: 0, lazy: true, ...(connectionParams ? { connectionParams } : {}) });
}

/**
 * One operation over a graphql-ws connection, its results queued for the test to take in order.
 * Errors the server answers with an `error` message (validation, bad variables) land in `errors`.
 */
export class LiveOperation<TData> {
  readonly results: GraphqlResult<TData>[] = [];
  /** Operation-level errors (an `error` message) or a transport failure. */
  errors: readonly GraphQLFormattedError[] | null = null;
  completed = false;
  #taken = 0;
  #waiters: Array<() => void> = [];
  readonly #unsubscribe: () => void;

  constructor(client: Client, document: DocumentNode | string, variables?: unknown) {
    this.#unsubscribe = client.subscribe<TData>(
      { query: source(document), variables: (variables ?? {}) as Record<string, unknown> },
      {
        next: (result) => {
          this.results.push(result as GraphqlResult<TData>);
          this.#wake();
        },
        error: (error) => {
          this.errors = Array.isArray(error) ? (error as GraphQLFormattedError[]) : [{ message: describe(error) }];
          this.completed = true;
          this.#wake();
        },
        complete: () => {
          this.completed = true;
          this.#wake();
        },
      },
    );
  }

  /**
   * The next result not yet taken; rejects after `timeoutMs` or when the operation ends first.
   * The default is generous (a busy machine); pass a short one only to show nothing arrives.
   */
  async next(timeoutMs = WAIT_MS): Promise<GraphqlResult<TData>> {
    await this.#until(() => this.results.length > this.#taken || this.completed, timeoutMs, 'a result');
    const result = this.results[this.#taken];
    if (!result) throw new Error(`operation ended without another result: ${JSON.stringify(this.errors)}`);
    this.#taken += 1;
    return result;
  }

  /** Waits until at least `count` results have arrived in total. */
  async received(count: number, timeoutMs = WAIT_MS): Promise<void> {
    await this.#until(() => this.results.length >= count, timeoutMs, `${count} results (have ${this.results.length})`);
  }

  /** Waits for the operation to end (complete or error). */
  async ended(timeoutMs = WAIT_MS): Promise<void> {
    await this.#until(() => this.completed, timeoutMs, 'the operation to end');
  }

  dispose(): void {
    this.#unsubscribe();
  }

  #wake(): void {
    for (const waiter of this.#waiters.splice(0)) waiter();
  }

  async #until(ready: () => boolean, timeoutMs: number, what: string): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!ready()) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }
}

export function subscribe<TData, TVars>(client: Client, document: Operation<TData, TVars>, variables?: TVars): LiveOperation<TData> {
  return new LiveOperation<TData>(client, document, variables);
}

/** A query over WebSocket: its single result, or the operation's errors. */
export async function wsRequest<TData, TVars>(
  client: Client,
  document: Operation<TData, TVars>,
  variables?: TVars,
  timeoutMs = 2_000,
): Promise<GraphqlResult<TData>> {
  const operation = subscribe(client, document, variables);
  try {
    await operation.ended(timeoutMs);
    if (operation.errors) return { errors: operation.errors };
    const result = operation.results[0];
    if (!result) throw new Error('WebSocket operation completed without a result');
    return result;
  } finally {
    operation.dispose();
  }
}

/** Subscriptions the server holds open right now (the `energy_live_subscriptions` gauge). */
export function liveSubscriptions(baseUrl: string): Promise<number> {
  return metricValue(baseUrl, 'energy_live_subscriptions');
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (error && typeof error === 'object' && 'code' in error) {
    const { code, reason } = error as { code: unknown; reason?: unknown };
    return `socket closed (${String(code)}${reason ? `: ${String(reason)}` : ''})`;
  }
  return String(error);
}
