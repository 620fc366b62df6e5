import type Router from '@koa/router';
import type { AppContext } from '../../context.js';
import { accessLogPage } from '../../db/access-log.js';
import { scriptUsage } from '../../db/desk-lookups.js';
import { InvalidParameterError } from '../../params/invalid-parameter.js';
import { type DeskState, sendPage } from '../desk-context.js';
import { AccessLogPage } from '../views/access-log.js';
import { ScriptsPage } from '../views/scripts.js';

const LOG_PAGE = 100;

/** The read-only pages about the service itself: its voice scripts and who used the desk. */
export function servicePageRoutes(router: Router<DeskState>, app: AppContext): void {
  router.get('/scripts', async (ctx) => {
    const desk = ctx.state.desk;
    if (!desk) return;
    const usage = await scriptUsage(app.store.db);
    sendPage(ctx, 200, ScriptsPage({ user: { name: desk.user, csrf: desk.csrf }, loaded: app.scripts.all, usage }));
  });

  router.get('/access-log', async (ctx) => {
    const desk = ctx.state.desk;
    if (!desk) return;
    const before = ctx.query.before;
    if (before !== undefined && (typeof before !== 'string' || !/^\d{1,15}$/.test(before))) {
      throw new InvalidParameterError('before', 'is not an entry number');
    }
    const rows = await accessLogPage(app.store.db, {
      before: before === undefined ? undefined : Number(before),
      limit: LOG_PAGE + 1,
    });
    const entries = rows.slice(0, LOG_PAGE);
    const next = rows.length > LOG_PAGE ? entries.at(-1)?.id : undefined;
    sendPage(ctx, 200, AccessLogPage({ user: { name: desk.user, csrf: desk.csrf }, entries, next }));
  });
}
