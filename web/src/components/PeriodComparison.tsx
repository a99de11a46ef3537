import { formatKwh } from '../format.js';
import {
  MonthlyComparisonDocument,
  YearlyComparisonDocument,
  type PeriodComparisonFragment,
} from '../generated/graphql.js';
import { useQuery } from '../hooks/use-query.js';
import { useI18n, type Translate } from '../i18n/i18n.js';

/** Like the summaries: the month so far grows with every reading, ask again each minute. */
const REFRESH_MS = 60_000;

const oneDecimal = new Intl.NumberFormat('id-ID', { maximumFractionDigits: 1 });

/** One period's answer: its total's emissions and its comparison. */
interface Compared {
  readonly total: { readonly emissions: { readonly co2eKg: number } | null };
  readonly comparison: PeriodComparisonFragment | null;
}

/**
 * The change of a month's energy next to its total (issue 25, point 1): against the month before
 * and the same month last year, like for like while it runs. An arrow and a signed percentage,
 * and for screen readers the same in words (colour is never the only cue: the arrow and the sign
 * say it too). Also the month's emissions (kg CO₂e).
 */
export function MonthComparison({ year, month, panelId }: { readonly year: number; readonly month: number; readonly panelId: string | null }) {
  const { data } = useQuery(MonthlyComparisonDocument, { year, month, panelId }, { refreshMs: REFRESH_MS });
  return <ComparisonLine kind="month" answer={data?.monthlySummary ?? null} />;
}

/** The same for a year, against the year before. */
export function YearComparison({ year, panelId }: { readonly year: number; readonly panelId: string | null }) {
  const { data } = useQuery(YearlyComparisonDocument, { year, panelId }, { refreshMs: REFRESH_MS });
  return <ComparisonLine kind="year" answer={data?.yearlySummary ?? null} />;
}

function ComparisonLine({ kind, answer }: { readonly kind: 'month' | 'year'; readonly answer: Compared | null }) {
  const { t } = useI18n();
  const comparison = answer?.comparison;
  if (!answer || !comparison) return null;
  const co2 = answer.total.emissions?.co2eKg;
  return (
    <p class="comparison" data-testid={`comparison-${kind}`} data-so-far={comparison.soFar}>
      <Change t={t} label={t(kind === 'month' ? 'vsPreviousMonth' : 'vsPreviousYear')} field="change-previous" base={comparison.previousPeriod} />
      {kind === 'month' && (
        <>
          {' · '}
          <Change t={t} label={t('vsSameMonthLastYear')} field="change-last-year" base={comparison.samePeriodLastYear} />
        </>
      )}
      {comparison.soFar && <span class="note"> ({t('comparedSoFar')})</span>}
      {co2 !== undefined && (
        <>
          {' · '}
          <span data-field="co2e-kg" data-value={co2}>
            {t('emissionsKg', { kg: oneDecimal.format(co2) })}
          </span>
        </>
      )}
    </p>
  );
}

function Change({ t, label, field, base }: { t: Translate; label: string; field: string; base: PeriodComparisonFragment['previousPeriod'] }) {
  const percent = base.change.energyPercent;
  if (percent === null) {
    return (
      <span data-field={field} data-value="">
        {label}: {t('changeNoBase')}
      </span>
    );
  }
  const direction = percent > 0 ? 'up' : percent < 0 ? 'down' : 'same';
  const arrow = direction === 'up' ? '▲' : direction === 'down' ? '▼' : '＝';
  const shown = `${percent > 0 ? '+' : percent < 0 ? '−' : '±'}${oneDecimal.format(Math.abs(percent))} %`;
  const words = t(direction === 'up' ? 'changeUp' : direction === 'down' ? 'changeDown' : 'changeSame', {
    percent: oneDecimal.format(Math.abs(percent)),
    kwh: formatKwh(base.energyKwh),
  });
  return (
    <span data-field={field} data-value={percent} data-direction={direction} class={`change change-${direction}`}>
      {label}:{' '}
      <span aria-hidden="true">
        {arrow} {shown}
      </span>
      <span class="sr-only">{words}</span>
    </span>
  );
}
