import { useState } from 'preact/hooks';
import { MONTH_NAMES } from '../format.js';
import { dateAt } from '../time.js';
import type { Panel } from '../types.js';
import { PER_DAY, PER_MONTH, PeriodChart } from './PeriodChart.js';
import { Select, panelOptions } from './Select.js';

export interface SummariesProps {
  readonly panels: readonly Pick<Panel, 'id' | 'name'>[];
  readonly timezone: string;
}

/** Years offered by the pickers: this one and the nine before. */
const YEARS_BACK = 10;

const MONTH_OPTIONS = MONTH_NAMES.map((name, index) => ({ value: index + 1, label: name }));

/** Daily energy and cost of a month and monthly of a year, for the building or one panel. */
export function Summaries({ panels, timezone }: SummariesProps) {
  const today = dateAt(timezone, Date.now());
  const [panelId, setPanelId] = useState<string | null>(null);
  const [month, setMonth] = useState({ year: today.year, month: today.month });
  const [year, setYear] = useState(today.year);
  const years = Array.from({ length: YEARS_BACK }, (_, index) => today.year - index).map((value) => ({ value, label: String(value) }));
  const pickMonth = (change: Partial<typeof month>) => setMonth({ ...month, ...change });
  const scopeName = panelId === null ? 'whole building' : (panels.find((panel) => panel.id === panelId)?.name ?? panelId);

  return (
    <section class="summaries" aria-labelledby="summaries-title">
      <header class="section-header">
        <h2 id="summaries-title">Energy and cost</h2>
        <Select
          label="For"
          name="scope"
          value={panelId ?? ''}
          options={[{ value: '', label: 'Whole building' }, ...panelOptions(panels)]}
          onChange={(value) => setPanelId(value || null)}
        />
      </header>
      <div class="chart-grid">
        <div class="widget">
          <header class="widget-header">
            <h3>Per day</h3>
            <Select label="Month" name="month" value={month.month} options={MONTH_OPTIONS} onChange={(value) => pickMonth({ month: Number(value) })} />
            <Select label="Year" name="month-year" value={month.year} options={years} onChange={(value) => pickMonth({ year: Number(value) })} />
          </header>
          <PeriodChart period={PER_DAY} variables={{ year: month.year, month: month.month, panelId }} scopeName={scopeName} />
        </div>
        <div class="widget">
          <header class="widget-header">
            <h3>Per month</h3>
            <Select label="Year" name="year" value={year} options={years} onChange={(value) => setYear(Number(value))} />
          </header>
          <PeriodChart period={PER_MONTH} variables={{ year, panelId }} scopeName={scopeName} />
        </div>
      </div>
    </section>
  );
}
