// @ts-check
// Shared by the benchmarks: a voice webhook posted as Twilio posts it, timed.
import twilio from 'twilio';

/**
 * Posts a signed form to `base + path`; resolves to the milliseconds it took and the answer's status and body.
 * @param {string} base @param {string} token @param {string} path @param {Record<string, string>} params
 */
export async function postAsTwilio(base, token, path, params) {
  const url = base + path;
  const started = performance.now();
  const res = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-twilio-signature': twilio.getExpectedTwilioSignature(token, url, params),
    },
    body: new URLSearchParams(params),
  });
  const body = await res.text();
  return { ms: performance.now() - started, status: res.status, body };
}
