import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  isWithheldCallerId,
  maskPhone,
  parsePhone,
  readCallerId,
  spellDigits,
  usableCallerId,
} from '../../src/phone/phone.js';

describe('phone numbers', () => {
  it('masks a number for logs, keeping only its prefix and last two digits', () => {
    expect(maskPhone('+4915112345678')).toBe('+49151******78');
    expect(maskPhone('+14155550123')).toBe('+1415*****23');
    expect(maskPhone('client:alice')).toBe('client:***');
    expect(maskPhone('anonymous')).toBe('anonymous');
    expect(maskPhone(null)).toBe('');
  });

  it('hides at least four characters and about half of any number', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^\+?\d{1,17}$/), (n) => {
        const masked = maskPhone(n);
        const stars = masked.split('*').length - 1;
        expect(masked).toHaveLength(n.length);
        expect(stars).toBeGreaterThanOrEqual(Math.min(n.length, Math.max(4, Math.ceil(n.length / 2) - 1)));
        expect(masked.replace(/\D/g, '').length).toBeLessThanOrEqual(8);
      }),
    );
  });

  it('knows the ways Twilio says a caller ID is withheld', () => {
    for (const v of ['anonymous', 'Restricted', 'unknown', '+266696687', '', undefined]) {
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

  it('reads a keyed-in number in the country of the line', () => {
    expect(parsePhone('(415) 555-0123', 'US')).toMatchObject({ e164: '+14155550123', national: '4155550123' });
    expect(parsePhone('0151 12345678', 'DE')).toMatchObject({ e164: '+4915112345678', mobile: true });
    expect(parsePhone('12', 'US')).toBeUndefined();
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
