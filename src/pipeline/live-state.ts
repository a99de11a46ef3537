import type { PanelRecord, Reading } from '../models/reading.js';
import type { ReadingStore } from '../store/reading-store.js';

/**
 * Every known panel with its newest reading, kept in memory: loaded from the store at start and
 * updated by the ingester after each durable write. The dashboard's panel cards and the status
 * monitor read it without touching the store.
 */
export class LiveState {
  readonly #panels = new Map<string, { firstSeenAt: Date; latest: Reading }>();
  readonly #listeners: Array<(reading: Reading, isNewest: boolean) => void> = [];

  static async load(store: ReadingStore): Promise<LiveState> {
    const state = new LiveState();
    const panels = await store.panels();
    const latest = await store.latestReadings(panels.map((panel) => panel.id));
    for (const panel of panels) {
      const reading = latest.get(panel.id);
      if (reading) state.#panels.set(panel.id, { firstSeenAt: panel.firstSeenAt, latest: reading });
    }
    return state;
  }

  /** Records a stored reading; a late one (older than the newest) updates only first-seen. */
  apply(reading: Reading): void {
    const known = this.#panels.get(reading.panelId);
    let isNewest = true;
    if (!known) {
      this.#panels.set(reading.panelId, { firstSeenAt: reading.time, latest: reading });
    } else {
      if (reading.time < known.firstSeenAt) known.firstSeenAt = reading.time;
      isNewest = reading.time.getTime() >= known.latest.time.getTime();
      if (isNewest) known.latest = reading;
    }
    for (const listener of this.#listeners) listener(reading, isNewest);
  }

  /** Called after each applied reading, with whether it became its panel's newest. */
  onApply(listener: (reading: Reading, isNewest: boolean) => void): void {
    this.#listeners.push(listener);
  }

  latest(panelId: string): Reading | undefined {
    return this.#panels.get(panelId)?.latest;
  }

  has(panelId: string): boolean {
    return this.#panels.has(panelId);
  }

  /** Sorted by id. */
  panels(): PanelRecord[] {
    return [...this.#panels.entries()]
      .map(([id, { firstSeenAt, latest }]) => ({ id, firstSeenAt, lastSeenAt: latest.time }))
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }
}
