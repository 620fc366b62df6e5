import { InvalidParameterError } from './invalid-parameter.js';

/** A Twilio CallSid; any case is accepted: `callSid()` turns it into Twilio's form, `CA` and 32 lowercase hex digits. */
export const CALL_SID = /^CA[0-9a-f]{32}$/i;

/** A Twilio AccountSid, `AC` and 32 hex digits. */
export const ACCOUNT_SID = /^AC[0-9a-f]{32}$/i;

/** The 8-digit reference a caller hears at the end of a call (derived from its CallSid). */
export const CALL_REFERENCE = /^\d{8}$/;

/** A CallSid as stored: Twilio writes `CA` and lowercase hex, so `CA3F…` or `ca3f…` must become `CA3f…`. */
export function callSid(value: string): string {
  const id = value.trim();
  return CALL_SID.test(id) ? `CA${id.slice(2).toLowerCase()}` : id;
}

/** A call named by its CallSid or its 8-digit reference, as `optin-ivr show`, the API and the desk accept it. */
export function callIdOrReference(value: string, parameter = 'callSid'): string {
  const id = value.trim();
  if (!CALL_SID.test(id) && !CALL_REFERENCE.test(id)) {
    throw new InvalidParameterError(
      parameter,
      `"${value}" is neither a CallSid (CA and 32 hex digits) nor an 8-digit reference`,
    );
  }
  return id;
}
