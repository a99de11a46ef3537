import { getOperationAST, type DocumentNode, type ExecutionArgs, type ExecutionResult } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Metrics } from '../config/metrics.js';
import { cardFieldCoordinates, selectsCardFieldsOnly } from '../graphql/card-fields.js';
import type { Context } from '../graphql/context.js';
import type { PanelScope } from '../models/viewer.js';
import type { CardsStamp } from '../services/panel-service.js';
import type { Serializable } from './byte-bodies.js';

/**
 * Bytes of answer bodies kept in all. The 1,000-panel dashboard is 0.36 MB; a client sending many
 * distinct card-only documents can fill this and no more, the oldest answers going first.
 */
export const SHARED_ANSWER_BYTES = 16 * 1024 * 1024;

/** What shared answers need of the services: the panel cards' stamp (PanelService). */
export interface CardsState {
  cardsStamp(): CardsStamp;
  cardsStampHolds(stamp: CardsStamp): boolean;
}

export interface SharedAnswer {
  readonly stamp: CardsStamp;
  /** The response's JSON as the first caller got it, encoded (UTF-8) once for every caller after. */
  readonly body: Buffer;
}

/** A shared result: its body is the bytes kept, written as they are (byte-bodies.ts). */
type SharedResult = Serializable & { stringify: () => Buffer };

/**
 * One answer for every caller of the same panel-card operation while nothing it shows has changed.
 *
 * A dashboard of 1,000 panels is 20,000 fields and 360 KB of JSON; each open dashboard asks it
 * again and again, and between two readings the answer is the same. An operation that selects only
 * card fields (graphql/card-fields.ts) is answered from the text of the last answer to it when
 * the panel cards' stamp still holds: no reading, status change, ledger change or admin change
 * since, and the clock has not reached the next OFFLINE deadline or midnight. Anything that could
 * make a fresh answer differ makes a fresh answer.
 *
 * - Per role and panel scope: callers who see other panels, or have another role, never share.
 * - Only answers without errors, and only when the stamp did not change while the answer was made
 *   (an answer made across a reading is answered, not kept).
 * - Before the cost limits: a shared answer costs no execution, so it holds none of the budget.
 * - The body is kept, not the result: over HTTP it is written as is; over WebSocket `data` is
 *   parsed from it when read. At most SHARED_ANSWER_BYTES in all, oldest out first.
 */
export function useSharedAnswers(options: { cards: CardsState; metrics: Metrics }): Plugin {
  const { cards, metrics } = options;
  const shareable = new WeakMap<DocumentNode, Map<string, boolean>>();
  const answers = new KeptAnswers(SHARED_ANSWER_BYTES);
  const scopeKeys = new WeakMap<ReadonlySet<string>, string>();
  // Documents by identity (yoga parses a query text once and keeps the document): a number each.
  const documentIds = new WeakMap<DocumentNode, number>();
  let nextDocumentId = 0;
  const documentId = (document: DocumentNode): number => {
    let id = documentIds.get(document);
    if (id === undefined) documentIds.set(document, (id = nextDocumentId++));
    return id;
  };

  const isShareable = (args: ExecutionArgs): boolean => {
    let byName = shareable.get(args.document);
    if (byName === undefined) shareable.set(args.document, (byName = new Map()));
    const name = args.operationName ?? '';
    let verdict = byName.get(name);
    if (verdict !== undefined) return verdict;
    const operation = getOperationAST(args.document, args.operationName);
    // A name the document does not hold fails in execution; not remembered, so made-up names cannot grow this.
    if (operation == null) return false;
    verdict = selectsCardFieldsOnly(args.schema, args.document, operation);
    byName.set(name, verdict);
    return verdict;
  };

  const scopeKey = (scope: PanelScope): string => {
    if (scope === null) return '*';
    let key = scopeKeys.get(scope);
    if (key === undefined) scopeKeys.set(scope, (key = [...scope].sort().join('\u0000')));
    return key;
  };

  return {
    onSchemaChange({ schema }) {
      // The list of card fields must name the schema's fields (checked once, at start).
      cardFieldCoordinates(schema);
    },
    onExecute({ args, setResultAndStopExecution }) {
      if (!isShareable(args)) return undefined;
      const { viewer } = args.contextValue as unknown as Context;
      // A caller with no role gets an error, never an answer: nothing to share.
      if (viewer.role === null) return undefined;
      const key = `${documentId(args.document)}\u0000${args.operationName ?? ''}\u0000${viewer.role}\u0000${scopeKey(viewer.panels)}`;
      const answer = answers.get(key);
      if (answer !== undefined && cards.cardsStampHolds(answer.stamp)) {
        metrics.sharedAnswers.inc({ outcome: 'shared' });
        setResultAndStopExecution(sharedResult(answer.body));
        return undefined;
      }
      metrics.sharedAnswers.inc({ outcome: 'executed' });
      const stamp = cards.cardsStamp();
      return {
        onExecuteDone({ result, setResult }) {
          if (!isPlainResult(result) || result.errors !== undefined || result.extensions !== undefined) return;
          // Changed while it was made (it awaited a settling ledger, say): right for this caller, not kept.
          if (!cards.cardsStampHolds(stamp)) return;
          const body = Buffer.from((result.stringify ?? JSON.stringify)(result));
          answers.set(key, { stamp, body });
          setResult(sharedResult(body, result.data));
        },
      };
    },
  };
}

/** Answers by key, oldest first out once their bodies exceed `maxBytes` in all. */
export class KeptAnswers {
  readonly #byKey = new Map<string, SharedAnswer>();
  #bytes = 0;

  constructor(private readonly maxBytes: number) {}

  get(key: string): SharedAnswer | undefined {
    return this.#byKey.get(key);
  }

  set(key: string, answer: SharedAnswer): void {
    this.#drop(key);
    if (answer.body.length > this.maxBytes) return;
    this.#byKey.set(key, answer);
    this.#bytes += answer.body.length;
    while (this.#bytes > this.maxBytes) this.#drop(this.#byKey.keys().next().value!);
  }

  #drop(key: string): void {
    const old = this.#byKey.get(key);
    if (old === undefined) return;
    this.#byKey.delete(key);
    this.#bytes -= old.body.length;
  }
}

function isPlainResult(result: unknown): result is Serializable {
  return typeof result === 'object' && result !== null && !(Symbol.asyncIterator in result);
}

/** A result whose HTTP body is `body` (yoga uses `stringify`), with `data` for readers that want the object. */
function sharedResult(body: Buffer, data?: ExecutionResult['data']): SharedResult {
  let parsed = data;
  return {
    get data() {
      return (parsed ??= (JSON.parse(body.toString('utf8')) as ExecutionResult).data);
    },
    stringify: () => body,
  };
}
