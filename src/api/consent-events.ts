import type Router from '@koa/router';
import type { Context } from 'koa';
import type { AppContext } from '../context.js';
import { countEvents, pageOfEvents, seqRangeOf } from '../db/event-query.js';
import { orderedRow } from '../export/columns.js';
import { DOWNLOAD_PARAMETERS, downloadOptions, filtersOf, sendExport } from '../http/export-download.js';
import { checkXlsxRows, exportFormat } from '../params/export-format.js';
import { FILTER_PARAMETERS, parseFilter } from '../params/filter.js';
import { InvalidParameterError } from '../params/invalid-parameter.js';
import { booleanParam, queryParams } from '../params/query.js';

const MAX_LIMIT = 1000;

/** Consent events as JSON pages, and the same export as the CLI as a streamed download. */
export function consentEventRoutes(
  router: Router,
  app: Pick<AppContext, 'store' | 'logger' | 'config' | 'clock'>,
): void {
  router.get('/consent-events', async (ctx) => {
    const params = queryParams(ctx.query, [...FILTER_PARAMETERS, 'cursor', 'limit']);
    const filter = parseFilter(params);
    const limit = pageLimit(params.limit);
    let position: Cursor = { after: 0 };
    if (params.cursor !== undefined) {
      position = readCursor(params.cursor);
    } else if (filter.since !== undefined || filter.until !== undefined) {
      // Found once for the first page and carried in the cursor: later pages go straight to their rows.
      const range = await seqRangeOf(app.store.db, filter);
      if (!range) {
        ctx.body = { events: [], next_cursor: null };
        return;
      }
      position = { after: range.first - 1, through: range.last };
    }
    const page = await pageOfEvents(app.store.db, filter, { ...position, limit: limit + 1 });
    const events = page.slice(0, limit);
    const last = events.at(-1);
    ctx.body = {
      events: events.map(orderedRow),
      next_cursor: page.length > limit && last ? writeCursor({ ...position, after: last.seq }) : null,
    };
  });

  router.get('/consent-events/export', async (ctx) => {
    const params = queryParams(ctx.query, [...FILTER_PARAMETERS, ...DOWNLOAD_PARAMETERS, 'raw', 'bom']);
    const format = exportFormat(params.format);
    const raw = booleanParam('raw', params.raw);
    const bom = booleanParam('bom', params.bom);
    if ((raw || bom) && format !== 'csv') {
      throw new InvalidParameterError(raw ? 'raw' : 'bom', `applies to format=csv only, not ${format}`);
    }
    const options = downloadOptions(params, app, { raw, bom });
    const filter = parseFilter(params);
    await checkXlsxRows(format, () => countEvents(app.store.db, filter));
    await sendExport(ctx as unknown as Context, app, filter, options, { label: 'export', filters: filtersOf(params) });
  });
}

function pageLimit(value: string | undefined): number {
  if (value === undefined) return 100;
  if (!/^\d{1,4}$/.test(value) || Number(value) < 1 || Number(value) > MAX_LIMIT) {
    throw new InvalidParameterError('limit', `"${value}" is not a whole number from 1 to ${MAX_LIMIT}`);
  }
  return Number(value);
}

/** Where the next page starts (after this seq) and, for a period, the last seq it can hold. */
interface Cursor {
  after: number;
  through?: number;
}

function writeCursor(cursor: Cursor): string {
  const text = cursor.through === undefined ? `seq:${cursor.after}` : `seq:${cursor.after}:${cursor.through}`;
  return Buffer.from(text).toString('base64url');
}

function readCursor(value: string): Cursor {
  const match = /^seq:(\d{1,15})(?::(\d{1,15}))?$/.exec(Buffer.from(value, 'base64url').toString('utf8'));
  if (!match) throw new InvalidParameterError('cursor', `"${value}" is not a cursor this API gave out`);
  return match[2] === undefined ? { after: Number(match[1]) } : { after: Number(match[1]), through: Number(match[2]) };
}
