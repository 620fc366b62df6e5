import Router from '@koa/router';
import type { Middleware } from 'koa';
import type { AppContext } from '../context.js';
import { hasDeskUsers } from '../db/desk-users.js';
import { classifyError, shownMessage } from '../http/error-answer.js';
import { type DeskContext, type DeskState, sendPage } from './desk-context.js';
import { authRoutes } from './routes/auth.js';
import { eventRoutes } from './routes/events.js';
import { numberRoutes } from './routes/number.js';
import { overviewRoutes } from './routes/overview.js';
import { servicePageRoutes } from './routes/pages.js';
import { securityHeaders } from './security-headers.js';
import { loadSession, requireSession } from './session-middleware.js';
import { ErrorPage } from './views/error-page.js';
import { DESK_CSS, DESK_ICON } from './views/stylesheet.js';

/**
 * The consent desk under /desk: server-rendered pages for managers, behind a desk user's session. Until the
 * first desk user is added (`optin-ivr users add`) there is no desk at all: every /desk path answers 404.
 */
export function deskMiddleware(app: AppContext): Middleware {
  const open = new Router<DeskState>({ prefix: '/desk' });
  open.get('/desk.css', (ctx) => {
    ctx.type = 'text/css; charset=utf-8';
    ctx.set('Cache-Control', 'no-cache');
    ctx.body = DESK_CSS;
  });
  open.get('/icon.svg', (ctx) => {
    ctx.type = 'image/svg+xml';
    ctx.set('Cache-Control', 'no-cache');
    ctx.body = DESK_ICON;
  });
  authRoutes(open, app);

  const pages = new Router<DeskState>({ prefix: '/desk' });
  pages.use(requireSession());
  overviewRoutes(pages, app);
  numberRoutes(pages, app);
  eventRoutes(pages, app);
  servicePageRoutes(pages, app);

  const chain = [securityHeaders(), deskErrors(app), loadSession(app), open.routes(), pages.routes()];
  const run = chain.reduceRight<(ctx: DeskContext) => Promise<void>>(
    (next, mw) => (ctx) => (mw as Middleware<DeskState>)(ctx, () => next(ctx)) as Promise<void>,
    async () => undefined,
  );
  return async (ctx, next) => {
    if (ctx.path !== '/desk' && !ctx.path.startsWith('/desk/')) return next();
    if (!(await hasDeskUsers(app.store.db))) {
      ctx.status = 404;
      ctx.body = 'Not Found';
      return;
    }
    await run(ctx as unknown as DeskContext);
    if (ctx.status === 404 && ctx.body === undefined) {
      ctx.status = 404;
      ctx.body = 'Not Found';
    }
  };
}

/** A client mistake is a page that says what was wrong; a server error says little and goes to the log. */
function deskErrors(app: AppContext): Middleware<DeskState> {
  return async (ctx, next) => {
    try {
      await next();
    } catch (err) {
      const answer = classifyError(err);
      const status = answer.status;
      if (status >= 500) app.logger.error({ err }, 'desk request failed');
      const message = shownMessage(answer, 'Something went wrong on the server; it has been logged.');
      const desk = ctx.state.desk;
      const user = desk ? { name: desk.user, csrf: desk.csrf } : undefined;
      const title =
        status === 404 ? 'Not found' : status === 403 ? 'Refused' : status < 500 ? 'Cannot do that' : 'Error';
      sendPage(ctx as DeskContext, status, ErrorPage({ title, message, user }));
    }
  };
}
