import Router from '@koa/router';
import type { AppContext } from '../context.js';
import { ping } from '../db/store.js';
import { checkReadiness } from '../health/readiness.js';

/** Liveness (`/healthz`, cheap: is the process serving, which database it uses and whether it answers) and readiness (`/readyz`). */
export function healthRouter(app: AppContext): Router {
  const router = new Router();
  router.get('/healthz', async (ctx) => {
    try {
      await ping(app.store.db);
      // Alive either way; the body says whether the ledger verified (a readiness check can refuse traffic on it).
      ctx.body = { status: 'ok', database: { kind: app.store.kind, answers: true }, ledger: app.ledger.last };
    } catch (err) {
      app.logger.error({ err }, 'health check: database did not answer');
      ctx.status = 503;
      ctx.body = {
        status: 'unavailable',
        reason: 'database did not answer',
        database: { kind: app.store.kind, answers: false },
      };
    }
  });
  // Readiness: would a write succeed now? A load balancer stops sending calls while it answers 503, and sends
  // them again once it answers 200, without a restart (a restart would not free the disk).
  let wasReady = true;
  router.get('/readyz', async (ctx) => {
    const { ready, problems } = await checkReadiness(app);
    if (ready !== wasReady) {
      if (ready) app.logger.info('ready again: writes succeed');
      else app.logger.warn({ problems }, 'not ready: a write would fail now');
      wasReady = ready;
    }
    ctx.status = ready ? 200 : 503;
    ctx.body = ready ? { status: 'ready' } : { status: 'not ready', problems };
  });
  return router;
}
