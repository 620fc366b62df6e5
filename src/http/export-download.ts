import { PassThrough } from 'node:stream';
import type { Context } from 'koa';
import type { AppContext } from '../context.js';
import type { EventFilter } from '../db/event-query.js';
import { ledgerHead } from '../db/stats.js';
import { EXPORT_VIEWS, type ExportView } from '../export/columns.js';
import { downloadName } from '../export/download-name.js';
import { canExportInWorker, exportInWorker } from '../export/export-in-worker.js';
import { statementTexts } from '../export/statement-texts.js';
import { EXPORT_CONTENT_TYPES, type ExportOptions, exportEvents, tableOf } from '../export/write-export.js';
import { exportFormat } from '../params/export-format.js';
import { FILTER_PARAMETERS } from '../params/filter.js';
import { InvalidParameterError } from '../params/invalid-parameter.js';
import { timeZone } from '../params/time-zone.js';

/** The query parameters of a download beside its filters. */
export const DOWNLOAD_PARAMETERS = ['format', 'columns', 'time_zone'] as const;

/** The filters a request gave, for the file to state them. */
export function filtersOf(params: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(FILTER_PARAMETERS.flatMap((p) => (params[p] === undefined ? [] : [[p, params[p]]])));
}

/** A download's format and view from its query parameters, checked before any byte is sent. */
export function downloadOptions(
  params: Record<string, string | undefined>,
  app: Pick<AppContext, 'store' | 'logger' | 'config' | 'clock'>,
  fixed: Pick<ExportOptions, 'raw' | 'bom'> = {},
): ExportOptions {
  const format = exportFormat(params.format);
  const columns = params.columns as ExportView | undefined;
  if (columns !== undefined && !EXPORT_VIEWS.includes(columns)) {
    throw new InvalidParameterError('columns', `"${params.columns}" is not one of ${EXPORT_VIEWS.join(', ')}`);
  }
  const options: ExportOptions = {
    format,
    ...fixed,
    ...(columns ? { columns } : {}),
    timeZone: params.time_zone === undefined ? app.config.exportTimeZone : timeZone('time_zone', params.time_zone),
  };
  tableOf(options);
  return options;
}

/**
 * Streams an export as the response (an xlsx download is checked against a sheet's rows before: checkXlsxRows). The formatting runs in a worker thread with its own connection to the
 * ledger file, so the event loop answering the phone line only passes chunks on; an in-memory ledger (tests)
 * is formatted here, a page at a time, with the event loop's other work between pages.
 */
export async function sendExport(
  ctx: Context,
  app: Pick<AppContext, 'store' | 'logger' | 'config' | 'clock'>,
  filter: EventFilter,
  options: ExportOptions,
  what: { label: string; filters: Record<string, string> },
): Promise<void> {
  const { format } = options;
  const head = await ledgerHead(app.store.db);
  const about = { filters: what.filters, exportedAt: app.clock.now().toISOString(), chainHead: head.head };
  const body = new PassThrough();
  ctx.status = 200;
  ctx.type = EXPORT_CONTENT_TYPES[format];
  ctx.attachment(downloadName(filter, format));
  ctx.set('Cache-Control', 'no-store');
  ctx.body = body;
  const file = app.store.location;
  const { onRow: _, statementText: __, ...plain } = options;
  const written = canExportInWorker(file)
    ? exportInWorker({ file, filter, options: { ...plain, about } }, body)
    : exportEvents(
        app.store.db,
        filter,
        body,
        { ...options, about, statementText: statementTexts(app.store.db) },
        { pageSize: 500, betweenPages: () => new Promise<void>((resolve) => setImmediate(resolve)) },
      );
  written.then(
    (rows) => app.logger.info({ format, rows }, `${what.label} sent`),
    (err) => {
      // Headers are gone already: the client sees a cut-off download rather than a complete-looking file.
      app.logger.warn({ err, format }, `${what.label} stopped before the end`);
      body.destroy(err);
    },
  );
}
