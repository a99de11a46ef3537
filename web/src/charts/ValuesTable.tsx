import { useI18n } from '../i18n/i18n.js';

/** A column: its header, the text of a cell, and the exact number behind it (for machines). */
export interface Column<Row> {
  readonly header: string;
  readonly text: (row: Row) => string;
  readonly value: (row: Row) => number | string | null;
}

export interface ValuesTableProps<Row> {
  readonly caption: string;
  readonly columns: ReadonlyArray<Column<Row>>;
  readonly rows: readonly Row[];
  /** Folded under the chart (default); a printed report shows it open, under a heading of its own. */
  readonly folded?: boolean;
}

/**
 * The numbers a chart plots, as a table folded under it: readable without the canvas (screen
 * readers, copying), and each cell carries the API's exact value in `data-value`. A wide table
 * scrolls inside its own box, never the page.
 */
export function ValuesTable<Row>({ caption, columns, rows, folded = true }: ValuesTableProps<Row>) {
  const { t } = useI18n();
  const table = (
    <div class="table-scroll" tabIndex={0} role="region" aria-label={caption}>
      <table>
        <caption>{caption}</caption>
        <thead>
          <tr>
            {columns.map((column) => (
              <th scope="col" key={column.header}>
                {column.header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row, index) => (
            <tr key={index}>
              {columns.map((column) => {
                const value = column.value(row);
                return (
                  <td key={column.header} data-value={value === null ? undefined : String(value)}>
                    {column.text(row)}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
  if (!folded) return <div class="numbers open">{table}</div>;
  return (
    <details class="numbers">
      <summary>{t('numbers')}</summary>
      {table}
    </details>
  );
}
