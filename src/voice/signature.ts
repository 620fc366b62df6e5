import { timingSafeEqual } from 'node:crypto';
import type { Middleware, ParameterizedContext } from 'koa';
import twilio from 'twilio';
import type { AppContext } from '../context.js';
import { type FormParams, readForm } from '../http/form.js';
import { maskNumbersInQuery } from '../phone/phone.js';

export interface SignatureOptions {
  authToken: string;
  /** The URL Twilio was given, without the path; when unset, the URL this request arrived on. */
  publicBaseUrl: string | undefined;
}

/**
 * The URL Twilio signed. Behind TLS-terminating proxies and tunnels the request's own URL differs from the one
 * Twilio used, so a configured public base URL + the original path and query is the robust choice
 * (https://www.twilio.com/docs/usage/webhooks/webhooks-security). Without it, Koa's `ctx.protocol`/`ctx.host`
 * honour X-Forwarded-* only when the app trusts the proxy.
 */
export function signedUrl(ctx: ParameterizedContext, publicBaseUrl: string | undefined): string {
  const base = publicBaseUrl ?? `${ctx.protocol}://${ctx.host}`;
  return base + ctx.originalUrl;
}

export type SignatureCheck = 'valid' | 'invalid' | 'bad-url';

/**
 * Checks `X-Twilio-Signature` with one HMAC over the URL the configuration names and a constant-time compare.
 * Only on a mismatch does it try the library's variants (with and without the default port, the URL as
 * `new URL()` writes it), which cost up to six more HMACs. A URL that cannot be parsed (a request with a
 * malformed Host header) is `bad-url`: no signature can match it, and the library would throw on it.
 */
export function checkSignature(url: string, signature: string, params: FormParams, authToken: string): SignatureCheck {
  if (!URL.canParse(url)) return 'bad-url';
  if (!signature) return 'invalid';
  const expected = Buffer.from(twilio.getExpectedTwilioSignature(authToken, url, params));
  const given = Buffer.from(signature);
  if (given.length === expected.length && timingSafeEqual(given, expected)) return 'valid';
  return twilio.validateRequest(authToken, signature, url, params) ? 'valid' : 'invalid';
}

/**
 * Reads the form and refuses, before anything else runs, a request Twilio did not sign: a forged request cannot
 * reach the database. There is no switch to skip it. The refusal's log line names the URL that was checked
 * (`checkedUrl`), because a `PUBLIC_BASE_URL` that is not the URL Twilio calls is the usual cause.
 */
export function requireTwilioSignature(app: Pick<AppContext, 'config' | 'logger' | 'metrics'>): Middleware {
  return async (ctx, next) => {
    const params = await readForm(ctx);
    const url = signedUrl(ctx, app.config.publicBaseUrl);
    const check = checkSignature(url, ctx.get('X-Twilio-Signature'), params, app.config.twilioAuthToken);
    if (check !== 'valid') {
      const line = { path: ctx.path, callSid: params.CallSid, checkedUrl: maskNumbersInQuery(url) };
      if (check === 'bad-url') {
        app.logger.warn(line, 'rejected a voice webhook whose URL cannot be built from its Host header');
        ctx.throw(400, 'the request URL is not valid (check the Host header)');
      }
      app.metrics.signatureRejected();
      app.logger.warn(line, 'rejected a voice webhook without a valid signature');
      ctx.throw(403, 'invalid or missing X-Twilio-Signature');
    }
    ctx.state.params = params;
    await next();
  };
}
