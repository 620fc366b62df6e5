import type { EventFilter } from '../db/event-query.js';
import { DECISIONS, type Decision } from '../ledger-vocabulary.js';
import { InvalidParameterError } from './invalid-parameter.js';
import { phoneCountry, phoneNumber } from './phone-number.js';
import { timeBound } from './time-bound.js';

/** The filters as typed on a command line or in a query string. */
export interface FilterInput {
  since?: string | undefined;
  until?: string | undefined;
  decision?: string | undefined;
  category?: string | undefined;
  business?: string | undefined;
  phone?: string | undefined;
  /** Region for a phone number written without its country code (`(415) 555-0123` with `US`). */
  country?: string | undefined;
}

export const FILTER_PARAMETERS = ['since', 'until', 'decision', 'category', 'business', 'phone', 'country'] as const;

/** Checks every filter; the first bad one is reported by name, so a typo never yields a silently empty export. */
export function parseFilter(input: FilterInput): EventFilter {
  const filter: EventFilter = {};
  if (input.since !== undefined) filter.since = timeBound('since', input.since);
  if (input.until !== undefined) filter.until = timeBound('until', input.until);
  if (filter.since !== undefined && filter.until !== undefined && filter.since >= filter.until) {
    throw new InvalidParameterError(
      'until',
      `"${input.until}" is not after since "${input.since}": the period would be empty`,
    );
  }
  if (input.decision !== undefined) {
    if (!(DECISIONS as readonly string[]).includes(input.decision)) {
      throw new InvalidParameterError('decision', `"${input.decision}" is not one of ${DECISIONS.join(', ')}`);
    }
    filter.decision = input.decision as Decision;
  }
  if (input.category !== undefined) filter.category = label('category', input.category);
  if (input.business !== undefined) filter.business = label('business', input.business);
  if (input.phone !== undefined) filter.phone = phoneNumber(input.phone, input.country);
  else if (input.country !== undefined) phoneCountry(input.country);
  return filter;
}

function label(parameter: string, value: string): string {
  const v = value.trim();
  if (v === '' || v.length > 200) throw new InvalidParameterError(parameter, `"${value}" must be 1 to 200 characters`);
  return v;
}
