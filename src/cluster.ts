import type { Config } from './config/config.js';
import type { Logger } from './config/logger.js';
import type { Core } from './core.js';
import type { Reading } from './models/reading.js';
import { AppliedReadings, createAfterRemoteWrite, publishReading, type AfterWriteDeps } from './pipeline/after-write.js';
import type { AppPubSub } from './pipeline/pubsub.js';
import { ReadingOrder } from './pipeline/reading-order.js';
import type { Metrics } from './config/metrics.js';
import type { RecentReadings } from './store/influx/recent-readings.js';
import type { Stores } from './store/open-stores.js';
import { SessionAdoptions } from './transports/session-adoptions.js';
import { ADOPT_MAX_MS, externalBroker, sharedGroupGoneTopic, type ExternalBroker, type Ingestion } from './transports/start-ingestion.js';
import { startStoredFeed, type StoredFeed } from './transports/stored-feed.js';

/** How often the admin record is re-read in case a notice was missed: a key revoked elsewhere closes its sockets here within 15 s. */
const ADMIN_RECORD_POLL_MS = 10_000;
/**
 * A won claim on a gone member's session that brought no "done" within this time is claimed again
 * (its adopter could not end the session, e.g. InfluxDB away): longer than an adoption may take
 * (ADOPT_MAX_MS, plus the pause after the claim and the connection), so a running one is not cut.
 * An adopter that goes away itself is noticed sooner, by its own Will.
 */
const CLAIM_EXPIRES_AFTER_MS = ADOPT_MAX_MS + 60_000;

/**
 * What one process of several does beyond what a single process does (docs/several-processes.md),
 * in one place. With MQTT_SHARED_GROUP over one InfluxDB:
 * - the stored-readings feed (`<MQTT_FEED_TOPIC>/#`) tells every other process what this one stored
 *   and which admin changes it made; readings heard there go through the same after-write steps
 *   (made queryable first in the in-memory overlay, until InfluxDB has them), once each
 *   (AppliedReadings), and reach live subscribers in time order per panel (ReadingOrder);
 * - a reading is acknowledged to the broker only once InfluxDB confirmed it and its announcement is
 *   out, so a member that disappears for good takes nothing acknowledged with it;
 * - a member that went away (its Will on the feed) has its broker session adopted by exactly one
 *   of the others (SessionClaims decide who, SessionAdoptions adopt), claimed again if that one
 *   goes away too or cannot end the session;
 * - the admin record is re-read on a notice and every ADMIN_RECORD_POLL_MS.
 * The order matters and is kept here: the feed connects before ingestion starts and closes after
 * it, so readings stored at start-up and while leaving are announced like any other.
 */
export class ClusterMember {
  readonly #config: Config;
  readonly #stores: Stores;
  readonly #recent: RecentReadings;
  readonly #broker: ExternalBroker;
  readonly #logger: Logger;
  readonly #applied = new AppliedReadings();
  #feed: StoredFeed | null = null;
  #adoptions: SessionAdoptions | null = null;
  /** Gone notices the feed's session kept while this process was away arrive before ingestion exists. */
  readonly #goneBeforeIngestion: string[] = [];
  readonly #stops: Array<() => Promise<void> | void> = [];

  /** This process's part of a cluster, or null when it runs alone (MQTT_SHARED_GROUP without InfluxDB is warned about). */
  static plan(config: Config, stores: Stores, logger: Logger): ClusterMember | null {
    const broker = externalBroker(config.mqtt);
    if (config.mqtt.sharedGroup === undefined) return null;
    if (!broker || stores.recent === null) {
      logger.warn('MQTT_SHARED_GROUP without InfluxDB: each process has its own store, and answers only for the readings it received');
      return null;
    }
    return new ClusterMember(config, stores, stores.recent, broker, logger);
  }

  private constructor(config: Config, stores: Stores, recent: RecentReadings, broker: ExternalBroker, logger: Logger) {
    this.#config = config;
    this.#stores = stores;
    this.#recent = recent;
    this.#broker = broker;
    this.#logger = logger;
  }

