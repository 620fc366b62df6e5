import Router from '@koa/router';
import type { Middleware } from 'koa';
import type { AppContext } from '../context.js';
import { bearerAuth } from './bearer-auth.js';
import { callRoutes } from './calls.js';
import { consentEventRoutes } from './consent-events.js';
import { jsonErrors } from './json-errors.js';
import { statsRoutes } from './stats.js';
import { subscriberRoutes } from './subscribers.js';

/**
 * Everything under `/api`, for managers and the system that sends messages. Without an admin token there is no
 * API at all (`createApp` does not mount it); with one, every path under /api asks for it, known or not.
 */
export function apiMiddleware(app: AppContext, adminToken: string): Middleware {
  const router = apiRouter(app);
  const errors = jsonErrors(app.logger);
  const auth = bearerAuth(adminToken);
  // The router's own middleware types expect its context; at run time they take any Koa context.
  const routes = router.routes() as unknown as Middleware;
  const methods = router.allowedMethods() as unknown as Middleware;
  return (ctx, next) => {
    if (ctx.path !== '/api' && !ctx.path.startsWith('/api/')) return next();
    return errors(ctx, () => auth(ctx, () => routes(ctx, () => methods(ctx, async () => undefined))));
  };
}

/** Every route under `/api`; `docs/openapi.yaml` describes them and a test holds the two equal. */
export function apiRouter(app: AppContext): Router {
  const router = new Router({ prefix: '/api' });
  subscriberRoutes(router, app);
  consentEventRoutes(router, app);
  callRoutes(router, app);
  statsRoutes(router, app);
  return router;
}
