import { join } from 'node:path';
import type { Config } from '../../config/config.js';
import type { Logger } from '../../config/logger.js';
import type { ChannelConfig } from '../../models/alarm.js';
import { OTHER_PANELS, type RejectionStats } from '../../ingest/rejection-stats.js';
import type { AppPubSub } from '../../pipeline/pubsub.js';
import type { AlarmLog } from '../../store/alarms/alarm-log.js';
import { InfluxAlarmLog } from '../../store/alarms/influx-alarm-log.js';
import { SqliteAlarmStore } from '../../store/alarms/sqlite-alarm-store.js';
import type { ReadingStore } from '../../store/reading-store.js';
import type { LocalTime } from '../../time/local-time.js';
import type { EnergyService } from '../energy/energy-service.js';
import type { SiteSettings } from '../site-settings.js';
import { AlarmService } from './alarm-service.js';
import { Notifier, retryDelays } from './notifier.js';

/** Channels from the configuration (ALARM_WEBHOOK_URL, ALARM_EMAIL_TO): every alarm, no reminders. */
export const CONFIGURED_WEBHOOK = 'config-webhook';
export const CONFIGURED_EMAIL = 'config-email';

export interface AlarmsDeps {
  readonly config: Config;
  readonly store: ReadingStore;
  readonly settings: SiteSettings;
  readonly energy: EnergyService;
  readonly time: LocalTime;
  readonly pubsub: AppPubSub;
  /** The panels the building's figures add up. */
  readonly buildingPanels: () => readonly string[];
  /** Readings refused by this process (METER_DATA). */
  readonly rejections?: RejectionStats;
  readonly logger: Logger;
}

/** The alarm parts of a running app: the rules and lifecycle, the notifier, their stores. */
export interface Alarms {
  readonly service: AlarmService;
  readonly notifier: Notifier;
  readonly outbox: SqliteAlarmStore;
  readonly log: AlarmLog;
  /** Channels from the configuration (not changeable through the API). */
  readonly configuredChannels: readonly ChannelConfig[];
  /** Puts a channel's secret in the store (write-only), returning its id. */
  putSecret(channelId: string, value: string): Promise<string>;
  /** After the energy ledger has loaded: the alarm log, then the last readings of each panel. */
  load(panelIds: readonly string[], statusOf: (panelId: string) => { status: 'ONLINE' | 'OFFLINE'; latest: Date | null }): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Wires alarms (docs/alarms.md): the alarm log in the store of record (InfluxDB's admin bucket, or
 * `alarms.sqlite` embedded), this process's outbox in `alarms.sqlite`, PANEL_OFFLINE from the
 * status monitor's announcements, and the notifier.
 */
export function createAlarms(deps: AlarmsDeps): Alarms {
  const { config, logger } = deps;
  const outbox = new SqliteAlarmStore(join(config.store.dataDir, 'alarms.sqlite'));
  const influx = config.store.influx;
  const log: AlarmLog = influx ? new InfluxAlarmLog({ ...influx, bucket: influx.adminBucket }) : outbox;
  const { configuredChannels, configSecrets } = channelsOf(config);

  const service = new AlarmService({
    log,
    store: deps.store,
    time: deps.time,
    countingRule: config.site.countingRule,
    offlineAfterMs: config.site.offlineAfterMs,
    replayMs: config.alarms.replayMs,
    records: () => deps.settings.records,
    record: (actor, change) => deps.settings.record(actor, change),
    buildingPanels: deps.buildingPanels,
    monthToDate: (panelIds, year, month) => {
      const amount = deps.energy.monthAmount(panelIds, year, month);
      return { kwh: amount.kwh, rupiah: amount.cost };
    },
    connectedKva: (day) => deps.settings.state.tariffs.versionOn(day).plan.minimumBill?.connectedKva ?? null,
    configuredChannels,
    rejectionsByPanel: () => {
      const counts = new Map<string, number>();
      for (const bucket of deps.rejections?.list() ?? []) {
        if (bucket.panelId === null || bucket.panelId === OTHER_PANELS) continue;
        counts.set(bucket.panelId, (counts.get(bucket.panelId) ?? 0) + bucket.count);
      }
      return counts;
    },
    maxClockSkewMs: config.site.maxClockSkewMs,
    logger: logger.child({ component: 'alarms' }),
  });
  // Refused readings are judged every minute (wall clock: they have no trustworthy meter time).
  let arrivals: NodeJS.Timeout | null = null;
  const secrets: AlarmLog = {
    append: (entries) => log.append(entries),
    all: () => log.all(),
    putSecret: (id, value) => log.putSecret(id, value),
    secret: async (id) => configSecrets.get(id) ?? (await log.secret(id)),
  };
  const notifier = new Notifier({
    alarms: service,
    outbox,
    secrets,
    retryDelaysMs: retryDelays(config.alarms.retry.firstMs, config.alarms.retry.maxMs, config.alarms.retry.forMs),
    minIntervalMs: config.alarms.notifyMinIntervalMs,
    smtp: config.alarms.smtp,
    logger: logger.child({ component: 'notifier' }),
  });

  const statuses = followStatuses(deps.pubsub, service, logger);

  return {
    service,
    notifier,
    outbox,
    log,
    configuredChannels,
    async putSecret(channelId, value) {
      const id = `${channelId}-${Date.now().toString(36)}`;
      await log.putSecret(id, value);
      return id;
    },
    async load(panelIds, statusOf) {
      await service.load(panelIds, statusOf);
      notifier.start();
      arrivals ??= setInterval(() => service.checkArrivals(Date.now()), 60_000);
      arrivals.unref();
    },
    async stop() {
      if (arrivals) clearInterval(arrivals);
      await statuses.return?.();
      await notifier.stop();
      await service.stop();
      outbox.close();
    },
  };
}

/** The channels of ALARM_WEBHOOK_URL and ALARM_EMAIL_TO (every alarm, no reminders), and the webhook's secret. */
function channelsOf(config: Config): { configuredChannels: ChannelConfig[]; configSecrets: Map<string, string> } {
  const all = { severities: [], types: [], panelIds: [], sendAcknowledged: false, reminderMinutes: 0, reminderSeverities: [] };
  const configuredChannels: ChannelConfig[] = [];
  const configSecrets = new Map<string, string>();
  if (config.alarms.webhook) {
    configuredChannels.push({ ...all, channelId: CONFIGURED_WEBHOOK, enabled: true, channel: 'WEBHOOK', target: config.alarms.webhook.url, secretId: config.alarms.webhook.secret === null ? null : CONFIGURED_WEBHOOK });
    if (config.alarms.webhook.secret !== null) configSecrets.set(CONFIGURED_WEBHOOK, config.alarms.webhook.secret);
  }
  if (config.alarms.emailTo) configuredChannels.push({ ...all, channelId: CONFIGURED_EMAIL, enabled: true, channel: 'EMAIL', target: config.alarms.emailTo, secretId: null });
  return { configuredChannels, configSecrets };
}

/**
 * PANEL_OFFLINE follows the status monitor: every process announces the same changes at the same
 * (meter-derived) instants. Returns the subscription, ended at stop.
 */
function followStatuses(pubsub: AppPubSub, service: AlarmService, logger: Logger) {
  const statuses = pubsub.subscribe('statusChanged');
  void (async () => {
    for await (const change of statuses) {
      try {
        service.applyStatus(change);
      } catch (error) {
        logger.error({ err: error, panelId: change.panelId }, 'PANEL_OFFLINE rule failed');
      }
    }
  })();
  return statuses;
}
