import type { PanelRecord, Reading } from '../models/reading.js';
import type { ReadingStore } from '../store/reading-store.js';

/**
 * Every known panel with its newest reading, kept in memory: loaded from the store at start and
 * updated after each durable write. Panel cards and the status monitor read it without touching
 * the store.
 */
export class LiveState {
  readonly #panels = new Map<string, { firstSeenAt: Date; latest: Reading }>();
  #version = 0;

  /** Changes whenever any panel, its first-seen time or its newest reading may have changed. */
  get version(): number {
    return this.#version;
  }

  /**
   * Adds what the store knows (at start-up, possibly after readings already arrived): per panel
   * the newer latest reading and the earlier first-seen time win. Returns the panels loaded.
   */
  async loadFrom(store: ReadingStore): Promise<string[]> {
    const panels = await store.panels();
    const latest = await store.latestReadings(panels.map((panel) => panel.id));
    const loaded: string[] = [];
    this.#version++;
    for (const panel of panels) {
      const reading = latest.get(panel.id);
      if (!reading) continue;
      loaded.push(panel.id);
      const known = this.#panels.get(panel.id);
      if (!known) {
        this.#panels.set(panel.id, { firstSeenAt: panel.firstSeenAt, latest: reading });
        continue;
      }
      if (panel.firstSeenAt < known.firstSeenAt) known.firstSeenAt = panel.firstSeenAt;
      if (reading.time.getTime() > known.latest.time.getTime()) known.latest = reading;
    }
    return loaded;
  }

  /** Records a stored reading. Returns whether it became its panel's newest. */
  apply(reading: Reading): boolean {
    this.#version++;
    const known = this.#panels.get(reading.panelId);
    if (!known) {
      this.#panels.set(reading.panelId, { firstSeenAt: reading.time, latest: reading });
      return true;
    }
    if (reading.time < known.firstSeenAt) known.firstSeenAt = reading.time;
    if (reading.time.getTime() < known.latest.time.getTime()) return false;
    known.latest = reading;
    return true;
  }

  latest(panelId: string): Reading | undefined {
    return this.#panels.get(panelId)?.latest;
  }

  /** One panel's record, or undefined. */
  record(panelId: string): PanelRecord | undefined {
    const known = this.#panels.get(panelId);
    return known ? { id: panelId, firstSeenAt: known.firstSeenAt, lastSeenAt: known.latest.time } : undefined;
  }

  has(panelId: string): boolean {
    return this.#panels.has(panelId);
  }

  get size(): number {
    return this.#panels.size;
  }

  /** Sorted by id. */
  panels(): PanelRecord[] {
    return [...this.#panels.entries()]
      .map(([id, { firstSeenAt, latest }]) => ({ id, firstSeenAt, lastSeenAt: latest.time }))
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  /** Forgets a panel (retired). */
  remove(panelId: string): void {
    this.#version++;
    this.#panels.delete(panelId);
  }
}
