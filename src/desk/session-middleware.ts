import type { Middleware } from 'koa';
import type { AppContext } from '../context.js';
import { readForm } from '../http/form.js';
import { type DeskContext, type DeskState, SESSION_COOKIE, sameToken, setDeskCookie } from './desk-context.js';
import { resumeSession } from './sessions.js';

/** Finds the signed-in user, if any; an ended session's cookie is cleared. */
export function loadSession(app: AppContext): Middleware<DeskState> {
  return async (ctx, next) => {
    const token = ctx.cookies.get(SESSION_COOKIE);
    if (token) {
      const found = await resumeSession(app.store.db, token, app.clock.now(), app.config.deskIdleMinutes);
      if (found && 'session' in found) {
        ctx.state.desk = { user: found.session.user_name, csrf: found.session.csrf_token, token };
      } else {
        ctx.state.sessionExpired = found !== undefined;
        setDeskCookie(app, ctx as DeskContext, SESSION_COOKIE, null);
      }
    }
    await next();
  };
}

/** Pages need a session: a reader without one is sent to sign in, and nothing else is shown. */
export function requireSession(): Middleware<DeskState> {
  return async (ctx, next) => {
    if (ctx.state.desk) return next();
    if (ctx.method === 'GET' || ctx.method === 'HEAD') {
      // The path only: a query can hold the number asked for, and no page shows a number without a session.
      const params = new URLSearchParams({ next: ctx.path });
      if (ctx.state.sessionExpired) params.set('ended', '1');
      ctx.redirect(`/desk/sign-in?${params}`);
      ctx.status = 303;
      // Koa's default body repeats the URL, which may hold the number asked for.
      ctx.type = 'text/plain';
      ctx.body = 'Sign in first.';
      return;
    }
    ctx.throw(401, 'sign in first: your session has ended');
  };
}

/**
 * Reads a posted form and checks its CSRF token against the session's before anything is done: a form posted
 * from anywhere but a desk page is refused and changes nothing.
 */
export async function checkedForm(ctx: DeskContext): Promise<Record<string, string>> {
  const form = await readForm(ctx);
  const expected = ctx.state.desk?.csrf;
  if (expected === undefined || !sameToken(form._csrf, expected)) {
    ctx.throw(403, 'this form has expired or did not come from the desk: reload the page and try again');
  }
  return form;
}
