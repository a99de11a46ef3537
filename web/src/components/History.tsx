import { useState } from 'preact/hooks';
import { RANGE_PRESETS, historyRange, type RangePreset } from '../history-range.js';
import { useNow } from '../hooks/use-now.js';
import { useI18n } from '../i18n/i18n.js';
import { addDays, dateAt, isoDate, parseIsoDate, type LocalDate } from '../time.js';
import type { Panel } from '../types.js';
import { DownloadButtons } from './DownloadButtons.js';
import { HistoryChart } from './HistoryChart.js';
import { Select, panelOptions } from './Select.js';

export interface HistoryProps {
  readonly panels: readonly Pick<Panel, 'id' | 'name'>[];
  readonly timezone: string;
}

/** Ranges ending today move on with the clock: the last window is re-asked once it is complete. */
const CLOCK_TICK_MS = 60_000;

/** One panel's history over a picked range of site days. */
export function History({ panels, timezone }: HistoryProps) {
  const { t } = useI18n();
  const now = useNow(CLOCK_TICK_MS);
  const today = dateAt(timezone, now);
  const [picked, setPicked] = useState<string | null>(null);
  const [preset, setPreset] = useState<RangePreset>('today');
  const [custom, setCustom] = useState<{ first: LocalDate; last: LocalDate }>(() => ({ first: addDays(today, -6), last: today }));
  const panelId = picked ?? panels[0]?.id ?? null;
  const range = historyRange(timezone, now, today, preset, custom);
  const presets = RANGE_PRESETS.map((option) => ({ value: option.value, label: t(option.key) }));

  return (
    <section class="history widget" aria-labelledby="history-title">
      <header class="widget-header">
        <h2 id="history-title">{t('historyTitle')}</h2>
        <Select label={t('panel')} name="history-panel" value={panelId ?? ''} options={panelOptions(panels)} onChange={setPicked} />
        <Select label={t('range')} name="range" value={preset} options={presets} onChange={(value) => setPreset(value as RangePreset)} />
        {preset === 'custom' && (
          <>
            <DateInput label={t('from')} name="from" value={custom.first} onChange={(first) => setCustom({ ...custom, first })} />
            <DateInput label={t('to')} name="to" value={custom.last} onChange={(last) => setCustom({ ...custom, last })} />
          </>
        )}
      </header>
      {panelId === null ? (
        <p>{t('noPanelYet')}</p>
      ) : (
        <>
          <HistoryChart panelId={panelId} range={range} timezone={timezone} />
          <DownloadButtons name={t('historyTitle')} spec={{ kind: 'HISTORY', panelId, ...range }} />
        </>
      )}
    </section>
  );
}

interface DateInputProps {
  readonly label: string;
  readonly name: string;
  readonly value: LocalDate;
  readonly onChange: (date: LocalDate) => void;
}

function DateInput({ label, name, value, onChange }: DateInputProps) {
  return (
    <label>
      {label}
      <input
        type="date"
        name={name}
        value={isoDate(value)}
        onChange={(event) => {
          // A half-typed or cleared date keeps the last valid one.
          const date = parseIsoDate(event.currentTarget.value);
          if (date) onChange(date);
        }}
      />
    </label>
  );
}
