import type { Middleware } from 'koa';
import { OptOutError } from '../consent/opt-out.js';
import { InvalidParameterError } from '../export/invalid-parameter.js';
import { isClientGone } from '../http/client-gone.js';
import type { Logger } from '../logger.js';

/** Every API error is JSON; a client error names the parameter at fault, a server error stays in the log. */
export function jsonErrors(logger: Logger): Middleware {
  return async (ctx, next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) {
        ctx.status = 404;
        ctx.body = { error: 'not_found', message: `no such API route: ${ctx.method} ${ctx.path}` };
      }
    } catch (err) {
      // Not the API's error to report: the app logs a client that went away once, as a warning.
      if (isClientGone(err)) throw err;
      if (err instanceof InvalidParameterError) {
        ctx.status = 400;
        ctx.body = { error: 'invalid_parameter', parameter: err.parameter, message: err.message };
        return;
      }
      if (err instanceof OptOutError) {
        ctx.status = 400;
        ctx.body = { error: 'invalid_parameter', parameter: err.field, message: err.message };
        return;
      }
      const status = (err as { status?: number }).status ?? 500;
      if (status >= 500) logger.error({ err }, 'API request failed');
      ctx.status = status;
      if (status === 413) {
        ctx.body = { error: 'body_too_large', parameter: 'body', message: (err as Error).message };
        return;
      }
      ctx.body = {
        error: status >= 500 ? 'internal_error' : 'bad_request',
        message: status < 500 ? (err as Error).message : 'internal error',
      };
    }
  };
}
