import type { ExecutionResult } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { jsonBytes } from './json-bytes.js';

/**
 * Text from another stringifier (not JSON.stringify) is written as UTF-8 bytes from this many
 * characters on. A string body is measured (`Buffer.byteLength`, which flattens a string built in
 * parts) and then copied again by the socket write; bytes are written as they are. Below this the
 * socket takes a string in one step without a copy on the heap.
 */
export const BYTE_BODY_CHARS = 16 * 1024;

/**
 * A result as yoga serializes it: `stringify`'s output is handed to `new Response()`, which takes
 * bytes as well as text (shared answers return the bytes they keep, shared-answers.ts).
 */
export type Serializable = ExecutionResult & { stringify?: (result: ExecutionResult) => string | Buffer };

/**
 * yoga writes what a result's `stringify` returns as the response body; this makes that bytes over
 * HTTP (WebSocket messages are framed by graphql-ws, which does not use it). A result serialized
 * as JSON.stringify would (graphql-jit's `stringify` is JSON.stringify) is written as bytes by
 * jsonBytes, the same text without the string in between; another stringifier's text (a shared
 * answer's) from BYTE_BODY_CHARS on. Where yoga joins results into text instead (a batch), a
 * Buffer reads as its UTF-8 text, so nothing else changes.
 */
export function useByteBodies(): Plugin {
  return {
    onResultProcess({ result }) {
      if (typeof result !== 'object' || result === null || Array.isArray(result) || Symbol.asyncIterator in result) return;
      const serializable = result as Serializable;
      const inner = serializable.stringify;
      serializable.stringify =
        inner === undefined || inner === JSON.stringify
          ? jsonBytes
          : (r) => {
              const body = inner(r);
              return typeof body === 'string' && body.length >= BYTE_BODY_CHARS ? Buffer.from(body) : body;
            };
    },
  };
}
