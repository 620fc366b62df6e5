import type { ParameterizedContext } from 'koa';
import twilio from 'twilio';
import { describe, expect, it } from 'vitest';
import { checkSignature, signedUrl } from '../../src/voice/signature.js';

// The signature check on its own; test/voice/call.test.ts checks it over HTTP. Signatures are made with the twilio
// library's own signer, the documented algorithm (https://www.twilio.com/docs/usage/security#validating-requests).

const TOKEN = 'test-auth-token-0123456789';
const params = { CallSid: `CA${'0'.repeat(32)}`, From: '+14155550123', Digits: '1' };

/** The parts of a Koa context the check reads. */
function request(
  url: { protocol: string; host: string; originalUrl: string },
  signature: string | undefined,
): ParameterizedContext {
  return {
    ...url,
    get: (name: string) => (name.toLowerCase() === 'x-twilio-signature' ? (signature ?? '') : ''),
  } as unknown as ParameterizedContext;
}

const local = { protocol: 'http', host: '127.0.0.1:3000', originalUrl: '/voice/turn?n=2' };
/** What the webhook middleware decides: the signature checked against the URL it signs for. */
function hasValidSignature(
  ctx: ParameterizedContext,
  form: Record<string, string>,
  options: { authToken: string; publicBaseUrl: string | undefined },
): boolean {
  const url = signedUrl(ctx, options.publicBaseUrl);
  return checkSignature(url, ctx.get('X-Twilio-Signature'), form, options.authToken) === 'valid';
}

const sign = (url: string, p: Record<string, string> = params, token = TOKEN) =>
  twilio.getExpectedTwilioSignature(token, url, p);

describe('the Twilio signature check', () => {
  it('signs the URL the request arrived on when no public base URL is set', () => {
    expect(signedUrl(request(local, undefined), undefined)).toBe('http://127.0.0.1:3000/voice/turn?n=2');
  });

  it('signs the public base URL with the original path and query behind a proxy', () => {
    expect(signedUrl(request(local, undefined), 'https://ivr.example.com')).toBe(
      'https://ivr.example.com/voice/turn?n=2',
    );
  });

  it('accepts the signature Twilio makes for that URL and those parameters', () => {
    const signature = sign('http://127.0.0.1:3000/voice/turn?n=2');
    expect(hasValidSignature(request(local, signature), params, { authToken: TOKEN, publicBaseUrl: undefined })).toBe(
      true,
    );
    const behindProxy = sign('https://ivr.example.com/voice/turn?n=2');
    expect(
      hasValidSignature(request(local, behindProxy), params, {
        authToken: TOKEN,
        publicBaseUrl: 'https://ivr.example.com',
      }),
    ).toBe(true);
  });

  it('refuses a missing signature, another token, another URL or changed parameters', () => {
    const options = { authToken: TOKEN, publicBaseUrl: undefined };
    const url = 'http://127.0.0.1:3000/voice/turn?n=2';
    expect(hasValidSignature(request(local, undefined), params, options)).toBe(false);
    expect(hasValidSignature(request(local, ''), params, options)).toBe(false);
    expect(hasValidSignature(request(local, sign(url, params, 'other-token')), params, options)).toBe(false);
    expect(hasValidSignature(request(local, sign('http://127.0.0.1:3000/voice/turn?n=3')), params, options)).toBe(
      false,
    );
    expect(hasValidSignature(request(local, sign(url)), { ...params, Digits: '2' }, options)).toBe(false);
    // Signed for the local URL, checked against the public one: refused.
    expect(
      hasValidSignature(request(local, sign(url)), params, {
        authToken: TOKEN,
        publicBaseUrl: 'https://ivr.example.com',
      }),
    ).toBe(false);
  });
});
