import { formatKwh, formatRupiah } from '../format.js';
import { useQuery } from '../hooks/use-query.js';
import { CURRENT_BILL } from '../operations.js';
import type { CurrentBillData } from '../types.js';
import { WidgetError } from './WidgetError.js';

/** Asked again each minute: the bill grows with every reading and no subscription pushes it. */
const REFRESH_MS = 60_000;

/** The building's bill this month so far and where it is heading. */
export function BillHeader() {
  const { data, error } = useQuery<CurrentBillData>(CURRENT_BILL, {}, { refreshMs: REFRESH_MS });
  if (error) return <WidgetError what="This month's bill" error={error} />;
  if (!data) return <p class="bill" aria-busy="true">This month's bill…</p>;
  const { monthToDate, projectedTotal, projectedEnergyKwh } = data.currentBill;
  return (
    <dl class="bill" data-testid="bill">
      <div>
        <dt>{monthToDate.complete ? 'This month' : 'This month so far'}</dt>
        <dd>
          <strong data-field="bill-total" data-value={monthToDate.total}>
            {formatRupiah(monthToDate.total)}
          </strong>{' '}
          <span data-field="bill-kwh" data-value={monthToDate.energyKwh}>
            {formatKwh(monthToDate.energyKwh)}
          </span>
        </dd>
      </div>
      <div>
        <dt>Projected for the month</dt>
        <dd>
          <strong data-field="bill-projected" data-value={projectedTotal}>
            {formatRupiah(projectedTotal)}
          </strong>{' '}
          <span data-field="bill-projected-kwh" data-value={projectedEnergyKwh}>
            {formatKwh(projectedEnergyKwh)}
          </span>
        </dd>
      </div>
    </dl>
  );
}
