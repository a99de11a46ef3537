import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { useMemo } from 'preact/hooks';
import type { Variables } from '../api/http.js';
import { ComboChart } from '../charts/ComboChart.js';
import { ValuesTable, type Column } from '../charts/ValuesTable.js';
import { amountOf, dateFormatter, formatKwh, formatMoney, formatRupiah, monthNames } from '../format.js';
import {
  MonthlySummaryDocument,
  YearlySummaryDocument,
  type MonthlySummaryQuery,
  type MonthlySummaryQueryVariables,
  type YearlySummaryQuery,
  type YearlySummaryQueryVariables,
} from '../generated/graphql.js';
import { useQuery } from '../hooks/use-query.js';
import { useI18n, type I18n } from '../i18n/i18n.js';
import { dateAt, isoDate, type LocalDate } from '../time.js';
import { WidgetError } from './WidgetError.js';

/** Today's bar grows with every reading; no subscription pushes summaries, so ask each minute. */
const REFRESH_MS = 60_000;

/** Energy and cost of a period or of one part of it (a day of a month, a month of a year). */
interface Usage {
  readonly energyKwh: number;
  readonly cost: { readonly amount: string };
}

/** A summary query's answer, whichever the period: its total and a row per part. */
interface Summary<Row extends Usage> {
  readonly year: number;
  readonly month?: number;
  /** null: the whole building. */
  readonly panelId: string | null;
  readonly total: Usage;
  readonly rows: readonly Row[];
}

/** What sets one period's chart apart: its query, and how it names the period and its parts. */
export interface Period<TResult, TVariables extends Variables, Row extends Usage> {
  readonly document: TypedDocumentNode<TResult, TVariables>;
  /** null: the summary failed (its error is the query's). */
  readonly summary: (data: TResult) => Summary<Row> | null;
  /** The period as the page names it: "November 2026", "2026". */
  readonly name: (summary: Summary<Row>, i18n: I18n) => string;
  readonly title: 'chartTitleDay' | 'chartTitleMonth';
  /** A row's name on the chart's axis. */
  readonly label: (row: Row, i18n: I18n) => string;
  /** The table's first column, naming the row. */
  readonly column: (i18n: I18n) => Column<Row>;
  /** Whether a row is a day or month that has not begun on the site's calendar: not plotted, not listed. */
  readonly future: (row: Row, summary: Summary<Row>, today: LocalDate) => boolean;
  readonly testId: string;
  /** The widget's name when it cannot load. */
  readonly what: 'dailyWhat' | 'monthlyWhat';
}

type Day = NonNullable<MonthlySummaryQuery['monthlySummary']>['days'][number];
type Month = NonNullable<YearlySummaryQuery['yearlySummary']>['months'][number];

const monthName = (month: number, { dateLocale }: I18n, width: 'long' | 'short' = 'long') => monthNames(dateLocale, width)[month - 1] ?? String(month);

/** Per day of one month. */
export const PER_DAY: Period<MonthlySummaryQuery, MonthlySummaryQueryVariables, Day> = {
  document: MonthlySummaryDocument,
  summary: ({ monthlySummary: answer }) => answer && { ...answer, rows: answer.days },
  name: (summary, i18n) => `${monthName(summary.month ?? 0, i18n)} ${summary.year}`,
  title: 'chartTitleDay',
  label: (day) => String(Number(day.date.slice(8, 10))),
  column: (i18n) => {
    const format = dateFormatter(i18n.dateLocale, { weekday: 'short', day: 'numeric', month: 'short' });
    return { header: i18n.t('date'), text: (day) => format(day.date), value: (day) => day.date };
  },
  // ISO dates compare as text.
  future: (day, _summary, today) => day.date > isoDate(today),
  testId: 'monthly-chart',
  what: 'dailyWhat',
};

