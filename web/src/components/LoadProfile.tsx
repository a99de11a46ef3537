import { useMemo } from 'preact/hooks';
import { ComboChart } from '../charts/ComboChart.js';
import { ValuesTable, type Column } from '../charts/ValuesTable.js';
import { dateFormatter, formatKw, formatKwh, formatMoney, formatPercent } from '../format.js';
import { LoadProfileDocument, type LoadProfileQuery } from '../generated/graphql.js';
import { useQuery } from '../hooks/use-query.js';
import { useI18n } from '../i18n/i18n.js';
import { addDays, isoDate, monthRange, parseIsoDate } from '../time.js';
import { WidgetError } from './WidgetError.js';

type Profile = NonNullable<LoadProfileQuery['loadProfile']>;

/** One hour of the day, with both kinds of day side by side. */
interface HourRow {
  readonly hour: number;
  readonly weekday: number | null;
  readonly weekend: number | null;
}

export interface LoadProfileSectionProps {
  readonly year: number;
  readonly month: number;
  readonly panelId: string | null;
  /** The month as the page names it. */
  readonly periodName: string;
}

/**
 * A month's load profile (issue 25 point 3): average kW per hour of day on working days (bars)
 * and on weekends and holidays (line), the base load, and the energy, cost and share used outside
 * operating hours, as `loadProfile` answers them.
 */
export function LoadProfileSection({ year, month, panelId, periodName }: LoadProfileSectionProps) {
  const { t } = useI18n();
  const range = monthRange(year, month);
  // The API's `to` is included: the month's last day.
  const last = isoDate(addDays(parseIsoDate(range.to) ?? { year, month, day: 1 }, -1));
  const { data, error, loading } = useQuery(LoadProfileDocument, { from: range.from, to: last, panelId });
  const profile = data?.loadProfile;
  const title = t('profileChart', { period: periodName });
  const rows = useMemo(() => (profile ? hourRows(profile) : []), [profile]);
  const columns: ReadonlyArray<Column<HourRow>> = [
    { header: t('profileHour'), text: (row) => `${String(row.hour).padStart(2, '0')}:00`, value: (row) => row.hour },
    { header: t('profileWorkdays'), text: (row) => formatKw(row.weekday), value: (row) => row.weekday },
    { header: t('profileWeekends'), text: (row) => formatKw(row.weekend), value: (row) => row.weekend },
  ];

  return (
    <section class="load-profile" aria-labelledby="profile-title" aria-busy={loading} data-testid="load-profile">
      <h2 id="profile-title">{t('profileTitle', { period: periodName })}</h2>
      {error && <WidgetError what={t('profileWhat')} error={error} />}
      {profile && (
        <>
          <ProfileFigures profile={profile} />
          <ComboChart
            title={title}
            labels={rows.map((row) => String(row.hour).padStart(2, '0'))}
            bars={{ label: t('profileWorkdays'), values: rows.map((row) => row.weekday), format: formatKw }}
            line={{ label: t('profileWeekends'), values: rows.map((row) => row.weekend), format: formatKw }}
          />
          <ValuesTable caption={title} columns={columns} rows={rows} folded={false} />
        </>
      )}
    </section>
  );
}

function hourRows(profile: Profile): HourRow[] {
  return profile.weekdays.map((hour, index) => ({ hour: hour.hour, weekday: hour.averageKw, weekend: profile.weekendsAndHolidays[index]?.averageKw ?? null }));
}

/** Base load, outside operating hours (energy, cost, share), the total, and the settings behind them. */
function ProfileFigures({ profile }: { readonly profile: Profile }) {
  const { t, dateLocale } = useI18n();
  const longDate = dateFormatter(dateLocale, { day: 'numeric', month: 'long' });
  return (
    <>
      <dl class="figures">
        <div>
          <dt>{t('profileBaseLoad')}</dt>
          <dd data-field="base-load-kw" data-value={profile.baseLoadKw ?? undefined}>
            {formatKw(profile.baseLoadKw)}
          </dd>
        </div>
        <div>
          <dt>{t('profileOutside')}</dt>
          <dd data-field="outside-kwh" data-value={profile.outsideHours.energyKwh} data-cost={profile.outsideHours.cost.amount}>
            {formatKwh(profile.outsideHours.energyKwh)} · {formatMoney(profile.outsideHours.cost)}
          </dd>
        </div>
        <div>
          <dt>{t('profileOutsideShare')}</dt>
          <dd data-field="outside-share" data-value={profile.outsideShare ?? undefined}>
            {profile.outsideShare === null ? '–' : `${formatPercent(profile.outsideShare)} %`}
          </dd>
        </div>
        <div>
          <dt>{t('profileTotal')}</dt>
          <dd data-field="total-kwh" data-value={profile.total.energyKwh} data-cost={profile.total.cost.amount}>
            {formatKwh(profile.total.energyKwh)} · {formatMoney(profile.total.cost)}
          </dd>
        </div>
      </dl>
      <p class="note">
        {t('profileHours', { hours: profile.operatingHours })}
        {profile.holidays.length > 0 && <> · {t('profileHolidays', { days: profile.holidays.map(longDate).join(', ') })}</>}
      </p>
    </>
  );
}
