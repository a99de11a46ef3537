import { formatKwh, formatRupiah } from '../format.js';
import { CurrentBillDocument } from '../generated/graphql.js';
import { useQuery } from '../hooks/use-query.js';
import { WidgetError } from './WidgetError.js';

/** Asked again each minute: the bill grows with every reading and no subscription pushes it. */
const REFRESH_MS = 60_000;

/** The building's bill this month so far and where it is heading (no panelId: the whole building). */
export function BillHeader() {
  const { data, error } = useQuery(CurrentBillDocument, {}, { refreshMs: REFRESH_MS });
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