/** Per month of one year. */
export const PER_MONTH: Period<YearlySummaryQuery, YearlySummaryQueryVariables, Month> = {
  document: YearlySummaryDocument,
  summary: ({ yearlySummary: answer }) => answer && { ...answer, rows: answer.months },
  name: (summary) => String(summary.year),
  title: 'chartTitleMonth',
  label: (row, i18n) => monthName(row.month, i18n, 'short'),
  column: (i18n) => ({ header: i18n.t('month'), text: (row) => monthName(row.month, i18n), value: (row) => row.month }),
  future: (row, summary, today) => summary.year * 12 + row.month > today.year * 12 + today.month,
  testId: 'yearly-chart',
  what: 'monthlyWhat',
};

export interface PeriodChartProps<TResult, TVariables extends Variables, Row extends Usage> {
  readonly period: Period<TResult, TVariables, Row>;
  /** Which month or year, and which panel (`panelId` null: the whole building). */
  readonly variables: TVariables;
  readonly scopeName: string;
  /** The site's zone: which days have begun. */
  readonly timezone: string;
  /** The number table open under its own heading (the printed report), instead of folded. */
  readonly tableHeading?: string;
}

/**
 * Energy (bars) and cost before tax (line) per part of one period, with the period's total. Parts
 * that have not begun are neither plotted nor listed: a zero there would read as a day without use.
 */
export function PeriodChart<TResult, TVariables extends Variables, Row extends Usage>({
  period,
  variables,
  scopeName,
  timezone,
  tableHeading,
}: PeriodChartProps<TResult, TVariables, Row>) {
  const i18n = useI18n();
  const { t } = i18n;
  const { data, error, loading } = useQuery(period.document, variables, { refreshMs: REFRESH_MS });
  const summary = useMemo(() => data && period.summary(data), [data, period]);
  // The refresh each minute re-renders this after midnight too.
  const today = dateAt(timezone, Date.now());
  const todayKey = isoDate(today);
  const view = useMemo(() => {
    if (!summary) return undefined;
    const name = period.name(summary, i18n);
    const plotted = summary.rows.map((row) => !period.future(row, summary, today));
    const columns: ReadonlyArray<Column<Row>> = [
      period.column(i18n),
      { header: t('energy'), text: (row) => formatKwh(row.energyKwh), value: (row) => row.energyKwh },
      { header: `${t('cost')} (${t('taxExcluded')})`, text: (row) => formatMoney(row.cost), value: (row) => row.cost.amount },
    ];
    return {
      name,
      title: t(period.title, { period: name, scope: scopeName }),
      labels: summary.rows.map((row) => period.label(row, i18n)),
      bars: { label: t('energyAxis'), values: summary.rows.map((row, i) => (plotted[i] ? row.energyKwh : null)), format: formatKwh },
      line: { label: t('costAxis'), values: summary.rows.map((row, i) => (plotted[i] ? amountOf(row.cost) : null)), format: formatRupiah },
      rows: summary.rows.filter((_, i) => plotted[i]),
      columns,
    };
    // `today` is a new object each render: its ISO date is what matters.
  }, [summary, period, scopeName, i18n, todayKey]);

  return (
    <figure
      class="chart"
      aria-busy={loading}
      data-testid={period.testId}
      data-year={summary?.year}
      data-month={summary?.month}
      data-panel-id={summary?.panelId ?? ''}
    >
      {error && <WidgetError what={t(period.what)} error={error} />}
      {summary && view && (
        <>
          <figcaption>
            {t('periodTotal', { period: view.name })}{' '}
            <strong data-field="total-kwh" data-value={summary.total.energyKwh}>
              {formatKwh(summary.total.energyKwh)}
            </strong>
            {' · '}
            <strong data-field="total-cost" data-value={summary.total.cost.amount}>
              {formatMoney(summary.total.cost)}
            </strong>{' '}
            <span class="tax" data-tax="excluded">
              ({t('taxExcluded')})
            </span>
          </figcaption>
          <ComboChart title={view.title} labels={view.labels} bars={view.bars} line={view.line} />
          {tableHeading && <h3 class="table-heading">{tableHeading}</h3>}
          <ValuesTable caption={view.title} columns={view.columns} rows={view.rows} folded={!tableHeading} />
        </>
      )}
    </figure>
  );
}
