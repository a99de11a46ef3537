import type { ReadingStore } from '../../store/reading-store.js';
import { startOfLocalDay, type Period } from './periods.js';

const DAY_MS = 86_400_000;

/**
 * Energy per (panel, local day) as the store computes it, kept in memory so summaries and
 * today's usage do not recompute days that have not changed. Entries are dropped when a write
 * can change them (see `invalidate`) and refilled from the store, so the cache answers exactly
 * what the store answers.
 */
export class DailyEnergyCache {
  readonly #days = new Map<string, Map<number, number>>();
  /** Newest reading time per panel that `invalidate` has seen. */
  readonly #latestMs = new Map<string, number>();
  /** Bumped on every invalidation, so a fill racing with a write never stores a stale value. */
  readonly #generation = new Map<string, number>();
  readonly #fills: Fill[] = [];
  /** The local day [start, end) of each panel's newest reading, once computed. */
  readonly #latestDay = new Map<string, { start: number; end: number }>();

  constructor(
    private readonly store: ReadingStore,
    private readonly timezone: string,
    latestKnown: Iterable<[panelId: string, latestMs: number]> = [],
  ) {
    for (const [panelId, latestMs] of latestKnown) this.#latestMs.set(panelId, latestMs);
  }

  /**
   * A reading at `time` became visible in the store. Appending after the newest reading changes
   * at most the days from the previous newest reading to this one (the previous reading's
   * glitch flag and this reading's increase); a late reading can change its neighbours on both
   * sides, however far apart, so the panel's days are all dropped.
   */
  invalidate(panelId: string, time: Date): void {
    const t = time.getTime();
    const latest = this.#latestMs.get(panelId);
    const days = this.#days.get(panelId);
    this.#generation.set(panelId, (this.#generation.get(panelId) ?? 0) + 1);
    if (latest === undefined || t < latest) {
      this.#days.delete(panelId);
      if (latest === undefined) this.#latestMs.set(panelId, t);
      return;
    }
    this.#latestMs.set(panelId, t);
    if (!days) return;
    // The hot path (every reading of a live meter): both readings fall on the same local day,
    // known from the previous call, so one entry goes without a time-zone conversion or a scan.
    const span = this.#latestDay.get(panelId);
    if (span && latest >= span.start && t < span.end) {
      days.delete(span.start);
      return;
    }
    const first = startOfLocalDay(new Date(latest), this.timezone).getTime();
    for (const dayStart of [...days.keys()]) {
      if (dayStart >= first && dayStart <= t) days.delete(dayStart);
    }
    const dayOfT = startOfLocalDay(time, this.timezone);
    this.#latestDay.set(panelId, { start: dayOfT.getTime(), end: nextDay(dayOfT, this.timezone).getTime() });
  }

  /** kWh per panel per day, aligned with `days`; one store query for whatever is missing. */
  async energy(panelIds: readonly string[], days: readonly Period[]): Promise<Map<string, number[]>> {
    let missing = this.#missing(panelIds, days);
    // Concurrent requests for the same cold days wait for the fill already under way instead of
    // asking the store again; a request that needs other days does not wait for it.
    const underWay = missing ? this.#fills.filter((fill) => overlaps(fill, missing!)) : [];
    if (underWay.length > 0) {
      await Promise.allSettled(underWay.map((fill) => fill.done));
      missing = this.#missing(panelIds, days);
    }
    if (missing) {
      const fill: Fill = { ...missing, done: this.#fill([...missing.panels], new Date(missing.from), new Date(missing.to)) };
      this.#fills.push(fill);
      try {
        await fill.done;
      } finally {
        this.#fills.splice(this.#fills.indexOf(fill), 1);
      }
    }

    const result = new Map<string, number[]>();
    for (const panelId of panelIds) {
      const cached = this.#days.get(panelId);
      result.set(panelId, days.map((day) => cached?.get(day.start.getTime()) ?? 0));
    }
    return result;
  }

  /** The panels and the span of days not cached, or null when everything is. */
  #missing(panelIds: readonly string[], days: readonly Period[]): Span | null {
    const panels = new Set<string>();
    let from = Infinity;
    let to = -Infinity;
    for (const panelId of panelIds) {
      const cached = this.#days.get(panelId);
      for (const day of days) {
        if (cached?.has(day.start.getTime())) continue;
        panels.add(panelId);
        from = Math.min(from, day.start.getTime());
        to = Math.max(to, day.end.getTime());
      }
    }
    return panels.size > 0 ? { panels, from, to } : null;
  }

  async #fill(panelIds: string[], from: Date, to: Date): Promise<void> {
    const generations = new Map(panelIds.map((id) => [id, this.#generation.get(id) ?? 0]));
    const rows = await this.store.energy({ panelIds, from, to, groupBy: 'day' });
    const fresh = new Map<string, Map<number, number>>();
    for (const panelId of panelIds) {
      if ((this.#generation.get(panelId) ?? 0) !== generations.get(panelId)) continue;
      const days = new Map<number, number>();
      // Every day of the range is known now: zero unless the store returned a row for it.
      for (let day = startOfLocalDay(from, this.timezone); day < to; day = nextDay(day, this.timezone)) {
        days.set(day.getTime(), 0);
      }
      fresh.set(panelId, days);
    }
    for (const row of rows) fresh.get(row.panelId)?.set(row.periodStart.getTime(), row.energyKwh);
    for (const [panelId, days] of fresh) {
      const target = this.#days.get(panelId) ?? new Map<number, number>();
      for (const [day, kwh] of days) target.set(day, kwh);
      this.#days.set(panelId, target);
    }
  }
}

interface Span {
  readonly panels: ReadonlySet<string>;
  readonly from: number;
  readonly to: number;
}

interface Fill extends Span {
  readonly done: Promise<void>;
}

/**
 * Whether a request should wait for a fill under way: when it covers any of the same days. Not
 * only the same panels: while meters report, each request finds a few other panels' "today"
 * invalidated, and letting them queue behind one fill keeps store round trips per request flat.
 */
function overlaps(a: Span, b: Span): boolean {
  return a.from < b.to && b.from < a.to;
}

function nextDay(dayStart: Date, timezone: string): Date {
  // +36 h then back to local midnight: robust for 23 h and 25 h days.
  return startOfLocalDay(new Date(dayStart.getTime() + DAY_MS * 1.5), timezone);
}
