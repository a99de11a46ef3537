import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { useCallback, useEffect, useState } from 'preact/hooks';
import { useApi } from '../api/client.js';
import { toApiError, type ApiError } from '../api/errors.js';
import type { Variables } from '../api/http.js';

export interface QueryState<T> {
  /** The latest answer; kept while the next one loads, so charts do not flash empty. */
  readonly data: T | undefined;
  readonly error: ApiError | undefined;
  /** True from the render that changed the variables until their answer is in (not for a refetch). */
  readonly loading: boolean;
  refetch(): void;
}

export interface QueryOptions {
  /** Asks again this often (ms), for figures no subscription pushes; default never. */
  readonly refreshMs?: number;
}

interface Answer<T> {
  /** The variables this answers (JSON). */
  readonly key: string;
  readonly data?: T;
  readonly error?: ApiError;
}

/**
 * Runs `document` whenever its variables change (compared by value) and again after the live
 * connection came back from a drop. An answer to an outdated request is dropped.
 */
export function useQuery<TResult, TVariables extends Variables>(
  document: TypedDocumentNode<TResult, TVariables>,
  variables: TVariables,
  options: QueryOptions = {},
): QueryState<TResult> {
  const api = useApi();
  const [answer, setAnswer] = useState<Answer<TResult> | null>(null);
  const [generation, setGeneration] = useState(0);
  const key = JSON.stringify(variables);

  useEffect(() => {
    let current = true;
    api.query(document, JSON.parse(key) as TVariables).then(
      (data) => current && setAnswer({ key, data }),
      (error: unknown) => current && setAnswer({ key, error: toApiError(error) }),
    );
    return () => {
      current = false;
    };
    // `generation` is in the list so that refetch() runs it again with the same variables.
  }, [api, document, key, generation]);

  const refetch = useCallback(() => setGeneration((value) => value + 1), []);
  useEffect(() => api.onReconnected(refetch), [api, refetch]);
  useEffect(() => {
    if (!options.refreshMs) return undefined;
    const timer = setInterval(refetch, options.refreshMs);
    return () => clearInterval(timer);
  }, [options.refreshMs, refetch]);

  // An error is shown without the previous data: that would read as the answer to the new variables.
  return { data: answer?.error ? undefined : answer?.data, error: answer?.error, loading: answer?.key !== key, refetch };
}
