import { randomBytes } from 'node:crypto';
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import twilio from 'twilio';

/** The caller ID Twilio sends for a withheld number when no other form is asked for (docs/twilio.md#withheld-caller-id). */
export const WITHHELD_FORMS = ['+266696687', 'anonymous', 'restricted', 'unknown'] as const;

/** A Twilio-style identifier: a two-letter prefix and 32 lowercase hex digits. */
export function newSid(prefix: 'CA' | 'AC', random: (bytes: number) => Buffer = randomBytes): string {
  return prefix + random(16).toString('hex');
}

/** One account for every simulated call, so simulated events can be told apart from real ones in the ledger. */
export const SIMULATOR_ACCOUNT_SID = `AC${'51a1a7ed'.repeat(4)}`;

export interface CallIdentity {
  callSid: string;
  accountSid: string;
  from: string;
  to: string;
}

/**
 * The parameters Twilio sends with every voice webhook of an inbound call. Geographic fields come from the
 * number itself; Twilio leaves city, state and zip empty when it does not know them, and so does this.
 */
export function callParams(call: CallIdentity, callStatus: string): Record<string, string> {
  const params: Record<string, string> = {
    AccountSid: call.accountSid,
    ApiVersion: '2010-04-01',
    CallSid: call.callSid,
    CallStatus: callStatus,
    Direction: 'inbound',
    From: call.from,
    Caller: call.from,
    To: call.to,
    Called: call.to,
    ...geography('From', call.from),
    ...geography('Caller', call.from),
    ...geography('To', call.to),
    ...geography('Called', call.to),
  };
  // An attested caller ID carries a STIR/SHAKEN verdict; it is also the parameter reported to break validation.
  if (/^\+\d+$/.test(call.from) && call.from !== WITHHELD_FORMS[0]) params.StirVerstat = 'TN-Validation-Passed-A';
  return params;
}

function geography(prefix: string, number: string): Record<string, string> {
  // Twilio reports the withheld placeholder as Lesotho, the country it nominally belongs to.
  const country = number === WITHHELD_FORMS[0] ? 'LS' : (parsePhoneNumberFromString(number)?.country ?? '');
  return { [`${prefix}Country`]: country, [`${prefix}State`]: '', [`${prefix}City`]: '', [`${prefix}Zip`]: '' };
}

/** What a `<Gather>` adds to its action request. */
export function gatherParams(digits: string, finishedOnKey: string): Record<string, string> {
  return { Digits: digits, FinishedOnKey: finishedOnKey };
}

/** The final status callback: the call is over. */
export function statusCallbackParams(
  call: CallIdentity,
  status: { callStatus: string; durationSeconds: number; sequenceNumber: number; at: Date },
): Record<string, string> {
  return {
    ...callParams(call, status.callStatus),
    CallDuration: String(status.durationSeconds),
    SequenceNumber: String(status.sequenceNumber),
    Timestamp: status.at.toUTCString().replace('GMT', '+0000'),
    CallbackSource: 'call-progress-events',
  };
}

/** A request exactly as Twilio would send it: where, how, and signed with the account's auth token. */
export interface TwilioRequest {
  method: 'GET' | 'POST';
  url: string;
  headers: Record<string, string>;
  /** The form body of a POST; undefined for a GET, whose parameters are in the URL. */
  body: string | undefined;
  params: Record<string, string>;
}

/**
 * Builds and signs a webhook request. For a POST the signature covers the URL and the sorted form parameters;
 * for a GET the parameters go into the query string and the signature covers that URL alone.
 */
export function signedRequest(
  authToken: string,
  method: 'GET' | 'POST',
  url: string,
  params: Record<string, string>,
): TwilioRequest {
  const headers: Record<string, string> = {
    'user-agent': 'TwilioProxy/1.1',
    'i-twilio-idempotency-token': randomBytes(16).toString('hex'),
  };
  if (method === 'GET') {
    const target = new URL(url);
    for (const [name, value] of Object.entries(params)) target.searchParams.append(name, value);
    const signed = target.toString();
    headers['x-twilio-signature'] = twilio.getExpectedTwilioSignature(authToken, signed, {});
    return { method, url: signed, headers, body: undefined, params };
  }
  headers['content-type'] = 'application/x-www-form-urlencoded; charset=utf-8';
  headers['x-twilio-signature'] = twilio.getExpectedTwilioSignature(authToken, url, params);
  return { method, url, headers, body: new URLSearchParams(params).toString(), params };
}
