import { finished, Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { stringify } from 'csv-stringify';
import type { ConsentEvent } from '../db/schema.js';
import { consentRecord } from '../evidence/iso27560.js';
import { InvalidParameterError } from '../params/invalid-parameter.js';
import { EXPORT_COLUMNS, type ExportColumn, orderedRow } from './columns.js';
import { spreadsheetSafe } from './spreadsheet-safe.js';

export const EXPORT_FORMATS = ['csv', 'jsonl', 'xlsx', 'iso27560'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** The Content-Type of each format's download (the API and the desk). */
export const EXPORT_CONTENT_TYPES: Record<ExportFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  jsonl: 'application/x-ndjson; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  // One JSON-LD consent record per line.
  iso27560: 'application/x-ndjson; charset=utf-8',
};

/** A worksheet holds 1,048,576 rows; one is the header. */
export const XLSX_MAX_ROWS = 1_048_575;

export interface ExportOptions {
  format: ExportFormat;
  /** CSV: keep every value exactly as stored, for machines (no formula neutralising). */
  raw?: boolean;
  /** CSV: start with a UTF-8 byte order mark, which Excel needs to read UTF-8. */
  bom?: boolean;
  /** Called after each row is handed on, with the number written so far. */
  onRow?: (written: number) => void;
  /** iso27560: the words a statement hash stands for, to put the notice in each record. */
  statementText?: (sha256: string) => Promise<string | undefined>;
}

/** Writes `events` to `out` in one format and ends `out`; resolves with the number of events written. */
export async function writeExport(
  events: AsyncIterable<ConsentEvent>,
  out: Writable,
  options: ExportOptions,
): Promise<number> {
  let written = 0;
  async function* counted() {
    for await (const event of events) {
      yield event;
      written += 1;
      options.onRow?.(written);
    }
  }
  if (options.format === 'xlsx') {
    await writeXlsx(counted(), out);
  } else if (options.format === 'iso27560') {
    await pipeline(
      Readable.from(counted()),
      async function* (rows: AsyncIterable<ConsentEvent>) {
        for await (const row of rows) {
          const hash = row.statement_sha256;
          const text = hash === null ? undefined : await options.statementText?.(hash);
          yield `${JSON.stringify(consentRecord(row, hash && text !== undefined ? { sha256: hash, text } : undefined))}\n`;
        }
      },
      out,
    );
  } else if (options.format === 'jsonl') {
    await pipeline(
      Readable.from(counted()),
      async function* (rows: AsyncIterable<ConsentEvent>) {
        for await (const row of rows) yield `${JSON.stringify(orderedRow(row))}\n`;
      },
      out,
    );
  } else {
    await pipeline(Readable.from(counted()), csvStringifier(options), out);
  }
  return written;
}

function csvStringifier(options: ExportOptions) {
  const text = options.raw ? (v: string) => v : spreadsheetSafe;
  return stringify({
    header: true,
    columns: [...EXPORT_COLUMNS],
    bom: options.bom ?? false,
    // RFC 4180 ends records with CRLF. csv-stringify then quotes only fields holding CRLF: a lone CR or LF must be
    // quoted too, or a reader that ends records on it (LibreOffice, most scripts) splits one event in two.
    record_delimiter: 'windows',
    quoted_match: /[\r\n]/,
    cast: {
      // An empty string is quoted ("") and a null left empty, so a raw export tells them apart.
      string: (value) => (value === '' ? { value: '', quoted_empty: true } : text(value)),
      number: (value) => String(value),
    },
  });
}

const XLSX_WIDTHS: Partial<Record<ExportColumn, number>> = {
  recorded_at: 26,
  event_id: 38,
  phone_number: 17,
  business: 18,
  call_sid: 36,
  account_sid: 36,
  called_number: 17,
  voice: 22,
  statement_sha256: 66,
  reason: 30,
  prev_hash: 66,
  hash: 66,
};

async function writeXlsx(events: AsyncIterable<ConsentEvent>, out: Writable): Promise<void> {
  // exceljs takes most of a second to load: only an xlsx export pays for it, not every CLI command.
  const { default: ExcelJS } = await import('exceljs');
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
  const sheet = workbook.addWorksheet('consent events', { views: [{ state: 'frozen', ySplit: 1 }] });
  // Text format ('@'): a spreadsheet must not turn +14155550123 into a number, or a hash into 1.2E+63.
  sheet.columns = EXPORT_COLUMNS.map((key) => ({
    header: key,
    key,
    width: XLSX_WIDTHS[key] ?? 14,
    style: { numFmt: '@' },
  }));
  sheet.getRow(1).font = { bold: true };
  // exceljs does not notice that `out` went away (a client abandoning a download): without this it would wait
  // for its zip to drain forever, holding the rows read so far.
  const gone = new AbortController();
  const stopWatching = finished(out, { readable: false }, (err) => {
    if (err) gone.abort(err);
  });
  try {
    await writeRows(workbook, sheet, events, out, gone.signal);
  } finally {
    stopWatching();
  }
}

type WorkbookWriter = InstanceType<typeof import('exceljs')['stream']['xlsx']['WorkbookWriter']>;
type WorksheetWriter = ReturnType<WorkbookWriter['addWorksheet']>;

async function writeRows(
  workbook: WorkbookWriter,
  sheet: WorksheetWriter,
  events: AsyncIterable<ConsentEvent>,
  out: Writable,
  gone: AbortSignal,
): Promise<void> {
  let rows = 0;
  for await (const event of events) {
    rows += 1;
    if (rows > XLSX_MAX_ROWS) {
      // Callers count first (checkXlsxRows); events recorded since then can still push an export over.
      const problem = `holds at most ${XLSX_MAX_ROWS} rows in a sheet: use csv or narrow the filters`;
      throw new InvalidParameterError(
        'format',
        problem,
        `an xlsx sheet holds at most ${XLSX_MAX_ROWS} rows: use csv or narrow the filters`,
      );
    }
    gone.throwIfAborted();
    sheet.addRow(EXPORT_COLUMNS.map((c) => (event[c] === null ? null : String(event[c])))).commit();
    if (rows % 500 === 0) await zipCaughtUp(sheet, out, gone);
  }
  sheet.commit();
  await untilGone(workbook.commit(), gone);
}

/** `work`, or a rejection with the reason as soon as `gone` is aborted. */
function untilGone<T>(work: Promise<T>, gone: AbortSignal): Promise<T> {
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(gone.reason);
    if (gone.aborted) return onAbort();
    gone.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => gone.removeEventListener('abort', onAbort));
  });
}

