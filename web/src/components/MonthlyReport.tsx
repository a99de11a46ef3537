import type { LiveState } from '../api/live.js';
import {
  dateFormatter,
  formatKvarh,
  formatKwh,
  formatNumber,
  formatPercent,
  formatMoney,
  monthNames,
  timeFormatter,
} from '../format.js';
import { MonthlyBillDocument, ReportScopeDocument, type MonthlyBillQuery } from '../generated/graphql.js';
import { useQuery } from '../hooks/use-query.js';
import { useI18n, type Translate } from '../i18n/i18n.js';
import { navigate, type Route } from '../route.js';
import { dateAt, monthRange } from '../time.js';
import { DEFAULT_TIMEZONE } from './Dashboard.js';
import { DownloadButtons } from './DownloadButtons.js';
import { PER_DAY, PeriodChart } from './PeriodChart.js';
import { Select, panelOptions, yearOptions } from './Select.js';
import { TopBar } from './TopBar.js';
import { WidgetError } from './WidgetError.js';

type Bill = NonNullable<MonthlyBillQuery['monthlyBill']>;
type BillLine = Bill['lines'][number];

export interface MonthlyReportProps {
  readonly route: Extract<Route, { view: 'report' }>;
  readonly liveState: LiveState;
  readonly onSignOut: (() => void) | null;
}

/**
 * A month on paper for finance: the bill with its lines (quantity × rate = amount), what the month
 * used, and the daily chart with its figures. Laid out for A4 (print CSS in styles.css), so the
 * browser's "Save as PDF" is the document; the pickers and the header's tools are not printed.
 * The building's report covers the panels the caller may see (a tenant's key: its panels).
 */
export function MonthlyReport({ route, liveState, onSignOut }: MonthlyReportProps) {
  const i18n = useI18n();
  const { t, dateLocale } = i18n;
  const scope = useQuery(ReportScopeDocument, {});
  const timezone = scope.data?.site.timezone ?? DEFAULT_TIMEZONE;
  const today = dateAt(timezone, Date.now());
  const period = route.period ?? { year: today.year, month: today.month };
  const { panelId } = route;
  const bill = useQuery(MonthlyBillDocument, { year: period.year, month: period.month, panelId });
  const panels = scope.data?.panels?.nodes ?? [];
  const panelName = panels.find((panel) => panel.id === panelId)?.name ?? panelId;
  const monthName = `${monthNames(dateLocale)[period.month - 1] ?? period.month} ${period.year}`;
  const longDate = dateFormatter(dateLocale, { day: 'numeric', month: 'long', year: 'numeric' });
  const now = timeFormatter(dateLocale, timezone, { day: 'numeric', month: 'long', year: 'numeric', hour: '2-digit', minute: '2-digit' })(Date.now());
  const go = (change: Partial<{ year: number; month: number; panelId: string | null }>) =>
    navigate({ view: 'report', period: { year: change.year ?? period.year, month: change.month ?? period.month }, panelId: change.panelId === undefined ? panelId : change.panelId });
  const data = bill.data?.monthlyBill;
  // The answer to what is picked, not the previous pick's while the next one loads.
  const shown = data && data.year === period.year && data.month === period.month && data.panelId === panelId ? data : undefined;

  return (
    <>
      <TopBar view="report" liveState={liveState} onSignOut={onSignOut} />
      <main class="report" data-testid="report" aria-busy={!shown} data-year={period.year} data-month={period.month} data-panel-id={panelId ?? ''}>
        <header class="report-head">
          <h1>
            {t('reportTitle')} · {monthName}
          </h1>
          <p data-field="report-scope">
            {panelId === null
              ? t('reportScopeBuilding', { panels: panels.map((panel) => panel.name).join(', ') })
              : t('reportScopePanel', { name: panelName ?? panelId, id: panelId })}
          </p>
          {shown && (
            <p>
              {t('reportPeriod', { from: longDate(shown.from), to: longDate(shown.to) })} ·{' '}
              {shown.complete ? t('reportComplete') : t('reportRunning', { time: now })}
            </p>
          )}
        </header>

        <div class="report-controls no-print">
          <Select
            label={t('month')}
            name="report-month"
            value={period.month}
            options={monthNames(dateLocale).map((name, index) => ({ value: index + 1, label: name }))}
            onChange={(value) => go({ month: Number(value) })}
          />
          <Select label={t('year')} name="report-year" value={period.year} options={yearOptions(today.year)} onChange={(value) => go({ year: Number(value) })} />
          <Select
            label={t('scope')}
            name="report-scope"
            value={panelId ?? ''}
            options={[{ value: '', label: t('wholeBuilding') }, ...panelOptions(panels)]}
            onChange={(value) => go({ panelId: value || null })}
          />
          <button type="button" class="button" onClick={() => print()}>
            {t('reportPrint')}
          </button>
          <p class="note">{t('reportPrintHint')}</p>
        </div>

        {bill.error && <WidgetError what={t('reportWhat')} error={bill.error} />}
        {shown && <BillTable bill={shown} />}
        {shown && <DownloadButtons name={t('reportBill')} spec={{ kind: 'BILL_LINES', panelId, ...monthRange(period.year, period.month) }} />}
        {shown && <MonthFigures bill={shown} />}

        <section class="report-daily" aria-labelledby="report-daily-title">
          <h2 id="report-daily-title">{t('reportDaily')}</h2>
          <PeriodChart
            period={PER_DAY}
            variables={{ year: period.year, month: period.month, panelId }}
            scopeName={panelId === null ? t('wholeBuilding') : (panelName ?? panelId)}
            timezone={timezone}
            tableHeading={t('reportDailyNumbers')}
          />
          <DownloadButtons name={t('reportDaily')} spec={{ kind: 'DAILY', panelId, ...monthRange(period.year, period.month) }} />
        </section>
        <footer class="report-foot">
          <p>{t('reportGenerated', { time: now })}</p>
        </footer>
      </main>
    </>
  );
}

