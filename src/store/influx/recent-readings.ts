import type { PanelRecord, Reading } from '../../models/reading.js';
import { readingsToColumns, type CounterColumns } from '../reading-store.js';

/** What MergedStore reads besides InfluxDB: readings it may not have confirmed yet. */
export interface PendingReadings {
  readings(panelId: string, fromMs: number, toMs: number): Reading[];
  columns(panelId: string, fromMs: number): CounterColumns;
  latest(panelIds: readonly string[]): Map<string, Reading>;
  panels(): PanelRecord[];
}

export interface RecentReadingsOptions {
  /** How long a reading stays (by arrival): long enough for its own process to forward it. Default 10 min. */
  readonly ttlMs?: number;
  /** At most this many readings in all; the oldest arrivals go first. Default 200,000. */
  readonly maxReadings?: number;
  readonly now?: () => number;
}

/**
 * Readings other processes of the site stored in their own journals, as heard on the stored-readings
 * feed, kept in memory for a while: until their process has forwarded them, InfluxDB does not have
 * them, and without this overlay a query here would answer differently from one there. Bounded in
 * time and count; readings InfluxDB already has are merged away by time (same reading either way).
 */
export class RecentReadings implements PendingReadings {
  readonly #ttlMs: number;
  readonly #max: number;
  readonly #now: () => number;
  /** Per panel, readings sorted by meter time. */
  readonly #byPanel = new Map<string, Reading[]>();
  /** Arrival order, for expiry: [arrivedAt, panelId, meter time]. */
  readonly #arrivals: Array<readonly [number, string, number]> = [];
  #head = 0;

  constructor(options: RecentReadingsOptions = {}) {
    this.#ttlMs = options.ttlMs ?? 600_000;
    this.#max = options.maxReadings ?? 200_000;
    this.#now = options.now ?? Date.now;
  }

  get size(): number {
    return this.#arrivals.length - this.#head;
  }

  add(readings: readonly Reading[]): void {
    const now = this.#now();
    for (const reading of readings) {
      const list = this.#byPanel.get(reading.panelId) ?? [];
      if (list.length === 0) this.#byPanel.set(reading.panelId, list);
      const t = reading.time.getTime();
      const at = insertionIndex(list, t);
      if (at < list.length && list[at]!.time.getTime() === t) list[at] = reading;
      else {
        list.splice(at, 0, reading);
        this.#arrivals.push([now, reading.panelId, t]);
      }
    }
    this.#expire(now);
  }

  readings(panelId: string, fromMs: number, toMs: number): Reading[] {
    this.#expire(this.#now());
    const list = this.#byPanel.get(panelId);
    if (!list) return [];
    return list.slice(insertionIndex(list, fromMs), insertionIndex(list, toMs));
  }

  columns(panelId: string, fromMs: number): CounterColumns {
    return readingsToColumns(this.readings(panelId, fromMs, Number.MAX_SAFE_INTEGER));
  }

  latest(panelIds: readonly string[]): Map<string, Reading> {
    this.#expire(this.#now());
    const out = new Map<string, Reading>();
    for (const id of panelIds) {
      const list = this.#byPanel.get(id);
      if (list && list.length > 0) out.set(id, list[list.length - 1]!);
    }
    return out;
  }

  panels(): PanelRecord[] {
    this.#expire(this.#now());
    return [...this.#byPanel].map(([id, list]) => ({ id, firstSeenAt: list[0]!.time, lastSeenAt: list[list.length - 1]!.time }));
  }

  #expire(now: number): void {
    while (this.#head < this.#arrivals.length) {
      const [at, panelId, t] = this.#arrivals[this.#head]!;
      if (now - at < this.#ttlMs && this.size <= this.#max) break;
      this.#head++;
      const list = this.#byPanel.get(panelId);
      if (list) {
        const k = insertionIndex(list, t);
        if (k < list.length && list[k]!.time.getTime() === t) list.splice(k, 1);
        if (list.length === 0) this.#byPanel.delete(panelId);
      }
    }
    // Compact the arrival queue now and then instead of shifting it on every expiry.
    if (this.#head > 4_096 && this.#head * 2 > this.#arrivals.length) {
      this.#arrivals.splice(0, this.#head);
      this.#head = 0;
    }
  }
}

/** The journal's waiting readings and other processes' recent ones, seen as one (journal wins on equal times). */
export function combinePending(journal: PendingReadings, recent: PendingReadings): PendingReadings {
  const merge = (a: Reading[], b: Reading[]): Reading[] => {
    if (a.length === 0) return b;
    if (b.length === 0) return a;
    const byTime = new Map<number, Reading>();
    for (const r of a) byTime.set(r.time.getTime(), r);
    for (const r of b) byTime.set(r.time.getTime(), r);
    return [...byTime.values()].sort((x, y) => x.time.getTime() - y.time.getTime());
  };
  return {
    readings: (panelId, fromMs, toMs) => merge(recent.readings(panelId, fromMs, toMs), journal.readings(panelId, fromMs, toMs)),
    columns: (panelId, fromMs) => {
      const heard = recent.readings(panelId, fromMs, Number.MAX_SAFE_INTEGER);
      // Usually nothing heard from other processes: the journal's columns as they are.
      if (heard.length === 0) return journal.columns(panelId, fromMs);
      return readingsToColumns(merge(heard, journal.readings(panelId, fromMs, Number.MAX_SAFE_INTEGER)));
    },
    latest: (panelIds) => {
      const out = recent.latest(panelIds);
      for (const [id, reading] of journal.latest(panelIds)) {
        const other = out.get(id);
        if (!other || other.time.getTime() <= reading.time.getTime()) out.set(id, reading);
      }
      return out;
    },
    panels: () => {
      const byId = new Map(recent.panels().map((p) => [p.id, p]));
      for (const p of journal.panels()) {
        const known = byId.get(p.id);
        byId.set(
          p.id,
          known
            ? { id: p.id, firstSeenAt: known.firstSeenAt < p.firstSeenAt ? known.firstSeenAt : p.firstSeenAt, lastSeenAt: known.lastSeenAt > p.lastSeenAt ? known.lastSeenAt : p.lastSeenAt }
            : p,
        );
      }
      return [...byId.values()];
    },
  };
}

/** The first index whose reading's time is >= t (list sorted by time). */
function insertionIndex(list: readonly Reading[], t: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid]!.time.getTime() < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
