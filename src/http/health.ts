import Router from '@koa/router';
import type { AppContext } from '../context.js';
import { ping } from '../db/store.js';

export function healthRouter(app: AppContext): Router {
  const router = new Router();
  router.get('/healthz', async (ctx) => {
    try {
      await ping(app.store.db);
      // Alive either way; the body says whether the ledger verified (a readiness check can refuse traffic on it).
      ctx.body = { status: 'ok', ledger: app.ledger.last };
    } catch (err) {
      app.logger.error({ err }, 'health check: database did not answer');
      ctx.status = 503;
      ctx.body = { status: 'unavailable', reason: 'database did not answer' };
    }
  });
  return router;
}
