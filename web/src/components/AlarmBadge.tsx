import { useEffect, useState } from 'preact/hooks';
import { AlarmChangesDocument, AlarmCountsDocument, OpenAlarmsDocument, type OpenAlarmsQuery, type AlarmSeverity, type AlarmType } from '../generated/graphql.js';
import { useQuery } from '../hooks/use-query.js';
import { useSubscription } from '../hooks/use-subscription.js';
import { useI18n, type MessageKey } from '../i18n/i18n.js';
import { routeHash } from '../route.js';

type ListedAlarm = OpenAlarmsQuery['alarms']['edges'][number]['node'];

export const SEVERITY_LABELS = {
  CRITICAL: 'severityCRITICAL',
  MAJOR: 'severityMAJOR',
  MINOR: 'severityMINOR',
  WARNING: 'severityWARNING',
} as const satisfies Record<AlarmSeverity, MessageKey>;

export const TYPE_LABELS = {
  PANEL_OFFLINE: 'alarmTypePANEL_OFFLINE',
  VOLTAGE_OUT_OF_RANGE: 'alarmTypeVOLTAGE_OUT_OF_RANGE',
  VOLTAGE_UNBALANCE: 'alarmTypeVOLTAGE_UNBALANCE',
  LOW_POWER_FACTOR: 'alarmTypeLOW_POWER_FACTOR',
  DEMAND_HIGH: 'alarmTypeDEMAND_HIGH',
  BUDGET: 'alarmTypeBUDGET',
  METER_DATA: 'alarmTypeMETER_DATA',
} as const satisfies Record<AlarmType, MessageKey>;

const GRAVEST_FIRST: readonly AlarmSeverity[] = ['CRITICAL', 'MAJOR', 'MINOR', 'WARNING'];

/** An open alarm shown on its panel's card. */
export type OpenAlarm = ListedAlarm;

/**
 * The open alarms of each panel (the gravest, for its card), and a counter bumped on every
 * alarmChanged event: the open alarms and the badge's counts are asked again then (and after a
 * reconnect), so what the page shows is always the server's answer, not a sum of events.
 */
export function useOpenAlarms(): { readonly byPanel: ReadonlyMap<string, OpenAlarm>; readonly changes: number } {
  const [changes, setChanges] = useState(0);
  useSubscription(AlarmChangesDocument, () => setChanges((n) => n + 1));
  const { data, refetch } = useQuery(OpenAlarmsDocument, {});
  useEffect(() => {
    if (changes > 0) refetch();
  }, [changes, refetch]);
  const byPanel = new Map<string, OpenAlarm>();
  for (const { node: alarm } of data?.alarms.edges ?? []) {
    if (alarm.panelId === null) continue;
    const shown = byPanel.get(alarm.panelId);
    if (!shown || GRAVEST_FIRST.indexOf(alarm.severity) < GRAVEST_FIRST.indexOf(shown.severity)) byPanel.set(alarm.panelId, alarm);
  }
  return { byPanel, changes };
}

/** The header's badge: open alarms by severity (alarmCounts), asked again on every alarm change. */
export function AlarmBadge({ changes }: { readonly changes: number }) {
  const { t } = useI18n();
  const { data, refetch } = useQuery(AlarmCountsDocument, {});
  useEffect(() => {
    if (changes > 0) refetch();
  }, [changes, refetch]);
  const counts = data?.alarmCounts;
  if (!counts) return null;
  const shown = counts.bySeverity.filter((entry) => entry.count > 0);
  return (
    <p class="alarm-badge" data-testid="alarm-badge" data-open={counts.open} role="status" aria-label={t('alarmsLabel')}>
      {/* The counts lead to the list, where each alarm can be read and acknowledged. */}
      <a href="#/alarms" data-testid="alarm-badge-link" title={t('alarmsBadgeLink')}>
        {shown.length === 0
          ? t('alarmsNone')
          : shown.map((entry) => (
              <span key={entry.severity} class="alarm-count" data-severity={entry.severity} data-count={entry.count}>
                {t('alarmSeverityCount', { severity: t(SEVERITY_LABELS[entry.severity]), n: entry.count })}
              </span>
            ))}
      </a>
    </p>
  );
}

/** A panel card's line for its open alarm (the gravest). */
export function AlarmOnCard({ alarm }: { readonly alarm: OpenAlarm }) {
  const { t } = useI18n();
  return (
    <p class="card-alarm" data-field="alarm" data-severity={alarm.severity} data-alarm-id={alarm.id}>
      {/* The panel's alarms and their history, where an operator acknowledges this one. */}
      <a href={routeHash({ view: 'alarms', panelId: alarm.panelId })} title={t('alarmOnCardLink')}>
        {t('alarmOnCard', { severity: t(SEVERITY_LABELS[alarm.severity]), type: t(TYPE_LABELS[alarm.type]) })}
      </a>
    </p>
  );
}
