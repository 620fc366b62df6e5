import { finished, type Writable } from 'node:stream';
import type { Kysely } from 'kysely';
import type { EventFilter } from '../db/event-query.js';
import {
  type EventValues,
  type JsonLineOrValues,
  type ScanOptions,
  scanEvents,
  scanJsonLines,
} from '../db/event-scan.js';
import type { ConsentEvent, Database } from '../db/schema.js';
import { consentRecord } from '../evidence/iso27560.js';
import { jsonValue } from '../json-text.js';
import { InvalidParameterError } from '../params/invalid-parameter.js';
import { type CellKind, EXPORT_COLUMNS, type ExportTable, type ExportView, exportTable } from './columns.js';
import { spreadsheetSafe } from './spreadsheet-safe.js';
import { dateTimeText, wallClock } from './time-zone.js';

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
  /** csv and xlsx: a person's view (the default) or the full evidence row; jsonl and iso27560 are always full. */
  columns?: ExportView;
  /** The zone of the summary's local time (IANA name); UTC when not given. */
  timeZone?: string;
  /** CSV: keep every value exactly as stored, for machines (no formula neutralising). */
  raw?: boolean;
  /** CSV: start with a UTF-8 byte order mark, which Excel needs to read UTF-8. */
  bom?: boolean;
  /** Called after each page of rows is handed on, with the number written so far. */
  onRow?: (written: number) => void;
  /** iso27560: the words a statement hash stands for, to put the notice in each record. */
  statementText?: (sha256: string) => Promise<string | undefined>;
  /** xlsx: what the second sheet says the file is. */
  about?: ExportAbout;
}

/** What an xlsx export states about itself on its second sheet. */
export interface ExportAbout {
  /** The filters, as given (`business`: `Demo Shop`). */
  filters: Readonly<Record<string, string>>;
  exportedAt: string;
  /** The ledger's last hash when the export began, or null for an empty ledger. */
  chainHead: string | null;
}

/** The view an export writes when none is asked for: people open csv and xlsx, machines read the rest. */
export function defaultView(options: Pick<ExportOptions, 'format' | 'raw'>): ExportView {
  return (options.format === 'csv' && !options.raw) || options.format === 'xlsx' ? 'summary' : 'all';
}

/** The table of an export: its headers and cells, and what the scan of the ledger must read for it. */
export function tableOf(options: ExportOptions): ExportTable {
  const view = options.columns ?? defaultView(options);
  if (view === 'summary' && options.format !== 'csv' && options.format !== 'xlsx') {
    throw new InvalidParameterError('columns', `summary applies to csv and xlsx only, not ${options.format}`);
  }
  return exportTable(view, options.timeZone ?? 'UTC');
}

/** The ledger's matching events, exported: the one scan of `db/event-scan`, formatted here. */
export function exportEvents(
  db: Kysely<Database>,
  filter: EventFilter,
  out: Writable,
  options: ExportOptions,
  scan: Pick<ScanOptions, 'pageSize'> & { betweenPages?: () => Promise<void> } = {},
): Promise<number> {
  const { betweenPages, ...paging } = scan;
  const read = tableOf(options).scan;
  const pages =
    options.format === 'jsonl'
      ? scanJsonLines(db, filter, { columns: read.columns, ...paging })
      : scanEvents(db, filter, { ...read, ...paging });
  return writeExport(betweenPages ? spaced(pages, betweenPages) : pages, out, options);
}

async function* spaced<T>(pages: AsyncIterable<T>, pause: () => Promise<void>): AsyncGenerator<T> {
  let first = true;
  for await (const page of pages) {
    if (!first) await pause();
    first = false;
    yield page;
  }
}

/**
 * Writes pages of scanned rows (as `tableOf(options).scan` reads them) to `out` in one format and ends `out`;
 * resolves with the number of events written. Each page becomes one chunk, written as soon as `out` takes more.
 * A jsonl page may hold lines SQLite wrote already (`scanJsonLines`), written as they are.
 */
export async function writeExport(
  pages: AsyncIterable<JsonLineOrValues[]>,
  out: Writable,
  options: ExportOptions,
): Promise<number> {
  const table = tableOf(options);
  // Only a jsonl scan gives lines (exportEvents); an xlsx sheet's pages are values.
  if (options.format === 'xlsx') return writeXlsx(pages as AsyncIterable<EventValues[]>, out, table, options);
  const sink = chunkSink(out);
  let written = 0;
  if (options.bom) await sink.write('\ufeff');
  const line = lineWriter(table, options);
  if (options.format === 'csv') await sink.write(csvLine(table.headers, options.raw ? plain : spreadsheetSafe));
  const chunk = new ChunkBuilder();
  for await (const page of pages) {
    for (const row of page) {
      if (typeof row === 'string') chunk.add(`${row}\n`);
      else chunk.add(typeof line === 'function' ? line(row) : await line.async(row));
    }
    await sink.write(chunk.take());
    written += page.length;
    options.onRow?.(written);
  }
  await sink.end();
  return written;
}

const plain = (text: string) => text;

