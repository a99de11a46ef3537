import type { Reading } from '../models/reading.js';

export interface ReadingOrderOptions {
  /**
   * How long each reading waits for older readings of its panel to arrive. With several processes
   * a panel's readings are stored by different processes (the broker spreads them) and reach each
   * process's live subscribers over the stored-readings feed, so one stored elsewhere a moment
   * earlier can arrive after a newer one stored here.
   */
  readonly holdMs: number;
  /** Delivers a reading to live subscribers. */
  readonly release: (reading: Reading) => void;
  /**
   * A reading older than one already released for its panel: it arrived more than `holdMs` late.
   * It is released all the same (a subscriber misses no stored reading), marked `late: true` so a
   * subscriber can tell it from a new one, and reported here.
   */
  readonly late: (reading: Reading) => void;
  readonly now?: () => number;
}

/** Readings released per turn of the event loop (see #drain). */
const RELEASE_PER_TURN = 256;

/**
 * Releases each panel's readings in meter-time order: every reading is held for `holdMs` after it
 * arrives, and when its time is up it is released together with every older reading of its panel
 * still held, oldest first. A watermark per panel, as stream processors do it, with the hold as
 * the allowed lateness; memory is what arrives within one hold.
 */
export class ReadingOrder {
  readonly #options: ReadingOrderOptions;
  readonly #now: () => number;
  /** Held readings of each panel, oldest meter time first. */
  readonly #held = new Map<string, Reading[]>();
  /** Meter time (ms) of the newest reading released for each panel. */
  readonly #released = new Map<string, number>();
  /** Every held reading by arrival, with when its hold ends (arrival order is deadline order). */
  #queue: Array<{ readonly reading: Reading; readonly due: number }> = [];
  #head = 0;
  #timer: NodeJS.Timeout | undefined;

  constructor(options: ReadingOrderOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  push(reading: Reading): void {
    const t = reading.time.getTime();
    const released = this.#released.get(reading.panelId);
    if (released !== undefined && t <= released) {
      this.#options.late(reading);
      this.#options.release({ ...reading, late: true });
      return;
    }
    const held = this.#held.get(reading.panelId);
    if (held === undefined) this.#held.set(reading.panelId, [reading]);
    else {
      // Usually the newest: insert from the end.
      let i = held.length;
      while (i > 0 && held[i - 1]!.time.getTime() > t) i--;
      held.splice(i, 0, reading);
    }
    this.#queue.push({ reading, due: this.#now() + this.#options.holdMs });
    this.#timer ??= setTimeout(() => this.#drain(), this.#options.holdMs);
  }

  /** Releases everything held (at shutdown). */
  flush(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    for (const panelId of [...this.#held.keys()]) this.#releaseUpTo(panelId, Number.POSITIVE_INFINITY);
    this.#queue = [];
    this.#head = 0;
  }

  #drain(): void {
    this.#timer = undefined;
    const now = this.#now();
    // At most RELEASE_PER_TURN readings per turn of the event loop: a burst released at once would
    // push more than 1,024 events on a subscriber's pubsub repeater before it can drain them, and
    // graphql-yoga's pubsub throws (RepeaterOverflowError) from inside publish.
    let budget = RELEASE_PER_TURN;
    while (this.#head < this.#queue.length && this.#queue[this.#head]!.due <= now) {
      const { reading } = this.#queue[this.#head]!;
      budget -= this.#releaseUpTo(reading.panelId, reading.time.getTime(), budget);
      // Out of budget: this entry may be partly released; the next turn takes it up again.
      if (budget <= 0) break;
      this.#head++;
    }
    if (budget <= 0) {
      this.#timer = setTimeout(() => this.#drain(), 0);
      return;
    }
    if (this.#head > 1_024 && this.#head * 2 > this.#queue.length) {
      this.#queue = this.#queue.slice(this.#head);
      this.#head = 0;
    }
    const next = this.#queue[this.#head];
    if (next !== undefined) this.#timer = setTimeout(() => this.#drain(), Math.max(0, next.due - now));
  }

  /**
   * Releases the panel's held readings up to meter time `t`, oldest first and at most `max` of
   * them (already released ones are gone); returns how many it released.
   */
  #releaseUpTo(panelId: string, t: number, max = Number.POSITIVE_INFINITY): number {
    const held = this.#held.get(panelId);
    if (held === undefined) return 0;
    let count = 0;
    while (count < held.length && count < max && held[count]!.time.getTime() <= t) count++;
    if (count === 0) return 0;
    const out = held.splice(0, count);
    if (held.length === 0) this.#held.delete(panelId);
    this.#released.set(panelId, out.at(-1)!.time.getTime());
    for (const reading of out) this.#options.release(reading);
    return count;
  }
}
