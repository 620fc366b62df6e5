import { EXPORT_FORMATS, type ExportFormat, XLSX_MAX_ROWS } from '../export/write-export.js';
import { InvalidParameterError } from './invalid-parameter.js';

/** `format` of an export, `csv` when not given. */
export function exportFormat(value: string | undefined): ExportFormat {
  const format = (value ?? 'csv') as ExportFormat;
  if (!EXPORT_FORMATS.includes(format)) {
    throw new InvalidParameterError('format', `"${value}" is not one of ${EXPORT_FORMATS.join(', ')}`);
  }
  return format;
}

/** Refuses an xlsx download that a worksheet cannot hold, before its headers are sent. */
export async function checkXlsxRows(format: ExportFormat, matching: () => Promise<number>): Promise<void> {
  if (format !== 'xlsx') return;
  const total = await matching();
  if (total > XLSX_MAX_ROWS) {
    throw new InvalidParameterError('format', `xlsx holds at most ${XLSX_MAX_ROWS} rows and ${total} events match`);
  }
}
