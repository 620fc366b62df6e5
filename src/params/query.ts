import type { ParsedUrlQuery } from 'node:querystring';
import { InvalidParameterError } from './invalid-parameter.js';

/**
 * The query string as single values. An unknown or repeated parameter is refused: `?bussiness=…` silently
 * ignored would answer with every business.
 */
export function queryParams(query: ParsedUrlQuery, allowed: readonly string[]): Record<string, string | undefined> {
  const params: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(query)) {
    if (!allowed.includes(name)) {
      throw new InvalidParameterError(name, `is not a parameter here (use ${allowed.join(', ')})`);
    }
    if (Array.isArray(value)) throw new InvalidParameterError(name, 'is given more than once');
    params[name] = value;
  }
  return params;
}

export function booleanParam(name: string, value: string | undefined): boolean {
  if (value === undefined || value === 'false' || value === '0') return false;
  if (value === '' || value === 'true' || value === '1') return true;
  throw new InvalidParameterError(name, `"${value}" is not true or false`);
}
