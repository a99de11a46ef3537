/**
 * Why the page got no answer when the API itself did not say (the page words these in the chosen
 * language): no connection, an HTTP answer without a GraphQL result, a result without data.
 */
export const CLIENT_ERROR_CODES = ['UNREACHABLE', 'BAD_RESPONSE', 'EMPTY'] as const;

/**
 * An operation the API answered with an error; `code` is its `extensions.code` when it has one,
 * or one of CLIENT_ERROR_CODES. The message is English (the API's own, or the page's for a log).
 */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly code?: string,
    /** The HTTP status of a BAD_RESPONSE. */
    readonly status?: number,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** The API refused the request for want of a valid API key (HTTP 401/403, WebSocket close 4403). */
export class UnauthenticatedError extends ApiError {
  constructor(message = 'The API asks for an API key.') {
    super(message, 'UNAUTHENTICATED');
    this.name = 'UnauthenticatedError';
  }
}

/** `{ message, extensions: { code } }` as GraphQL servers send them; anything else yields a generic message. */
export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (Array.isArray(error)) return toApiError(error[0]);
  if (error instanceof Error) return new ApiError(error.message);
  if (typeof error === 'object' && error !== null && 'message' in error && typeof error.message === 'string') {
    const extensions = 'extensions' in error ? error.extensions : undefined;
    const code =
      typeof extensions === 'object' && extensions !== null && 'code' in extensions && typeof extensions.code === 'string'
        ? extensions.code
        : undefined;
    return code === 'UNAUTHENTICATED' ? new UnauthenticatedError(error.message) : new ApiError(error.message, code);
  }
  return new ApiError('The API could not be reached.', 'UNREACHABLE');
}
