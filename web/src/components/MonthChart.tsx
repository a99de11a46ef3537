import { useMemo } from 'preact/hooks';
import { ComboChart } from '../charts/ComboChart.js';
import { ValuesTable, type Column } from '../charts/ValuesTable.js';
import { formatKwh, formatRupiah, MONTH_NAMES } from '../format.js';
import { useQuery } from '../hooks/use-query.js';
import { MONTHLY_SUMMARY } from '../operations.js';
import type { MonthlySummaryData } from '../types.js';
import { WidgetError } from './WidgetError.js';

type Day = MonthlySummaryData['monthlySummary']['days'][number];

/** Today's bar grows with every reading; no subscription pushes summaries, so ask each minute. */
const REFRESH_MS = 60_000;

const COLUMNS: ReadonlyArray<Column<Day>> = [
  { header: 'Date', text: (day) => day.date, value: (day) => day.date },
  { header: 'Energy', text: (day) => formatKwh(day.energyKwh), value: (day) => day.energyKwh },
  { header: 'Cost', text: (day) => formatRupiah(day.cost), value: (day) => day.cost },
];

export interface MonthChartProps {
  readonly year: number;
  /** 1-12 */
  readonly month: number;
  /** null: the whole building. */
  readonly panelId: string | null;
  readonly scopeName: string;
}

/** Energy and cost per day of one month. */
export function MonthChart({ year, month, panelId, scopeName }: MonthChartProps) {
  const { data, error, loading } = useQuery<MonthlySummaryData>(MONTHLY_SUMMARY, { year, month, panelId }, { refreshMs: REFRESH_MS });
  const summary = data?.monthlySummary;
  const series = useMemo(
    () =>
      summary && {
        labels: summary.days.map((day) => String(Number(day.date.slice(8, 10)))),
        bars: { label: 'Energy (kWh)', values: summary.days.map((day) => day.energyKwh), format: formatKwh },
        line: { label: 'Cost (Rp)', values: summary.days.map((day) => day.cost), format: formatRupiah },
      },
    [summary],
  );
  const shown = summary ?? { year, month };
  const title = `Energy and cost per day, ${MONTH_NAMES[shown.month - 1] ?? shown.month} ${shown.year}, ${scopeName}`;
  return (
    <figure
      class="chart"
      aria-busy={loading}
      data-testid="monthly-chart"
      data-year={summary?.year}
      data-month={summary?.month}
      data-panel-id={summary?.panelId ?? ''}
    >
      {error && <WidgetError what="Daily summary" error={error} />}
      {summary && series && (
        <>
          <figcaption>
            Total {MONTH_NAMES[summary.month - 1]} {summary.year}:{' '}
            <strong data-field="total-kwh" data-value={summary.total.energyKwh}>
              {formatKwh(summary.total.energyKwh)}
            </strong>
            {' · '}
            <strong data-field="total-cost" data-value={summary.total.cost}>
              {formatRupiah(summary.total.cost)}
            </strong>
          </figcaption>
          <ComboChart title={title} labels={series.labels} bars={series.bars} line={series.line} />
          <ValuesTable caption={title} columns={COLUMNS} rows={summary.days} />
        </>
      )}
    </figure>
  );
}
