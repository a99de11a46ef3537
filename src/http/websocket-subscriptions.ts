import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { ErrorReason } from '../services/user-input-error.js';

/**
 * Subscriptions only over the WebSocket (graphql-ws). yoga would also stream them over plain HTTP
 * (POST with `Accept: text/event-stream`), but that path bypasses what keeps live clients within
 * bounds: the connection and per-caller subscription caps, the shared streams with their
 * skipped-events signal, and the revocation watch (ws-adapter.ts, shared-subscriptions.ts). The
 * WebSocket adapter runs operations with the socket in their context; anything else is refused.
 */
export function useWebSocketSubscriptionsOnly(): Plugin {
  return {
    onSubscribe({ args, setResultAndStopExecution }) {
      const context: object = args.contextValue;
      if ('socket' in context && context.socket) return;
      setResultAndStopExecution({
        errors: [
          new GraphQLError('Subscriptions are served over WebSocket only (graphql-ws protocol, ws://…/graphql); this request came over plain HTTP.', {
            extensions: { code: 'BAD_USER_INPUT', reason: 'SUBSCRIPTION_OVER_HTTP' satisfies ErrorReason, http: { status: 400 } },
          }),
        ],
      });
    },
  };
}
