import { formatKwh, formatMoney } from '../format.js';
import { BudgetsDocument } from '../generated/graphql.js';
import { useQuery } from '../hooks/use-query.js';
import { useI18n } from '../i18n/i18n.js';

/** Budgets are judged every 15 minutes of meter time; the page asks as often as a minute. */
const REFRESH_MS = 60_000;

/**
 * Monthly budgets as progress: this month so far against the budget, and the projection to the
 * month's end at this month's pace (the server's figures, as BUDGET alarms judge them).
 */
export function AlarmBudgets() {
  const { t } = useI18n();
  const { data } = useQuery(BudgetsDocument, {}, { refreshMs: REFRESH_MS });
  const budgets = data?.budgets ?? [];
  if (budgets.length === 0) return null;
  return (
    <section aria-labelledby="budgets-title" data-testid="budgets">
      <h2 id="budgets-title">{t('budgetsTitle')}</h2>
      <ul class="budgets">
        {budgets.map((budget) => (
          <li key={budget.panelId ?? '*'} data-budget={budget.panelId ?? 'building'}>
            <p>{budget.panelId ?? t('budgetBuilding')}</p>
            {budget.kwh !== null && (
              <p data-field="budget-kwh">
                <progress max={budget.kwh} value={Math.min(budget.usedKwh, budget.kwh)} aria-label={t('budgetKwhLabel')} />{' '}
                {t('budgetLine', { used: formatKwh(budget.usedKwh), budget: formatKwh(budget.kwh), projected: formatKwh(budget.projectedKwh) })}
              </p>
            )}
            {budget.rupiah && (
              <p data-field="budget-rupiah">
                <progress max={Number(budget.rupiah.amount)} value={Math.min(Number(budget.usedRupiah.amount), Number(budget.rupiah.amount))} aria-label={t('budgetRupiahLabel')} />{' '}
                {t('budgetLine', { used: formatMoney(budget.usedRupiah), budget: formatMoney(budget.rupiah), projected: formatMoney(budget.projectedRupiah) })}
              </p>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}
