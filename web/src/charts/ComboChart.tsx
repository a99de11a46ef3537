import { useEffect, useRef } from 'preact/hooks';
import type { ChartConfiguration } from 'chart.js';
import { compactFormatter, NO_VALUE } from '../format.js';
import { useI18n } from '../i18n/i18n.js';
import { Chart } from './chart-setup.js';

/** One series of a chart: its name (with its unit), a value per label (null: none), how to print one exactly. */
export interface Series {
  readonly label: string;
  readonly values: ReadonlyArray<number | null>;
  readonly format: (value: number) => string;
}

export interface ComboChartProps {
  /** What the chart shows, for screen readers (the numbers are in the table beside it). */
  readonly title: string;
  readonly labels: readonly string[];
  /** Bars on the left axis. */
  readonly bars: Series;
  /** A line on the right axis. */
  readonly line: Series;
}

type ComboConfig = ChartConfiguration<'bar' | 'line', Array<number | null>, string>;

const BAR_COLOR = '#2a9d8f';
const LINE_COLOR = '#e76f51';

/**
 * Bars and a line over the same labels, each with its own axis. A null value is not plotted (no
 * bar, a gap in the line): a day that has not happened yet is not a day without use. The canvas
 * carries what it plots in `data-bars` and `data-line` (JSON), for scripts and tests.
 */
export function ComboChart(props: ComboChartProps) {
  const { lang } = useI18n();
  const tick = compactFormatter(lang);
  const canvas = useRef<HTMLCanvasElement>(null);
  const chart = useRef<Chart<'bar' | 'line', Array<number | null>, string>>();

  useEffect(() => {
    if (!canvas.current) return undefined;
    const created = new Chart(canvas.current, configure(props, tick));
    chart.current = created;
    return () => created.destroy();
    // Created once: the effect below updates it in place, which Chart.js animates smoothly.
  }, []);

  useEffect(() => {
    const current = chart.current;
    if (!current) return;
    const next = configure(props, tick);
    current.data = next.data;
    current.options = next.options ?? {};
    current.update();
    // Callers pass memoized series: a re-render with the same data does not redraw.
  }, [props.title, props.labels, props.bars, props.line, lang]);

  return (
    <div class="chart-box">
      <canvas
        ref={canvas}
        role="img"
        aria-label={props.title}
        data-bars={JSON.stringify(props.bars.values)}
        data-line={JSON.stringify(props.line.values)}
      />
    </div>
  );
}

function configure({ labels, bars, line }: ComboChartProps, format: (value: number) => string): ComboConfig {
  const tick = (value: number | string) => format(Number(value));
  const reducedMotion = matchMedia('(prefers-reduced-motion: reduce)').matches;
  return {
    type: 'bar',
    data: {
      labels: [...labels],
      datasets: [
        { type: 'bar', label: bars.label, data: [...bars.values], backgroundColor: BAR_COLOR, yAxisID: 'bars', order: 2 },
        {
          type: 'line',
          label: line.label,
          data: [...line.values],
          borderColor: LINE_COLOR,
          backgroundColor: LINE_COLOR,
          yAxisID: 'line',
          pointRadius: labels.length > 60 ? 0 : 2,
          spanGaps: false,
          order: 1,
        },
      ],
    },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: reducedMotion ? false : { duration: 300 },
      interaction: { mode: 'index', intersect: false },
      scales: {
        x: { ticks: { autoSkip: true, maxRotation: 0 } },
        bars: { type: 'linear', position: 'left', beginAtZero: true, title: { display: true, text: bars.label }, ticks: { callback: tick } },
        line: {
          type: 'linear',
          position: 'right',
          beginAtZero: true,
          title: { display: true, text: line.label },
          grid: { drawOnChartArea: false },
          ticks: { callback: tick },
        },
      },
      plugins: {
        // The line is drawn over the bars (`order`), but listed after them, as the datasets are.
        legend: { position: 'bottom', labels: { sort: (a, b) => (a.datasetIndex ?? 0) - (b.datasetIndex ?? 0) } },
        tooltip: {
          itemSort: (a, b) => a.datasetIndex - b.datasetIndex,
          callbacks: {
            label: (item) => {
              const series = item.datasetIndex === 0 ? bars : line;
              return `${series.label}: ${item.raw === null ? NO_VALUE : series.format(Number(item.raw))}`;
            },
          },
        },
      },
    },
  };
}

