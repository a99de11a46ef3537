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

/** Shown where the API has no value (a panel that never reported, a phase the meter lacks). */
export const NO_VALUE = '–';

const orDash = (format: (value: number) => string) => (value: number | null | undefined) =>
  value === null || value === undefined ? NO_VALUE : format(value);

export const formatKwh = orDash((value) => `${kwh.format(value)} kWh`);
export const formatRupiah = orDash((value) => rupiah.format(value));
export const formatKw = orDash((value) => `${kw.format(value)} kW`);
export const formatVolts = orDash((value) => `${volts.format(value)} V`);
export const formatAmperes = orDash((value) => `${amperes.format(value)} A`);
export const formatNumber = orDash((value) => plain.format(value));
/** Axis ticks: short (1,2 rb, 3,4 jt); the exact figures are in the tooltips and tables. */
export const formatCompact = (value: number): string => compact.format(value);

/**
 * Times and dates on the site's clock (`tariff.timezone`), not the browser's: a day on the page
 * is the day the API counted. Day first, as Indonesia writes dates.
 */
export function timeFormatter(zone: string, options: Intl.DateTimeFormatOptions): (instant: string | number) => string {
  const format = new Intl.DateTimeFormat('en-GB', { timeZone: zone, ...options });
  return (instant) => format.format(typeof instant === 'string' ? Date.parse(instant) : instant);
}

/** January..December in English, for month pickers and the yearly chart. */
export const MONTH_NAMES: readonly string[] = Array.from({ length: 12 }, (_, index) =>
  new Intl.DateTimeFormat('en-GB', { month: 'long', timeZone: 'UTC' }).format(Date.UTC(2000, index, 1)),
);