function lineWriter(
  table: ExportTable,
  options: ExportOptions,
): ((values: EventValues) => string) | { async: (values: EventValues) => Promise<string> } {
  if (options.format === 'jsonl') return jsonLine;
  if (options.format === 'iso27560') {
    return {
      async: async (values) => {
        const event = eventOf(values);
        const hash = event.statement_sha256;
        const text = hash === null ? undefined : await options.statementText?.(hash);
        return `${JSON.stringify(consentRecord(event, hash && text !== undefined ? { sha256: hash, text } : undefined))}\n`;
      },
    };
  }
  const guard = options.raw ? plain : spreadsheetSafe;
  if (table.view === 'all') return (values) => csvLine(values, guard);
  const cells = summaryCells(table, options.timeZone ?? 'UTC', dateTimeText);
  return (values) => csvLine(cells(values), guard);
}

/** A full row as an object with its keys in export order, as JSON.stringify would write it. */
function jsonLine(values: EventValues): string {
  let text = '{';
  for (let i = 0; i < EXPORT_COLUMNS.length; i += 1) {
    text += `${i === 0 ? '' : ','}${JSON_KEYS[i]}${jsonValue(values[i])}`;
  }
  return `${text}}\n`;
}

const JSON_KEYS = EXPORT_COLUMNS.map((c) => `${JSON.stringify(c)}:`);

function eventOf(values: EventValues): ConsentEvent {
  const event: Record<string, unknown> = {};
  EXPORT_COLUMNS.forEach((column, i) => {
    event[column] = values[i] ?? null;
  });
  return event as unknown as ConsentEvent;
}

/** The cells of a summary row, a time written by `time` from the wall-clock milliseconds of its zone. */
function summaryCells<T>(table: ExportTable, zone: string, time: (wallMs: number) => T) {
  const local = wallClock(zone);
  const { kinds, sources } = table;
  return (values: EventValues): (string | number | T | null)[] => {
    const cells: (string | number | T | null)[] = new Array(kinds.length);
    for (let i = 0; i < kinds.length; i += 1) {
      const value = values[sources[i] as number] ?? null;
      const kind = kinds[i];
      if (kind === 'text' || value === null) cells[i] = value;
      else {
        const ms = Date.parse(value as string);
        cells[i] = time(kind === 'local-time' ? local(ms) : ms);
      }
    }
    return cells;
  };
}

// RFC 4180 ends records with CRLF and quotes a field holding a comma, a quote or a line break; a lone CR or LF
// is quoted too, or a reader that ends records on it (LibreOffice, most scripts) splits one event in two. An
// empty string is quoted ("") and a null left empty, so a raw export tells them apart. test/export holds this
// against csv-parse and csv-stringify.
const QUOTE_NEEDED = /[",\r\n]/;
const QUOTES = /"/g;

function csvLine(cells: readonly (string | number | null | undefined)[], guard: (text: string) => string): string {
  let line = '';
  for (let i = 0; i < cells.length; i += 1) {
    if (i > 0) line += ',';
    const value = cells[i];
    if (value === null || value === undefined) continue;
    if (typeof value === 'number') {
      line += String(value);
      continue;
    }
    if (value === '') {
      line += '""';
      continue;
    }
    const text = guard(value);
    line += QUOTE_NEEDED.test(text) ? `"${text.replace(QUOTES, '""')}"` : text;
  }
  return `${line}\r\n`;
}

/**
 * The bytes of a page of lines, each line written into a buffer as soon as it is made: a page held as one string
 * would keep every line's parts alive until it is written, long enough for V8 to move them to the old
 * generation (a million-event export then grew past 180 MiB).
 */
class ChunkBuilder {
  private buffer = Buffer.allocUnsafe(1 << 18);
  private length = 0;

  add(text: string): void {
    // UTF-8 needs at most three bytes per UTF-16 unit.
    const room = text.length * 3;
    if (this.length + room > this.buffer.length) {
      const bigger = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.length + room));
      this.buffer.copy(bigger, 0, 0, this.length);
      this.buffer = bigger;
    }
    this.length += this.buffer.write(text, this.length);
  }

  /** The bytes so far; the builder starts a new buffer, since the stream may hold on to this one. */
  take(): Buffer {
    const bytes = this.buffer.subarray(0, this.length);
    this.buffer = Buffer.allocUnsafe(this.buffer.length);
    this.length = 0;
    return bytes;
  }
}

/** Writes chunks to `out`, waiting whenever it asks to; fails as soon as `out` fails or closes early. */
function chunkSink(out: Writable) {
  return {
    async write(chunk: string | Buffer): Promise<void> {
      if (out.destroyed || out.writableEnded) throw closedEarly(out);
      if (!out.write(chunk)) await drained(out);
    },
    end(): Promise<void> {
      return new Promise((resolve, reject) => {
        finished(out, { readable: false }, (err) => (err ? reject(err) : resolve()));
        out.end();
      });
    },
  };
}

function closedEarly(out: Writable): Error {
  return (out.errored as Error | null) ?? new Error('the export stream closed before the export was complete');
}

