import type { ExecutionArgs, ExecutionResult } from 'graphql';
import { Repeater, SlidingBuffer } from 'graphql-yoga';
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
 * Runs each distinct subscription operation (same document, operation name and variables) once
 * per event and hands the result to every socket that subscribed to it, instead of executing the
 * same selection for each of a thousand dashboards. Each subscriber keeps its own bounded buffer,
 * so a slow socket only skips its own events. Sharing is sound only between callers who may see
 * the same things: the caller's role and panel scope are part of the share key (graphql-server.ts).
 */
export class SharedSubscriptions {
  readonly #shared = new Map<string, SharedOperation>();

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
    }, new SlidingBuffer(SUBSCRIBER_BUFFER));
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
