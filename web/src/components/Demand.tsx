import { useState } from 'preact/hooks';
import type { LiveState } from '../api/live.js';
import { dateFormatter, formatKw, formatNumber, monthNames, timeFormatter } from '../format.js';
import { PeakDemandDocument, ReportScopeDocument, type DemandPeakFiguresFragment, type PeakDemandQuery } from '../generated/graphql.js';
import { useQuery } from '../hooks/use-query.js';
import { useI18n } from '../i18n/i18n.js';
import { dateAt } from '../time.js';
import { DEFAULT_TIMEZONE } from './Dashboard.js';
import { LoadProfileSection } from './LoadProfile.js';
import { Select, panelOptions, yearOptions } from './Select.js';
import { TopBar } from './TopBar.js';
import { WidgetError } from './WidgetError.js';

type Answer = NonNullable<PeakDemandQuery['peakDemand']>;
type Part = Answer['parts'][number];

export interface DemandViewProps {
  readonly liveState: LiveState;
  readonly onSignOut: (() => void) | null;
}

/**
 * Peak demand (issue 25 point 2) per day of a month and per month of a year, and the month's load
 * profile (point 3), for the building or one panel. The building's peak is coincident: the peak
 * of the summed load in one window, as the API computes it. Printable like the monthly report:
 * the pickers are not printed, the tables are open.
 */
export function DemandView({ liveState, onSignOut }: DemandViewProps) {
  const { t, dateLocale } = useI18n();
  const scope = useQuery(ReportScopeDocument, {});
  const timezone = scope.data?.site.timezone ?? DEFAULT_TIMEZONE;
  const today = dateAt(timezone, Date.now());
  const [panelId, setPanelId] = useState<string | null>(null);
  const [period, setPeriod] = useState({ year: today.year, month: today.month });
  const panels = scope.data?.panels?.nodes ?? [];
  const months = monthNames(dateLocale);
  const monthName = `${months[period.month - 1] ?? period.month} ${period.year}`;

  return (
    <>
      <TopBar view="demand" liveState={liveState} onSignOut={onSignOut} />
      <main class="report demand" data-testid="demand" data-panel-id={panelId ?? ''}>
        <header class="report-head">
          <h1>{t('demandTitle')}</h1>
          <p data-field="demand-scope">
            {panelId === null ? t('demandScopeBuilding') : (panels.find((panel) => panel.id === panelId)?.name ?? panelId)}
          </p>
        </header>
        <div class="report-controls no-print">
          <Select
            label={t('scope')}
            name="demand-scope"
            value={panelId ?? ''}
            options={[{ value: '', label: t('wholeBuilding') }, ...panelOptions(panels)]}
            onChange={(value) => setPanelId(value || null)}
          />
          <Select
            label={t('month')}
            name="demand-month"
            value={period.month}
            options={months.map((name, index) => ({ value: index + 1, label: name }))}
            onChange={(value) => setPeriod({ ...period, month: Number(value) })}
          />
          <Select label={t('year')} name="demand-year" value={period.year} options={yearOptions(today.year)} onChange={(value) => setPeriod({ ...period, year: Number(value) })} />
          <button type="button" class="button" onClick={() => print()}>
            {t('reportPrint')}
          </button>
        </div>
        <PeakSection
          testId="peak-month"
          title={t('demandPerDay', { period: monthName })}
          variables={{ year: period.year, month: period.month, panelId }}
          timezone={timezone}
          partHeader={t('day')}
          partName={(part) => dateFormatter(dateLocale, { weekday: 'short', day: 'numeric', month: 'short' })(part.firstDay)}
        />
        <PeakSection
          testId="peak-year"
          title={t('demandPerMonth', { period: String(period.year) })}
          variables={{ year: period.year, panelId }}
          timezone={timezone}
          partHeader={t('month')}
          partName={(part) => months[Number(part.firstDay.slice(5, 7)) - 1] ?? part.firstDay}
        />
        <LoadProfileSection year={period.year} month={period.month} panelId={panelId} periodName={monthName} />
      </main>
    </>
  );
}

