// OWASP "CSV Injection": a cell that starts with one of these is run as a formula by Excel, LibreOffice and
// Google Sheets. https://owasp.org/www-community/attacks/CSV_Injection
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * The value as a spreadsheet should show it but never run it: a leading apostrophe, as OWASP advises. An E.164
 * number stays readable (`'+14155550123`), and the apostrophe tells a reader the cell was neutralised.
 */
export function spreadsheetSafe(value: string): string {
  return FORMULA_START.test(value) ? `'${value}` : value;
}
