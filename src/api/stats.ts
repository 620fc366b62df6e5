import type Router from '@koa/router';
import type { AppContext } from '../context.js';
import { parseFilter } from '../params/filter.js';
import { queryParams } from '../params/query.js';
import { businessOfScript } from '../scripts/business-of-script.js';
import { consentStats } from '../stats/consent-stats.js';

/** The desk overview's figures for the sending system's dashboards: per business and category, and per day. */
export function statsRoutes(router: Router, app: Pick<AppContext, 'store' | 'scripts'>): void {
  router.get('/stats', async (ctx) => {
    const params = queryParams(ctx.query, ['since', 'until', 'business']);
    const filter = parseFilter(params);
    const stats = await consentStats(
      app.store.db,
      { since: filter.since, until: filter.until },
      businessOfScript(app.scripts),
      filter.business,
    );
    ctx.body = {
      since: filter.since ?? null,
      until: filter.until ?? null,
      business: filter.business ?? null,
      ...stats,
    };
  });
}
