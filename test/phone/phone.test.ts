import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

// phone.ts keeps every number it parsed (an LRU cache). A mutation run tries many versions of that code, one after
// the other, in one process: each run of this file imports a copy of its own, so every version parses afresh instead
// of answering from what an earlier version cached.
const {
  isWithheldCallerId,
  maskNumbersInQuery,
  maskPhone,
  parsePhone,
  phoneCountry,
  readCallerId,
  spellDigits,
  usableCallerId,
} = (await import(
  /* @vite-ignore */ `../../src/phone/phone.js?copy=${randomUUID()}`
)) as typeof import('../../src/phone/phone.js');

describe('phone numbers', () => {
  it('masks a number for logs, keeping only its prefix and last two digits', () => {
    expect(maskPhone('+4915112345678')).toBe('+49151******78');
    expect(maskPhone('+14155550123')).toBe('+1415*****23');
    expect(maskPhone('client:alice')).toBe('client:***');
    expect(maskPhone('anonymous')).toBe('anonymous');
    expect(maskPhone(null)).toBe('');
  });

  // Anything that is not all digits (after an optional +) is an identity: everything after its scheme is hidden.
  it.each([
    ['sip:bob@example.com', 'sip:***'],
    [':x', ':***'],
    ['alice', '***'],
    ['abc123', '***'],
    ['123abc', '***'],
    ['+', '***'],
    ['12a34567', '***'],
  ])('masks the identity %s as %s', (identity, masked) => {
    expect(maskPhone(identity)).toBe(masked);
  });

  // The rule as examples, written out by hand: at least four characters and about half of the number hidden, the
  // last two digits and at most six leading characters shown, the length kept.
  it.each([
    ['1', '*'],
    ['12', '**'],
    ['123456', '******'],
    ['1234567', '1****67'],
    ['+1234567', '+1****67'],
    ['+33612345678', '+3361*****78'],
    ['+441234567890', '+4412******90'],
    ['+8613812345678', '+86138******78'],
    ['+12345678901234567', '+12345**********67'],
    ['123456789012345678', '123456**********78'],
  ])('masks %s as %s', (number, masked) => {
    expect(maskPhone(number)).toBe(masked);
  });

  it('never shows more than eight digits of any number, and keeps its length and last two digits', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^\+?\d{7,17}$/), (n) => {
        const masked = maskPhone(n);
        expect(masked).toHaveLength(n.length);
        expect(masked.slice(-2)).toBe(n.slice(-2));
        expect(masked.replace(/\D/g, '').length).toBeLessThanOrEqual(8);
        expect(masked.split('*').length - 1).toBeGreaterThanOrEqual(4);
      }),
    );
  });

  it('knows the ways Twilio says a caller ID is withheld', () => {
    for (const v of ['anonymous', 'Restricted', 'unknown', ' Anonymous ', '+266696687', '', undefined]) {
      expect(isWithheldCallerId(v)).toBe(true);
    }
    expect(isWithheldCallerId('+14155550123')).toBe(false);
  });

  it('offers only a valid mobile caller ID as the number to message', () => {
    expect(usableCallerId('+4915112345678')).toBe('+4915112345678');
    expect(usableCallerId('+14155550123')).toBe('+14155550123');
    expect(usableCallerId('+442079460018')).toBeUndefined(); // a London landline
    expect(usableCallerId('+266696687')).toBeUndefined();
    expect(usableCallerId('sip:bob@example.com')).toBeUndefined();
  });

  it('takes a caller ID as a number only when it starts with +, as Twilio sends one', () => {
    // libphonenumber would read these; a caller ID written so is not what Twilio sends for a phone.
    for (const from of ['tel:+4915112345678', ' +4915112345678']) {
      expect(usableCallerId(from)).toBeUndefined();
      expect(readCallerId(from)).toEqual({ number: null, usable: null });
    }
    // No caller ID at all, and one too short to be a number.
    expect(usableCallerId(undefined)).toBeUndefined();
    expect(usableCallerId('')).toBeUndefined();
    expect(usableCallerId('+1')).toBeUndefined();
    expect(readCallerId('+1')).toEqual({ number: null, usable: null });
  });

  it('reads a keyed-in number in the country of the line', () => {
    expect(parsePhone('(415) 555-0123', 'US')).toMatchObject({ e164: '+14155550123', national: '4155550123' });
    expect(parsePhone('0151 12345678', 'DE')).toMatchObject({ e164: '+4915112345678', mobile: true });
    expect(parsePhone('12', 'US')).toBeUndefined();
  });

  it('reads the same digits by the country given: a Vienna landline in Austria, a mobile in Germany', () => {
    expect(parsePhone('0151 12345678', 'DE')).toMatchObject({ e164: '+4915112345678', mobile: true });
    expect(parsePhone('0151 12345678', 'AT')).toMatchObject({ e164: '+4315112345678', mobile: false });
    expect(parsePhone('0151 12345678')).toBeUndefined();
  });

  it('refuses a number of the right form that no country gives out', () => {
    // US exchange 000 and area code 555 do not exist; a German number of seven digits is too short.
    for (const number of ['+1 415 000 0000', '+1 555 555 5555', '+49 1234567']) {
      expect(parsePhone(number)).toBeUndefined();
      expect(readCallerId(number)).toEqual({ number: null, usable: null });
    }
  });

  it('masks every run of seven or more digits in the query of a URL, and nothing before the query', () => {
    expect(maskNumbersInQuery('/?digits=4155550123')).toBe('/?digits=4155****23');
    expect(maskNumbersInQuery('https://ivr.example.com/voice/turn?n=3&digits=4155550123&retry=1')).toBe(
      'https://ivr.example.com/voice/turn?n=3&digits=4155****23&retry=1',
    );
    expect(maskNumbersInQuery('/a1234567?n=123456')).toBe('/a1234567?n=123456');
    expect(maskNumbersInQuery('/a1234567')).toBe('/a1234567');
  });

  it("names a number's country, and none for what is not a number", () => {
    expect(phoneCountry('+4915112345678')).toBe('DE');
    expect(phoneCountry('+14155550123')).toBe('US');
    expect(phoneCountry('not a number')).toBeUndefined();
  });

  it('spaces digits so a voice reads them one by one', () => {
    expect(spellDigits('+1 415')).toBe('1 4 1 5');
  });
});

describe('readCallerId', () => {
  it('reads the caller ID once: the number it is, and whether it may be offered', () => {
    expect(readCallerId('+14155550123')).toEqual({ number: '+14155550123', usable: '+14155550123' });
    // Lesotho's placeholder for a withheld number parses, but is never offered.
    expect(readCallerId('+266696687').usable).toBeNull();
    expect(readCallerId('client:alice')).toEqual({ number: null, usable: null });
    expect(readCallerId('anonymous')).toEqual({ number: null, usable: null });
    // A German landline is a number, not one to send WhatsApp messages to.
    expect(readCallerId('+493012345678')).toEqual({ number: '+493012345678', usable: null });
  });
});