interface PeakSectionProps {
  readonly testId: string;
  readonly title: string;
  readonly variables: { readonly year: number; readonly month?: number; readonly panelId: string | null };
  readonly timezone: string;
  /** The first column's header: a day of a month, or a month of a year. */
  readonly partHeader: string;
  readonly partName: (part: Part) => string;
}

/** A period's peak with its window start and kVA, how many windows were complete, and each part's peak. */
function PeakSection({ testId, title, variables, timezone, partHeader, partName }: PeakSectionProps) {
  const { t, dateLocale } = useI18n();
  const { data, error, loading } = useQuery(PeakDemandDocument, variables);
  const answer = data?.peakDemand;
  const at = timeFormatter(dateLocale, timezone, { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' });
  const peakText = (peak: DemandPeakFiguresFragment | null) => (peak ? t('demandPeakAt', { kw: formatKw(peak.kw), time: at(peak.start) }) : t('demandNone'));
  const headingId = `${testId}-title`;
  return (
    <section class="demand-peaks" aria-labelledby={headingId} aria-busy={loading} data-testid={testId}>
      <h2 id={headingId}>{title}</h2>
      {error && <WidgetError what={t('demandWhat')} error={error} />}
      {answer && (
        <>
          <dl class="figures">
            <div>
              <dt>{t('demandPeak')}</dt>
              <dd data-field="peak-kw" data-value={answer.peak?.kw} data-start={answer.peak?.start}>
                {peakText(answer.peak)}
              </dd>
            </div>
            <div>
              <dt>{t('demandApparent')}</dt>
              <dd data-field="peak-kva" data-value={answer.apparentPeak?.kva} data-start={answer.apparentPeak?.start}>
                {answer.apparentPeak ? `${formatNumber(answer.apparentPeak.kva)} kVA · ${at(answer.apparentPeak.start)}` : t('demandNone')}
              </dd>
            </div>
            <div>
              <dt>{t('demandWindows')}</dt>
              <dd data-field="windows-complete" data-value={answer.windowsComplete}>
                {t('demandWindowsOf', { complete: answer.windowsComplete, expected: answer.windowsExpected, measured: answer.windowsMeasured })}
              </dd>
            </div>
          </dl>
          <PartsTable caption={title} parts={answer.parts} partHeader={partHeader} partName={partName} at={at} />
        </>
      )}
    </section>
  );
}

interface PartsTableProps {
  readonly caption: string;
  readonly parts: readonly Part[];
  readonly partHeader: string;
  readonly partName: (part: Part) => string;
  readonly at: (instant: string) => string;
}

/** One row per day or month that has a peak; the exact figures in data-value, as every table on the page. */
function PartsTable({ caption, parts, partHeader, partName, at }: PartsTableProps) {
  const { t } = useI18n();
  const rows = parts.filter((part) => part.peak !== null);
  return (
    <div class="table-scroll" tabIndex={0} role="region" aria-label={caption}>
      <table class="peaks">
        <caption>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">{partHeader}</th>
            <th scope="col">{t('demandPeak')}</th>
            <th scope="col">{t('demandWindowStart')}</th>
            <th scope="col">kVA</th>
            <th scope="col">{t('demandWindows')}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((part) => (
            <tr key={part.firstDay} data-first-day={part.firstDay}>
              <th scope="row">{partName(part)}</th>
              <td data-field="kw" data-value={part.peak?.kw}>
                {formatKw(part.peak?.kw)}
              </td>
              <td data-field="start" data-value={part.peak?.start}>
                {part.peak ? at(part.peak.start) : ''}
              </td>
              <td data-field="kva" data-value={part.peak?.kva}>
                {formatNumber(part.peak?.kva)}
              </td>
              <td data-field="complete" data-value={part.windowsComplete}>
                {t('demandWindowsOf', { complete: part.windowsComplete, expected: part.windowsExpected, measured: part.windowsMeasured })}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
