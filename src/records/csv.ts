/**
 * CSV for spreadsheet users: RFC 4180 (CRLF line ends; a field with a comma, quote, CR or LF is quoted and its
 * quotes doubled), UTF-8 with a byte order mark so Excel reads accents right.
 */

const BYTE_ORDER_MARK = '\uFEFF';

/**
 * A text cell that a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab, CR at the start: OWASP "CSV
 * Injection") gets a leading apostrophe. Course titles and names come from packages and people: untrusted.
 */
export function neutralizeFormula(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

function field(value: string | number | null): string {
  const text = value === null ? '' : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The rows (the first one the header) as a CSV document. */
export function toCsv(rows: ReadonlyArray<ReadonlyArray<string | number | null>>): string {
  return BYTE_ORDER_MARK + rows.map((row) => row.map(field).join(',')).join('\r\n') + '\r\n';
}

/** Reads a CSV document back into rows (RFC 4180; a leading byte order mark is skipped). For tests and imports. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let value = '';
  let quoted = false;
  let i = text.startsWith(BYTE_ORDER_MARK) ? 1 : 0;
  for (; i < text.length; i++) {
    const char = text[i] as string;
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') {
        value += '"';
        i++;
      } else if (char === '"') quoted = false;
      else value += char;
    } else if (char === '"') quoted = true;
    else if (char === ',') {
      row.push(value);
      value = '';
    } else if (char === '\r' && text[i + 1] === '\n') {
      row.push(value);
      rows.push(row);
      row = [];
      value = '';
      i++;
    } else value += char;
  }
  if (value !== '' || row.length > 0) {
    row.push(value);
    rows.push(row);
  }
  return rows;
}
