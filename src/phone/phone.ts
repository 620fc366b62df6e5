import { type CountryCode, parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { LRUCache } from 'lru-cache';

/**
 * Caller IDs Twilio sends when the number is withheld. `+266696687` is a Lesotho-looking placeholder that some
 * carriers use for "anonymous"; it must never be taken for a real subscriber.
 */
const WITHHELD = new Set(['', 'anonymous', 'restricted', 'unknown', 'private', 'unavailable', '+266696687']);

const MOBILE_TYPES = new Set(['MOBILE', 'FIXED_LINE_OR_MOBILE']);

export interface ParsedNumber {
  e164: string;
  /** The national digits as a caller would dial them, for reading back. */
  national: string;
  mobile: boolean;
}

// The same numbers come again and again (the line's own number in every webhook's `To`, callers who call back);
// with the full metadata, parsing one is the costliest step of an incoming call.
const parsedNumbers = new LRUCache<string, { parsed: Readonly<ParsedNumber> | null }>({ max: 10_000 });

/** Parses any common notation; `country` is the region for numbers without a `+` prefix. */
export function parsePhone(input: string, country?: string): ParsedNumber | undefined {
  const key = `${country ?? ''} ${input}`;
  let entry = parsedNumbers.get(key);
  if (!entry) {
    entry = { parsed: parseUncached(input, country) };
    parsedNumbers.set(key, entry);
  }
  return entry.parsed === null ? undefined : { ...entry.parsed };
}

function parseUncached(input: string, country?: string): ParsedNumber | null {
  const parsed = parsePhoneNumberFromString(input.trim(), country as CountryCode | undefined);
  if (!parsed) return null;
  // With the full metadata a number is valid exactly when it has a type, and isValid() works that type out too:
  // ask once (isValid() stays the judge for a number without one).
  const type = parsed.getType();
  if (type === undefined && !parsed.isValid()) return null;
  return {
    e164: parsed.number,
    national: parsed.formatNational().replace(/\D/g, ''),
    mobile: type !== undefined && MOBILE_TYPES.has(type),
  };
}

export function isWithheldCallerId(from: string | undefined): boolean {
  return WITHHELD.has((from ?? '').trim().toLowerCase());
}

/**
 * The caller ID as a number we may offer to send messages to: valid, mobile and not withheld.
 * `client:` and `sip:` identities are not phone numbers.
 */
export function usableCallerId(from: string | undefined): string | undefined {
  if (!from || isWithheldCallerId(from) || !from.startsWith('+')) return undefined;
  const parsed = parsePhone(from);
  return parsed?.mobile ? parsed.e164 : undefined;
}

export interface CallerId {
  number: string | null;
  usable: string | null;
}

/**
 * The caller ID parsed once: `number` is what it reads as (E.164, or null when it is not a `+` number), `usable` the
 * same number only when we may offer to message it (valid, mobile, not a withheld placeholder).
 */
export function readCallerId(from: string): CallerId {
  const parsed = from.startsWith('+') ? parsePhone(from) : undefined;
  return { number: parsed?.e164 ?? null, usable: parsed?.mobile && !isWithheldCallerId(from) ? parsed.e164 : null };
}

/** For logs: `+4915112345678` becomes `+49151******78`; never print a full number. */
export function maskPhone(value: string | null | undefined): string {
  if (!value) return '';
  if (isWithheldCallerId(value)) return value;
  const digitsOnly = /^\+?\d+$/.test(value);
  if (!digitsOnly) {
    // client:alice, sip:bob@example.com: an identity is personal data too.
    const colon = value.indexOf(':');
    return colon >= 0 ? `${value.slice(0, colon + 1)}***` : '***';
  }
  if (value.length <= 6) return '*'.repeat(value.length);
  // Hide at least four characters and about half of the number, whatever its length.
  const hidden = Math.max(4, Math.ceil(value.length / 2) - 1);
  const head = Math.min(6, value.length - 2 - hidden);
  return value.slice(0, head) + '*'.repeat(value.length - head - 2) + value.slice(-2);
}

/** Digits spaced out so a text-to-speech voice reads them one by one. */
export function spellDigits(digits: string): string {
  return digits.replace(/\D/g, '').split('').join(' ');
}

/** A URL's query may carry keyed-in digits (`digits=4155550123`): masked like any other number before it is logged. */
export function maskNumbersInQuery(url: string): string {
  const query = url.indexOf('?');
  if (query === -1) return url;
  return url.slice(0, query) + url.slice(query).replace(/\d{7,}/g, (run) => maskPhone(run));
}

/** The region (ISO 3166-1 alpha-2) a number belongs to, e.g. US for +1415…; undefined when unknown. */
export function phoneCountry(e164: string): string | undefined {
  return parsePhoneNumberFromString(e164)?.country;
}
