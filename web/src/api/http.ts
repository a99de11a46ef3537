import { ApiError, UnauthenticatedError, toApiError } from './errors.js';

export type Variables = Readonly<Record<string, unknown>>;

export interface HttpOptions {
  /** The GraphQL endpoint, `/graphql` on the page's own origin. */
  readonly url: string;
  /** Sent as `Authorization: Bearer <key>`; null sends no header. */
  readonly apiKey: string | null;
}

/**
 * One GraphQL operation over HTTP POST (the GraphQL-over-HTTP spec), as any client sends it.
 * Resolves with `data`; rejects with an UnauthenticatedError on 401/403, or an ApiError naming
 * the first GraphQL error.
 */
export async function postGraphql<T>(options: HttpOptions, query: string, variables: Variables = {}): Promise<T> {
  let response: Response;
  try {
    response = await fetch(options.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/graphql-response+json, application/json',
        ...(options.apiKey === null ? {} : { authorization: `Bearer ${options.apiKey}` }),
      },
      body: JSON.stringify({ query, variables }),
    });
  } catch {
    throw new ApiError('The API could not be reached.', 'UNREACHABLE');
  }
  if (response.status === 401 || response.status === 403) throw new UnauthenticatedError();

  let body: unknown;
  try {
    body = await response.json();
  } catch {
    throw new ApiError(`The API answered HTTP ${response.status} without a GraphQL result.`, 'BAD_RESPONSE', response.status);
  }
  if (typeof body !== 'object' || body === null) throw new ApiError('The API answered with an empty result.', 'EMPTY');
  if ('errors' in body && Array.isArray(body.errors) && body.errors.length > 0) throw toApiError(body.errors);
  if (!('data' in body) || body.data === null || body.data === undefined) throw new ApiError('The API answered without data.', 'EMPTY');
  // The shape is the document's: the server validated the operation against its schema.
  return body.data as T;
}
