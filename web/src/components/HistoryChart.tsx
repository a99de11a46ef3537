import { useMemo } from 'preact/hooks';
import { ComboChart } from '../charts/ComboChart.js';
import { ValuesTable, type Column } from '../charts/ValuesTable.js';
import { formatAmperes, formatKw, formatKwh, formatNumber, formatMoney, formatVolts, timeFormatter } from '../format.js';
import { PanelHistoryDocument } from '../generated/graphql.js';
import type { HistoryRange } from '../history-range.js';
import { useQuery } from '../hooks/use-query.js';
import { useI18n, type I18n } from '../i18n/i18n.js';
import type { HistoryPoint } from '../types.js';
import { WidgetError } from './WidgetError.js';

export interface HistoryChartProps {
  readonly panelId: string;
  readonly range: HistoryRange;
  readonly timezone: string;
}

/** Energy per window as bars, the window's average power as a line. */
export function HistoryChart({ panelId, range, timezone }: HistoryChartProps) {
  const i18n = useI18n();
  const { data, error, loading } = useQuery(PanelHistoryDocument, { id: panelId, ...range });
  // One page: history-range.ts keeps a chart's windows within the first page (at most 5,000).
  const points = data?.panel?.history?.nodes;
  const { from, to, every } = range;
  const view = useMemo(() => points && describe(points, { from, to, every }, timezone, i18n), [points, from, to, every, timezone, i18n]);

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
      {error && <WidgetError what={i18n.t('historyWhat')} error={error} />}
      {data && !data.panel && <p>{i18n.t('unknownPanel', { id: panelId })}</p>}
      {points && view && (
        <>
          <ComboChart title={view.title} labels={view.labels} bars={view.bars} line={view.line} />
          <ValuesTable caption={view.title} columns={view.columns} rows={points} />
        </>
      )}
    </figure>
  );
}

const WINDOW_NAMES = { '15m': 'every15m', '1h': 'every1h', '1d': 'every1d' } as const;

function describe(points: readonly HistoryPoint[], range: HistoryRange, timezone: string, { t, dateLocale }: I18n) {
  const whole = timeFormatter(dateLocale, timezone, { day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit' });
  const label = timeFormatter(dateLocale, timezone, labelParts(range));
  const costHeader = `${t('cost')} (${t('taxExcluded')})`;
  const columns: ReadonlyArray<Column<HistoryPoint>> = [
    { header: t('windowStart'), text: (point) => whole(point.start), value: (point) => point.start },
    { header: t('energy'), text: (point) => formatKwh(point.energyKwh), value: (point) => point.energyKwh },
    { header: costHeader, text: (point) => formatMoney(point.cost), value: (point) => point.cost.amount },
    { header: t('averagePower'), text: (point) => formatKw(point.activePowerKw), value: (point) => point.activePowerKw },
    { header: t('averageVoltage'), text: (point) => formatVolts(point.voltage?.average), value: (point) => point.voltage?.average ?? null },
    { header: t('averageCurrent'), text: (point) => formatAmperes(point.current?.average), value: (point) => point.current?.average ?? null },
    { header: t('powerFactor'), text: (point) => formatNumber(point.powerFactor), value: (point) => point.powerFactor },
    { header: t('readings'), text: (point) => String(point.readingCount), value: (point) => point.readingCount },
  ];
  const every = range.every in WINDOW_NAMES ? t(WINDOW_NAMES[range.every as keyof typeof WINDOW_NAMES]) : range.every;
  return {
    title: t('historyTitleChart', { every, from: whole(range.from), to: whole(range.to) }),
    labels: points.map((point) => label(point.start)),
    bars: { label: t('energyAxis'), values: points.map((point) => point.energyKwh), format: formatKwh },
    line: { label: t('averagePowerAxis'), values: points.map((point) => point.activePowerKw), format: formatKw },
    columns,
  };
}

/** Axis labels say only what differs between windows: the day for days, the time within one day. */
function labelParts(range: HistoryRange): Intl.DateTimeFormatOptions {
  if (range.every === '1d') return { day: 'numeric', month: 'short' };
  if (Date.parse(range.to) - Date.parse(range.from) <= 86_400_000) return { hour: '2-digit', minute: '2-digit' };
  return { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' };
}
