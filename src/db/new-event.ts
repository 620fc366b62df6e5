import type { EventSource } from '../ledger-vocabulary.js';
import type { NewConsentEvent } from './ledger.js';

/** The columns of a new event that may be empty; the transcript digest is left to `appendEvents`. */
type EmptyColumn = {
  [K in keyof NewConsentEvent]-?: null extends NewConsentEvent[K] ? K : never;
}[keyof NewConsentEvent];

/** Every column that may be empty, empty: a column added to the table must be added here (this does not compile otherwise). */
const EMPTY = {
  call_sid: null,
  account_sid: null,
  called_number: null,
  phone_number: null,
  number_source: null,
  digits: null,
  prompt_id: null,
  attempt: null,
  script_id: null,
  script_version: null,
  language: null,
  voice: null,
  statement_sha256: null,
  signature_verified: null,
  reason: null,
} as const satisfies Record<Exclude<EmptyColumn, 'transcript_sha256'>, null>;

/** Consent is asked for, and withdrawn, for WhatsApp messages. */
const CHANNEL = 'whatsapp';

/**
 * A decision made on the phone line, as the call service records it; every column not given is null. Its
 * transcript digest is worked out by `appendEvents` from the call's steps.
 */
export function newIvrEvent(
  fields: Pick<NewConsentEvent, 'business' | 'category' | 'decision'> & Partial<NewConsentEvent>,
): NewConsentEvent {
  return { ...EMPTY, channel: CHANNEL, source: 'ivr', ...fields };
}

/** A withdrawal that arrived off the phone line (an agent, the API): no call, no key, no script behind it. */
export function newOptOutEvent(fields: {
  phone_number: string;
  business: string;
  category: string;
  source: Exclude<EventSource, 'ivr'>;
  reason: string;
}): NewConsentEvent {
  return { ...EMPTY, channel: CHANNEL, decision: 'opt_out', ...fields };
}
