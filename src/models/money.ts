/**
 * An amount of money as the API shows it (the GraphQL type `Money`, issue 23): an exact decimal
 * string, never a bare float. Made from the number the services computed (already rounded where
 * the contract says so) when it leaves them; the text is written once, here, so the API reads a
 * property rather than calling a resolver per amount (a 720-window history chart was a resolver
 * call per window, each with its own resolve info and path: about a fifth of what a chart allocated).
 */
export interface MoneyAmount {
  /** The number, for what computes or writes it otherwise (the CSV export). */
  readonly value: number;
  /** What the API shows: decimalString(value). */
  readonly amount: string;
}

export function moneyAmount(value: number): MoneyAmount {
  return { value, amount: decimalString(value) };
}

/** As moneyAmount, for an amount that may be missing (a rate not billed, a budget not set). */
export function moneyOrNull(value: number | null | undefined): MoneyAmount | null {
  return value === null || value === undefined ? null : moneyAmount(value);
}

/**
 * A number as an exact decimal string with at least `minDecimals` decimals: "1694813.67",
 * "1500.00", "1560.636". The shortest string that reads back as the same number, so a value
 * rounded to 2 decimals prints as exactly those 2 decimals; never exponent notation.
 */
export function decimalString(value: number, minDecimals = 2): string {
  if (!Number.isFinite(value)) throw new RangeError(`not a finite amount: ${value}`);
  let text = String(Object.is(value, -0) ? 0 : value);
  // String() switches to exponent notation below 1e-6 and from 1e21: spell those out.
  if (text.includes('e')) text = Math.abs(value) >= 1e21 ? BigInt(value).toString() : value.toFixed(20).replace(/\.?0+$/, '');
  // Index arithmetic rather than split and a regular expression: every amount of a 1,000-panel
  // dashboard passes here on every request.
  const dot = text.indexOf('.');
  if (dot === -1) return `${text}.${zeros(minDecimals)}`;
  const decimals = text.length - dot - 1;
  return decimals >= minDecimals ? text : text + zeros(minDecimals - decimals);
}

/** `'0'.repeat(n)`, without a new string for the few counts amounts need (it was 2 % of what a chart allocated). */
const ZEROS = ['', '0', '00', '000', '0000'];
function zeros(n: number): string {
  return ZEROS[n] ?? '0'.repeat(n);
}
