import type { Middleware } from 'koa';

/**
 * Nothing on a desk page comes from anywhere but this server, and nothing runs: no script at all, styles only
 * from our own stylesheet, forms only back to us, never inside another site's frame.
 */
export const DESK_CSP = [
  "default-src 'none'",
  "style-src 'self'",
  "img-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

export function securityHeaders(): Middleware {
  return async (ctx, next) => {
    ctx.set('Content-Security-Policy', DESK_CSP);
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.set('X-Frame-Options', 'DENY');
    ctx.set('Referrer-Policy', 'no-referrer');
    ctx.set('Cross-Origin-Opener-Policy', 'same-origin');
    ctx.set('Cross-Origin-Resource-Policy', 'same-origin');
    // Pages hold personal data: no copy in a browser or proxy cache.
    ctx.set('Cache-Control', 'no-store');
    await next();
  };
}