async function writeXlsx(
  pages: AsyncIterable<EventValues[]>,
  out: Writable,
  table: ExportTable,
  options: ExportOptions,
): Promise<number> {
  // exceljs takes most of a second to load: only an xlsx export pays for it, not every CLI command.
  const { default: ExcelJS } = await import('exceljs');
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
  // exceljs does not notice that `out` went away (a client abandoning a download): without this it would wait
  // for its zip to drain forever, holding the rows read so far.
  const gone = new AbortController();
  const stopWatching = finished(out, { readable: false }, (err) => {
    if (err) gone.abort(err);
  });
  try {
    const sheet = workbook.addWorksheet('consent events', { views: [{ state: 'frozen', ySplit: 1 }] });
    const iterator = pages[Symbol.asyncIterator]();
    const first = await iterator.next();
    const firstPage = first.done ? [] : first.value;
    const cells = table.view === 'all' ? undefined : summaryCells(table, options.timeZone ?? 'UTC', excelDate);
    const cellsOf = (values: EventValues) => (cells ? cells(values) : values);
    // Widths fitted to the header and the first page of rows; a sheet's columns are written before its rows.
    sheet.columns = table.headers.map((header, i) => ({
      header,
      key: String(i),
      width: columnWidth(
        header,
        table.kinds[i] as CellKind,
        firstPage.map((v) => cellsOf(v)[i]),
      ),
      // Text format ('@'): a spreadsheet must not turn +14155550123 into a number, or a hash into 1.2E+63.
      style: { numFmt: table.kinds[i] === 'text' ? '@' : 'yyyy-mm-dd hh:mm:ss' },
    }));
    sheet.getRow(1).font = { bold: true };
    sheet.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: table.headers.length } };
    let rows = 0;
    const addPage = async (page: EventValues[]) => {
      for (const values of page) {
        rows += 1;
        if (rows > XLSX_MAX_ROWS) {
          // Callers count first (checkXlsxRows); events recorded since then can still push an export over.
          throw new InvalidParameterError(
            'format',
            `holds at most ${XLSX_MAX_ROWS} rows in a sheet: use csv or narrow the filters`,
            `an xlsx sheet holds at most ${XLSX_MAX_ROWS} rows: use csv or narrow the filters`,
          );
        }
        gone.signal.throwIfAborted();
        const row = cellsOf(values).map((v) => (v === null || v instanceof Date ? v : String(v)));
        sheet.addRow(row).commit();
        if (rows % 500 === 0) await zipCaughtUp(sheet, out, gone.signal);
      }
      options.onRow?.(rows);
    };
    if (!first.done) {
      await addPage(firstPage);
      for (let next = await iterator.next(); !next.done; next = await iterator.next()) await addPage(next.value);
    }
    sheet.commit();
    aboutSheet(workbook, table, rows, options);
    await untilGone(workbook.commit(), gone.signal);
    return rows;
  } finally {
    stopWatching();
  }
}

/** A date cell shows its UTC fields: the wall-clock time of the zone, as a Date. */
function excelDate(wallMs: number): Date {
  return new Date(wallMs);
}

function columnWidth(header: string, kind: CellKind, sample: readonly unknown[]): number {
  if (kind !== 'text') return Math.max(header.length, 19) + 2;
  let widest = header.length;
  for (const value of sample)
    if (value !== null && value !== undefined) widest = Math.max(widest, String(value).length);
  return Math.min(widest, 80) + 2;
}

type WorkbookWriter = InstanceType<typeof import('exceljs')['stream']['xlsx']['WorkbookWriter']>;

/** The second sheet: what the file is, so it can be read, and checked, without the person who made it. */
function aboutSheet(workbook: WorkbookWriter, table: ExportTable, rows: number, options: ExportOptions): void {
  const about = options.about;
  const sheet = workbook.addWorksheet('about this file');
  sheet.columns = [
    { key: 'what', width: 28 },
    { key: 'value', width: 100, style: { numFmt: '@', alignment: { wrapText: true, vertical: 'top' } } },
  ];
  const filters = about ? Object.entries(about.filters).map(([k, v]) => `${k}: ${v}`) : [];
  const lines: [string, string][] = [
    ['What this is', 'Consent decisions from the optin-ivr ledger, oldest first: one row per recorded decision.'],
    [
      'Columns',
      table.view === 'summary'
        ? `summary (times in ${options.timeZone ?? 'UTC'} and UTC)`
        : 'all (the full evidence row)',
    ],
    ['Filters', filters.length > 0 ? filters.join('; ') : 'none: every event'],
    ['Events in this file', String(rows)],
    ['Exported at (UTC)', about?.exportedAt ?? ''],
    ['Chain head at export', about?.chainHead ?? 'empty ledger'],
    [
      'How to verify',
      'Run `optin-ivr verify --expect-head <chain head above>` on the ledger: it recomputes every hash and checks ' +
        'that this head is still in the chain. To check the rows themselves, export the same filters as JSON Lines ' +
        '(`optin-ivr export --format jsonl`) and run `optin-ivr verify --file <that file>` (docs/consent-records.md).',
    ],
  ];
  sheet.getRow(1).font = { bold: true };
  for (const [what, value] of lines) sheet.addRow({ what, value }).commit();
  sheet.commit();
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
