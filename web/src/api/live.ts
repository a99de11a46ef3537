import { createClient, type Client } from 'graphql-ws';
import { UnauthenticatedError, toApiError, type ApiError } from './errors.js';

/** What the header's connection badge shows. */
export type LiveState = 'connecting' | 'live' | 'reconnecting' | 'closed';

export interface LiveOptions {
  /** ws(s)://<page host>/graphql */
  readonly url: string;
  /** Sent in `connectionParams.authorization` as `Bearer <key>`; null sends none. */
  readonly apiKey: string | null;
  readonly onState: (state: LiveState) => void;
  /** After a dropped connection came back: what was missed meanwhile should be fetched again. */
  readonly onReconnected: () => void;
}

export interface LiveSink<T> {
  next(data: T): void;
  error(error: ApiError): void;
  /**
   * The server dropped `count` events of this subscription because the page read too slowly
   * (extensions.skipped on the next event): what they said must be fetched again.
   */
  skipped?(count: number): void;
}

export interface Live {
  /** Starts a subscription; returns its stop function. */
  subscribe<T>(query: string, sink: LiveSink<T>): () => void;
  dispose(): void;
}

/** graphql-ws closes with 4403 Forbidden when the server refuses the connection's credentials. */
const FORBIDDEN = 4403;
const MAX_RETRY_DELAY_MS = 30_000;

/**
 * One graphql-ws connection for all of the page's subscriptions. It opens with the first
 * subscription and keeps reconnecting (capped backoff) while the server is away, re-sending the
 * subscriptions; a refused key is final, the page then asks for another.
 */
export function createLive(options: LiveOptions): Live {
  let connections = 0;
  const client: Client = createClient({
    url: options.url,
    connectionParams: () => (options.apiKey === null ? {} : { authorization: `Bearer ${options.apiKey}` }),
    lazy: true,
    retryAttempts: Number.POSITIVE_INFINITY,
    shouldRetry: (event) => closeCode(event) !== FORBIDDEN,
    retryWait: (retries) =>
      new Promise((resolve) => setTimeout(resolve, Math.min(MAX_RETRY_DELAY_MS, 500 * 2 ** retries) * (0.5 + Math.random() / 2))),
    on: {
      connecting: () => options.onState(connections === 0 ? 'connecting' : 'reconnecting'),
      connected: () => {
        connections += 1;
        options.onState('live');
        if (connections > 1) options.onReconnected();
      },
      // Until the next attempt (if any: a refused key or a fatal error ends the retries).
      closed: () => options.onState('closed'),
    },
  });

  return {
    subscribe<T>(query: string, sink: LiveSink<T>) {
      return client.subscribe<T>(
        { query },
        {
          next: (result) => {
            const skipped = (result.extensions as { skipped?: unknown } | undefined)?.skipped;
            if (typeof skipped === 'number' && skipped > 0) sink.skipped?.(skipped);
            if (result.errors?.length) sink.error(toApiError(result.errors));
            else if (result.data) sink.next(result.data as T);
          },
          error: (error) => sink.error(closeCode(error) === FORBIDDEN ? new UnauthenticatedError() : toApiError(error)),
          complete: () => undefined,
        },
      );
    },
    dispose: () => void client.dispose(),
  };
}

/** The close code of a CloseEvent (or anything shaped like one), else undefined. */
function closeCode(event: unknown): number | undefined {
  return typeof event === 'object' && event !== null && 'code' in event && typeof event.code === 'number' ? event.code : undefined;
}
