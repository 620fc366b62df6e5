import { ACCOUNT_SID, CALL_SID, callSid as callSidInTwilioForm } from '../params/call-id.js';
import { InvalidParameterError } from '../params/invalid-parameter.js';

/** The parameters of a voice webhook this service reads; Twilio sends more, and new ones without notice. */
export interface VoiceParams {
  callSid: string;
  accountSid: string;
  from: string;
  to: string;
  direction: string | null;
  /** Present on a `<Gather>` action; empty when the caller pressed nothing. */
  digits: string | undefined;
  /** The caller's country as Twilio reads it from the number (ISO 3166), when it knows. */
  fromCountry: string | null;
}

export interface StatusParams {
  callSid: string;
  callStatus: string;
  sequenceNumber: number | null;
  duration: number | null;
}

export function voiceParams(body: Record<string, string>): VoiceParams {
  const callSid = body.CallSid ?? '';
  const accountSid = body.AccountSid ?? '';
  if (!CALL_SID.test(callSid)) throw new InvalidParameterError('CallSid', `"${callSid}" is not a Twilio call id`);
  if (!ACCOUNT_SID.test(accountSid))
    throw new InvalidParameterError('AccountSid', `"${accountSid}" is not a Twilio account id`);
  return {
    // Stored as Twilio writes it (`CA` and lowercase hex), whatever case the webhook used, so `show` finds it.
    callSid: callSidInTwilioForm(callSid),
    accountSid,
    from: body.From ?? body.Caller ?? '',
    to: body.To ?? body.Called ?? '',
    direction: body.Direction ?? null,
    digits: body.Digits,
    fromCountry: body.FromCountry || body.CallerCountry || null,
  };
}

export function statusParams(body: Record<string, string>): StatusParams {
  const callSid = body.CallSid ?? '';
  if (!CALL_SID.test(callSid)) throw new InvalidParameterError('CallSid', `"${callSid}" is not a Twilio call id`);
  const int = (v: string | undefined) => (v !== undefined && /^\d+$/.test(v) ? Number(v) : null);
  return {
    callSid: callSidInTwilioForm(callSid),
    callStatus: body.CallStatus ?? '',
    sequenceNumber: int(body.SequenceNumber),
    duration: int(body.CallDuration),
  };
}
