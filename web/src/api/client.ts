import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import { UnauthenticatedError, toApiError, type ApiError } from './errors.js';
import { postGraphql, type Variables } from './http.js';
import { createLive, type LiveSink, type LiveState } from './live.js';

/** Everything a widget needs from the API: queries over HTTP, subscriptions over graphql-ws. */
export interface Api {
  query<TResult, TVariables extends Variables>(document: TypedDocumentNode<TResult, TVariables>, variables: TVariables): Promise<TResult>;
  /** Without variables: the page follows every panel. */
  subscribe<TResult, TVariables>(document: TypedDocumentNode<TResult, TVariables>, sink: LiveSink<TResult>): () => void;
  /** Calls `listener` after the live connection came back from a drop; returns the unsubscribe. */
  onReconnected(listener: () => void): () => void;
}

export interface ApiOptions {
  readonly apiKey: string | null;
  /** Called once per refusal, from whichever request met it first. */
  readonly onUnauthenticated: (error: ApiError) => void;
  readonly onLiveState: (state: LiveState) => void;
}

/**
 * The page's API client for one API key: the page makes a new one when the key changes, so no
 * request ever carries a stale key.
 */
export function createApi(options: ApiOptions): Api & { dispose(): void } {
  const reconnectListeners = new Set<() => void>();
  const live = createLive({
    url: `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/graphql`,
    apiKey: options.apiKey,
    onState: options.onLiveState,
    onReconnected: () => reconnectListeners.forEach((listener) => listener()),
  });
  const http = { url: '/graphql', apiKey: options.apiKey };
  const reportRefusal = (error: ApiError) => {
    if (error instanceof UnauthenticatedError) options.onUnauthenticated(error);
    return error;
  };

  return {
    // The documents are generated from operations/*.graphql (web/src/generated/), and go over the wire as text.
    query: <TResult, TVariables extends Variables>(document: TypedDocumentNode<TResult, TVariables>, variables: TVariables) =>
      postGraphql<TResult>(http, print(document), variables).catch((error: unknown) => {
        throw reportRefusal(toApiError(error));
      }),
    subscribe: <TResult, TVariables>(document: TypedDocumentNode<TResult, TVariables>, sink: LiveSink<TResult>) =>
      live.subscribe<TResult>(print(document), { next: sink.next, error: (error) => sink.error(reportRefusal(error)), skipped: sink.skipped }),
    onReconnected(listener) {
      reconnectListeners.add(listener);
      return () => reconnectListeners.delete(listener);
    },
    dispose: () => live.dispose(),
  };
}

export const ApiContext = createContext<Api | null>(null);

/** The API client of the surrounding <ApiContext.Provider>. */
export function useApi(): Api {
  const api = useContext(ApiContext);
  if (!api) throw new Error('useApi() outside <ApiContext.Provider>');
  return api;
}
