import type { LocalTime } from '../../time/local-time.js';

/**
 * `csv`: RFC 4180 (comma, dot decimals, times as ISO 8601 with the site's offset), what programs
 * read. `excel-id`: what Excel with Indonesian regional settings opens as columns (semicolon,
 * comma decimals, a UTF-8 byte order mark, times as `YYYY-MM-DD HH:mm:ss` it recognises as
 * dates, the offset in a column of its own). A plain CSV opens there as a single column.
 */
export const CSV_DIALECTS = ['csv', 'excel-id'] as const;
export type CsvDialect = (typeof CSV_DIALECTS)[number];

/** What a cell holds: text, a number (rounded by the table), an instant, or nothing. */
export type Cell = string | number | boolean | null | { readonly instantMs: number };

/** A column of an export: its name in the header and what a cell of it is. */
export interface Column {
  readonly name: string;
  /** `instant` cells take two columns in excel-id (`<name>` and `<name>_utc_offset`). */
  readonly kind: 'text' | 'number' | 'boolean' | 'instant';
}

export interface CsvWriter {
  /** The first bytes of the file: the byte order mark (excel-id) and the header line. */
  header(columns: readonly Column[]): string;
  /** One line, CRLF-terminated as RFC 4180 and Excel expect. */
  line(cells: readonly Cell[]): string;
}

/** Spreadsheets run a cell starting with one of these as a formula (CSV injection). */
const FORMULA_START = /^[=+\-@\t\r]/;

export function csvWriter(dialect: CsvDialect, time: LocalTime): CsvWriter {
  const separator = dialect === 'csv' ? ',' : ';';
  const needsQuotes = new RegExp(`[${separator}"\\r\\n]`);
  const text = (value: string): string => {
    // Names are set by admins: a leading formula character is neutralised, not executed by Excel.
    const safe = FORMULA_START.test(value) ? `'${value}` : value;
    return needsQuotes.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
  };
  const number = dialect === 'csv' ? (value: number) => String(value) : (value: number) => String(value).replace('.', ',');
  const instant =
    dialect === 'csv'
      ? (ms: number) => time.formatIso(ms)
      : (ms: number) => {
          const iso = time.formatIso(ms);
          return `${iso.slice(0, 10)} ${iso.slice(11, 19)}${separator}${iso.slice(19)}`;
        };
  const cell = (value: Cell): string => {
    if (value === null) return '';
    if (typeof value === 'string') return text(value);
    if (typeof value === 'number') return Number.isFinite(value) ? number(value) : '';
    if (typeof value === 'boolean') return value ? 'true' : 'false';
    return instant(value.instantMs);
  };
  return {
    header(columns) {
      const names = columns.flatMap((column) =>
        column.kind === 'instant' && dialect === 'excel-id' ? [column.name, `${column.name}_utc_offset`] : [column.name],
      );
      return `${dialect === 'excel-id' ? '\uFEFF' : ''}${names.join(separator)}\r\n`;
    },
    line(cells) {
      let out = '';
      for (let k = 0; k < cells.length; k++) {
        if (k > 0) out += separator;
        out += cell(cells[k] ?? null);
      }
      return `${out}\r\n`;
    },
  };
}
