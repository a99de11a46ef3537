import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { useEffect, useRef, useState } from 'preact/hooks';
import { useApi } from '../api/client.js';
import type { ApiError } from '../api/errors.js';

/**
 * Keeps one subscription open while the component is mounted and hands each result to `onData`
 * (the latest function given, so a re-render never restarts the subscription). Returns the error
 * that ended it, if any: a server without this field ends it at once with a validation error.
 */
export function useSubscription<TResult, TVariables>(
  document: TypedDocumentNode<TResult, TVariables>,
  onData: (data: TResult) => void,
): ApiError | undefined {
  const api = useApi();
  const [error, setError] = useState<ApiError>();
  const handler = useRef(onData);
  handler.current = onData;

  useEffect(() => {
    setError(undefined);
    return api.subscribe(document, {
      next: (data) => handler.current(data),
      error: setError,
    });
  }, [api, document]);

  return error;
}
