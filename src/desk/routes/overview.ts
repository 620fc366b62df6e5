import type Router from '@koa/router';
import type { AppContext } from '../../context.js';
import { latestAccess } from '../../db/access-log.js';
import { verifyLedger } from '../../db/ledger.js';
import { ledgerHead } from '../../db/stats.js';
import { businessOfScript } from '../../scripts/business-of-script.js';
import { consentStats, type DayStats } from '../../stats/consent-stats.js';
import { type DeskState, recordAccess, sendPage } from '../desk-context.js';
import { checkedForm } from '../session-middleware.js';
import { OverviewPage } from '../views/overview.js';

const DAY_MS = 24 * 60 * 60 * 1000;
const VERIFY_ACTION = 'ledger.verify';

export function overviewRoutes(router: Router<DeskState>, app: AppContext): void {
  router.get('/', async (ctx) => {
    const desk = ctx.state.desk;
    if (!desk) return;
    const now = app.clock.now();
    const today = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
    const tomorrow = new Date(today.getTime() + DAY_MS);
    const monthStart = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
    const first = new Date(today.getTime() - 29 * DAY_MS);
    const businessOf = businessOfScript(app.scripts);
    const db = app.store.db;
    const [todayStats, monthStats, recent, ledger, lastCheck] = await Promise.all([
      consentStats(db, { since: today.toISOString(), until: tomorrow.toISOString() }, businessOf),
      consentStats(db, { since: monthStart.toISOString(), until: tomorrow.toISOString() }, businessOf),
      consentStats(db, { since: first.toISOString(), until: tomorrow.toISOString() }, businessOf),
      ledgerHead(db),
      latestAccess(db, VERIFY_ACTION),
    ]);
    sendPage(
      ctx,
      200,
      OverviewPage({
        user: { name: desk.user, csrf: desk.csrf },
        today: { day: today.toISOString().slice(0, 10), stats: todayStats },
        month: { label: monthStart.toISOString().slice(0, 7), stats: monthStats },
        last30: everyDay(first, recent.days),
        ledger,
        lastCheck,
      }),
    );
  });

  // Runs the same check as `optin-ivr verify` and keeps its result in the access log: who checked, when, what.
  router.post('/verify', async (ctx) => {
    await checkedForm(ctx);
    const result = await verifyLedger(app.store.db);
    await recordAccess(app, ctx, {
      action: VERIFY_ACTION,
      target: result.ok ? 'ok' : 'broken',
      detail: result.ok
        ? `${result.count} events verified, head ${result.head}`
        : `broken at seq ${result.seq}: ${result.problem} (${result.count} events before it verified)`,
    });
    ctx.redirect('/desk#ledger');
    ctx.status = 303;
  });
}

/** The 30 days with a row each, zero where nothing happened, so the chart's bars line up with the calendar. */
function everyDay(first: Date, days: DayStats[]): DayStats[] {
  const byDay = new Map(days.map((d) => [d.day, d]));
  return Array.from({ length: 30 }, (_, i) => {
    const day = new Date(first.getTime() + i * DAY_MS).toISOString().slice(0, 10);
    return byDay.get(day) ?? { day, calls: 0, abandoned: 0, opt_in: 0, declined: 0, opt_out: 0 };
  });
}
