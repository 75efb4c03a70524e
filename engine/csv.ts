/** CSV (RFC 4180) text: quoted where needed, spreadsheet formulas neutralised, CRLF line ends. */

/** One cell: JSON for non-strings, a leading `'` before `=`, `+`, `-`, `@`, tab or CR, quoted when it holds `"`, `,`, `'` or a line end. */
export function csvCell(value: unknown): string {
  const text = value === null || value === undefined ? '' : typeof value === 'string' ? value : JSON.stringify(value);
  const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return /[",\r\n']/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** A header row of `columns`, then one line per row, each cell by its column. */
export function csvTable(columns: readonly string[], rows: ReadonlyArray<Record<string, unknown>>): string {
  const lines = [columns.map(csvCell).join(','), ...rows.map((r) => columns.map((c) => csvCell(r[c])).join(','))];
  return `${lines.join('\r\n')}\r\n`;
}
