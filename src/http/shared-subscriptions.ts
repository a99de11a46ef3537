import type { ExecutionArgs, ExecutionResult } from 'graphql';
import { Repeater, type RepeaterBuffer } from 'graphql-yoga';
import { SUBSCRIBER_BUFFER } from '../pipeline/pubsub.js';

export type SubscriptionResult = AsyncIterable<ExecutionResult> | ExecutionResult;
type SubscribeFn = (args: ExecutionArgs) => SubscriptionResult | Promise<SubscriptionResult>;

interface Subscriber {
  deliver(result: ExecutionResult): void;
  end(error?: unknown): void;
}

interface SharedOperation {
  readonly subscribers: Set<Subscriber>;
  readonly stop: () => void;
}

/**
 * A sliding window over one subscriber's results that counts the results it drops and adds the
 * count to the next result it hands out as `extensions.skipped`: a client that fell behind (it
 * stopped reading its socket, or reads slower than events come) skips to the newest results and
 * learns how many it missed, so it can ask again for what it must not miss. Holds the promises
 * the Repeater pushes.
 */
export class SkippingBuffer implements RepeaterBuffer<Promise<ExecutionResult>> {
  readonly #capacity: number;
  readonly #onSkipped: (count: number) => void;
  readonly #queue: Array<Promise<ExecutionResult>> = [];
  #skipped = 0;

  /** `onSkipped`: told of each drop as it happens (a metric), before the client is. */
  constructor(capacity: number, onSkipped: (count: number) => void = () => {}) {
    this.#capacity = capacity;
    this.#onSkipped = onSkipped;
  }

  get empty(): boolean {
    return this.#queue.length === 0;
  }

  /** Never full: a result past the capacity pushes out the oldest instead of waiting. */
  get full(): boolean {
    return false;
  }

  add(result: Promise<ExecutionResult>): void {
    this.#queue.push(result);
    while (this.#queue.length > this.#capacity) {
      this.#queue.shift();
      this.#skipped += 1;
      this.#onSkipped(1);
    }
  }

  remove(): Promise<ExecutionResult> {
    const next = this.#queue.shift();
    if (next === undefined) throw new Error('SkippingBuffer.remove on an empty buffer');
    const skipped = this.#skipped;
    if (skipped === 0) return next;
    this.#skipped = 0;
    return next.then((result) => ({ ...result, extensions: { ...result.extensions, skipped } }));
  }
}

/**
 * Runs each distinct subscription operation (same document, operation name and variables) once
 * per event and hands the result to every socket that subscribed to it, instead of executing the
 * same selection for each of a thousand dashboards. Each subscriber keeps its own bounded buffer,
 * so a slow socket only skips its own events, and is told how many (SkippingBuffer). Sharing is sound only between callers who may see
 * the same things: the caller's role and panel scope are part of the share key (graphql-server.ts).
 */
export class SharedSubscriptions {
  readonly #shared = new Map<string, SharedOperation>();
  readonly #bufferSize: number;
  readonly #onSkipped: (count: number) => void;

  /**
   * `bufferSize`: how many results one subscriber may fall behind before it skips the oldest;
   * `onSkipped`: told of every result skipped, whoever's (energy_live_events_skipped_total).
   */
  constructor(bufferSize = SUBSCRIBER_BUFFER, onSkipped: (count: number) => void = () => {}) {
    this.#bufferSize = bufferSize;
    this.#onSkipped = onSkipped;
  }

  subscribe(args: ExecutionArgs, shareKey: string, subscribe: SubscribeFn): AsyncIterable<ExecutionResult> {
    return new Repeater<ExecutionResult>(async (push, stop) => {
      const operation = this.#shared.get(shareKey) ?? (await this.#start(args, shareKey, subscribe));
      if (!('subscribers' in operation)) {
        // The operation failed to start (e.g. bad arguments): that result is this subscriber's alone.
        await push(operation);
        stop();
        return;
      }
      const subscriber: Subscriber = { deliver: (result) => void push(result), end: (error) => stop(error) };
      operation.subscribers.add(subscriber);
      await stop;
      operation.subscribers.delete(subscriber);
      if (operation.subscribers.size === 0 && this.#shared.get(shareKey) === operation) {
        this.#shared.delete(shareKey);
        operation.stop();
      }
    }, new SkippingBuffer(this.#bufferSize, this.#onSkipped));
  }

  async #start(args: ExecutionArgs, shareKey: string, subscribe: SubscribeFn): Promise<SharedOperation | ExecutionResult> {
    const upstream = await subscribe(args);
    if (!(Symbol.asyncIterator in upstream)) return upstream;
    // Another subscriber may have started the same operation while we awaited.
    const existing = this.#shared.get(shareKey);
    const iterator = upstream[Symbol.asyncIterator]();
    if (existing) {
      void iterator.return?.();
      return existing;
    }
    const operation: SharedOperation = { subscribers: new Set(), stop: () => void iterator.return?.() };
    this.#shared.set(shareKey, operation);
    void (async () => {
      let failure: unknown;
      try {
        for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
          for (const subscriber of operation.subscribers) subscriber.deliver(next.value);
        }
      } catch (error) {
        failure = error;
      }
      if (this.#shared.get(shareKey) === operation) this.#shared.delete(shareKey);
      for (const subscriber of operation.subscribers) subscriber.end(failure);
    })();
    return operation;
  }
}
