import type { Middleware } from 'koa';
import type { Logger } from '../logger.js';
import { routeName } from './route-name.js';

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
      logger.info(
        { method: ctx.method, route, status: ctx.status, ms: Math.round(performance.now() - started) },
        'request',
      );
    }
  };
}
