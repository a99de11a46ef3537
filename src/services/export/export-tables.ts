import type { Reading } from '../../models/reading.js';
import { TARIFF_BLOCKS, type Usage } from '../../models/usage.js';
import type { Bill } from '../../models/bill.js';
import type { ReadingStore } from '../../store/reading-store.js';
import { dateOfDayNumber, isoDate, type LocalTime } from '../../time/local-time.js';
import type { BillService } from '../bills/bill-service.js';
import type { HistoryService } from '../history-service.js';
import { MAX_HISTORY_POINTS } from '../history-service.js';
import type { PanelService } from '../panel-service.js';
import type { Cell, Column } from './csv-dialect.js';
import type { ExportKind, ExportRequest } from './export-request.js';

/** What the tables read: the store for raw readings, the services for every figure. */
export interface ExportSources {
  readonly store: ReadingStore;
  readonly panels: PanelService;
  readonly history: HistoryService;
  readonly bills: BillService;
  readonly time: LocalTime;
}

/** A checked request, resolved to the panels it covers (one, or the caller's whole building). */
export interface ResolvedExport extends ExportRequest {
  readonly panelIds: readonly string[];
  readonly scope: Parameters<PanelService['list']>[0];
}

export interface ExportTable {
  readonly columns: readonly Column[];
  /** Rows in order, a chunk at a time: the whole export is never held. */
  rows(sources: ExportSources, request: ResolvedExport): AsyncIterable<readonly Cell[][]>;
}

/**
 * Raw readings are read this many at a time (keyset pages: constant memory for any range). A page
 * lives while it is formatted and written, long enough for the collector to promote it: 5,000
 * grew the old space and RSS more (a year of one panel, in-process probe: RSS +65-78 MB against
 * +49-64 MB at 500-1,000) and exported slower (40-55,000 rows/s against 65-110,000).
 */
const READINGS_PAGE = 1_000;

const text = (name: string): Column => ({ name, kind: 'text' });
const number = (name: string): Column => ({ name, kind: 'number' });
const instant = (name: string): Column => ({ name, kind: 'instant' });
const at = (ms: number) => ({ instantMs: ms });

const usageColumns: readonly Column[] = [
  number('energy_kwh'),
  number('cost_idr'),
  ...TARIFF_BLOCKS.flatMap((block) => [number(`${block.toLowerCase()}_kwh`), number(`${block.toLowerCase()}_cost_idr`)]),
];

function usageCells(usage: Usage): Cell[] {
  const cells: Cell[] = [usage.energyKwh, usage.cost];
  for (const block of TARIFF_BLOCKS) {
    const share = usage.blocks.find((b) => b.block === block);
    cells.push(share?.energyKwh ?? null, share?.cost ?? null);
  }
  return cells;
}

const readings: ExportTable = {
  columns: [
    text('panel_id'),
    instant('time'),
    number('meter_energy_kwh'),
    number('active_power_kw'),
    number('apparent_power_kva'),
    number('reactive_energy_kvarh'),
    number('power_factor'),
    number('voltage_l1_v'),
    number('voltage_l2_v'),
    number('voltage_l3_v'),
    number('voltage_avg_v'),
    number('current_l1_a'),
    number('current_l2_a'),
    number('current_l3_a'),
    number('current_avg_a'),
    number('voltage_unbalance_pct'),
    number('current_unbalance_pct'),
  ],
  async *rows({ store }, request) {
    for (const panelId of request.panelIds) yield* readingPages(store, panelId, request.fromMs, request.toMs);
  },
};

/**
 * One panel's readings in [fromMs, toMs), a page at a time. Each page asks for a bounded span of
 * time as well as a bounded count: a store that sorts then never works through the rest of a long
 * period for every page. The span follows the readings' density, so a page holds about
 * READINGS_PAGE readings at one a minute as at one a second.
 *
 * The next page is asked for before this one is formatted and sent: the store's work (InfluxDB's,
 * or the SQLite read worker's) then overlaps the formatting instead of taking turns with it (on
 * InfluxDB the product otherwise waited about 60 % of an export). At most two pages are alive.
 */
