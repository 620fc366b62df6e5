import { timingSafeEqual } from 'node:crypto';
import type { ParameterizedContext } from 'koa';
import type { VNode } from 'preact';
import { renderToString } from 'preact-render-to-string';
import { isoTimestamp } from '../clock.js';
import type { AppContext } from '../context.js';
import { logAccess } from '../db/access-log.js';

export const SESSION_COOKIE = 'desk_session';
/** Carries the sign-in form's CSRF token before there is a session to keep it in. */
export const SIGN_IN_COOKIE = 'desk_sign_in';

/** Who is signed in on this request. */
export interface DeskUserState {
  user: string;
  csrf: string;
  token: string;
}

export interface DeskState {
  desk?: DeskUserState;
  /** The cookie named a session that has ended (idle or too old). */
  sessionExpired?: boolean;
}

export type DeskContext = ParameterizedContext<DeskState>;

/** Sends a rendered page. Preact escapes every text and attribute value it renders. */
export function sendPage(ctx: DeskContext, status: number, page: VNode): void {
  ctx.status = status;
  ctx.type = 'text/html; charset=utf-8';
  ctx.body = `<!doctype html>${renderToString(page)}`;
}

/**
 * Cookies for the desk: never readable by script, never sent with a request from another site, and Secure
 * when the public URL is https, even when TLS ends at a proxy in front of us (then Koa sees plain http).
 */
export function setDeskCookie(app: AppContext, ctx: DeskContext, name: string, value: string | null): void {
  const secure = app.config.publicBaseUrl?.startsWith('https://') ?? false;
  if (secure) ctx.cookies.secure = true;
  ctx.cookies.set(name, value, { httpOnly: true, sameSite: 'strict', secure, path: '/desk', overwrite: true });
}

export function sameToken(given: string | undefined, expected: string): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(given, 'utf8');
  const b = Buffer.from(expected, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Writes one access-log entry: who (the signed-in user), what, when and from where. */
export async function recordAccess(
  app: AppContext,
  ctx: DeskContext,
  entry: { action: string; target?: string | null; detail?: string | null; user?: string | null },
): Promise<void> {
  await logAccess(app.store.db, {
    at: isoTimestamp(app.clock.now()),
    user_name: entry.user === undefined ? (ctx.state.desk?.user ?? null) : entry.user,
    address: ctx.ip,
    action: entry.action,
    target: entry.target ?? null,
    detail: entry.detail ?? null,
  });
}
