import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { useEffect, useRef, useState } from 'preact/hooks';
import { useApi } from '../api/client.js';
import type { ApiError } from '../api/errors.js';

/**
 * Keeps one subscription open while the component is mounted and hands each result to `onData`
 * (the latest function given, so a re-render never restarts the subscription), and the count of
 * events the server skipped for it to `onSkipped`. Returns the error that ended it, if any: a
 * server without this field ends it at once with a validation error.
 */
export function useSubscription<TResult, TVariables>(
  document: TypedDocumentNode<TResult, TVariables>,
  onData: (data: TResult) => void,
  onSkipped?: (count: number) => void,
): ApiError | undefined {
  const api = useApi();
  const [error, setError] = useState<ApiError>();
  const handler = useRef(onData);
  handler.current = onData;
  const skippedHandler = useRef(onSkipped);
  skippedHandler.current = onSkipped;

  useEffect(() => {
    setError(undefined);
    return api.subscribe(document, {
      next: (data) => handler.current(data),
      error: setError,
      skipped: (count) => skippedHandler.current?.(count),
    });
  }, [api, document]);

  return error;
}