async function* readingPages(store: ReadingStore, panelId: string, fromMs: number, toMs: number): AsyncGenerator<Cell[][]> {
  let next: Promise<Page> | null = fromMs < toMs ? readingPage(store, panelId, fromMs, DAY_MS, toMs) : null;
  while (next !== null) {
    const page: Page = await next;
    next = page.nextFrom < toMs ? readingPage(store, panelId, page.nextFrom, page.nextSpan, toMs) : null;
    if (page.readings.length > 0) yield page.readings.map(readingCells);
  }
}

interface Page {
  readonly readings: readonly Reading[];
  /** Where the next page starts, and the span to ask for. */
  readonly nextFrom: number;
  readonly nextSpan: number;
}

/**
 * One page from `from`. Its failure is marked handled at once (and still thrown to whoever awaits
 * it): while the export waits on a slow client, a page asked for ahead that fails must not be an
 * unhandled rejection, and an export whose client hung up never awaits it at all.
 */
function readingPage(store: ReadingStore, panelId: string, from: number, span: number, toMs: number): Promise<Page> {
  const end = Math.min(from + span, toMs);
  const page = store.readings(panelId, new Date(from), new Date(end), READINGS_PAGE).then((readings): Page => {
    if (readings.length === READINGS_PAGE) {
      // Full: more in this span. Readings are keyed by (panel, time): go on just after the last.
      const last = readings[readings.length - 1]!.time.getTime();
      return { readings, nextFrom: last + 1, nextSpan: clampSpan((last - from + 1) * 0.8) };
    }
    return { readings, nextFrom: end, nextSpan: clampSpan(readings.length === 0 ? span * 4 : (span * READINGS_PAGE * 0.8) / readings.length) };
  });
  page.catch(() => undefined);
  return page;
}

const DAY_MS = 86_400_000;
const clampSpan = (ms: number) => Math.round(Math.min(31 * DAY_MS, Math.max(60_000, ms)));

function readingCells(r: Reading): Cell[] {
  return [
    r.panelId,
    at(r.time.getTime()),
    r.energyKwh,
    r.activePowerKw,
    r.apparentPowerKva,
    r.reactiveEnergyKvarh,
    r.powerFactor,
    r.voltage.l1,
    r.voltage.l2,
    r.voltage.l3,
    r.voltage.average,
    r.current.l1,
    r.current.l2,
    r.current.l3,
    r.current.average,
    r.voltageUnbalance,
    r.currentUnbalance,
  ];
}

const history: ExportTable = {
  columns: [
    text('panel_id'),
    instant('start'),
    instant('end'),
    number('energy_kwh'),
    number('cost_idr'),
    number('reading_count'),
    number('active_power_kw_avg'),
    number('voltage_avg_v'),
    number('current_avg_a'),
    number('power_factor_avg'),
  ],
  async *rows({ history: service }, request) {
    const everyMs = request.everyMs!;
    // Pages of whole windows on the request's grid, each within what one history request answers.
    const pageMs = everyMs * Math.min(MAX_HISTORY_POINTS, 1_000);
    for (const panelId of request.panelIds) {
      for (let from = request.fromMs; from < request.toMs; from += pageMs) {
        const to = Math.min(from + pageMs, request.toMs);
        const { items: points } = await service.history(panelId, new Date(from), new Date(to), request.every!, { first: MAX_HISTORY_POINTS, afterMs: null });
        yield points.map((p) => [
          panelId,
          at(p.start),
          at(p.end),
          p.energyKwh,
          p.cost.value,
          p.readingCount,
          p.activePowerKw,
          p.voltage?.average ?? null,
          p.current?.average ?? null,
          p.powerFactor,
        ]);
      }
    }
  },
};

/** The (year, month) pairs whose days overlap [fromMs, toMs), in order. */
function* monthsOverlapping(time: LocalTime, fromMs: number, toMs: number): Generator<{ year: number; month: number }> {
  const first = dateOfDayNumber(time.dayNumber(fromMs));
  const last = dateOfDayNumber(time.dayNumber(toMs - 1));
  for (let { year, month } = first; year < last.year || (year === last.year && month <= last.month); month === 12 ? ((month = 1), year++) : month++) {
    yield { year, month };
  }
}

