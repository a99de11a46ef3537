import { useEffect, useState } from 'preact/hooks';
import type { LiveState } from '../api/live.js';
import { useApi } from '../api/client.js';
import { toApiError, type ApiError } from '../api/errors.js';
import { formatKw, formatNumber, formatVolts, timeFormatter } from '../format.js';
import {
  AcknowledgeAlarmDocument,
  AlarmListDocument,
  AlarmViewDocument,
  type AlarmState,
  type AlarmType,
  type ApiRole,
  type ListedAlarmFragment,
} from '../generated/graphql.js';
import { useQuery } from '../hooks/use-query.js';
import { useI18n, type MessageKey, type Translate } from '../i18n/i18n.js';
import { navigate, type Route } from '../route.js';
import { AlarmBadge, SEVERITY_LABELS, TYPE_LABELS, useOpenAlarms } from './AlarmBadge.js';
import { DEFAULT_TIMEZONE } from './Dashboard.js';
import { Select } from './Select.js';
import { TopBar } from './TopBar.js';
import { WidgetError } from './WidgetError.js';

export interface AlarmListProps {
  readonly route: Extract<Route, { view: 'alarms' }>;
  readonly liveState: LiveState;
  readonly onSignOut: (() => void) | null;
}

/** Open alarms are few (one per panel and type): one page holds them all. */
const OPEN_PAGE = 100;
/** The history is long: a page at a time, by the connection's cursor. */
const HISTORY_PAGE = 20;

const STATE_LABELS = {
  ACTIVE_UNACK: 'alarmStateACTIVE_UNACK',
  ACTIVE_ACK: 'alarmStateACTIVE_ACK',
  CLEARED_UNACK: 'alarmStateCLEARED_UNACK',
  CLEARED_ACK: 'alarmStateCLEARED_ACK',
} as const satisfies Record<AlarmState, MessageKey>;

/** The roles the server lets acknowledge (docs/alarms.md "API": operator and above). */
const ACKNOWLEDGERS: readonly ApiRole[] = ['OPERATOR', 'ADMIN'];

/** What the rows need besides the alarm: names, the site's clock, and whether this caller may acknowledge. */
interface RowContext {
  readonly panelName: (panelId: string | null) => string;
  readonly formatTime: (instant: string) => string;
  /** null: may acknowledge; else the role that may not. */
  readonly refusedRole: ApiRole | null;
  /** Asks the lists again (after an acknowledgement, before its alarmChanged event arrives). */
  readonly reload: () => void;
}

/**
 * The alarm list (`#/alarms`, `#/alarms/<panel>`): the open alarms newest first with severity,
 * panel, type, start, value against threshold and state, each with an Acknowledge form for an
 * operator's or admin's key (a viewer is told why there is none); below, the history of cleared
 * alarms, a page at a time. Both are asked again on every alarmChanged event, so what is shown is
 * the server's answer. Printable: the forms and pickers are not printed.
 */
