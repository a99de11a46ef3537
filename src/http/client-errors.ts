import { GraphQLError } from 'graphql';
import type { Logger } from '../config/logger.js';
import { EnergyNotReadyError } from '../services/energy/energy-service.js';
import { UserInputError, type ErrorReason } from '../services/user-input-error.js';

/** When a client should ask again for figures still being computed. */
const ENERGY_RETRY_AFTER_S = 2;

/**
 * What a client is told about an error (yoga's `maskedErrors.maskError`): a request it can fix
 * (UserInputError) as BAD_USER_INPUT with its reason, message and details; figures still being computed
 * (EnergyNotReadyError) as SERVICE_UNAVAILABLE, retryable; GraphQL's own errors (validation,
 * coercion, our scalars) as they are; anything else logged here and answered as
 * INTERNAL_SERVER_ERROR with the generic message, so no internals reach the client.
 */
export function maskClientError(logger: Logger): (error: unknown, message: string) => Error {
  return (error, message) => {
    // graphql wraps what a resolver or scalar throws, sometimes twice (a variable that fails
    // a scalar's parseValue is a GraphQLError around the scalar's GraphQLError): look at the
    // innermost cause, not just the first wrapper.
    let cause: unknown = error;
    while (cause instanceof GraphQLError && cause.originalError) cause = cause.originalError;
    const at = error instanceof GraphQLError ? { nodes: error.nodes, path: error.path } : {};
    if (cause instanceof UserInputError) {
      return new GraphQLError(cause.message, { ...at, extensions: { ...cause.details, code: 'BAD_USER_INPUT', reason: cause.reason } });
    }
    // Not the client's fault and not a fault either: the figures are still being computed
    // (start-up, a burst of late readings). Retryable, with a hint of when.
    if (cause instanceof EnergyNotReadyError) {
      return new GraphQLError(cause.message, {
        ...at,
        extensions: {
          code: 'SERVICE_UNAVAILABLE',
          reason: 'ENERGY_NOT_READY' satisfies ErrorReason,
          retryable: true,
          retryAfterSeconds: ENERGY_RETRY_AFTER_S,
        },
      });
    }
    // Raised as a GraphQLError all the way down (validation, coercion, our scalars): meant for the client.
    if (cause instanceof GraphQLError && error instanceof GraphQLError) return error;
    logger.error({ err: cause }, 'internal error while resolving');
    return new GraphQLError(message, { extensions: { code: 'INTERNAL_SERVER_ERROR' } });
  };
}
