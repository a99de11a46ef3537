import { createPubSub, Repeater, SlidingBuffer } from 'graphql-yoga';
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
 * How many events one subscriber may fall behind before it skips to the newest. yoga's pubsub
 * throws RepeaterOverflowError past 1,024 pending events and ends the subscription; a sliding
 * window per subscriber instead drops the oldest, so a stalled dashboard shows fresh data and
 * never holds up the ingester or anyone else. Large enough that a live client on a busy server
 * misses nothing in a burst (a meter gateway replaying its backlog, several processes' readings
 * arriving together): a window holds references to shared readings, 32 KB per subscriber.
 */
export const SUBSCRIBER_BUFFER = 4_096;

export interface AppPubSub {
  publish<K extends Topic>(topic: K, ...args: PubSubTopics[K]): void;
  subscribe<K extends Topic>(...args: SubscribeArgs<K>): AsyncIterableIterator<Payload<K>>;
}

export function createAppPubSub(bufferSize = SUBSCRIBER_BUFFER): AppPubSub {
  const bus = createPubSub<PubSubTopics>();
  return {
    publish: (topic, ...args) => bus.publish(topic, ...args),
    subscribe<K extends Topic>(...args: SubscribeArgs<K>) {
      // yoga's per-subscriber repeater is drained at once into a bounded sliding buffer (yoga
      // accepts one buffer instance for all subscribers, which would mix their events).
      const source = (bus.subscribe as (...a: unknown[]) => AsyncIterableIterator<Payload<K>>)(...args);
      return new Repeater<Payload<K>>(async (push, stop) => {
        void stop.then(() => source.return?.());
        for await (const event of source) await push(event);
      }, new SlidingBuffer(bufferSize));
    },
  };
}
