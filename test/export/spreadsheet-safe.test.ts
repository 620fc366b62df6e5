import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { spreadsheetSafe } from '../../src/export/spreadsheet-safe.js';

const FORMULA_START = ['=', '+', '-', '@', '\t', '\r'];

describe('spreadsheet-safe cells', () => {
  it('shows an E.164 number behind an apostrophe so it is text, not a formula or a number', () => {
    expect(spreadsheetSafe('+14155550123')).toBe("'+14155550123");
    expect(spreadsheetSafe('=HYPERLINK("http://evil","x")')).toBe('\'=HYPERLINK("http://evil","x")');
  });

  it('never lets a one-line cell start with a formula character, and changes nothing else', () => {
    const oneLine = fc.string({ unit: 'binary' }).filter((t) => !/[\r\n]/.test(t));
    const heads = fc.constantFrom('', 'a', '0', "'", ...FORMULA_START.filter((c) => c !== '\r'));
    fc.assert(
      fc.property(heads, oneLine, (head, tail) => {
        const value = head + tail;
        const safe = spreadsheetSafe(value);
        expect(FORMULA_START.includes(safe.charAt(0))).toBe(false);
        if (FORMULA_START.includes(value.charAt(0))) expect(safe).toBe(`'${value}`);
        else expect(safe).toBe(value);
      }),
      { numRuns: 500 },
    );
  });

  it('guards every line of a cell, and a cell that starts with a line break', () => {
    expect(spreadsheetSafe('STOP\n@SUM(1+1)')).toBe("STOP\n'@SUM(1+1)");
    expect(spreadsheetSafe('STOP\r=1+1')).toBe("STOP\r'=1+1");
    expect(spreadsheetSafe('a\r\n-1\nb')).toBe("a\r\n'-1\nb");
    expect(spreadsheetSafe('\r=1')).toBe("'\r'=1");
    expect(spreadsheetSafe('\nplain')).toBe("'\nplain");
  });
});
