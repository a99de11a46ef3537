/**
 * Every number on the page goes through these, in Indonesian notation (1.234,5). The API rounds
 * kWh to 3 decimals and Rupiah to 2, so showing that many digits shows its numbers exactly;
 * meter values keep the precision the meters report.
 */

const LOCALE = 'id-ID';

const kwh = new Intl.NumberFormat(LOCALE, { minimumFractionDigits: 3, maximumFractionDigits: 3 });
const rupiah = new Intl.NumberFormat(LOCALE, {
  style: 'currency',
  currency: 'IDR',
  // CLDR's default for IDR differs between ICU versions (0 or 2 digits): state it.
  minimumFractionDigits: 2,
  maximumFractionDigits: 2,
});
const kw = new Intl.NumberFormat(LOCALE, { minimumFractionDigits: 2, maximumFractionDigits: 3 });
const volts = new Intl.NumberFormat(LOCALE, { minimumFractionDigits: 1, maximumFractionDigits: 2 });
const amperes = new Intl.NumberFormat(LOCALE, { minimumFractionDigits: 2, maximumFractionDigits: 3 });
const plain = new Intl.NumberFormat(LOCALE, { maximumFractionDigits: 3 });
const compact = new Intl.NumberFormat(LOCALE, { notation: 'compact', maximumFractionDigits: 1 });
const oneDecimal = new Intl.NumberFormat(LOCALE, { maximumFractionDigits: 1 });
const percent = new Intl.NumberFormat(LOCALE, { maximumFractionDigits: 4 });

/** Shown where the API has no value (a panel that never reported, a phase the meter lacks). */
export const NO_VALUE = '–';

const orDash = (format: (value: number) => string) => (value: number | null | undefined) =>
  value === null || value === undefined ? NO_VALUE : format(value);

export const formatKwh = orDash((value) => `${kwh.format(value)} kWh`);
export const formatRupiah = orDash((value) => rupiah.format(value));
/** The API's Money (an exact decimal string) as a number, for charts and sums on the page. */
export const amountOf = (money: { readonly amount: string }): number => Number(money.amount);
/** The API's Money in Rupiah notation; the page shows 2 decimals, as many as the API's amounts have. */
export const formatMoney = (money: { readonly amount: string } | null | undefined): string =>
  money === null || money === undefined ? NO_VALUE : rupiah.format(amountOf(money));
export const formatKvarh = orDash((value) => `${kwh.format(value)} kVArh`);
export const formatKw = orDash((value) => `${kw.format(value)} kW`);
export const formatVolts = orDash((value) => `${volts.format(value)} V`);
export const formatAmperes = orDash((value) => `${amperes.format(value)} A`);
export const formatNumber = orDash((value) => plain.format(value));
/** Percent from a fraction (0.03 → "3"), for a tax rate given as Rupiah per Rupiah. */
export const formatPercent = (fraction: number): string => percent.format(fraction * 100);

/**
 * Axis ticks: short, the exact figures are in the tooltips and tables. Indonesian abbreviations
 * (1,2 rb, 3,4 jt) on the Indonesian page; k, M, bn on the English one, with the Indonesian comma.
 */
export function compactFormatter(lang: 'id' | 'en'): (value: number) => string {
  if (lang === 'id') return (value) => compact.format(value);
  const steps = [
    { size: 1e9, suffix: ' bn' },
    { size: 1e6, suffix: ' M' },
    { size: 1e3, suffix: ' k' },
  ];
  return (value) => {
    const step = steps.find((candidate) => Math.abs(value) >= candidate.size);
    return step ? `${oneDecimal.format(value / step.size)}${step.suffix}` : oneDecimal.format(value);
  };
}

/**
 * Times and dates on the site's clock (`tariff.timezone`), not the browser's: a day on the page
 * is the day the API counted; in the chosen language (`locale`, see i18n/i18n.ts), day first.
 */
export function timeFormatter(locale: string, zone: string, options: Intl.DateTimeFormatOptions): (instant: string | number) => string {
  const format = new Intl.DateTimeFormat(locale, { timeZone: zone, ...options });
  return (instant) => format.format(typeof instant === 'string' ? Date.parse(instant) : instant);
}

/** A calendar date of the API (`YYYY-MM-DD`, already the site's day) in the chosen language. */
export function dateFormatter(locale: string, options: Intl.DateTimeFormatOptions): (isoDate: string) => string {
  const format = new Intl.DateTimeFormat(locale, { timeZone: 'UTC', ...options });
  return (isoDate) => format.format(Date.parse(`${isoDate}T00:00:00Z`));
}

/** January..December in the chosen language, for month pickers and charts. */
export function monthNames(locale: string, month: 'long' | 'short' = 'long'): readonly string[] {
  const format = new Intl.DateTimeFormat(locale, { month, timeZone: 'UTC' });
  return Array.from({ length: 12 }, (_, index) => format.format(Date.UTC(2000, index, 1)));
}