/**
 * exceljs writes a committed row into the zip without waiting for the compressor (its StreamBuf ignores
 * `write()` returning false), so a fast reader piles the whole sheet up in memory: 490 MiB peak for 200k
 * events, 120 MiB when waiting here for the streams it feeds (measured). `stream.pipes` is exceljs's own
 * field; if a later version drops it, only our output stream is waited for.
 */
async function zipCaughtUp(sheet: unknown, out: Writable, gone: AbortSignal): Promise<void> {
  const pipes = (sheet as { stream?: { pipes?: unknown } }).stream?.pipes;
  const targets = [...(Array.isArray(pipes) ? (pipes as Writable[]) : []), out];
  for (const target of targets) {
    if (needsDrain(target)) await untilGone(drained(target), gone);
  }
}

// archiver's streams come from readable-stream 2, which predates `writableNeedDrain`.
function needsDrain(stream: Writable): boolean {
  const legacy = stream as unknown as { _writableState?: { needDrain?: boolean } };
  return stream.writableNeedDrain ?? legacy._writableState?.needDrain ?? false;
}

function drained(stream: Writable): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (err?: Error) => {
      stream.off('drain', onDrain).off('close', onClose).off('error', done);
      if (err) reject(err);
      else resolve();
    };
    const onDrain = () => done();
    const onClose = () => done(new Error('the export stream closed before the export was complete'));
    stream.once('drain', onDrain).once('close', onClose).once('error', done);
  });
}
