import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { useMemo } from 'preact/hooks';
import type { Variables } from '../api/http.js';
import { ComboChart } from '../charts/ComboChart.js';
import { ValuesTable, type Column } from '../charts/ValuesTable.js';
import { formatKwh, formatRupiah, MONTH_NAMES } from '../format.js';
import {
  MonthlySummaryDocument,
  YearlySummaryDocument,
  type MonthlySummaryQuery,
  type MonthlySummaryQueryVariables,
  type YearlySummaryQuery,
  type YearlySummaryQueryVariables,
} from '../generated/graphql.js';
import { useQuery } from '../hooks/use-query.js';
import { WidgetError } from './WidgetError.js';

/** Today's bar grows with every reading; no subscription pushes summaries, so ask each minute. */
const REFRESH_MS = 60_000;

/** Energy and cost of a period or of one part of it (a day of a month, a month of a year). */
interface Usage {
  readonly energyKwh: number;
  readonly cost: number;
}

/** A summary query's answer, whichever the period: its total and a row per part. */
interface Summary<Row extends Usage> {
  readonly year: number;
  readonly month?: number;
  /** null: the whole building. */
  readonly panelId: string | null;
  /** The period as the page names it: "March 2026", "2026". */
  readonly name: string;
  readonly total: Usage;
  readonly rows: readonly Row[];
}

/** What sets one period's chart apart: its query, and how it names the period and its parts. */
export interface Period<TResult, TVariables extends Variables, Row extends Usage> {
  readonly document: TypedDocumentNode<TResult, TVariables>;
  readonly summary: (data: TResult) => Summary<Row>;
  /** What a row is: "Energy and cost per day". */
  readonly part: 'day' | 'month';
  /** A row's name on the chart's axis. */
  readonly label: (row: Row) => string;
  /** The table's first column, naming the row. */
  readonly column: Column<Row>;
  readonly testId: string;
  /** The widget's name when it cannot load. */
  readonly what: string;
}

const monthName = (month: number) => MONTH_NAMES[month - 1] ?? String(month);

/** Per day of one month. */
export const PER_DAY: Period<MonthlySummaryQuery, MonthlySummaryQueryVariables, MonthlySummaryQuery['monthlySummary']['days'][number]> = {
  document: MonthlySummaryDocument,
  summary: ({ monthlySummary: answer }) => ({ ...answer, name: `${monthName(answer.month)} ${answer.year}`, rows: answer.days }),
  part: 'day',
  label: (day) => String(Number(day.date.slice(8, 10))),
  column: { header: 'Date', text: (day) => day.date, value: (day) => day.date },
  testId: 'monthly-chart',
  what: 'Daily summary',
};

/** Per month of one year. */
export const PER_MONTH: Period<YearlySummaryQuery, YearlySummaryQueryVariables, YearlySummaryQuery['yearlySummary']['months'][number]> = {
  document: YearlySummaryDocument,
  summary: ({ yearlySummary: answer }) => ({ ...answer, name: String(answer.year), rows: answer.months }),
  part: 'month',
  label: (row) => monthName(row.month).slice(0, 3),
  column: { header: 'Month', text: (row) => monthName(row.month), value: (row) => row.month },
  testId: 'yearly-chart',
  what: 'Monthly summary',
};

const USAGE_COLUMNS: ReadonlyArray<Column<Usage>> = [
  { header: 'Energy', text: (row) => formatKwh(row.energyKwh), value: (row) => row.energyKwh },
  { header: 'Cost', text: (row) => formatRupiah(row.cost), value: (row) => row.cost },
];

export interface PeriodChartProps<TResult, TVariables extends Variables, Row extends Usage> {
  readonly period: Period<TResult, TVariables, Row>;
  /** Which month or year, and which panel (`panelId` null: the whole building). */
  readonly variables: TVariables;
  readonly scopeName: string;
}

/** Energy (bars) and cost (line) per part of one period, with the period's total. */
export function PeriodChart<TResult, TVariables extends Variables, Row extends Usage>({
  period,
  variables,
  scopeName,
}: PeriodChartProps<TResult, TVariables, Row>) {
  const { data, error, loading } = useQuery(period.document, variables, { refreshMs: REFRESH_MS });
  const summary = useMemo(() => data && period.summary(data), [data, period]);
  const series = useMemo(
    () =>
      summary && {
        title: `Energy and cost per ${period.part}, ${summary.name}, ${scopeName}`,
        labels: summary.rows.map((row) => period.label(row)),
        bars: { label: 'Energy (kWh)', values: summary.rows.map((row) => row.energyKwh), format: formatKwh },
        line: { label: 'Cost (Rp)', values: summary.rows.map((row) => row.cost), format: formatRupiah },
      },
    [summary, period, scopeName],
  );
  return (
    <figure
      class="chart"
      aria-busy={loading}
      data-testid={period.testId}
      data-year={summary?.year}
      data-month={summary?.month}
      data-panel-id={summary?.panelId ?? ''}
    >
      {error && <WidgetError what={period.what} error={error} />}
      {summary && series && (
        <>
          <figcaption>
            Total {summary.name}:{' '}
            <strong data-field="total-kwh" data-value={summary.total.energyKwh}>
              {formatKwh(summary.total.energyKwh)}
            </strong>
            {' · '}
            <strong data-field="total-cost" data-value={summary.total.cost}>
              {formatRupiah(summary.total.cost)}
            </strong>
          </figcaption>
          <ComboChart title={series.title} labels={series.labels} bars={series.bars} line={series.line} />
          <ValuesTable caption={series.title} columns={[period.column, ...USAGE_COLUMNS]} rows={summary.rows} />
        </>
      )}
    </figure>
  );
}
