import { describe, expect, it } from 'vitest';
import { callIdOrReference, callSid } from '../../src/params/call-id.js';
import { checkXlsxRows, exportFormat } from '../../src/params/export-format.js';
import { InvalidParameterError } from '../../src/params/invalid-parameter.js';
import { sayLimit } from '../../src/params/twilio-say.js';

const SID = `CA${'0123456789abcdef'.repeat(2)}`;

describe('call ids', () => {
  it('takes a CallSid in any case or an 8-digit reference, trimmed', () => {
    expect(callIdOrReference(` ${SID} `)).toBe(SID);
    expect(callIdOrReference('12345678')).toBe('12345678');
    expect(callSid(SID.toUpperCase().replace(/^CA/, 'ca'))).toBe(SID);
  });

  it.each(['CA123', '1234567', '123456789', `PN${'0'.repeat(32)}`, ''])('refuses %j, naming the parameter', (id) => {
    expect(() => callIdOrReference(id, 'call')).toThrow(
      new InvalidParameterError('call', `"${id}" is neither a CallSid (CA and 32 hex digits) nor an 8-digit reference`),
    );
  });
});

describe('export formats', () => {
  it('defaults to csv and refuses a format it does not write', () => {
    expect(exportFormat(undefined)).toBe('csv');
    expect(exportFormat('xlsx')).toBe('xlsx');
    expect(() => exportFormat('pdf')).toThrow(/^format "pdf" is not one of csv, /);
  });

  it('counts the rows only for xlsx, and refuses more than a sheet holds', async () => {
    let counted = 0;
    const count = (n: number) => async () => {
      counted += 1;
      return n;
    };
    await checkXlsxRows('csv', count(2_000_000));
    expect(counted).toBe(0);
    await checkXlsxRows('xlsx', count(1_048_575));
    await expect(checkXlsxRows('xlsx', count(1_048_576))).rejects.toMatchObject({ parameter: 'format' });
    expect(counted).toBe(2);
  });
});

describe("Twilio's <Say> limits", () => {
  it('allows 4096 characters, 3000 with an Amazon Polly voice', () => {
    expect(sayLimit('alice')).toBe(4096);
    expect(sayLimit(undefined)).toBe(4096);
    expect(sayLimit('Polly.Joanna')).toBe(3000);
  });
});
