import { parseDuration } from '../config/duration.js';
import type { Reading } from '../models/reading.js';
import type { ReadingStore } from '../store/reading-store.js';
import { UserInputError } from './user-input-error.js';

/** The most points one history request may return; charts never need more. */
export const MAX_HISTORY_POINTS = 5_000;

/** Readings of one panel over time, raw or downsampled, for the history charts. */
export class HistoryService {
  constructor(private readonly store: ReadingStore) {}

  async readings(panelId: string, from: Date, to: Date, every: string | null | undefined): Promise<Reading[]> {
    if (!(from.getTime() < to.getTime())) throw new UserInputError('"from" must be before "to"');
    if (every === null || every === undefined) {
      // Raw readings: ask for one more than allowed to know whether the limit is exceeded.
      const rows = await this.store.readings(panelId, from, to, MAX_HISTORY_POINTS + 1);
      if (rows.length > MAX_HISTORY_POINTS) {
        throw new UserInputError(
          `more than ${MAX_HISTORY_POINTS} raw readings in this range; pass "every" (e.g. "15m", "1h", "1d") or a shorter range`,
        );
      }
      return rows;
    }
    const everyMs = parseDuration(every);
    if (everyMs === null || everyMs < 1_000) {
      throw new UserInputError(`"every" must be a duration of at least 1s such as "1m", "15m", "1h" or "1d" (got "${every}")`);
    }
    const points = Math.ceil((to.getTime() - from.getTime()) / everyMs);
    if (points > MAX_HISTORY_POINTS) {
      throw new UserInputError(
        `this range at every "${every}" would return ${points} points; the limit is ${MAX_HISTORY_POINTS}: use a larger "every" or a shorter range`,
      );
    }
    return this.store.downsample(panelId, from, to, everyMs);
  }
}
