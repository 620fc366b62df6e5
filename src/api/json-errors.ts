import type { Context, Middleware } from 'koa';
import { isClientGone } from '../http/client-gone.js';
import { classifyError, type ErrorAnswer } from '../http/error-answer.js';
import { jsonError, respondWith } from '../http/error-renderers.js';
import type { Logger } from '../logger.js';

/** Every API error is JSON; a client error names the parameter at fault, a server error stays in the log. */
export function jsonErrors(logger: Logger): Middleware {
  return async (ctx, next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) {
        sendError(ctx, {
          status: 404,
          code: 'not_found',
          message: `no such API route: ${ctx.method} ${ctx.path}`,
          shown: true,
        });
      }
    } catch (err) {
      // Not the API's error to report: the app logs a client that went away once, as a warning.
      if (isClientGone(err)) throw err;
      const answer = classifyError(err);
      if (answer.status >= 500) logger.error({ err }, 'API request failed');
      sendError(ctx, answer);
    }
  };
}

/** Answers with an error in the API's JSON shape; for refusals a route decides itself (503 without a key). */
export function sendError(ctx: Pick<Context, 'status' | 'type' | 'body'>, answer: ErrorAnswer): void {
  respondWith(ctx, jsonError(answer));
}
