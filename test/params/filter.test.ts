import { describe, expect, it } from 'vitest';
import { parseFilter } from '../../src/params/filter.js';

describe('export filters', () => {
  it.each(['+1 (415) 555-0123', '+1.415.555.0123', '+14155550123', ' +1 415 555 0123 '])(
    'normalises the phone %j to E.164',
    (phone) => {
      expect(parseFilter({ phone }).phone).toBe('+14155550123');
    },
  );

  it('reads a national number with the country given', () => {
    expect(parseFilter({ phone: '(415) 555-0123', country: 'us' }).phone).toBe('+14155550123');
    expect(parseFilter({ phone: '0151 12345678', country: 'DE' }).phone).toBe('+4915112345678');
  });

  it('names the parameter and the value of each bad filter', () => {
    expect(() => parseFilter({ phone: '555-0123' })).toThrow(/^phone "555-0123" is not a valid phone number/);
    expect(() => parseFilter({ phone: '0151 12345678', country: 'XX' })).toThrow(/^country "XX" is not a country/);
    expect(() => parseFilter({ decision: 'optin' })).toThrow(
      'decision "optin" is not one of opt_in, declined, opt_out',
    );
    expect(() => parseFilter({ business: '  ' })).toThrow(/^business " {2}" must be 1 to 200 characters/);
    expect(() => parseFilter({ since: '2026-11-30', until: '2026-11-01' })).toThrow(/^until "2026-11-01" is not after/);
  });

  it('passes the other filters through as the ledger stores them', () => {
    expect(
      parseFilter({
        since: '2026-11',
        until: '2026-11',
        decision: 'opt_in',
        category: 'utility',
        business: 'Demo Shop',
      }),
    ).toEqual({
      since: '2026-11-01T00:00:00.000Z',
      until: '2026-12-01T00:00:00.000Z',
      decision: 'opt_in',
      category: 'utility',
      business: 'Demo Shop',
    });
  });
});
