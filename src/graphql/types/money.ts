import type { MoneyAmount } from '../../models/money.js';
import { builder } from '../builder.js';

/**
 * Money (issue 23): every Rupiah figure of the API is a `Money`, an exact decimal string with its
 * currency, never a bare Float. The shape is a MoneyAmount (models/money.ts): the amount in the
 * site's currency (Rupiah) as the services computed it, with its text made from the already rounded
 * number. Fields holding a number make it in their resolver; a history chart's windows come with it.
 */

export const CURRENCIES = ['IDR'] as const;

export const Currency = builder.enumType('Currency', {
  description: 'ISO 4217 currency code. IDR: Indonesian Rupiah (the only currency today; PLN bills in it).',
  values: CURRENCIES,
});

export const Money = builder.objectRef<MoneyAmount>('Money').implement({
  description:
    'An amount of money. `amount` is an exact decimal string (a dot, no grouping, at least 2 decimals, e.g. "1694813.67", or "1560.636" for a rate): ' +
    'parse it as a decimal, not a binary float, when exactness matters. Amounts are rounded to 2 decimals (rates are not rounded) so that parts add up to their totals.',
  fields: (t) => ({
    // Read, not resolved: the text is made with the amount (models/money.ts).
    amount: t.exposeString('amount'),
    currency: t.field({ type: Currency, resolve: () => 'IDR' as const }),
  }),
});
