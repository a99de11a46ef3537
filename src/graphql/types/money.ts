import { decimalString } from '../../services/rounding.js';
import { builder } from '../builder.js';

/**
 * Money (issue 23): every Rupiah figure of the API is a `Money`, an exact decimal string with its
 * currency, never a bare Float. The shape is the amount in the site's currency (Rupiah) as the
 * services compute it; the string is made here, at the edge, from the already rounded number.
 */

export const CURRENCIES = ['IDR'] as const;

export const Currency = builder.enumType('Currency', {
  description: 'ISO 4217 currency code. IDR: Indonesian Rupiah (the only currency today; PLN bills in it).',
  values: CURRENCIES,
});

export const Money = builder.objectRef<number>('Money').implement({
  description:
    'An amount of money. `amount` is an exact decimal string (a dot, no grouping, at least 2 decimals, e.g. "1694813.67", or "1560.636" for a rate): ' +
    'parse it as a decimal, not a binary float, when exactness matters. Amounts are rounded to 2 decimals (rates are not rounded) so that parts add up to their totals.',
  fields: (t) => ({
    amount: t.string({ resolve: (amount) => decimalString(amount) }),
    currency: t.field({ type: Currency, resolve: () => 'IDR' as const }),
  }),
});