/** The months whose first local day lies in [fromMs, toMs). */
function* monthsStarting(time: LocalTime, fromMs: number, toMs: number): Generator<{ year: number; month: number }> {
  for (const m of monthsOverlapping(time, fromMs, toMs)) {
    const start = time.instantOf({ year: m.year, month: m.month, day: 1, hour: 0, minute: 0, second: 0, millisecond: 0 });
    if (start >= fromMs && start < toMs) yield m;
  }
}

const daily: ExportTable = {
  columns: [text('panel_id'), text('date'), ...usageColumns],
  async *rows({ panels, time }, request) {
    const firstDay = isoDate(time.dayNumber(request.fromMs));
    const lastDay = isoDate(time.dayNumber(request.toMs - 1));
    for (const { year, month } of monthsOverlapping(time, request.fromMs, request.toMs)) {
      const summary = await panels.monthlySummary(year, month, request.panelId, request.scope);
      yield summary.days.filter((d) => d.date >= firstDay && d.date <= lastDay).map((d) => [request.panelId, d.date, ...usageCells(d)]);
    }
  },
};

const monthly: ExportTable = {
  columns: [text('panel_id'), number('year'), number('month'), ...usageColumns],
  async *rows({ panels, time }, request) {
    const wanted = [...monthsStarting(time, request.fromMs, request.toMs)];
    for (const year of new Set(wanted.map((m) => m.year))) {
      const summary = await panels.yearlySummary(year, request.panelId, request.scope);
      const months = new Set(wanted.filter((m) => m.year === year).map((m) => m.month));
      yield summary.months.filter((m) => months.has(m.month)).map((m) => [request.panelId, year, m.month, ...usageCells(m)]);
    }
  },
};

async function* billsOf(sources: ExportSources, request: ResolvedExport): AsyncGenerator<Bill> {
  for (const { year, month } of monthsStarting(sources.time, request.fromMs, request.toMs)) {
    yield await sources.bills.monthlyBill(year, month, request.panelIds, request.panelId);
  }
}

const billHead = [text('panel_id'), number('year'), number('month'), text('first_day'), text('last_day'), text('complete')];
const billHeadCells = (bill: Bill): Cell[] => [bill.panelId, bill.year, bill.month, bill.from, bill.to, bill.complete];

const bills: ExportTable = {
  columns: [
    ...billHead,
    number('energy_kwh'),
    ...TARIFF_BLOCKS.map((block) => number(`${block.toLowerCase()}_kwh`)),
    number('reactive_kvarh'),
    number('average_power_factor'),
    number('subtotal_idr'),
    number('tax_idr'),
    number('total_idr'),
  ],
  async *rows(sources, request) {
    for await (const bill of billsOf(sources, request)) {
      const blocks = TARIFF_BLOCKS.map((block) => bill.blocks.find((b) => b.block === block)?.energyKwh ?? null);
      yield [[...billHeadCells(bill), bill.energyKwh, ...blocks, bill.reactiveKvarh, bill.averagePowerFactor, bill.subtotal, bill.tax, bill.total]];
    }
  },
};

const billLines: ExportTable = {
  columns: [...billHead, text('line'), text('block'), text('description'), number('quantity'), text('unit'), number('rate'), number('amount_idr'), text('plan_effective_from')],
  async *rows(sources, request) {
    for await (const bill of billsOf(sources, request)) {
      yield bill.lines.map((line) => [
        ...billHeadCells(bill),
        line.kind,
        line.block,
        line.description,
        line.quantity,
        line.unit,
        line.rate,
        line.amount,
        line.planEffectiveFrom,
      ]);
    }
  },
};

export const EXPORT_TABLES: Readonly<Record<ExportKind, ExportTable>> = {
  readings,
  history,
  daily,
  monthly,
  bills,
  'bill-lines': billLines,
};
