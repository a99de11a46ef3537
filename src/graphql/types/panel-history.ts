import type { Reading as ReadingShape } from '../../models/reading.js';
import type { HistoryPoint as HistoryPointShape } from '../../models/usage.js';
import { MAX_HISTORY_POINTS, type PointsPage, type PointsPageResult } from '../../services/history-service.js';
import { UserInputError } from '../../services/user-input-error.js';
import { builder } from '../builder.js';
import { connectionType, decodeListCursor, encodeListCursor, PageConnection, pageSize, type ConnectionShape } from './common.js';
import { Money } from './money.js';
import { Panel } from './panel.js';
import { PhaseValues, Reading } from './reading.js';

/**
 * A panel's readings and history as Relay connections (issue 23 point 4): a day of raw readings at
 * one every 17 s or years of hourly windows are read page by page, at most MAX_HISTORY_POINTS a
 * page, instead of being refused past 5,000 points.
 */

const HistoryPoint = builder.objectRef<HistoryPointShape>('HistoryPoint').implement({
  description: "One window of a panel's history: energy counted by the counting rule, instantaneous values averaged.",
  fields: (t) => ({
    start: t.expose('start', { type: 'DateTime', description: 'Inclusive.' }),
    end: t.expose('end', { type: 'DateTime', description: 'Exclusive; the last window ends at `to`.' }),
    energyKwh: t.exposeFloat('energyKwh', { description: 'Energy used in the window, kWh (3 decimals).' }),
    cost: t.expose('cost', { type: Money, description: 'At the tariff in force, rounded to 2 decimals.' }),
    readingCount: t.exposeInt('readingCount', { description: 'Readings stored in the window (a count, unitless).' }),
    activePowerKw: t.exposeFloat('activePowerKw', { nullable: true, description: 'Average active power, kW (3 decimals); null without readings.' }),
    voltage: t.expose('voltage', {
      type: PhaseValues,
      nullable: true,
      description: "Each phase's average voltage in the window, V (2 decimals), as on an averaged Reading; null without readings.",
    }),
    current: t.expose('current', {
      type: PhaseValues,
      nullable: true,
      description: "Each phase's average current in the window, A (3 decimals), as on an averaged Reading; null without readings.",
    }),
    powerFactor: t.exposeFloat('powerFactor', { nullable: true, description: 'Average power factor, unitless ratio 0-1 (3 decimals); null without readings.' }),
  }),
});

const ReadingConnection = connectionType(
  'Reading',
  Reading,
  'A page of readings, oldest first. Averaged readings: one per non-empty window of the page, so a page may hold fewer than `first` while more follow.',
  null,
);

const HistoryPointConnection = connectionType(
  'HistoryPoint',
  HistoryPoint,
  'A page of history windows, oldest first, zero-filled: exactly `first` windows on every page but the last.',
  'How many windows the whole range holds (every page).',
);

/** `first` and `after` of a `list` ('readings' or 'history'): a cursor holds the position's ms. */
function pointsPage(list: string, first: number | null | undefined, after: string | null | undefined): PointsPage {
  const n = pageSize(first, MAX_HISTORY_POINTS, MAX_HISTORY_POINTS);
  if (after == null) return { first: n, afterMs: null };
  const key = decodeListCursor(list, after);
  if (!/^-?\d{1,16}$/.test(key)) throw new UserInputError('INVALID_CURSOR', 'after: not a cursor of this list');
  return { first: n, afterMs: Number(key) };
}

/** A page as a connection; `at` is an item's position in epoch ms (its time or window start). */
function connectionOf<T>(list: string, page: PointsPageResult<T>, after: PointsPage, at: (item: T) => number): ConnectionShape<T> {
  // Cursors are encoded when asked for: encoding one for each of a chart's 720 windows, which it
  // never reads, showed in the history's CPU profile.
  const cursorOf = (item: T) => encodeListCursor(list, String(at(item)));
  const first = page.items[0];
  const pageInfo = {
    hasNextPage: page.hasNextPage,
    // The last position covered, which an averaged page without readings has too.
    endCursor: page.lastMs === null ? null : encodeListCursor(list, String(page.lastMs)),
    hasPreviousPage: after.afterMs !== null,
    startCursor: first === undefined ? null : cursorOf(first),
  };
  return new PageConnection(page.items, cursorOf, pageInfo, page.total);
}

const pageArgs = `Page size, at most ${MAX_HISTORY_POINTS.toLocaleString('en')} (the default); more is refused with LIMIT_OUT_OF_RANGE.`;

builder.objectFields(Panel, (t) => ({
  readings: t.field({
    type: ReadingConnection,
    nullable: true,
    description:
      'Readings from `from` (inclusive) to `to` (exclusive), oldest first, page by page: raw, or one per window of `every` (e.g. "1m", "15m", ' +
      '"1h", "1d") with instantaneous values averaged and the last counter value of each window.',
    args: {
      from: t.arg({ type: 'DateTime', required: true }),
      to: t.arg({ type: 'DateTime', required: true }),
      every: t.arg.string({ required: false }),
      first: t.arg.int({ required: false, description: pageArgs }),
      after: t.arg.string({ required: false, description: 'The endCursor of the previous page.' }),
    },
    resolve: async (panel, { from, to, every, first, after }, { services }) => {
      const page = pointsPage('readings', first, after);
      return connectionOf('readings', await services.history.readings(panel.id, from, to, every, page), page, (r: ReadingShape) => r.time.getTime());
    },
  }),
  history: t.field({
    type: HistoryPointConnection,
    nullable: true,
    description:
      'Every window of `every` ("15m", "1h", "1d"...) from `from` (inclusive) to `to` (exclusive), zero-filled, page by page: the energy ' +
      'and cost used in the window (by the counting rule) and the averages of its readings.',
    args: {
      from: t.arg({ type: 'DateTime', required: true }),
      to: t.arg({ type: 'DateTime', required: true }),
      every: t.arg.string({ required: true }),
      first: t.arg.int({ required: false, description: pageArgs }),
      after: t.arg.string({ required: false, description: 'The endCursor of the previous page.' }),
    },
    resolve: async (panel, { from, to, every, first, after }, { services }) => {
      const page = pointsPage('history', first, after);
      return connectionOf('history', await services.history.history(panel.id, from, to, every, page), page, (p: HistoryPointShape) => p.start);
    },
  }),
}));
