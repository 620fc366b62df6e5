import type { ParsedUrlQuery } from 'node:querystring';
import type Router from '@koa/router';
import type { Context } from 'koa';
import type { AppContext } from '../../context.js';
import { countEvents, type EventFilter, pageOfEvents, seqRangeOf } from '../../db/event-query.js';
import { DOWNLOAD_PARAMETERS, downloadOptions, filtersOf, sendExport } from '../../http/export-download.js';
import { checkXlsxRows, exportFormat } from '../../params/export-format.js';
import { FILTER_PARAMETERS, parseFilter } from '../../params/filter.js';
import { InvalidParameterError } from '../../params/invalid-parameter.js';
import { queryParams } from '../../params/query.js';
import { type DeskState, recordAccess, sendPage } from '../desk-context.js';
import { type EventFilterInput, EventsPage } from '../views/events.js';

const PAGE_SIZE = 50;

export function eventRoutes(router: Router<DeskState>, app: AppContext): void {
  router.get('/events', async (ctx) => {
    const desk = ctx.state.desk;
    if (!desk) return;
    const input = filledIn(ctx.query, ['after']);
    const user = { name: desk.user, csrf: desk.csrf };
    const businesses = [...new Set(app.scripts.all.map((s) => s.business))].sort();
    const now = app.clock.now();
    const months = {
      current: now.toISOString().slice(0, 7),
      previous: new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1)).toISOString().slice(0, 7),
    };
    let filter: EventFilter;
    let after = 0;
    try {
      filter = parseFilter(input);
      if (input.after !== undefined) after = seqParam(input.after);
    } catch (err) {
      if (!(err instanceof InvalidParameterError)) throw err;
      sendPage(
        ctx,
        400,
        EventsPage({ user, input, error: err.message, events: [], total: 0, query: '', businesses, months }),
      );
      return;
    }
    const db = app.store.db;
    let through: number | undefined;
    if (filter.since !== undefined || filter.until !== undefined) {
      const range = await seqRangeOf(db, filter);
      after = Math.max(after, (range?.first ?? 1) - 1);
      through = range?.last ?? 0;
    }
    const [page, total] = await Promise.all([
      pageOfEvents(db, filter, { after, limit: PAGE_SIZE + 1, through }),
      countEvents(db, filter),
    ]);
    const events = page.slice(0, PAGE_SIZE);
    const query = filterQuery(input);
    const last = events.at(-1);
    const next =
      page.length > PAGE_SIZE && last
        ? new URLSearchParams([...new URLSearchParams(query), ['after', String(last.seq)]]).toString()
        : undefined;
    await recordAccess(app, ctx, { action: 'events.view', target: null, detail: describe(input, after) });
    sendPage(ctx, 200, EventsPage({ user, input, events, total, next, query, businesses, months }));
  });

  router.get('/events/download', async (ctx) => {
    const input = filledIn(ctx.query, [...DOWNLOAD_PARAMETERS]);
    const format = exportFormat(input.format);
    // Spreadsheet-safe CSV (formulas neutralised) with a BOM: managers open it in Excel.
    const options = downloadOptions(input, app, { bom: format === 'csv' });
    const filter = parseFilter(input);
    await checkXlsxRows(format, () => countEvents(app.store.db, filter));
    await recordAccess(app, ctx, { action: 'export', target: format, detail: describe(input) || 'all events' });
    await sendExport(ctx as unknown as Context, app, filter, options, {
      label: 'desk export',
      filters: filtersOf(input),
    });
  });
}

/**
 * The query's filters, with empty fields left out: an empty form field means "any", not "empty". Unknown or
 * repeated parameters are refused as in the API.
 */
function filledIn(query: ParsedUrlQuery, extra: string[]): EventFilterInput & Record<string, string | undefined> {
  const params = queryParams(query, [...FILTER_PARAMETERS, ...extra]);
  return Object.fromEntries(Object.entries(params).filter(([, v]) => v !== undefined && v.trim() !== ''));
}

function filterQuery(input: EventFilterInput): string {
  const entries = FILTER_PARAMETERS.flatMap((p) => (input[p] === undefined ? [] : [[p, input[p] as string]]));
  return new URLSearchParams(entries).toString();
}

function describe(input: EventFilterInput, after = 0): string {
  const parts = FILTER_PARAMETERS.flatMap((p) => (input[p] === undefined ? [] : [`${p}=${input[p]}`]));
  if (after > 0) parts.push(`after seq ${after}`);
  return parts.join(', ');
}

function seqParam(value: string): number {
  if (!/^\d{1,15}$/.test(value)) throw new InvalidParameterError('after', `"${value}" is not an event number`);
  return Number(value);
}
