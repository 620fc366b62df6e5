// @ts-check
// Webhook bodies signed ahead of time, so the load generator spends nothing on HMACs while it measures.
import twilio from 'twilio';

const ACCOUNT = `AC${'1'.repeat(32)}`;

/** @param {number} n @returns {Record<string, string>} */
function callParams(n) {
  const from = `+1415${200 + (Math.floor(n / 10_000) % 800)}${String(n % 10_000).padStart(4, '0')}`;
  return {
    CallSid: `CA${n.toString(16).padStart(32, '0')}`,
    AccountSid: ACCOUNT,
    From: from,
    Caller: from,
    To: '+15005550006',
    Called: '+15005550006',
    CallStatus: 'in-progress',
    Direction: 'inbound',
    ApiVersion: '2010-04-01',
  };
}

/** @typedef {{ path: string; body: string; signature: string }} SignedBody */

/**
 * @param {string} token @param {string} base @param {string} path @param {Record<string, string>} params
 * @returns {SignedBody}
 */
function signed(token, base, path, params) {
  return {
    path,
    body: new URLSearchParams(params).toString(),
    signature: twilio.getExpectedTwilioSignature(token, base + path, params),
  };
}

/**
 * `count` first webhooks of new calls, numbered from `first`.
 * @param {string} token @param {string} base @param {number} first @param {number} count @returns {SignedBody[]}
 */
export function incomingBodies(token, base, first, count) {
  const out = new Array(count);
  for (let i = 0; i < count; i++) out[i] = signed(token, base, '/voice/incoming', callParams(first + i));
  return out;
}

/**
 * Whole calls: incoming, three presses of 1 (agree, confirm the number, agree to offers), then the end.
 * @param {string} token @param {string} base @param {number} first @param {number} count @returns {SignedBody[][]}
 */
export function callBodies(token, base, first, count) {
  const out = new Array(count);
  for (let i = 0; i < count; i++) {
    const params = callParams(first + i);
    out[i] = [
      signed(token, base, '/voice/incoming', params),
      ...[1, 2, 3].map((n) => signed(token, base, `/voice/turn?n=${n}`, { ...params, Digits: '1', FinishedOnKey: '' })),
      signed(token, base, '/voice/status', {
        ...params,
        CallStatus: 'completed',
        CallDuration: '30',
        SequenceNumber: '1',
      }),
    ];
  }
  return out;
}

/**
 * @param {SignedBody} body
 * @returns {import('autocannon').Request & { path: string; headers: Record<string, string>; body: string }}
 */
export function requestOf(body) {
  return {
    method: 'POST',
    path: body.path,
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-twilio-signature': body.signature,
      'user-agent': 'TwilioProxy/1.1',
    },
    body: body.body,
  };
}
