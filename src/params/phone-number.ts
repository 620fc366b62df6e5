import { isSupportedCountry } from 'libphonenumber-js/max';
import { parsePhone } from '../phone/phone.js';
import { InvalidParameterError } from './invalid-parameter.js';

/** Any common notation of a number, as E.164. */
export function phoneNumber(value: string, country?: string, parameter = 'phone'): string {
  const region = country === undefined ? undefined : phoneCountry(country);
  const parsed = parsePhone(value, region);
  if (!parsed) {
    const hint = region ? '' : ' (write it with its country code, e.g. +14155550123, or give a country)';
    throw new InvalidParameterError(parameter, `"${value}" is not a valid phone number${hint}`);
  }
  return parsed.e164;
}

/** A two-letter region (ISO 3166-1), upper-cased. */
export function phoneCountry(value: string): string {
  const upper = value.trim().toUpperCase();
  if (!isSupportedCountry(upper)) {
    throw new InvalidParameterError('country', `"${value}" is not a country code (use two letters, e.g. US or DE)`);
  }
  return upper;
}
