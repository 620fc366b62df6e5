import type { Middleware, ParameterizedContext } from 'koa';
import type { Logger } from '../logger.js';
import { routeName } from './route-name.js';

/** What a handler adds to its request's one log line (the CallSid, the events recorded), and how loud it is. */
export interface RequestLogEntry {
  fields: Record<string, unknown>;
  level?: 'info' | 'warn' | 'error';
}

/** Adds fields to this request's log line instead of writing a line of its own: one line per webhook. */
export function logWith(ctx: ParameterizedContext, fields: Record<string, unknown>, level?: RequestLogEntry['level']) {
  if (!ctx.state.log) ctx.state.log = { fields: {} };
  const entry = ctx.state.log as RequestLogEntry;
  Object.assign(entry.fields, fields);
  if (level) entry.level = level;
}

/**
 * One line per request. It logs the matched route pattern, not the URL, because URLs can hold phone numbers
 * (`/api/subscribers/+4915...`) and logs must never carry a full number.
 */
export function requestLog(logger: Logger): Middleware {
  return async (ctx, next) => {
    const started = performance.now();
    try {
      await next();
    } finally {
      const route = routeName(ctx);
      const entry = ctx.state.log as RequestLogEntry | undefined;
      logger[entry?.level ?? 'info'](
        {
          method: ctx.method,
          route,
          status: ctx.status,
          ms: Math.round(performance.now() - started),
          ...entry?.fields,
        },
        'request',
      );
    }
  };
}
