import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { spreadsheetSafe } from '../../src/export/spreadsheet-safe.js';

const FORMULA_START = ['=', '+', '-', '@', '\t', '\r'];

describe('spreadsheet-safe cells', () => {
  it('shows an E.164 number behind an apostrophe so it is text, not a formula or a number', () => {
    expect(spreadsheetSafe('+14155550123')).toBe("'+14155550123");
    expect(spreadsheetSafe('=HYPERLINK("http://evil","x")')).toBe('\'=HYPERLINK("http://evil","x")');
  });

  it('never lets a cell start with a formula character, and changes nothing else', () => {
    fc.assert(
      fc.property(fc.constantFrom('', 'a', '0', "'", ...FORMULA_START), fc.string({ unit: 'binary' }), (head, tail) => {
        const value = head + tail;
        const safe = spreadsheetSafe(value);
        expect(FORMULA_START.includes(safe.charAt(0))).toBe(false);
        if (FORMULA_START.includes(value.charAt(0))) expect(safe).toBe(`'${value}`);
        else expect(safe).toBe(value);
      }),
      { numRuns: 500 },
    );
  });
});
