/** One (panel, reason) bucket of rejected payloads. panelId is null when the topic itself was bad. */
export interface RejectionCount {
  readonly panelId: string | null;
  readonly reason: string;
  readonly count: number;
  readonly lastAt: Date;
  /** The most recent explanation, e.g. which field had which value. */
  readonly lastDetail: string;
  readonly lastTopic: string;
}

/** Past this many distinct panel ids, further ones are counted together (see OTHER_PANELS). */
export const MAX_TRACKED_PANELS = 1_000;
/** The panel id under which rejections of untracked panels are counted. */
export const OTHER_PANELS = '(other panels)';

/**
 * Rejections since start, per panel and reason, for the API, the logs and the metrics. Anyone
 * can publish to any DATA/PM/<id>, so the number of panel ids tracked is bounded: memory and
 * metric series cannot be grown without limit by a misbehaving client.
 */
export class RejectionStats {
  readonly #buckets = new Map<string, RejectionCount>();
  readonly #panels = new Set<string>();

  /** The panel id to count a rejection under: itself while fewer than MAX_TRACKED_PANELS are tracked. */
  label(panelId: string | null): string | null {
    if (panelId === null || this.#panels.has(panelId)) return panelId;
    if (this.#panels.size >= MAX_TRACKED_PANELS) return OTHER_PANELS;
    this.#panels.add(panelId);
    return panelId;
  }

  record(entry: { panelId: string | null; reason: string; detail: string; topic: string; at: Date }): void {
    const panelId = this.label(entry.panelId);
    const key = `${panelId ?? ''}\u0000${entry.reason}`;
    const previous = this.#buckets.get(key);
    this.#buckets.set(key, {
      panelId,
      reason: entry.reason,
      count: (previous?.count ?? 0) + 1,
      lastAt: entry.at,
      lastDetail: entry.detail,
      lastTopic: entry.topic,
    });
  }

  /** Sorted by panel then reason; optionally one panel's only. */
  list(panelId?: string): RejectionCount[] {
    return [...this.#buckets.values()]
      .filter((bucket) => panelId === undefined || bucket.panelId === panelId)
      .sort((a, b) => (a.panelId ?? '').localeCompare(b.panelId ?? '') || a.reason.localeCompare(b.reason));
  }

  total(): number {
    let sum = 0;
    for (const bucket of this.#buckets.values()) sum += bucket.count;
    return sum;
  }
}
