// OWASP "CSV Injection": a cell that starts with one of these is run as a formula by Excel, LibreOffice and
// Google Sheets. https://owasp.org/www-community/attacks/CSV_Injection
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * The value as a spreadsheet should show it but never run it: a leading apostrophe, as OWASP advises. An E.164
 * number stays readable (`'+14155550123`), and the apostrophe tells a reader the cell was neutralised. Every line
 * of a cell is guarded, not only the first: a reader that splits records on a lone CR or LF would otherwise see a
 * later line as a cell of its own.
 */
export function spreadsheetSafe(value: string): string {
  const parts = value.split(/(\r\n|\r|\n)/);
  // Even indexes are lines, odd ones the line breaks between them.
  const guarded = parts.map((part, i) => (i % 2 === 0 && FORMULA_START.test(part) ? `'${part}` : part)).join('');
  // A cell that starts with a line break starts with CR or LF itself: guard the cell as a whole too.
  return /^[\r\n]/.test(guarded) ? `'${guarded}` : guarded;
}
