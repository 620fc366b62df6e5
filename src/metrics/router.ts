import Router from '@koa/router';
import { bearerAuth } from '../api/bearer-auth.js';
import type { Metrics } from './metrics.js';

/** `GET /metrics` for Prometheus, behind `Authorization: Bearer <METRICS_TOKEN>`. */
export function metricsRouter(metrics: Metrics, token: string): Router {
  const router = new Router();
  router.get('/metrics', bearerAuth(token, 'METRICS_TOKEN'), async (ctx) => {
    const { contentType, body } = await metrics.exposition();
    ctx.type = contentType;
    ctx.body = body;
  });
  return router;
}