/** The bill's lines and totals, as PLN bills them: quantity × rate = amount on every line. */
function BillTable({ bill }: { readonly bill: Bill }) {
  const { t, dateLocale } = useI18n();
  const longDate = dateFormatter(dateLocale, { day: 'numeric', month: 'long', year: 'numeric' });
  // With two plan versions in the month, each line says which one priced it.
  const versions = new Set(bill.lines.map((line) => line.planEffectiveFrom)).size;
  return (
    <section class="report-bill" aria-labelledby="report-bill-title" data-testid="report-bill">
      <h2 id="report-bill-title">{t('reportBill')}</h2>
      <div class="table-scroll" tabIndex={0} role="region" aria-labelledby="report-bill-title">
        <table class="bill-lines">
          <thead>
            <tr>
              <th scope="col">{t('reportLine')}</th>
              <th scope="col">{t('reportQuantity')}</th>
              <th scope="col">{t('reportRate')}</th>
              <th scope="col">{t('reportAmount')}</th>
            </tr>
          </thead>
          <tbody>
            {bill.lines.length === 0 && (
              <tr>
                <td colSpan={4}>{t('reportNoLines')}</td>
              </tr>
            )}
            {bill.lines.map((line, index) => {
              const own = lineText(t, line, bill.reactiveEstimated);
              return (
                <tr key={index} data-kind={line.kind} data-block={line.__typename === 'EnergyChargeLine' ? line.block : undefined}>
                  <th scope="row">
                    {own ?? <span lang="en">{line.description}</span>}
                    {versions > 1 && <small> · {t('reportPlanSince', { date: longDate(line.planEffectiveFrom) })}</small>}
                  </th>
                  <td data-value={quantityOf(line).value}>{quantityOf(line).text}</td>
                  <td data-value={rateOf(line).value}>{rateOf(line).text}</td>
                  <td data-value={line.amount.amount}>{formatMoney(line.amount)}</td>
                </tr>
              );
            })}
          </tbody>
          <tfoot>
            <tr>
              <th scope="row" colSpan={3}>
                {t('reportSubtotal')} <span class="tax" data-tax="excluded">({t('taxExcluded')})</span>
              </th>
              <td data-field="bill-subtotal" data-value={bill.subtotal.amount}>
                {formatMoney(bill.subtotal)}
              </td>
            </tr>
            <tr>
              <th scope="row" colSpan={3}>
                {t('reportTax')}
              </th>
              <td data-field="bill-tax" data-value={bill.tax.amount}>
                {formatMoney(bill.tax)}
              </td>
            </tr>
            <tr class="grand-total">
              <th scope="row" colSpan={3}>
                {t('reportTotal')} <span class="tax" data-tax="included">({t('taxIncluded')})</span>
              </th>
              <td data-field="bill-total" data-value={bill.total.amount}>
                {formatMoney(bill.total)}
              </td>
            </tr>
          </tfoot>
        </table>
      </div>
    </section>
  );
}

