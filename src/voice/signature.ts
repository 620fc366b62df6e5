import type { ParameterizedContext } from 'koa';
import twilio from 'twilio';

export interface SignatureOptions {
  authToken: string;
  /** The URL Twilio was given, without the path; when unset, the URL this request arrived on. */
  publicBaseUrl: string | undefined;
}

/**
 * The URL Twilio signed. Behind TLS-terminating proxies and tunnels the request's own URL differs from the one
 * Twilio used, so a configured public base URL + the original path and query is the robust choice (https://www.twilio.com/docs/usage/webhooks/webhooks-security).
 * Without it, Koa's `ctx.protocol`/`ctx.host` honour X-Forwarded-* only when the app trusts the proxy.
 */
export function signedUrl(ctx: ParameterizedContext, publicBaseUrl: string | undefined): string {
  const base = publicBaseUrl ?? `${ctx.protocol}://${ctx.host}`;
  return base + ctx.originalUrl;
}

/** True when `X-Twilio-Signature` matches the request; the comparison inside the library is constant-time. */
export function hasValidSignature(
  ctx: ParameterizedContext,
  params: Record<string, string>,
  options: SignatureOptions,
): boolean {
  const signature = ctx.get('X-Twilio-Signature');
  if (!signature) return false;
  return twilio.validateRequest(options.authToken, signature, signedUrl(ctx, options.publicBaseUrl), params);
}