  /** The after-write pipeline's cluster part: applied once, announced on the feed, delivered in time order. */
  pipeline(parts: { readonly pubsub: AppPubSub; readonly metrics: Metrics }): NonNullable<AfterWriteDeps['cluster']> {
    const logger = this.#logger;
    return {
      applied: this.#applied,
      // The feed is connected before ingestion starts (join), so every stored reading is announced.
      announce: (readings: readonly Reading[]) => this.#feed?.publishReadings(readings),
      order: new ReadingOrder({
        holdMs: this.#config.mqtt.feedOrderHoldMs,
        release: (reading) => {
          try {
            publishReading(parts.pubsub, reading);
          } catch (error) {
            logger.error({ err: error, panelId: reading.panelId, time: reading.time }, 'publishing a stored reading to live subscribers failed');
          }
        },
        late: (reading) => {
          parts.metrics.liveReadingsLate.inc();
          logger.debug({ panelId: reading.panelId, time: reading.time }, 'a reading reached live subscribers after a newer one of its panel');
        },
      }),
    };
  }

  /** Connects the stored-readings feed: call before ingestion starts. */
  async join(core: Core, clientId: string): Promise<void> {
    const { settings } = core;
    const afterRemoteWrite = createAfterRemoteWrite(core.pipeline, (readings) => this.#recent.add(readings));
    const syncSettings = (why: string) =>
      void settings.sync().catch((error: unknown) => this.#logger.warn({ err: error, why }, 'could not re-read the admin record; retrying at the next poll'));
    const feed = await startStoredFeed({
      ...this.#broker,
      topic: this.#config.mqtt.feedTopic,
      clientId: `${clientId}-feed`,
      memberId: clientId,
      claimExpiresAfterMs: CLAIM_EXPIRES_AFTER_MS,
      // A panel retired here stays out, as the ingester keeps it out (the other may not have re-read
      // the record yet), and so does a panel beyond MAX_PANELS or with an invalid id.
      onReadings: (readings) => afterRemoteWrite(readings),
      admission: core.admission,
      onAdminChange: () => syncSettings('admin notice'),
      goneTopic: sharedGroupGoneTopic(this.#config.mqtt.feedTopic),
      onMemberGone: (gone) => (this.#adoptions ? this.#adoptions.take(gone) : this.#goneBeforeIngestion.push(gone)),
      logger: this.#logger.child({ component: 'feed' }),
    });
    this.#stops.push(() => feed.stop());
    this.#feed = feed;
    settings.setRecordedHandler(() => feed.publishAdminChange());
    // A notice can be missed (broker restart, session expired): re-read the record now and then too.
    const poll = setInterval(() => syncSettings('poll'), ADMIN_RECORD_POLL_MS);
    poll.unref();
    this.#stops.push(() => clearInterval(poll));
  }

  /**
   * What an acknowledgement to the broker waits for: InfluxDB's confirmation of the write and the
   * reading's announcement on the feed.
   */
  acknowledgeWhen(): Promise<void> | undefined {
    const waits = [this.#stores.forwarded(), this.#feed?.announced()].filter((wait): wait is Promise<void> => wait !== undefined);
    return waits.length === 0 ? undefined : Promise.all(waits).then(() => undefined);
  }

  /**
   * Ingestion has started: from now on a gone member's session can be adopted. Returns the stop of
   * adoptions, to run before ingestion stops (an adoption uses it).
   */
  adoptWith(ingestion: Ingestion, ownClientId: string): () => Promise<void> {
    const adoptions = new SessionAdoptions({ own: ownClientId, adopt: ingestion.adopt, ended: (gone) => this.#feed?.sessionEnded(gone), logger: this.#logger });
    this.#adoptions = adoptions;
    for (const gone of this.#goneBeforeIngestion.splice(0)) adoptions.take(gone);
    return async () => {
      this.#adoptions = null;
      await adoptions.stop();
    };
  }

  /** /ready's cluster part (codes only): messages waiting for InfluxDB, and the feed; false when not ready. */
  readiness(details: Record<string, string | number | boolean | null>, ingestion: Ingestion): boolean {
    const { messages, oldestSince } = ingestion.unacknowledged();
    details.unacknowledged = messages;
    details.oldestUnacknowledgedAgeSeconds = oldestSince === null ? null : (Date.now() - oldestSince.getTime()) / 1000;
    // Without the feed this process's live subscribers would miss the others' readings.
    details.feedConnected = this.#feed?.isConnected() ?? false;
    return details.feedConnected;
  }

  /** Stops the poll and the feed: call after ingestion stopped, so its last readings are announced. */
  async leave(): Promise<void> {
    for (const step of this.#stops.splice(0).reverse()) await step();
  }
}
