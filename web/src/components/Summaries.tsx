import { useState } from 'preact/hooks';
import { MONTH_NAMES } from '../format.js';
import { dateAt } from '../time.js';
import type { Panel } from '../types.js';
import { MonthChart } from './MonthChart.js';
import { YearChart } from './YearChart.js';

export interface SummariesProps {
  readonly panels: readonly Pick<Panel, 'id' | 'name'>[];
  readonly timezone: string;
}

/** Years offered by the pickers: this one and the nine before. */
const YEARS_BACK = 10;

/** Daily energy and cost of a month and monthly of a year, for the building or one panel. */
export function Summaries({ panels, timezone }: SummariesProps) {
  const today = dateAt(timezone, Date.now());
  const [panelId, setPanelId] = useState<string | null>(null);
  const [month, setMonth] = useState({ year: today.year, month: today.month });
  const [year, setYear] = useState(today.year);
  const years = Array.from({ length: YEARS_BACK }, (_, index) => today.year - index);
  const scopeName = panelId === null ? 'whole building' : (panels.find((panel) => panel.id === panelId)?.name ?? panelId);

  return (
    <section class="summaries" aria-labelledby="summaries-title">
      <header class="section-header">
        <h2 id="summaries-title">Energy and cost</h2>
        <label>
          For
          <select name="scope" value={panelId ?? ''} onChange={(event) => setPanelId(event.currentTarget.value || null)}>
            <option value="">Whole building</option>
            {panels.map((panel) => (
              <option key={panel.id} value={panel.id}>
                {panel.name}
              </option>
            ))}
          </select>
        </label>
      </header>
      <div class="chart-grid">
        <div class="widget">
          <header class="widget-header">
            <h3>Per day</h3>
            <label>
              Month
              <select
                name="month"
                value={month.month}
                onChange={(event) => setMonth({ ...month, month: Number(event.currentTarget.value) })}
              >
                {MONTH_NAMES.map((name, index) => (
                  <option key={name} value={index + 1}>
                    {name}
                  </option>
                ))}
              </select>
            </label>
            <label>
              Year
              <select name="month-year" value={month.year} onChange={(event) => setMonth({ ...month, year: Number(event.currentTarget.value) })}>
                {years.map((value) => (
                  <option key={value} value={value}>
                    {value}
                  </option>
                ))}
              </select>
            </label>
          </header>
          <MonthChart year={month.year} month={month.month} panelId={panelId} scopeName={scopeName} />
        </div>
        <div class="widget">
          <header class="widget-header">
            <h3>Per month</h3>
            <label>
              Year
              <select name="year" value={year} onChange={(event) => setYear(Number(event.currentTarget.value))}>
                {years.map((value) => (
                  <option key={value} value={value}>
                    {value}
                  </option>
                ))}
              </select>
            </label>
          </header>
          <YearChart year={year} panelId={panelId} scopeName={scopeName} />
        </div>
      </div>
    </section>
  );
}