export function AlarmList({ route, liveState, onSignOut }: AlarmListProps) {
  const { t, dateLocale } = useI18n();
  const alarms = useOpenAlarms();
  const view = useQuery(AlarmViewDocument, {});
  const { panelId } = route;
  const open = useQuery(AlarmListDocument, { filter: { open: true, ...(panelId === null ? {} : { panelId }) }, first: OPEN_PAGE });
  const [acknowledged, setAcknowledged] = useState(0);
  const { refetch } = open;
  const refetchView = view.refetch;
  useEffect(() => {
    if (alarms.changes > 0 || acknowledged > 0) refetch();
  }, [alarms.changes, acknowledged, refetch]);
  useEffect(() => {
    // An alarm may name a panel first seen since the page loaded: its name is asked for again.
    if (alarms.changes > 0) refetchView();
  }, [alarms.changes, refetchView]);

  const panels = view.data?.panels?.nodes ?? [];
  const role = view.data?.caller.role ?? null;
  const names = new Map(panels.map((panel) => [panel.id, panel.name]));
  const context: RowContext = {
    panelName: (id) => (id === null ? t('alarmBuilding') : names.get(id) ?? id),
    formatTime: timeFormatter(dateLocale, view.data?.site.timezone ?? DEFAULT_TIMEZONE, { day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit' }),
    refusedRole: role === null || ACKNOWLEDGERS.includes(role) ? null : role,
    reload: () => setAcknowledged((n) => n + 1),
  };
  const rows = open.data?.alarms.edges.map((edge) => edge.node) ?? [];
  const options = [{ value: '', label: t('alarmsPanelAll') }, ...panels.map((panel) => ({ value: panel.id, label: panel.name }))];

  return (
    <>
      <TopBar view="alarms" liveState={liveState} onSignOut={onSignOut}>
        <AlarmBadge changes={alarms.changes} />
      </TopBar>
      <main class="alarms-view" data-testid="alarm-list" data-panel-id={panelId ?? ''} aria-busy={!open.data}>
        <header class="report-head">
          <h1>{panelId === null ? t('alarmsTitle') : t('alarmsTitlePanel', { name: context.panelName(panelId) })}</h1>
          <p>{panelId === null ? t('alarmsScopeAll') : panelId}</p>
        </header>
        <div class="report-controls no-print">
          <Select label={t('alarmsPanelPick')} name="alarm-panel" value={panelId ?? ''} options={options} onChange={(value) => navigate({ view: 'alarms', panelId: value === '' ? null : value })} />
        </div>
        {context.refusedRole !== null && (
          <p class="note" id="ack-refused" data-field="ack-refused">
            {/* In lower case, as API_KEYS and `npm run api-key` name roles. */}
            {t('alarmAckNotAllowed')} <code>{context.refusedRole.toLowerCase()}</code>
          </p>
        )}
        <section aria-labelledby="open-alarms-title" data-testid="open-alarms">
          <h2 id="open-alarms-title">
            {t('alarmsLabel')} {open.data && <small>{t('alarmsShown', { n: rows.length, total: open.data.alarms.totalCount })}</small>}
          </h2>
          {open.error && <WidgetError what={t('alarmsWhat')} error={open.error} />}
          {open.data && rows.length === 0 && <p class="note">{t('alarmsNone')}</p>}
          <ol class="alarm-list">
            {rows.map((alarm) => (
              <AlarmRow key={alarm.id} alarm={alarm} context={context} />
            ))}
          </ol>
        </section>
        <AlarmHistory panelId={panelId} changes={alarms.changes + acknowledged} context={context} />
      </main>
    </>
  );
}

/** One alarm: what, where, since when, how far past its threshold, its state and who acknowledged it. */
function AlarmRow({ alarm, context }: { readonly alarm: ListedAlarmFragment; readonly context: RowContext }) {
  const { t } = useI18n();
  const unacknowledged = alarm.state === 'ACTIVE_UNACK' || alarm.state === 'CLEARED_UNACK';
  return (
    <li class="card alarm-row" data-alarm-id={alarm.id} data-state={alarm.state} data-severity={alarm.severity} data-panel-id={alarm.panelId ?? ''}>
      <h3>
        <span class="alarm-severity" data-field="severity" data-severity={alarm.severity}>
          {t(SEVERITY_LABELS[alarm.severity])}
        </span>{' '}
        <span data-field="type">{t(TYPE_LABELS[alarm.type])}</span> · <span data-field="panel">{context.panelName(alarm.panelId)}</span>
      </h3>
      <dl class="alarm-fields">
        <div>
          <dt>{t('alarmStarted')}</dt>
          <dd data-field="started">
            <time dateTime={alarm.startedAt}>{context.formatTime(alarm.startedAt)}</time>
          </dd>
        </div>
        {alarm.clearedAt && (
          <div>
            <dt>{t('alarmCleared')}</dt>
            <dd data-field="cleared">
              <time dateTime={alarm.clearedAt}>{context.formatTime(alarm.clearedAt)}</time>
            </dd>
          </div>
        )}
        <div>
          <dt>{t('alarmValue')}</dt>
          <dd data-field="value" data-value={alarm.worstValue ?? alarm.value ?? ''} data-threshold={alarm.threshold ?? ''}>
            {t('alarmValueVsThreshold', { value: valueText(t, alarm.type, alarm.worstValue ?? alarm.value), threshold: valueText(t, alarm.type, alarm.threshold) })}
          </dd>
        </div>
        <div>
          <dt>{t('alarmState')}</dt>
          <dd data-field="state">{t(STATE_LABELS[alarm.state])}</dd>
        </div>
      </dl>
      {alarm.acknowledgedBy && alarm.acknowledgedAt && (
        <p class="note" data-field="acknowledged">
          {t('alarmAcknowledgedBy', { who: alarm.acknowledgedBy, time: context.formatTime(alarm.acknowledgedAt) })}
          {alarm.note && (
            <>
              {' · '}
              {t('alarmNote', { note: alarm.note })}
            </>
          )}
        </p>
      )}
      {unacknowledged && <AcknowledgeForm alarm={alarm} context={context} />}
    </li>
  );
}

/** An alarm's value in its rule's unit (docs/alarms.md: V, %, power factor, kW, % of budget, seconds, readings). */
function valueText(t: Translate, type: AlarmType, value: number | null): string {
  if (value === null) return '–';
  switch (type) {
    case 'VOLTAGE_OUT_OF_RANGE':
      return formatVolts(value);
    case 'DEMAND_HIGH':
      return formatKw(value);
    case 'VOLTAGE_UNBALANCE':
      return t('alarmUnitPercent', { n: formatNumber(value) });
    case 'BUDGET':
      return t('alarmUnitBudget', { n: formatNumber(value) });
    case 'PANEL_OFFLINE':
      return t('alarmUnitSeconds', { n: formatNumber(value) });
    case 'METER_DATA':
      return t('alarmUnitReadings', { n: formatNumber(value) });
    case 'LOW_POWER_FACTOR':
      return formatNumber(value);
  }
}

/**
 * Acknowledge with an optional note (acknowledgeAlarm). A viewer's key gets the button disabled,
 * pointing at the reason above the list, so it is clear why it cannot, not only that it cannot.
 */
function AcknowledgeForm({ alarm, context }: { readonly alarm: ListedAlarmFragment; readonly context: RowContext }) {
  const { t } = useI18n();
  const api = useApi();
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const refused = context.refusedRole !== null;
  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setFailure(null);
    try {
      const answer = await api.query(AcknowledgeAlarmDocument, { input: { id: alarm.id, ...(note.trim() === '' ? {} : { note: note.trim() }) } });
      const refusal = answer.acknowledgeAlarm.userErrors[0];
      if (refusal) setFailure(refusal.message);
      else context.reload();
    } catch (error: unknown) {
      setFailure(toApiError(error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="ack-form no-print" data-testid="acknowledge" onSubmit={(event) => void submit(event)}>
      {!refused && (
        <label>
          {t('alarmNoteLabel')}
          <input name="note" maxLength={500} value={note} onInput={(event) => setNote(event.currentTarget.value)} />
        </label>
      )}
      <button type="submit" class="button" disabled={refused || busy} aria-describedby={refused ? 'ack-refused' : undefined}>
        {busy ? t('alarmAcknowledging') : t('alarmAcknowledge')}
      </button>
      {failure !== null && (
        <p class="widget-error" role="alert">
          {t('alarmAckFailed')} <q lang="en">{failure}</q>
        </p>
      )}
    </form>
  );
}

/** A panel's (or every panel's) cleared alarms, newest first, a page at a time; starts over on a change. */
function AlarmHistory({ panelId, changes, context }: { readonly panelId: string | null; readonly changes: number; readonly context: RowContext }) {
  const { t } = useI18n();
  const api = useApi();
  const [pages, setPages] = useState<{ readonly rows: readonly ListedAlarmFragment[]; readonly endCursor: string | null; readonly more: boolean; readonly total: number } | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const load = async (after: string | null, before: readonly ListedAlarmFragment[]) => {
    const filter = { open: false, ...(panelId === null ? {} : { panelId }) };
    try {
      const answer = await api.query(AlarmListDocument, { filter, first: HISTORY_PAGE, ...(after === null ? {} : { after }) });
      const { edges, pageInfo, totalCount } = answer.alarms;
      setPages({ rows: [...before, ...edges.map((edge) => edge.node)], endCursor: pageInfo.endCursor, more: pageInfo.hasNextPage, total: totalCount });
      setError(null);
    } catch (caught: unknown) {
      setError(toApiError(caught));
    }
  };
  useEffect(() => {
    void load(null, []);
    // A change may add a cleared alarm anywhere: the first page again rather than stale pages.
  }, [api, panelId, changes]);
  return (
    <section aria-labelledby="alarm-history-title" data-testid="alarm-history">
      <h2 id="alarm-history-title">
        {t('alarmsHistoryTitle')} {pages && <small>{t('alarmsShown', { n: pages.rows.length, total: pages.total })}</small>}
      </h2>
      {error && <WidgetError what={t('alarmsWhat')} error={error} />}
      {pages && pages.rows.length === 0 && <p class="note">{t('alarmsHistoryNone')}</p>}
      <ol class="alarm-list">
        {pages?.rows.map((alarm) => (
          <AlarmRow key={alarm.id} alarm={alarm} context={context} />
        ))}
      </ol>
      {pages?.more && (
        <button type="button" class="button no-print" data-testid="history-more" onClick={() => void load(pages.endCursor, pages.rows)}>
          {t('alarmsMore')}
        </button>
      )}
    </section>
  );
}
