import type { TwimlWarning } from './twiml-document.js';

/** Why a call ended, in Twilio's terms where Twilio has them. */
export type EndReason =
  | 'hangup' // a <Hangup> verb
  | 'end-of-document' // the TwiML ran out of verbs
  | 'rejected' // a <Reject> verb
  | 'caller-hangup'
  | 'application-error' // a webhook failed and so did the fallback
  | 'loop-limit'; // the simulator stopped a call that kept requesting without the caller doing anything

/** Everything that happens on a simulated call, in order: the transcript and the screen are both made from these. */
export type CallEvent =
  | { type: 'request'; method: 'GET' | 'POST'; url: string; params: Record<string, string> }
  | { type: 'answer'; url: string; status: number; contentType: string | undefined; body: string }
  | { type: 'request-failed'; url: string; error: string }
  | { type: 'warning'; url: string; code: TwimlWarning['code']; message: string }
  | { type: 'say'; text: string; voice: string | undefined; language: string | undefined; loop: number }
  | { type: 'play'; url: string; loop: number }
  | { type: 'pause'; seconds: number }
  | {
      type: 'gather';
      numDigits: number | undefined;
      finishOnKey: string;
      timeoutSeconds: number;
      action: string;
    }
  | { type: 'countdown'; secondsLeft: number }
  | { type: 'key'; key: string; interrupted: boolean }
  | { type: 'language-chosen'; language: string; key: string }
  | { type: 'keys-ignored'; keys: string[] }
  | { type: 'gathered'; digits: string; finishedOnKey: string; ended: 'numDigits' | 'finishOnKey' | 'timeout' }
  | { type: 'redirect'; url: string }
  | { type: 'ended'; reason: EndReason; detail: string }
  | { type: 'status-callback'; url: string; params: Record<string, string>; status: number | undefined };
