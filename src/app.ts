import Koa from 'koa';
import { apiMiddleware } from './api/router.js';
import type { AppContext } from './context.js';
import { deskMiddleware } from './desk/router.js';
import { isClientGone } from './http/client-gone.js';
import { classifyError } from './http/error-answer.js';
import { respondWith, textError } from './http/error-renderers.js';
import { healthRouter } from './http/health.js';
import { requestLog } from './http/request-log.js';
import { httpMetrics } from './metrics/http-metrics.js';
import { metricsRouter } from './metrics/router.js';
import { voiceRouter } from './voice/router.js';

/** Builds the HTTP application; it never listens, so tests and the simulator use the very same app. */
export function createApp(app: AppContext): Koa {
  const koa = new Koa({ proxy: app.config.trustProxy });
  // Koa prints stream errors to the console by default; a client that hangs up mid-download is no fault of ours.
  koa.on('error', (err: NodeJS.ErrnoException, ctx?: { state?: { clientGone?: boolean } }) => {
    if (!isClientGone(err)) app.logger.error({ err }, 'response failed');
    // Already said once, when reading its request failed.
    else if (!ctx?.state?.clientGone) app.logger.info({ code: err.code }, 'client closed the connection early');
  });
  koa.use(requestLog(app.logger));
  koa.use(httpMetrics(app.metrics));
  koa.use(async (ctx, next) => {
    try {
      await next();
    } catch (err) {
      if (isClientGone(err)) {
        ctx.state.clientGone = true;
        const code = (err as { code?: string }).code;
        app.logger.warn({ method: ctx.method, path: ctx.path, code }, 'client went away before its request was read');
        ctx.status = 400;
        return;
      }
      // Details of client errors help the sender; details of server errors stay in the log.
      const answer = classifyError(err);
      if (answer.status >= 500) app.logger.error({ err }, 'request failed');
      respondWith(ctx, textError(answer));
    }
  });
  // The admin API is closed unless a token is configured: then /api answers 404 like any unknown path.
  if (app.config.adminToken) koa.use(apiMiddleware(app, app.config.adminToken));
  koa.use(deskMiddleware(app));
  // Like the API, /metrics does not exist (404) unless its token is configured.
  const metrics = app.config.metricsToken ? [metricsRouter(app.metrics, app.config.metricsToken)] : [];
  for (const router of [healthRouter(app), voiceRouter(app), ...metrics]) {
    koa.use(router.routes());
    koa.use(router.allowedMethods());
  }
  return koa;
}
