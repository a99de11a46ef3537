import { useState } from 'preact/hooks';
import { monthNames } from '../format.js';
import { useI18n } from '../i18n/i18n.js';
import { dateAt, monthRange, yearRange } from '../time.js';
import { DownloadButtons } from './DownloadButtons.js';
import type { Panel } from '../types.js';
import { PER_DAY, PER_MONTH, PeriodChart } from './PeriodChart.js';
import { MonthComparison, YearComparison } from './PeriodComparison.js';
import { Select, panelOptions, yearOptions } from './Select.js';

export interface SummariesProps {
  readonly panels: readonly Pick<Panel, 'id' | 'name'>[];
  readonly timezone: string;
}

/** Daily energy and cost of a month and monthly of a year, for the building or one panel. */
export function Summaries({ panels, timezone }: SummariesProps) {
  const { t, dateLocale } = useI18n();
  const today = dateAt(timezone, Date.now());
  const [panelId, setPanelId] = useState<string | null>(null);
  const [month, setMonth] = useState({ year: today.year, month: today.month });
  const [year, setYear] = useState(today.year);
  const years = yearOptions(today.year);
  const months = monthNames(dateLocale).map((name, index) => ({ value: index + 1, label: name }));
  const pickMonth = (change: Partial<typeof month>) => setMonth({ ...month, ...change });
  const scopeName = panelId === null ? t('wholeBuilding') : (panels.find((panel) => panel.id === panelId)?.name ?? panelId);

  return (
    <section class="summaries" aria-labelledby="summaries-title">
      <header class="section-header">
        <h2 id="summaries-title">{t('summariesTitle')}</h2>
        <Select
          label={t('scope')}
          name="scope"
          value={panelId ?? ''}
          options={[{ value: '', label: t('wholeBuilding') }, ...panelOptions(panels)]}
          onChange={(value) => setPanelId(value || null)}
        />
      </header>
      <div class="chart-grid">
        <div class="widget">
          <header class="widget-header">
            <h3>{t('perDay')}</h3>
            <Select label={t('month')} name="month" value={month.month} options={months} onChange={(value) => pickMonth({ month: Number(value) })} />
            <Select label={t('year')} name="month-year" value={month.year} options={years} onChange={(value) => pickMonth({ year: Number(value) })} />
          </header>
          <MonthComparison year={month.year} month={month.month} panelId={panelId} />
          <PeriodChart period={PER_DAY} variables={{ year: month.year, month: month.month, panelId }} scopeName={scopeName} timezone={timezone} />
          <DownloadButtons name={t('perDay')} spec={{ kind: 'DAILY', panelId, ...monthRange(month.year, month.month) }} />
        </div>
        <div class="widget">
          <header class="widget-header">
            <h3>{t('perMonth')}</h3>
            <Select label={t('year')} name="year" value={year} options={years} onChange={(value) => setYear(Number(value))} />
          </header>
          <YearComparison year={year} panelId={panelId} />
          <PeriodChart period={PER_MONTH} variables={{ year, panelId }} scopeName={scopeName} timezone={timezone} />
          <DownloadButtons name={t('perMonth')} spec={{ kind: 'MONTHLY', panelId, ...yearRange(year) }} />
        </div>
      </div>
    </section>
  );
}
