import type Router from '@koa/router';
import { isoTimestamp } from '../../clock.js';
import type { AppContext } from '../../context.js';
import { findDeskUser } from '../../db/desk-users.js';
import { addFailure, clearFailures, failuresFor } from '../../db/sign-in-failures.js';
import { readForm } from '../../http/form.js';
import {
  type DeskContext,
  type DeskState,
  recordAccess,
  SESSION_COOKIE,
  SIGN_IN_COOKIE,
  sameToken,
  sendPage,
  setDeskCookie,
} from '../desk-context.js';
import { UNKNOWN_USER_HASH, verifyPassword } from '../password.js';
import { checkedForm, requireSession } from '../session-middleware.js';
import { endSession, newToken, startSession } from '../sessions.js';
import { FORGET_AFTER_MS, secondsToWait, throttleKeys } from '../sign-in-throttle.js';
import { SignInPage } from '../views/sign-in.js';

export function authRoutes(router: Router<DeskState>, app: AppContext): void {
  router.get('/sign-in', async (ctx) => {
    if (ctx.state.desk) {
      ctx.redirect('/desk');
      ctx.status = 303;
      return;
    }
    const info = ctx.query.ended
      ? `Your session ended after ${app.config.deskIdleMinutes} minutes without activity: sign in again.`
      : ctx.query['signed-out']
        ? 'You are signed out.'
        : undefined;
    showSignIn(app, ctx, 200, { next: safeNext(ctx.query.next), info });
  });

  router.post('/sign-in', async (ctx) => {
    const form = await readForm(ctx);
    const next = safeNext(form.next);
    const cookie = ctx.cookies.get(SIGN_IN_COOKIE);
    if (cookie === undefined || !sameToken(form._csrf, cookie)) {
      showSignIn(app, ctx, 403, { next, error: 'The sign-in form had expired: please try again.' });
      return;
    }
    const name = (form.name ?? '').trim();
    const password = form.password ?? '';
    const now = app.clock.now();
    const keys = throttleKeys(name, ctx.ip);
    const wait = secondsToWait(await failuresFor(app.store.db, keys), now);
    if (wait > 0) {
      await recordAccess(app, ctx, { action: 'sign_in.throttled', user: null, target: name.slice(0, 64) });
      ctx.set('Retry-After', String(wait));
      showSignIn(app, ctx, 429, {
        next,
        name,
        error: `Too many failed sign-ins: wait ${wait} second${wait === 1 ? '' : 's'} and try again.`,
      });
      return;
    }
    const user = name === '' ? undefined : await findDeskUser(app.store.db, name);
    // An unknown name costs a hash check too, so the answer's timing does not tell which names exist.
    const matches = await verifyPassword(password, user?.password_hash ?? UNKNOWN_USER_HASH);
    if (!user || !matches) {
      const forget = isoTimestamp(new Date(now.getTime() - FORGET_AFTER_MS));
      await addFailure(app.store.db, keys, isoTimestamp(now), forget);
      await recordAccess(app, ctx, {
        action: 'sign_in.failed',
        user: null,
        // The text typed as a name may be a password typed in the wrong box: keep it only when it is a user.
        target: user ? user.name : '(unknown user name)',
      });
      showSignIn(app, ctx, 401, { next, name, error: 'Wrong user name or password.' });
      return;
    }
    await clearFailures(app.store.db, [keys[0] as string]);
    const { token } = await startSession(app.store.db, user.name, ctx.ip, now);
    setDeskCookie(app, ctx, SESSION_COOKIE, token);
    setDeskCookie(app, ctx, SIGN_IN_COOKIE, null);
    await recordAccess(app, ctx, { action: 'sign_in', user: user.name });
    ctx.redirect(next);
    ctx.status = 303;
  });

  router.post('/sign-out', requireSession(), async (ctx) => {
    await checkedForm(ctx);
    const desk = ctx.state.desk;
    if (desk) {
      await endSession(app.store.db, desk.token);
      await recordAccess(app, ctx, { action: 'sign_out' });
    }
    setDeskCookie(app, ctx, SESSION_COOKIE, null);
    ctx.redirect('/desk/sign-in?signed-out=1');
    ctx.status = 303;
  });
}

function showSignIn(
  app: AppContext,
  ctx: DeskContext,
  status: number,
  props: { next: string; name?: string; error?: string; info?: string | undefined },
): void {
  const csrf = newToken();
  setDeskCookie(app, ctx, SIGN_IN_COOKIE, csrf);
  sendPage(ctx, status, SignInPage({ csrf, ...props }));
}

/** Where to go after signing in: a desk page only, never another site (`//evil.example`). */
function safeNext(value: unknown): string {
  if (typeof value !== 'string' || !/^\/desk(?:[/?#]|$)/.test(value) || value.startsWith('//')) return '/desk';
  return value;
}
