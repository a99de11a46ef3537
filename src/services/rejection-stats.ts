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

/** Rejections since start, per panel and reason, for the API and the logs. */
export class RejectionStats {
  readonly #buckets = new Map<string, RejectionCount>();

  record(entry: { panelId: string | null; reason: string; detail: string; topic: string; at: Date }): void {
    const key = `${entry.panelId ?? ''}\u0000${entry.reason}`;
    const previous = this.#buckets.get(key);
    this.#buckets.set(key, {
      panelId: entry.panelId,
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
