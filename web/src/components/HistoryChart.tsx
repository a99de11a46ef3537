import { useMemo } from 'preact/hooks';
import { ComboChart } from '../charts/ComboChart.js';
import { ValuesTable, type Column } from '../charts/ValuesTable.js';
import { formatAmperes, formatKw, formatKwh, formatNumber, formatRupiah, formatVolts, timeFormatter } from '../format.js';
import { PanelHistoryDocument } from '../generated/graphql.js';
import type { HistoryRange } from '../history-range.js';
import { useQuery } from '../hooks/use-query.js';
import type { HistoryPoint } from '../types.js';
import { WidgetError } from './WidgetError.js';

export interface HistoryChartProps {
  readonly panelId: string;
  readonly range: HistoryRange;
  readonly timezone: string;
}

/** Energy per window as bars, the window's average power as a line. */
export function HistoryChart({ panelId, range, timezone }: HistoryChartProps) {
  const { data, error, loading } = useQuery(PanelHistoryDocument, { id: panelId, ...range });
  const points = data?.panel?.history;
  const { from, to, every } = range;
  const view = useMemo(() => points && describe(points, { from, to, every }, timezone), [points, from, to, every, timezone]);

  return (
    <figure
      class="chart"
      aria-busy={loading}
      data-testid="history-chart"
      data-panel-id={data?.panel?.id ?? ''}
      data-from={range.from}
      data-to={range.to}
      data-every={range.every}
    >
      {error && <WidgetError what="History" error={error} />}
      {data && !data.panel && <p>No panel {panelId}.</p>}
      {points && view && (
        <>
          <ComboChart title={view.title} labels={view.labels} bars={view.bars} line={view.line} />
          <ValuesTable caption={view.title} columns={view.columns} rows={points} />
        </>
      )}
    </figure>
  );
}

function describe(points: readonly HistoryPoint[], range: HistoryRange, timezone: string) {
  const whole = timeFormatter(timezone, { day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit' });
  const label = timeFormatter(timezone, labelParts(range));
  const columns: ReadonlyArray<Column<HistoryPoint>> = [
    { header: 'From', text: (point) => whole(point.start), value: (point) => point.start },
    { header: 'Energy', text: (point) => formatKwh(point.energyKwh), value: (point) => point.energyKwh },
    { header: 'Cost', text: (point) => formatRupiah(point.cost), value: (point) => point.cost },
    { header: 'Average power', text: (point) => formatKw(point.activePowerKw), value: (point) => point.activePowerKw },
    { header: 'Average voltage', text: (point) => formatVolts(point.voltage), value: (point) => point.voltage },
    { header: 'Average current', text: (point) => formatAmperes(point.current), value: (point) => point.current },
    { header: 'Power factor', text: (point) => formatNumber(point.powerFactor), value: (point) => point.powerFactor },
    { header: 'Readings', text: (point) => String(point.readingCount), value: (point) => point.readingCount },
  ];
  return {
    title: `History per ${range.every}, ${whole(range.from)} to ${whole(range.to)}`,
    labels: points.map((point) => label(point.start)),
    bars: { label: 'Energy (kWh)', values: points.map((point) => point.energyKwh), format: formatKwh },
    line: { label: 'Average power (kW)', values: points.map((point) => point.activePowerKw), format: formatKw },
    columns,
  };
}

/** Axis labels say only what differs between windows: the day for days, the time within one day. */
function labelParts(range: HistoryRange): Intl.DateTimeFormatOptions {
  if (range.every === '1d') return { day: 'numeric', month: 'short' };
  if (Date.parse(range.to) - Date.parse(range.from) <= 86_400_000) return { hour: '2-digit', minute: '2-digit' };
  return { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' };
}
