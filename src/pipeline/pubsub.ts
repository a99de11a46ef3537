import type { PanelStatusChange } from '../models/panel-status.js';
import type { Reading } from '../models/reading.js';

/**
 * Every in-process event and its payload. Readings are published only after they are durably
 * stored, so a live subscriber never sees a reading the store does not hold.
 */
export interface PubSubTopics {
  [key: string]: [] | [unknown] | [number | string, unknown];
  /** Every stored reading, of all panels. */
  readingStored: [reading: Reading];
  /** Stored readings routed by panel id, so a filtered subscriber wakes only for its panel. */
  panelReadingStored: [panelId: string, reading: Reading];
  statusChanged: [change: PanelStatusChange];
  panelStatusChanged: [panelId: string, change: PanelStatusChange];
}

type Topic = Extract<keyof PubSubTopics, string>;
type Payload<K extends Topic> = PubSubTopics[K] extends [string | number, infer P] ? P : PubSubTopics[K][0];
type SubscribeArgs<K extends Topic> = PubSubTopics[K] extends [string | number, unknown] ? [K, string] : [K];

/**
 * How many events one subscriber may fall behind before it skips to the newest. A sliding window
 * per subscriber drops the oldest, so a stalled dashboard shows fresh data and never holds up the
 * ingester or anyone else. Large enough that a live client on a busy server misses nothing in a
 * burst (a meter gateway replaying its backlog, several processes' readings arriving together): a
 * window holds references to shared readings, 32 KB per subscriber.
 */
export const SUBSCRIBER_BUFFER = 4_096;

export interface AppPubSub {
  publish<K extends Topic>(topic: K, ...args: PubSubTopics[K]): void;
  subscribe<K extends Topic>(...args: SubscribeArgs<K>): AsyncIterableIterator<Payload<K>>;
}

/**
 * The in-process event bus: a set of subscribers per topic (or topic and id), each with its own
 * bounded sliding window. Publishing is synchronous and costs one array push per subscriber.
 *
 * Not graphql-yoga's createPubSub: it dispatched a CustomEvent through an EventTarget into a
 * Repeater per subscriber (no bound: RepeaterOverflowError past 1,024 pending events), which we
 * drained into a second Repeater with a SlidingBuffer; each event made about a dozen promises per
 * subscriber, the most expensive step of ingestion after validation (profiled, issue 27).
 */
export function createAppPubSub(bufferSize = SUBSCRIBER_BUFFER): AppPubSub {
  const topics = new Map<string, Set<Subscription<unknown>>>();
  return {
    publish: (topic, ...args) => {
      const routed = args.length === 2;
      const subscribers = topics.get(routed ? routeKey(topic, args[0]) : topic);
      if (subscribers === undefined) return;
      const payload = routed ? args[1] : args[0];
      for (const subscriber of subscribers) subscriber.push(payload);
    },
    subscribe<K extends Topic>(...args: SubscribeArgs<K>): AsyncIterableIterator<Payload<K>> {
      const [topic, id] = args as [K, string | undefined];
      const key = id === undefined ? topic : routeKey(topic, id);
      return new Subscription<Payload<K>>(bufferSize, {
        add: (subscription) => {
          let subscribers = topics.get(key);
          if (subscribers === undefined) topics.set(key, (subscribers = new Set()));
          subscribers.add(subscription as Subscription<unknown>);
        },
        remove: (subscription) => {
          const subscribers = topics.get(key);
          if (subscribers?.delete(subscription as Subscription<unknown>) && subscribers.size === 0) topics.delete(key);
        },
      });
    },
  };
}

function routeKey(topic: string, id: unknown): string {
  return `${topic}\u0000${String(id)}`;
}

interface Registry<T> {
  add(subscription: Subscription<T>): void;
  remove(subscription: Subscription<T>): void;
}

const DONE: IteratorReturnResult<undefined> = Object.freeze({ value: undefined, done: true });

/**
 * One subscriber's events, oldest first, at most `size` of them. It joins its topic on the first
 * next() (as a Repeater starts its executor), so a caller can subscribe, ask for the first event
 * and only then read the current state, and no event falls between the two; return() leaves.
 */
class Subscription<T> implements AsyncIterableIterator<T> {
  readonly #size: number;
  readonly #registry: Registry<T>;
  #events: T[] = [];
  #head = 0;
  /** Readers waiting for an event, oldest first (for-await and graphql-js keep one at a time). */
  #waiting: Array<(result: IteratorResult<T>) => void> = [];
  #state: 'new' | 'open' | 'closed' = 'new';

  constructor(size: number, registry: Registry<T>) {
    this.#size = size;
    this.#registry = registry;
  }

  push(event: T): void {
    if (this.#waiting.length > 0) {
      this.#waiting.shift()!({ value: event, done: false });
      return;
    }
    this.#events.push(event);
    // Full: the oldest goes (a sliding window).
    if (this.#events.length - this.#head > this.#size) this.#events[this.#head++] = undefined as T;
    if (this.#head >= 1_024 && this.#head * 2 >= this.#events.length) {
      this.#events = this.#events.slice(this.#head);
      this.#head = 0;
    }
  }

  next(): Promise<IteratorResult<T>> {
    if (this.#state === 'new') {
      this.#state = 'open';
      this.#registry.add(this);
    }
    if (this.#head < this.#events.length) {
      const value = this.#events[this.#head]!;
      this.#events[this.#head++] = undefined as T;
      if (this.#head === this.#events.length) {
        this.#events = [];
        this.#head = 0;
      }
      return Promise.resolve({ value, done: false });
    }
    if (this.#state === 'closed') return Promise.resolve(DONE);
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  return(): Promise<IteratorResult<T>> {
    this.#close();
    return Promise.resolve(DONE);
  }

  throw(error?: unknown): Promise<IteratorResult<T>> {
    this.#close();
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  #close(): void {
    if (this.#state === 'closed') return;
    if (this.#state === 'open') this.#registry.remove(this);
    this.#state = 'closed';
    this.#events = [];
    this.#head = 0;
    for (const waiting of this.#waiting.splice(0)) waiting(DONE);
  }
}
