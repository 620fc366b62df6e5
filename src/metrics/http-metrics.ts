import type { Middleware } from 'koa';
import { routeName } from '../http/route-name.js';
import type { Metrics } from './metrics.js';

/** Times every answer and counts it by route pattern and status. */
export function httpMetrics(metrics: Metrics): Middleware {
  return async (ctx, next) => {
    const started = performance.now();
    try {
      await next();
    } finally {
      metrics.answered(routeName(ctx), ctx.status, (performance.now() - started) / 1000);
    }
  };
}
