import { join } from 'node:path';
import { silentLogger } from '../../src/config/logger.js';
import type { RejectionStats } from '../../src/ingest/rejection-stats.js';
import type { Reading } from '../../src/models/reading.js';
import { tariffPlanSchema } from '../../src/models/tariff-plan.js';
import { AlarmService, type AlarmTransition } from '../../src/services/alarms/alarm-service.js';
import { SiteSettings } from '../../src/services/site-settings.js';
import { SqliteAlarmStore } from '../../src/store/alarms/sqlite-alarm-store.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { LocalTime } from '../../src/time/local-time.js';
import type { Disposer } from '../support/disposer.js';
import { DEFAULT_RULE } from '../support/energy-harness.js';
import { makeReading, type ReadingOverrides } from '../support/readings.js';

export const PANEL = 'PANEL_A';
export const T0 = Date.parse('2026-03-02T01:00:00Z');
export const MINUTE = 60_000;

/**
 * The alarm service over real stores in a directory (SQLite readings and admin record, the alarm
 * store), fed as the after-write pipeline feeds it: each reading stored, then applied. A second
 * `open` on the same directory is a restart.
 */
export interface AlarmRig {
  readonly service: AlarmService;
  readonly settings: SiteSettings;
  readonly store: SqliteStore;
  readonly transitions: AlarmTransition[];
  /** Stores and applies readings in the order given. */
  feed(readings: readonly Reading[], local?: boolean): void;
  close(): Promise<void>;
}

export interface RigOptions {
  readonly monthToDate?: (ids: readonly string[]) => { kwh: number; rupiah: number };
  readonly now?: () => number;
  readonly rejections?: RejectionStats;
  readonly maxClockSkewMs?: number;
  /** The panels the building adds up (default: PANEL). */
  readonly buildingPanels?: readonly string[];
  /** The tariff's connected kVA on a day number (default: none). */
  readonly connectedKva?: (day: number) => number | null;
}

export async function openRig(cleanup: Disposer, dir: string, options: RigOptions = {}): Promise<AlarmRig> {
  const store = new SqliteStore({ file: join(dir, 'readings.sqlite') });
  const alarmStore = new SqliteAlarmStore(join(dir, 'alarms.sqlite'));
  const time = new LocalTime('Asia/Jakarta');
  const settings = new SiteSettings({ log: store.admin, time, configuredPlan: tariffPlanSchema.parse({ pricing: { kind: 'flat', ratePerKwh: 1500 } }), logger: silentLogger });
  await settings.load();
  const service = new AlarmService({
    log: alarmStore,
    store,
    time,
    countingRule: DEFAULT_RULE,
    offlineAfterMs: 5 * MINUTE,
    replayMs: 2 * 60 * MINUTE,
    records: () => settings.records,
    record: (actor, change) => settings.record(actor, change),
    buildingPanels: () => options.buildingPanels ?? [PANEL],
    monthToDate: options.monthToDate ?? (() => ({ kwh: 0, rupiah: 0 })),
    connectedKva: options.connectedKva ?? (() => null),
    logger: silentLogger,
    now: options.now,
    maxClockSkewMs: options.maxClockSkewMs,
    rejectionsByPanel: () => new Map((options.rejections?.list() ?? []).flatMap((b) => (b.panelId === null ? [] : [[b.panelId, b.count] as const]))),
  });
  settings.setChangeHandler(() => service.settingsChanged());
  const transitions: AlarmTransition[] = [];
  service.onTransition((transition) => transitions.push(transition));
  const panels = (await store.panels()).map((panel) => panel.id);
  await service.load(panels, () => ({ status: 'ONLINE', latest: null }));
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await service.stop();
    alarmStore.close();
    await store.close();
  };
  cleanup.add(close);
  return {
    service,
    settings,
    store,
    transitions,
    feed(readings, local = true) {
      for (const reading of readings) {
        store.writeBatchSync([reading]);
        service.applyReading(reading, local);
      }
    },
    close,
  };
}

/** One reading a minute from `start`, with overrides per index; the counter rises 0.1 kWh a minute. */
export function minutes(start: number, count: number, overrides: (i: number) => ReadingOverrides = () => ({}), panelId = PANEL): Reading[] {
  return Array.from({ length: count }, (_, i) => makeReading(panelId, new Date(start + i * MINUTE), 100 + ((start - T0) / MINUTE + i) * 0.1, 6, overrides(i)));
}

/** Phase voltages all at `v`. */
export function volts(v: number): ReadingOverrides {
  return { voltage: { l1: v, l2: v, l3: v, average: v } };
}

/** The alarms' decisions in a comparable form. */
export function summary(service: AlarmService): Array<{ id: string; type: string; state: string; startedAt: string; clearedAt: string | null; worstValue: number | null }> {
  return service
    .list(null)
    .map((a) => ({ id: a.id, type: a.type, state: a.state, startedAt: a.startedAt.toISOString(), clearedAt: a.clearedAt?.toISOString() ?? null, worstValue: a.worstValue }))
    .sort((a, b) => a.id.localeCompare(b.id));
}
