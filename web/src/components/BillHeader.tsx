import { ApiError } from '../api/errors.js';
import { formatKwh, formatMoney } from '../format.js';
import { CurrentBillDocument } from '../generated/graphql.js';
import { useQuery } from '../hooks/use-query.js';
import { useI18n } from '../i18n/i18n.js';
import { WidgetError } from './WidgetError.js';

/** Asked again each minute: the bill grows with every reading and no subscription pushes it. */
const REFRESH_MS = 60_000;

/**
 * The building's bill this month so far and where it is heading (no panelId: the whole building).
 * Both are bill totals, tax included, unlike the energy costs elsewhere on the page: said on each.
 */
export function BillHeader() {
  const { t } = useI18n();
  const { data, error } = useQuery(CurrentBillDocument, {}, { refreshMs: REFRESH_MS });
  if (error) return <WidgetError what={t('billWhat')} error={error} />;
  if (!data) return <p class="bill" aria-busy="true">{t('billLoading')}</p>;
  if (!data.currentBill) return <WidgetError what={t('billWhat')} error={new ApiError('The API answered without the bill.', 'EMPTY')} />;
  const { monthToDate, projectedTotal, projectedEnergyKwh } = data.currentBill;
  return (
    <dl class="bill" data-testid="bill">
      <div>
        <dt>
          {monthToDate.complete ? t('billMonth') : t('billMonthSoFar')} <span class="tax" data-tax="included">({t('taxIncluded')})</span>
        </dt>
        <dd>
          <strong data-field="bill-total" data-value={monthToDate.total.amount}>
            {formatMoney(monthToDate.total)}
          </strong>{' '}
          <span data-field="bill-kwh" data-value={monthToDate.energyKwh}>
            {formatKwh(monthToDate.energyKwh)}
          </span>
        </dd>
      </div>
      <div>
        <dt>
          {t('billProjected')} <span class="tax" data-tax="included">({t('taxIncluded')})</span>
        </dt>
        <dd>
          <strong data-field="bill-projected" data-value={projectedTotal.amount}>
            {formatMoney(projectedTotal)}
          </strong>{' '}
          <span data-field="bill-projected-kwh" data-value={projectedEnergyKwh}>
            {formatKwh(projectedEnergyKwh)}
          </span>
        </dd>
      </div>
    </dl>
  );
}
