import type { ExecutionResult } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { jsonBytes } from './json-bytes.js';

/**
 * A result as yoga serializes it: `stringify`'s output is handed to `new Response()`, which takes
 * bytes as well as text (shared answers return the bytes they keep, shared-answers.ts).
 */
export type Serializable = ExecutionResult & { stringify?: (result: ExecutionResult) => string | Buffer };

/**
 * yoga writes what a result's `stringify` returns as the response body; this makes that bytes over
 * HTTP (WebSocket messages are framed by graphql-ws, which does not use it). A result serialized
 * as JSON.stringify would (graphql-jit's `stringify` is JSON.stringify) is written by jsonBytes:
 * the same text as UTF-8, without the string in between, which a string body would have had
 * measured (`Buffer.byteLength` flattens it) and copied again by the socket write. A result with a
 * stringifier of its own (a shared answer's kept bytes) keeps it. Where yoga joins results into
 * text instead (a batch), a Buffer reads as its UTF-8 text, so nothing else changes.
 */
export function useByteBodies(): Plugin {
  return {
    onResultProcess({ result }) {
      if (typeof result !== 'object' || result === null || Array.isArray(result) || Symbol.asyncIterator in result) return;
      const serializable = result as Serializable;
      if (serializable.stringify === undefined || serializable.stringify === JSON.stringify) serializable.stringify = jsonBytes;
    },
  };
}
