import { createHash, timingSafeEqual } from 'node:crypto';
import type { Middleware } from 'koa';
import { jsonError, respondWith } from '../http/error-renderers.js';

/**
 * Lets a request through only with `Authorization: Bearer <token>`. Both sides are hashed first so the
 * comparison takes the same time whatever the length or content of the guess.
 */
export function bearerAuth(token: string, variable = 'ADMIN_TOKEN'): Middleware {
  const expected = digest(token);
  return async (ctx, next) => {
    const match = /^Bearer +(\S+) *$/i.exec(ctx.get('authorization'));
    if (!match || !timingSafeEqual(digest(match[1] as string), expected)) {
      ctx.set('WWW-Authenticate', 'Bearer realm="optin-ivr"');
      const message = `send Authorization: Bearer <${variable}>`;
      return respondWith(ctx, jsonError({ status: 401, code: 'unauthorized', message, shown: true }));
    }
    await next();
  };
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}
