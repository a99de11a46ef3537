/** An RFC 4180 reader for the tests (quoted cells, doubled quotes, CRLF), independent of the writer. */
export function parseCsv(text: string, separator = ','): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === separator) {
      row.push(cell);
      cell = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else cell += c;
  }
  if (cell !== '' || row.length > 0) throw new Error(`the CSV does not end with CRLF: ${JSON.stringify(text.slice(-80))}`);
  return rows;
}

/** Rows as objects keyed by the header's names. */
export function records(text: string, separator = ','): Array<Record<string, string>> {
  const [header, ...rows] = parseCsv(text, separator);
  if (!header) throw new Error('no header line');
  return rows.map((row) => {
    if (row.length !== header.length) throw new Error(`a row of ${row.length} cells under a header of ${header.length}: ${row.join('|')}`);
    return Object.fromEntries(header.map((name, k) => [name, row[k]!]));
  });
}

/** A cell as a number ('' is null), in either dialect's decimal mark. */
export function num(cell: string | undefined, decimal: '.' | ',' = '.'): number | null {
  if (cell === undefined || cell === '') return null;
  return Number(decimal === ',' ? cell.replace(',', '.') : cell);
}
