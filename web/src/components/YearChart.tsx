import { useMemo } from 'preact/hooks';
import { ComboChart } from '../charts/ComboChart.js';
import { ValuesTable, type Column } from '../charts/ValuesTable.js';
import { formatKwh, formatRupiah, MONTH_NAMES } from '../format.js';
import { useQuery } from '../hooks/use-query.js';
import { YEARLY_SUMMARY } from '../operations.js';
import type { YearlySummaryData } from '../types.js';
import { WidgetError } from './WidgetError.js';

type Month = YearlySummaryData['yearlySummary']['months'][number];

const monthName = (month: number) => MONTH_NAMES[month - 1] ?? String(month);

/** Today's bar grows with every reading; no subscription pushes summaries, so ask each minute. */
const REFRESH_MS = 60_000;

const COLUMNS: ReadonlyArray<Column<Month>> = [
  { header: 'Month', text: (row) => monthName(row.month), value: (row) => row.month },
  { header: 'Energy', text: (row) => formatKwh(row.energyKwh), value: (row) => row.energyKwh },
  { header: 'Cost', text: (row) => formatRupiah(row.cost), value: (row) => row.cost },
];

export interface YearChartProps {
  readonly year: number;
  /** null: the whole building. */
  readonly panelId: string | null;
  readonly scopeName: string;
}

/** Energy and cost per month of one year. */
export function YearChart({ year, panelId, scopeName }: YearChartProps) {
  const { data, error, loading } = useQuery<YearlySummaryData>(YEARLY_SUMMARY, { year, panelId }, { refreshMs: REFRESH_MS });
  const summary = data?.yearlySummary;
  const series = useMemo(
    () =>
      summary && {
        labels: summary.months.map((row) => monthName(row.month).slice(0, 3)),
        bars: { label: 'Energy (kWh)', values: summary.months.map((row) => row.energyKwh), format: formatKwh },
        line: { label: 'Cost (Rp)', values: summary.months.map((row) => row.cost), format: formatRupiah },
      },
    [summary],
  );
  const title = `Energy and cost per month, ${summary?.year ?? year}, ${scopeName}`;
  return (
    <figure class="chart" aria-busy={loading} data-testid="yearly-chart" data-year={summary?.year} data-panel-id={summary?.panelId ?? ''}>
      {error && <WidgetError what="Monthly summary" error={error} />}
      {summary && series && (
        <>
          <figcaption>
            Total {summary.year}:{' '}
            <strong data-field="total-kwh" data-value={summary.total.energyKwh}>
              {formatKwh(summary.total.energyKwh)}
            </strong>
            {' · '}
            <strong data-field="total-cost" data-value={summary.total.cost}>
              {formatRupiah(summary.total.cost)}
            </strong>
          </figcaption>
          <ComboChart title={title} labels={series.labels} bars={series.bars} line={series.line} />
          <ValuesTable caption={title} columns={COLUMNS} rows={summary.months} />
        </>
      )}
    </figure>
  );
}