const BLOCK_KEYS = { LWBP: 'blockLWBP', WBP: 'blockWBP', FLAT: 'blockFLAT' } as const;

/** What the month used: energy (per tariff block on a time-of-use plan), reactive energy, power factor. */
function MonthFigures({ bill }: { readonly bill: Bill }) {
  const { t } = useI18n();
  return (
    <section class="report-figures" aria-labelledby="report-figures-title">
      <h2 id="report-figures-title">{t('reportFigures')}</h2>
      <dl class="figures">
        <div>
          <dt>{t('reportEnergy')}</dt>
          <dd data-field="bill-kwh" data-value={bill.energyKwh}>
            {formatKwh(bill.energyKwh)}
          </dd>
        </div>
        {bill.blocks.length > 1 &&
          bill.blocks.map((block) => (
            <div key={block.block} data-block={block.block}>
              <dt>{t(BLOCK_KEYS[block.block])}</dt>
              <dd data-value={block.energyKwh}>{formatKwh(block.energyKwh)}</dd>
            </div>
          ))}
        <div>
          <dt>
            {t('reportReactive')}
            {bill.reactiveEstimated && <> ({t('reportReactiveEstimated')})</>}
          </dt>
          <dd data-field="bill-kvarh" data-value={bill.reactiveKvarh}>
            {formatKvarh(bill.reactiveKvarh)}
          </dd>
        </div>
        <div>
          <dt>{t('reportPowerFactor')}</dt>
          <dd data-field="bill-pf" data-value={bill.averagePowerFactor ?? undefined}>
            {formatNumber(bill.averagePowerFactor)}
          </dd>
        </div>
      </dl>
    </section>
  );
}

/** The page's own words for a line; null for a kind this page does not know (the API's English text is shown). */
function lineText(t: Translate, line: BillLine, reactiveEstimated: boolean): string | null {
  switch (line.kind) {
    case 'ENERGY':
      return line.__typename !== 'EnergyChargeLine' ? null : t(line.block === 'LWBP' ? 'lineEnergyLWBP' : line.block === 'WBP' ? 'lineEnergyWBP' : 'lineEnergyFLAT');
    case 'REACTIVE':
      return t(reactiveEstimated ? 'lineReactiveEstimated' : 'lineReactive');
    case 'MINIMUM_TOP_UP':
      return t('lineMinimum');
    case 'TAX':
      return line.__typename === 'TaxLine' ? t('lineTax', { percent: formatPercent(line.ratePercent / 100) }) : null;
    default:
      return null;
  }
}

/** A line's quantity in its unit (a tax's base in Rupiah), with the exact value behind it. */
function quantityOf(line: BillLine): { value: number | string; text: string } {
  switch (line.__typename) {
    case 'EnergyChargeLine':
    case 'MinimumChargeLine':
      return { value: line.quantityKwh, text: formatKwh(line.quantityKwh) };
    case 'ReactiveChargeLine':
      return { value: line.quantityKvarh, text: formatKvarh(line.quantityKvarh) };
    case 'TaxLine':
      return { value: line.base.amount, text: formatMoney(line.base) };
  }
}

/** Rupiah per unit; a tax's percentage as a bill prints it. */
function rateOf(line: BillLine): { value: number | string; text: string } {
  switch (line.__typename) {
    case 'EnergyChargeLine':
    case 'MinimumChargeLine':
      return { value: line.rate.amount, text: `${formatMoney(line.rate)}/kWh` };
    case 'ReactiveChargeLine':
      return { value: line.rate.amount, text: `${formatMoney(line.rate)}/kVArh` };
    case 'TaxLine':
      return { value: line.ratePercent, text: `${formatPercent(line.ratePercent / 100)} %` };
  }
}
